"""The labelled data the models learn from, and the fixed test split `ascolto evaluate` scores on.

../shared/data (public datasets, see nlp/models/README.md for licences) plus the project's own brand-care
examples in nlp/data/ (every `{lang}_brand_care*.txt`). Every split is seeded and stratified, so train and
evaluate see the same partition on every machine; the test part of a dataset is used for nothing but the
figures `ascolto evaluate` prints (settings are chosen by cross-validation inside the training part).

Label mappings decided here (one place):
- sentiment is three classes, negative / neutral / positive, for every dataset;
- "mixed" (both praise and a problem: "bello lo spot, ma la spesa online non funziona da un mese") is
  negative: a care team acts on the problem (a decision, not a measured choice: mixed rows are 3% of
  multiemotions, 2% of agencies, so macro-F1 barely moves either way); SENTIPOLC's opos=oneg=1 likewise;
- multiemotions' "unrelated" comments (off-topic chatter under an ad) carry no sentiment label: they are
  left out of the sentiment data (their polarity is not annotated) but kept in the corpus.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
OWN_DATA = Path(__file__).resolve().parent / "data"
SEED = 13
HOLDOUT = 0.2
MIXED = "negative"  # what a "mixed" sentiment label becomes (see the module docstring)

# airline negative reasons -> care topics (reasons without a clear care topic are left unlabelled)
AIRLINE_TOPICS = {
    "Customer Service Issue": ["customer_service"], "Flight Attendant Complaints": ["customer_service"],
    "longlines": ["customer_service"], "Late Flight": ["delays_cancellations"],
    "Cancelled Flight": ["delays_cancellations"], "Flight Booking Problems": ["app_website"],
    "Bad Flight": ["product_quality"], "Lost Luggage": ["delivery"], "Damaged Luggage": ["delivery"],
}
# qa4faq tags -> care topics, only where the tag says it plainly
FAQ_TOPICS = {
    "fattura": "billing_refund", "pagamento": "billing_refund", "insoluti": "billing_refund",
    "deposito cauzionale": "billing_refund", "cauzione": "billing_refund", "morosita": "billing_refund",
    "rimborso": "billing_refund", "bolletta": "billing_refund", "tariffe": "price", "tariffa": "price",
    "sportello on line": "app_website", "numero verde": "customer_service", "segnalazione guasto": "network_outage",
}


@dataclass
class Example:
    text: str
    lang: str
    sentiment: str | None = None  # negative / neutral / positive; None = not annotated
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


def _polarity(sentiment: str) -> str:
    return MIXED if sentiment == "mixed" else sentiment


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
    """Complaint tweets; `extra['domain']` random_reply / random_tweet rows are easy extra non-complaints."""
    return [Example(row["text"], "en", complaint=int(row["complaint"]), source="complaints",
                    extra={"domain": row["domain"]}) for row in _csv(data / "complaints_en" / "train.csv")]


def annotated(example: Example) -> bool:
    """A complaints_en row from the annotated domains (what the paper and the judges score)."""
    return not example.extra.get("domain", "").startswith("random")


def sentipolc(data: Path) -> list[Example]:
    out = []
    for row in _csv(data / "sentiment_it_sentipolc" / "train.csv"):
        opos, oneg = int(row["opos"]), int(row["oneg"])
        sentiment = "positive" if opos > oneg else "neutral" if not oneg else "negative"
        if opos and oneg:
            sentiment = MIXED
        out.append(Example(row["text"], "it", sentiment=sentiment, opos=opos, oneg=oneg, source="sentipolc"))
    return out


def multiemotions(data: Path) -> list[Example]:
    out = []
    for row in _csv(data / "sentiment_it_multiemotions" / "train.csv"):
        label = row["sentiment"]
        out.append(Example(row["text"], "it", sentiment=None if label == "unrelated" else _polarity(label),
                           source="multiemotions",
                           extra={"label": label, "kind": row["source"], "title": row["title"]}))
    return out


def is_ad(example: Example) -> bool:
    """A multiemotions comment on a brand's ad (the judged kind), not on a music video."""
    return example.extra.get("kind", "").endswith(" Ad")


def agencies(data: Path) -> list[Example]:
    return [Example(row["text"], "it", sentiment=_polarity(row["sentiment"]), source="agencies",
                    extra={"label": row["sentiment"], "irony": row["irony"]})
            for row in _csv(data / "sentiment_it_agencies" / "train.csv")]


def qa4faq(data: Path) -> list[Example]:
    """Real customer questions to a water utility: intent question, no complaint, neutral."""
    out = []
    for row in _csv(data / "questions_it_qa4faq" / "faqs.csv"):
        tags = {t.strip() for t in row["tags"].split(",")}
        topics = sorted({FAQ_TOPICS[t] for t in tags if t in FAQ_TOPICS})
        out.append(Example(row["question"], "it", sentiment="neutral", complaint=0, intent="question",
                           topics=topics, opos=0, oneg=0, source="qa4faq"))
    return out


