"""The labelled data the models learn from, and the fixed held-out split `ascolto evaluate` scores on.

../shared/data (public datasets, see nlp/models/README.md for licences) plus the project's own brand-care
examples in nlp/data/. Every split is seeded, so train and evaluate see the same partition on every machine.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.model_selection import train_test_split

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
OWN_DATA = Path(__file__).resolve().parent / "data"
SEED = 13
HOLDOUT = 0.2

# airline negative reasons -> care topics (reasons without a clear care topic are left unlabelled)
AIRLINE_TOPICS = {
    "Customer Service Issue": ["customer_service"], "Flight Attendant Complaints": ["customer_service"],
    "longlines": ["customer_service"], "Late Flight": ["delays_cancellations"],
    "Cancelled Flight": ["delays_cancellations"], "Flight Booking Problems": ["app_website"],
    "Bad Flight": ["product_quality"], "Lost Luggage": ["delivery"], "Damaged Luggage": ["delivery"],
}


@dataclass
class Example:
    text: str
    lang: str
    sentiment: str | None = None  # negative / neutral / positive
    opos: int | None = None  # SENTIPOLC flags
    oneg: int | None = None
    complaint: int | None = None
    intent: str | None = None
    topics: list[str] | None = None
    source: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: pass --data DIR (the shared/data directory)")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def airline(data: Path) -> list[Example]:
    out = []
    for row in _csv(data / "sentiment_en_airline" / "train.csv"):
        reason = row["negative_reason"]
        complaint = 1 if row["sentiment"] == "negative" and reason and reason != "Can't Tell" else 0
        topics = AIRLINE_TOPICS.get(reason) if row["sentiment"] == "negative" else None
        out.append(Example(row["text"], "en", sentiment=row["sentiment"], complaint=complaint, topics=topics,
                           source="airline", extra={"reason": reason}))
    return out


def complaints(data: Path) -> list[Example]:
    return [Example(row["text"], "en", complaint=int(row["complaint"]), source="complaints",
                    extra={"domain": row["domain"]}) for row in _csv(data / "complaints_en" / "train.csv")]


def sentipolc(data: Path) -> list[Example]:
    out = []
    for row in _csv(data / "sentiment_it_sentipolc" / "train.csv"):
        opos, oneg = int(row["opos"]), int(row["oneg"])
        sentiment = "positive" if opos > oneg else "negative" if oneg > opos else "neutral"
        out.append(Example(row["text"], "it", sentiment=sentiment, opos=opos, oneg=oneg, source="sentipolc"))
    return out


_DEFAULT_SENTIMENT = {"complaint": "negative", "praise": "positive", "question": "neutral", "other": "neutral"}


def brand_care(lang: str) -> list[Example]:
    """The project's own examples: `intent | sentiment | topics | text` per line."""
    out = []
    path = OWN_DATA / f"{lang}_brand_care.txt"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ", 3)]
        if len(parts) != 4:
            raise ValueError(f"{path}:{number}: expected 'intent | sentiment | topics | text'")
        intent, sentiment, topics, text = parts
        sentiment = _DEFAULT_SENTIMENT[intent] if sentiment == "-" else sentiment
        out.append(Example(text, lang, sentiment=sentiment, complaint=int(intent == "complaint"), intent=intent,
                           topics=[] if topics == "-" else topics.split(","),
                           opos=int(sentiment == "positive"), oneg=int(sentiment == "negative"),
                           source=f"brand_care_{lang}"))
    return out


@dataclass
class Corpus:
    """Every dataset, each split in train / held-out with the same seed."""

    train: dict[str, list[Example]]
    heldout: dict[str, list[Example]]


def _stratum(example: Example) -> str:
    return str(example.sentiment or example.complaint or example.intent) + str(example.oneg) + str(example.opos)


def split(examples: Sequence[Example], seed: int = SEED) -> tuple[list[Example], list[Example]]:
    train, heldout = train_test_split(list(examples), test_size=HOLDOUT, random_state=seed,
                                      stratify=[_stratum(e) for e in examples])
    return train, heldout


def load(data: Path, holdout: bool) -> Corpus:
    sets = {"airline": airline(data), "complaints": complaints(data), "sentipolc": sentipolc(data),
            "brand_care_it": brand_care("it"), "brand_care_en": brand_care("en")}
    if not holdout:
        return Corpus(sets, {name: [] for name in sets})
    parts = {name: split(examples) for name, examples in sets.items()}
    return Corpus({n: p[0] for n, p in parts.items()}, {n: p[1] for n, p in parts.items()})
