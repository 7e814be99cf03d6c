"""The one catalogue of what Ascolto says to people, in English and Italian, and how it writes numbers for them.

The dashboard (served to the browser as it is, see ascolto/web/app.py), the alert messages and the digests all
take their words from `en.json` / `it.json` beside this file; a key is kept once, in both languages. Values are
`str.format` templates whose fields are filled with text already formatted for the reader (`number`,
`duration`, `when`): the formatters here are the only definition of how a count, a ratio, a duration or a time
is written, and the dashboard's duration (ascolto/web/static/js/common.js) follows `duration` to the letter.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_compact_decimal, format_decimal

LANGUAGES: tuple[str, ...] = ("en", "it")
DEFAULT_LANGUAGE = "en"
_HERE = Path(__file__).parent


@dataclass(frozen=True)
class Voice:
    """Whom a message is written for: a language of LANGUAGES and an IANA time zone."""

    language: str = DEFAULT_LANGUAGE
    timezone: str = "UTC"

    def text(self, key: str, **values: Any) -> str:
        return text(self.language, key, **values)


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every text of one language, by key (unknown languages get English)."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    return dict(json.loads((_HERE / f"{language}.json").read_text(encoding="utf-8")))


def text(language: str, key: str, **values: Any) -> str:
    """The text of `key` with its fields filled. A key missing from the catalogue is a bug: KeyError."""
    return catalogue(language)[key].format(**values)


def _half_up(value: float) -> int:
    return math.floor(value + 0.5)  # as JavaScript's Math.round, so the dashboard writes the same figure


def duration(seconds: float, language: str = DEFAULT_LANGUAGE) -> str:
    """A duration for people: '45 s', '12 min', '3 h 5 min', '2 d 12 h' (never '3627 minutes', never '6 d 24 h').

    The figure is rounded once, to the precision of the largest unit shown, and only then split into units, so
    no unit can read 60 minutes or 24 hours.
    """
    unit = catalogue(language)
    s = max(0, _half_up(seconds))
    if s < 60:
        return f"{s} {unit['unit.s']}"
    minutes = _half_up(s / 60)
    if minutes < 60:
        return f"{minutes} {unit['unit.min']}"
    if minutes < 24 * 60:
        h, m = divmod(minutes, 60)
        return f"{h} {unit['unit.h']}" + (f" {m} {unit['unit.min']}" if m else "")
    d, h = divmod(_half_up(s / 3600), 24)
    return f"{d} {unit['unit.d']}" + (f" {h} {unit['unit.h']}" if h else "")


def number(value: float | None, language: str = DEFAULT_LANGUAGE, decimals: int = 1) -> str:
    """A count or a rate with at most `decimals` decimals, in the language's digits: '1,234.5', '1.234,5'."""
    if value is None or not math.isfinite(value):
        return "–"
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    return format_decimal(round(float(value), decimals), format=pattern, locale=language)


def ratio(value: float, language: str = DEFAULT_LANGUAGE) -> str:
    """How many times the usual: one decimal below 10 ('1.5', '2,5'), whole above ('15')."""
    return number(value, language, 1 if value < 10 else 0)


def percent(share: float, language: str = DEFAULT_LANGUAGE) -> str:
    return number(100 * share, language, 0) + "%"


def large(value: float, language: str = DEFAULT_LANGUAGE) -> str:
    """A large figure in words: '3.2 million', '3,2 milioni'."""
    if value < 1_000_000:
        return number(value, language, 0)
    return str(format_compact_decimal(value, format_type="long", locale=language, fraction_digits=1))


def when(moment: datetime, voice: Voice, with_date: bool = True) -> str:
    """A moment in the reader's time zone: '10 Mar 2026, 13:00' ('10 mar 2026, 13:00'), or only '13:00'."""
    pattern = "d MMM y, HH:mm" if with_date else "HH:mm"
    return str(format_datetime(moment, pattern, tzinfo=ZoneInfo(voice.timezone), locale=voice.language))


def window(start: datetime, end: datetime, voice: Voice) -> tuple[str, str]:
    """A window's two ends for people: the end without its date when both fall on the same local day."""
    zone = ZoneInfo(voice.timezone)
    same_day = start.astimezone(zone).date() == end.astimezone(zone).date()
    return when(start, voice), when(end, voice, with_date=not same_day)
