"""The one catalogue (core/wording): both languages say the same things, and numbers, durations and times are
written for people."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime

import pytest

from core import wording
from core.wording import Voice

UNIT_SECONDS = {"s": 1, "min": 60, "h": 3600, "d": 86400, "g": 86400}


def seconds_of(text: str) -> int:
    parts = re.fullmatch(r"(\d+) (\w+)(?: (\d+) (\w+))?", text)
    assert parts, text
    total = int(parts[1]) * UNIT_SECONDS[parts[2]]
    if parts[3]:
        total += int(parts[3]) * UNIT_SECONDS[parts[4]]
    return total


def test_both_languages_have_every_key_with_the_same_fields() -> None:
    en, it = wording.catalogue("en"), wording.catalogue("it")
    assert set(en) == set(it)
    for key in en:
        fields = {f for _, f, _, _ in string.Formatter().parse(en[key]) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(it[key]) if f}, key


@pytest.mark.parametrize(("seconds", "en", "it"), [
    (0, "0 s", "0 s"), (59.4, "59 s", "59 s"), (59.6, "1 min", "1 min"), (3599, "1 h", "1 h"),
    (3627 * 60, "2 d 12 h", "2 g 12 h"), (6 * 86400 + 23 * 3600 + 50 * 60, "7 d", "7 g"),
    (86399, "1 d", "1 g"), (3 * 3600 + 5 * 60, "3 h 5 min", "3 h 5 min"), (-5, "0 s", "0 s"),
])
def test_durations_for_people(seconds: float, en: str, it: str) -> None:
    assert wording.duration(seconds, "en") == en and wording.duration(seconds, "it") == it


def test_every_duration_up_to_40_days_is_well_formed_and_close() -> None:
    """Over a dense grid (every second of the first two hours, every 3 s around each day's end where hours
    round over, every 97 s elsewhere): units in range, never '60 min' or '24 h', monotonic, and within half the
    smallest unit shown."""
    grid = [*range(0, 7200), *range(7200, 40 * 86400, 97)]
    grid += [d * 86400 + k for d in range(1, 40) for k in range(-1900, 1900, 3)]
    previous = -1
    for s in sorted(set(grid)):
        text = wording.duration(s)
        units = text.split()[1::2]
        values = [int(v) for v in text.split()[0::2]]
        assert units in (["s"], ["min"], ["h"], ["h", "min"], ["d"], ["d", "h"]), text
        if len(values) == 2:
            assert 0 < values[1] < (60 if units[1] == "min" else 24), text
        shown = seconds_of(text)
        assert abs(shown - s) <= UNIT_SECONDS[units[-1]] / 2, (s, text)
        assert shown >= previous, (s, text)
        previous = shown


def test_numbers_in_each_language() -> None:
    assert wording.number(1234.56, "en") == "1,234.6" and wording.number(1234.56, "it") == "1.234,6"
    assert wording.number(2.8, "it") == "2,8" and wording.number(40.0, "en") == "40"
    assert wording.ratio(14.3, "en") == "14" and wording.ratio(2.46, "it") == "2,5"
    assert wording.large(3.2e7, "en") == "32 million" and wording.large(3.2e7, "it") == "32 milioni"
    assert wording.number(None) == "–" and wording.number(float("nan")) == "–"


def test_times_in_the_readers_time_zone() -> None:
    noon = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert wording.when(noon, Voice("en", "UTC")) == "10 Mar 2026, 12:00"
    assert wording.when(noon, Voice("it", "Europe/Rome")) == "10 mar 2026, 13:00"
    summer = datetime(2026, 7, 10, 12, 0, tzinfo=UTC)
    assert wording.when(summer, Voice("en", "Europe/Rome")).endswith("14:00")
    assert wording.when(summer, Voice("en", "America/New_York")).endswith("08:00")
    start, end = wording.window(datetime(2026, 3, 10, 22, 30, tzinfo=UTC), datetime(2026, 3, 10, 23, 30, tzinfo=UTC),
                                Voice("en", "Europe/Rome"))
    assert (start, end) == ("10 Mar 2026, 23:30", "11 Mar 2026, 00:30")  # over local midnight: both dates


def test_channels_take_a_language_and_an_iana_time_zone() -> None:
    from core.config import ConfigError, config_from_dict

    raw = {"brands": [{"name": "Velora"}], "channels": [
        {"name": "out", "kind": "file", "path": "a.jsonl", "language": "it", "timezone": "Europe/Rome"},
        {"name": "hook", "kind": "webhook", "url": "http://127.0.0.1/h"}]}
    config = config_from_dict(raw)
    assert (config.channels[0].language, config.channels[0].timezone) == ("it", "Europe/Rome")
    assert (config.channels[1].language, config.channels[1].timezone) == ("en", "UTC")
    raw["channels"][1]["timezone"] = "Mars/Olympus"
    with pytest.raises(ConfigError, match="unknown time zone"):
        config_from_dict(raw)
    raw["channels"][1].update(timezone="UTC", language="fr")
    with pytest.raises(ConfigError):
        config_from_dict(raw)
