"""Cross-validated measurements for the Italian sentiment recipe (nlp/training.py), never the test split.

Every figure is on the training parts (`datasets.load(holdout=True).train`) only:
- cross: a variant trained on the other Italian sets' whole training parts, scored on the left-out set's whole
  training part (1,216 agencies tweets instead of a 244-row dev part), beside the plain TF-IDF + LR trained on
  the same rows (`nlp.evaluation.Baseline`); `--confusion` prints both confusion matrices;
- cv: 5-fold stratified cross-validation inside each set's training part (fold k of every set is one dev part,
  the other folds of every set train), figures pooled over the folds.
The figures in nlp/models/README.md ("Fourth round") come from here:

    .venv/bin/python scripts/dev_italian.py cross --sets agencies --confusion
    .venv/bin/python scripts/dev_italian.py cv --variants kept,C1
    .venv/bin/python scripts/dev_italian.py baseline --sets agencies   # what the plain baseline's edge is made of
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.text import clean
from nlp import datasets
from nlp import embeddings as static
from nlp.datasets import Example
from nlp.evaluation import Baseline, _sentiment_measure, _sentiment_rows
from nlp.models import LinearModel
from nlp.training import Trainer

PARTS = ("sentipolc", "multiemotions", "agencies", "qa4faq", "brand_care_it")
JUDGED = ("sentipolc", "multiemotions", "agencies", "brand_care_it")
LABELS = ("negative", "neutral", "positive")
# pictographs, dingbats, flags, their modifiers and joiners (emoticons such as ":)" are core.text's tokens)
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D\U0001F3FB-\U0001F3FF]")
_HANDLE = re.compile(r"(?<![\w@])@(\w+)")
TEXTS: dict[str, Callable[[str], str]] = {
    "as_is": lambda t: t, "no_emoji": lambda t: _EMOJI.sub(" ", t),
    # a handle's name also as a word (core.text.normalise turns every @handle into _user_)
    "handle_names": lambda t: _HANDLE.sub(r"@\1 \1", t),
}
Variant = Callable[[Trainer, Sequence[str]], LinearModel]

VARIANTS: dict[str, Variant] = {
    "kept": lambda t, p: t.sentiment_it(p),
    "unbalanced": lambda t, p: t.sentiment_it(p, class_weight=None),
    "multinomial": lambda t, p: t.sentiment_it(p, nb_scaling=False),
    "no_vectors": lambda t, p: t.sentiment_it(p, embeddings=0.0),
    "uniform": lambda t, p: t.sentiment_it(p, {n: 1.0 for n in PARTS}),
    "C1": lambda t, p: t.sentiment_it(p, C=1.0),
    "C0.3": lambda t, p: t.sentiment_it(p, C=0.3),
    "C10": lambda t, p: t.sentiment_it(p, C=10.0),
    "multinomial_C1": lambda t, p: t.sentiment_it(p, nb_scaling=False, C=1.0),
    "lexicon": lambda t, p: t.sentiment_it(p, lexicon=True),
}


def predict(trainer: Trainer, model: LinearModel, rows: Sequence[Example]) -> list[str]:
    probs = model.scores(trainer.features(rows), [clean(e.text) for e in rows])
    return [model.classes[i] for i in probs.argmax(axis=1)]


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> str:
    lines = ["      gold \\ predicted " + " ".join(f"{c[:3]:>5}" for c in LABELS)]
    pairs = list(zip(gold, predicted, strict=True))
    for g in LABELS:
        lines.append(f"      {g:<20}" + " ".join(f"{pairs.count((g, p)):>5}" for p in LABELS))
    return "\n".join(lines)


def score(dataset: str, rows: Sequence[Example], predicted: Sequence[str]) -> float:
    return _sentiment_measure(dataset)[1](rows, predicted)


def run_cross(train: dict[str, list[Example]], names: Sequence[str], sets: Sequence[str], show: bool) -> None:
    trainer = Trainer(train)
    for left_out in sets:
        parts = tuple(n for n in PARTS if n != left_out)
        rows = _sentiment_rows(train[left_out], left_out)
        gold = [e.sentiment or "" for e in rows]
        training = [e for n in parts for e in train[n] if e.sentiment]
        base = Baseline(training, lambda e: e.sentiment).predict(rows)
        print(f"== cross {left_out} (n={len(rows)}): baseline {score(left_out, rows, base):.3f}", flush=True)
        if show:
            print(confusion(gold, base))
        for name in names:
            started = time.monotonic()
            predicted = predict(trainer, VARIANTS[name](trainer, parts), rows)
            print(f"   {name:<16} {score(left_out, rows, predicted):.3f}  ({time.monotonic() - started:.0f}s)",
                  flush=True)
            if show:
                print(confusion(gold, predicted))


def run_baseline(train: dict[str, list[Example]], sets: Sequence[str]) -> None:
    """The plain baseline changed one thing at a time, on the cross rows: which of its traits carry its figure."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

    from core.text import normalise
    from nlp.training import SENTIMENT_IT_WEIGHTS

    handle = re.compile(r"(?<![\w@])@\w+")
    for left_out in sets:
        rows = _sentiment_rows(train[left_out], left_out)
        training = [e for n in PARTS if n != left_out for e in train[n] if e.sentiment]
        weights = np.array([SENTIMENT_IT_WEIGHTS[e.source] for e in training])
        probes: dict[str, tuple[Callable[[str], str], Callable[[], object], dict]] = {
            "baseline": (str, TfidfVectorizer, {}),
            "handles as _user_": (lambda t: handle.sub(" _user_ ", t), TfidfVectorizer, {}),
            "our normalised text": (lambda t: normalise(clean(t)), TfidfVectorizer, {}),
            "class-balanced": (str, TfidfVectorizer, {"class_weight": "balanced"}),
            "our set weights": (str, TfidfVectorizer, {"sample_weight": weights}),
            "C 3": (str, TfidfVectorizer, {"C": 3.0}),
            "word 1-2-grams": (str, lambda: TfidfVectorizer(ngram_range=(1, 2)), {}),
            "+ char 2-5-grams": (str, lambda: FeatureUnion([("w", TfidfVectorizer()), ("c", TfidfVectorizer(
                analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True))]), {}),
            "sublinear tf, no idf": (str, lambda: TfidfVectorizer(use_idf=False, sublinear_tf=True), {}),
        }
        print(f"== baseline probes, {left_out} left out (n={len(rows)})")
        for name, (rewrite, vectorizer, options) in probes.items():
            vec, fit_options = vectorizer(), dict(options)
            sample_weight = fit_options.pop("sample_weight", None)
            model = LogisticRegression(max_iter=1000, **fit_options).fit(
                vec.fit_transform([rewrite(e.text) for e in training]), [e.sentiment for e in training],
                sample_weight=sample_weight)
            predicted = model.predict(vec.transform([rewrite(e.text) for e in rows])).tolist()
            print(f"   {name:<22} {score(left_out, rows, predicted):.3f}", flush=True)