_DEFAULT_SENTIMENT = {"complaint": "negative", "praise": "positive", "question": "neutral", "other": "neutral"}
INTENTS = ("complaint", "question", "praise", "other")
SENTIMENTS = ("negative", "neutral", "positive")


def _care_line(line: str, lang: str, where: str) -> Example | None:
    parts = [p.strip() for p in line.split(" | ", 3)]
    if len(parts) != 4 or parts[0] not in INTENTS or (parts[1] != "-" and parts[1] not in SENTIMENTS):
        log.warning("%s: skipped, expected 'intent | sentiment | topics | text'", where)
        return None
    intent, sentiment, topics, text = parts
    sentiment = _DEFAULT_SENTIMENT[intent] if sentiment == "-" else sentiment
    return Example(text, lang, sentiment=sentiment, complaint=int(intent == "complaint"), intent=intent,
                   topics=[] if topics == "-" else [t.strip() for t in topics.split(",")],
                   opos=int(sentiment == "positive"), oneg=int(sentiment == "negative"),
                   source=f"brand_care_{lang}")


def brand_care(lang: str, directory: Path = OWN_DATA) -> list[Example]:
    """The project's own examples, every `{lang}_brand_care*.txt`: `intent | sentiment | topics | text` per
    line; malformed lines are logged and skipped, repeated texts kept once."""
    out, seen = [], set()
    for path in sorted(directory.glob(f"{lang}_brand_care*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            example = _care_line(line, lang, f"{path.name}:{number}")
            if example is not None and example.text.casefold() not in seen:
                seen.add(example.text.casefold())
                out.append(example)
    return out


@dataclass
class Corpus:
    """Every dataset, each split in train / test with the same seed."""

    train: dict[str, list[Example]]
    heldout: dict[str, list[Example]]


def _stratum(example: Example) -> str:
    return "|".join(str(v) for v in (example.sentiment, example.complaint, example.intent,
                                     example.extra.get("domain", "")[:6] == "random"))


def split(examples: Sequence[T], seed: int = SEED, strata: Sequence[str] | None = None) -> tuple[list[T], list[T]]:
    """(train, test), HOLDOUT of the rows in test, stratified by label (`strata`, default: the example's)."""
    from sklearn.model_selection import train_test_split  # train time only

    strata = [_stratum(e) for e in examples] if strata is None else list(strata)  # type: ignore[arg-type]
    counts = {s: strata.count(s) for s in set(strata)}
    largest = max(counts, key=lambda s: (counts[s], s))
    rare = sum(n for n in counts.values() if n < 5)
    # strata too small to split are pooled (into the largest one when even the pool is too small)
    strata = [s if counts[s] >= 5 else "rare" if rare >= 2 else largest for s in strata]
    train, heldout = train_test_split(list(examples), test_size=HOLDOUT, random_state=seed, stratify=strata)
    return train, heldout


def folds(examples: Sequence[T], k: int = 5, seed: int = 7) -> list[tuple[list[T], list[T]]]:
    """k (fit, dev) pairs, each row in exactly one dev part, stratified like `split`: cross-validation inside a
    training part, where settings are chosen (a single 20% dev split of ~250 rows moves ~0.02 by chance)."""
    from sklearn.model_selection import StratifiedKFold  # train time only

    strata = [_stratum(e) for e in examples]  # type: ignore[arg-type]
    counts = {s: strata.count(s) for s in set(strata)}
    largest = max(counts, key=lambda s: (counts[s], s))
    rare = sum(n for n in counts.values() if n < k)
    strata = [s if counts[s] >= k else "rare" if rare >= k else largest for s in strata]
    rows = list(examples)
    cut = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(rows, strata)
    return [([rows[i] for i in fit], [rows[i] for i in dev]) for fit, dev in cut]


LOADERS = {"airline": airline, "complaints": complaints, "sentipolc": sentipolc, "multiemotions": multiemotions,
           "agencies": agencies, "qa4faq": qa4faq}


def load(data: Path, holdout: bool) -> Corpus:
    sets = {name: loader(data) for name, loader in LOADERS.items()}
    sets |= {"brand_care_it": brand_care("it"), "brand_care_en": brand_care("en")}
    if not holdout:
        return Corpus(sets, {name: [] for name in sets})
    parts = {name: split(examples) for name, examples in sets.items()}
    return Corpus({n: p[0] for n, p in parts.items()}, {n: p[1] for n, p in parts.items()})
