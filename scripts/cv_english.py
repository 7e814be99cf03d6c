"""5-fold cross-validation inside the training parts for the English recipes (nlp/training.py), never the test split.

Each dataset's training part (`datasets.load(holdout=True).train`) is cut into 5 stratified folds
(`datasets.folds`, seed 7); fold k's models are fitted on every set's other folds and score every set's fold k;
the dev predictions of the 5 folds are pooled, then scored. The shipped static vectors (built from texts, no
labels) are used throughout. Figures in nlp/models/README.md ("English, fourth round") come from here.

    nice -n 10 .venv/bin/python scripts/cv_english.py complaint   # the complaint decision's votes, grid of blends
    nice -n 10 .venv/bin/python scripts/cv_english.py sentiment   # English sentiment C / vector weight / VADER
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.text import clean
from nlp import datasets
from nlp import embeddings as static
from nlp.components import INTENTS, SENTIMENTS
from nlp.datasets import Example
from nlp.evaluation import _complaint_vs_question, macro_f1
from nlp.lexicon import _vader
from nlp.models import LinearModel
from nlp.training import Trainer

SETS = ("airline", "complaints", "qa4faq", "brand_care_it", "brand_care_en")
FIRST_MESSAGES = datasets.OWN_DATA / "en_brand_care_first_messages.txt"
Parts = dict[str, list[Example]]


def cv_parts(k: int, seed: int) -> list[tuple[Parts, Parts]]:
    corpus = datasets.load(datasets.DEFAULT_DATA, holdout=True)
    cut = {name: datasets.folds(corpus.train[name], k, seed) for name in SETS}
    return [({n: cut[n][f][0] for n in SETS}, {n: cut[n][f][1] for n in SETS}) for f in range(k)]


def probs(trainer: Trainer, model: LinearModel, rows: Sequence[Example], classes: Sequence[str]) -> np.ndarray:
    scores = model.scores(trainer.features(rows), [clean(e.text) for e in rows])
    return scores[:, [model.classes.index(c) for c in classes]]


def first_messages() -> set[str]:
    lines = FIRST_MESSAGES.read_text(encoding="utf-8").splitlines()
    return {line.split(" | ", 3)[3].strip().casefold() for line in lines if line.count(" | ") >= 3
            and not line.startswith("#")}


# ------------------------------------------------------------------------------------------------ complaint
def complaint_votes(folds: list[tuple[Parts, Parts]], trainer: Trainer, domain: dict[str, dict]) -> dict:
    """Pooled dev votes: complaint_score, the intent model's 4 probabilities, and each domain variant's P."""
    out: dict[str, dict[str, list]] = {}
    for number, (fit, dev) in enumerate(folds):
        started = time.monotonic()
        trainer.train = fit
        general, intent = trainer.complaint(), trainer.intent()
        models = {name: trainer.complaint_domain(**options) for name, options in domain.items()}
        for tag, rows in (("cEN", [e for e in dev["complaints"] if datasets.annotated(e)]),
                          ("own_en", dev["brand_care_en"]), ("own_it", dev["brand_care_it"])):
            votes = out.setdefault(tag, {"rows": [], "score": [], "intent": []} | {n: [] for n in models})
            votes["rows"] += rows
            votes["score"].append(probs(trainer, general, rows, ("1",))[:, 0])
            votes["intent"].append(probs(trainer, intent, rows, INTENTS))
            for name, model in models.items():
                votes[name].append(probs(trainer, model, rows, ("1",))[:, 0])
        print(f"fold {number} ({time.monotonic() - started:.0f}s)", flush=True)
    return {tag: {k: v if k == "rows" else np.concatenate(v) for k, v in votes.items()}
            for tag, votes in out.items()}


def decide(votes: dict, a: float, b: float, c: float, dom: str, threshold: float) -> list[str]:
    mix = a * votes["score"] + b * votes["intent"][:, 0] + (c * votes[dom] if c else 0.0)
    others = votes["intent"][:, 1:].argmax(axis=1) + 1
    return ["complaint" if m >= threshold * (a + b + c) else INTENTS[int(o)]
            for m, o in zip(mix, others, strict=True)]


def complaint_figures(votes: dict, firsts: set[str], a: float, b: float, c: float, dom: str,
                      threshold: float, c_it: float) -> dict[str, float]:
    out = {}
    for tag, v in votes.items():
        predicted = decide(v, a, b, c_it if tag == "own_it" else c, dom, threshold)
        out[tag] = macro_f1([e.complaint for e in v["rows"]], [int(p == "complaint") for p in predicted])
        if tag == "cEN":
            continue
        gold = [e.intent for e in v["rows"]]
        pairs = [i for i, g in enumerate(gold) if g in ("complaint", "question")]
        if tag == "own_en":  # customers' first messages to care accounts (a hidden set's kind)
            first = [i for i in pairs if v["rows"][i].text.casefold() in firsts]
            out["first_cq"] = _complaint_vs_question([gold[i] for i in first], [predicted[i] for i in first])
            asked = [i for i in first if gold[i] == "question"]
            out["first_qr"] = float(np.mean([predicted[i] == "question" for i in asked]))
        out[f"{tag}_cq"] = _complaint_vs_question([gold[i] for i in pairs], [predicted[i] for i in pairs])
    return out


def run_complaint(folds: list[tuple[Parts, Parts]], trainer: Trainer, variants: Sequence[str]) -> None:
    domain = {n: v for n, v in DOMAIN_VARIANTS.items() if not variants or n in variants}
    votes = complaint_votes(folds, trainer, domain)
    firsts = first_messages()
    print("n: " + "  ".join(f"{t} {len(v['rows'])}" for t, v in votes.items()))
    for name in domain:
        print(f"{name}: alone at 0.5 cEN "
              f"{macro_f1([e.complaint for e in votes['cEN']['rows']], (votes['cEN'][name] >= 0.5).astype(int)):.3f}")
    grid = [("none", 0.0)] + [(n, c) for n in domain for c in (0.25, 0.5, 1.0)]
    for (dom, c), a, thr in itertools.product(grid, (0.25, 0.5, 0.75, 1.0), (0.4, 0.45, 0.5, 0.55)):
        for c_it in sorted({0.0, c}):  # the domain model learnt English tweets: for Italian maybe not at all
            f = complaint_figures(votes, firsts, a, 1.0 - a, c, dom, thr, c_it)
            mean = np.mean([f["cEN"], f["own_en"], f["own_it"]])
            print(f"{dom:<5} c {c:.2f} c_it {c_it:.2f} a {a:.2f} thr {thr:.2f} mean {mean:.3f}  "
                  + "  ".join(f"{k} {x:.3f}" for k, x in f.items()), flush=True)

DOMAIN_VARIANTS: dict[str, dict] = {  # the recipe's NB-LR, and plain LR at C 3 / 1 / 10, + VADER, vectors x 2
    "nb": {}, "C3": {"nb_scaling": False}, "C1": {"C": 1.0, "nb_scaling": False},
    "C10": {"C": 10.0, "nb_scaling": False}, "lex": {"lexicon": True, "nb_scaling": False},
    "emb3": {"embeddings": 3.0, "nb_scaling": False},
}


# ------------------------------------------------------------------------------------------------ sentiment
def vader_probs(rows: Sequence[Example]) -> np.ndarray:
    """VADER as a 3-class distribution (negative, neutral, positive) from its compound score c: (-c)+, 1-|c|, c+."""
    c = np.array([_vader().polarity_scores(clean(e.text))["compound"] for e in rows])
    return np.column_stack([np.clip(-c, 0, 1), 1 - np.abs(c), np.clip(c, 0, 1)])


SENTIMENT_VARIANTS: dict[str, dict] = {
    "shipped": {}, "C1": {"C": 1.0}, "C10": {"C": 10.0}, "emb1": {"embeddings": 1.0}, "emb2.5": {"embeddings": 2.5},
    "C1_emb2.5": {"C": 1.0, "embeddings": 2.5}, "unbalanced": {"class_weight": None},
}


def run_sentiment(folds: list[tuple[Parts, Parts]], trainer: Trainer, variants: Sequence[str]) -> None:
    chosen = {n: v for n, v in SENTIMENT_VARIANTS.items() if not variants or n in variants}
    pooled: dict[tuple[str, str], list[np.ndarray]] = {}
    rows: dict[str, list[Example]] = {"airline": [], "brand_care_en": []}
    for number, (fit, dev) in enumerate(folds):
        started = time.monotonic()
        trainer.train = fit
        for tag in rows:
            rows[tag] += [e for e in dev[tag] if e.sentiment]
        for name, options in chosen.items():
            # in-domain (both sets), and cross-source: trained without the set it is scored on
            fits = {"in": trainer.sentiment_en(**options),
                    "cross_airline": trainer.sentiment_en(("brand_care_en",), **options),
                    "cross_own": trainer.sentiment_en(("airline",), **options)}
            for kind, model in fits.items():
                for tag in rows:
                    if kind == "in" or kind == f"cross_{'own' if tag == 'brand_care_en' else tag}":
                        dev_rows = [e for e in dev[tag] if e.sentiment]
                        pooled.setdefault((name, f"{kind}:{tag}"), []).append(
                            probs(trainer, model, dev_rows, SENTIMENTS))
        print(f"fold {number} ({time.monotonic() - started:.0f}s)", flush=True)
    vader = {tag: vader_probs(r) for tag, r in rows.items()}
    gold = {tag: [e.sentiment for e in r] for tag, r in rows.items()}
    print("n: " + "  ".join(f"{t} {len(r)}" for t, r in rows.items()) + "; VADER alone: " + "  ".join(
        f"{t} {macro_f1(gold[t], [SENTIMENTS[i] for i in vader[t].argmax(axis=1)]):.3f}" for t in rows))
    for name, w in itertools.product(chosen, (0.0, 0.1, 0.2, 0.3, 0.4)):
        figures = []
        for (variant, key), parts in pooled.items():
            if variant == name:
                tag = key.split(":")[1]
                p = (1 - w) * np.concatenate(parts) + w * vader[tag]
                figures.append(f"{key} {macro_f1(gold[tag], [SENTIMENTS[i] for i in p.argmax(axis=1)]):.3f}")
        print(f"{name:<10} vader {w:.1f}  " + "  ".join(figures), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("task", choices=("complaint", "sentiment"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--variants", default="", help="comma-separated subset of the variants")
    args = parser.parse_args()
    static.use_table(static.shipped(static.TABLE))
    folds = cv_parts(args.folds, args.seed)
    trainer = Trainer(folds[0][0])  # its feature cache serves every fold (keyed by example)
    variants = [v for v in args.variants.split(",") if v]
    run: Callable[[list[tuple[Parts, Parts]], Trainer, Sequence[str]], None] = (
        run_complaint if args.task == "complaint" else run_sentiment)
    run(folds, trainer, variants)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