def folds(train: dict[str, list[Example]], k: int = 5, seed: int = 7) -> list[tuple[dict, dict]]:
    """k (fit, dev) pairs: each set's training part cut into k stratified folds, fold i of every set is dev."""
    from sklearn.model_selection import StratifiedKFold

    cut: dict[str, list[np.ndarray]] = {}
    for name in PARTS:
        rows = train[name]
        strata = [datasets._stratum(e) for e in rows]
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        cut[name] = [dev for _, dev in splitter.split(np.zeros(len(rows)), strata)]
    out = []
    for i in range(k):
        fit = {n: [train[n][j] for f, idx in enumerate(cut[n]) if f != i for j in idx] for n in PARTS}
        dev = {n: [train[n][j] for j in cut[n][i]] for n in PARTS}
        out.append((fit, dev))
    return out


def run_cv(train: dict[str, list[Example]], names: Sequence[str], k: int) -> None:
    pairs = folds(train, k)
    trainer = Trainer({n: [e for e in train[n]] for n in PARTS})  # one feature cache for every fold
    for name in names:
        started = time.monotonic()
        gold: dict[str, list[Example]] = {n: [] for n in JUDGED}
        predicted: dict[str, list[str]] = {n: [] for n in JUDGED}
        for fit, dev in pairs:
            trainer.train = fit
            model = VARIANTS[name](trainer, PARTS)
            for n in JUDGED:
                rows = _sentiment_rows(dev[n], n)
                gold[n] += rows
                predicted[n] += predict(trainer, model, rows)
        figures = "  ".join(f"{n} {score(n, gold[n], predicted[n]):.3f}" for n in JUDGED)
        print(f"{name:<16} {figures}  ({time.monotonic() - started:.0f}s)", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("cross", "cv", "baseline"))
    parser.add_argument("--variants", default="kept", help=f"comma-separated, of: {', '.join(VARIANTS)}")
    parser.add_argument("--sets", default=",".join(JUDGED), help="cross: the sets left out, one at a time")
    parser.add_argument("--confusion", action="store_true")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--texts", choices=tuple(TEXTS), default="as_is",
                        help="what-if: every text (trained on and scored) rewritten so first")
    args = parser.parse_args()
    train = datasets.load(datasets.DEFAULT_DATA, holdout=True).train  # the test parts are never read
    rewrite = TEXTS[args.texts]
    train = {n: [replace(e, text=rewrite(e.text)) for e in rows] for n, rows in train.items()}
    static.use_table(static.shipped(static.TABLE))
    names = [v for v in args.variants.split(",") if v]
    sets = [s for s in args.sets.split(",") if s]
    if args.mode == "cross":
        run_cross(train, names, sets, args.confusion)
    elif args.mode == "baseline":
        run_baseline(train, sets)
    else:
        run_cv(train, names, args.folds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
