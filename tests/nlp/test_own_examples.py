"""The project's own examples (nlp/data/*_brand_care*.txt) as the README's format and rules require: every line
well-formed with known labels and topics, no text twice across the files (case, accents and punctuation folded)."""

from __future__ import annotations

import re

from core.text import fold
from nlp.datasets import INTENTS, OWN_DATA, SENTIMENTS
from nlp.topics import TOPICS

FILES = sorted(OWN_DATA.glob("*_brand_care*.txt"))


def _lines() -> list[tuple[str, str]]:
    return [(f"{path.name}:{number}", line) for path in FILES
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if line.strip() and not line.startswith("#")]


def test_there_are_files_of_both_languages() -> None:
    assert {path.name[:2] for path in FILES} == {"en", "it"}


def test_every_line_is_well_formed() -> None:
    bad = []
    for place, text in _lines():
        parts = [p.strip() for p in text.split(" | ", 3)]
        topics = set() if len(parts) < 3 or parts[2] == "-" else {t.strip() for t in parts[2].split(",")}
        if (len(parts) != 4 or parts[0] not in INTENTS or parts[1] not in (*SENTIMENTS, "-")
                or not topics <= set(TOPICS) or not parts[3] or "|" in parts[3]):
            bad.append(place)
    assert bad == []


def test_no_text_twice() -> None:
    seen: dict[str, str] = {}
    repeated = []
    for place, line in _lines():
        key = re.sub(r"\W+", " ", fold(line.split(" | ", 3)[-1])).strip()
        if key in seen:
            repeated.append((seen[key], place))
        seen.setdefault(key, place)
    assert repeated == []
