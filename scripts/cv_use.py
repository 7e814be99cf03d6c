"""What the full multilingual USE adds at run time: 5-fold CV inside the training parts (never the test split).

For each set's training part (`datasets.load(holdout=True).train`, the split `ascolto evaluate` uses), 5
stratified folds (seed 7). Per fold the shipped recipes (`nlp/training.Trainer`, shipped static vectors) are fitted
on every set's other four folds, and beside them a "USE head": a balanced LogisticRegression on the encoder's
512-d sentence vector (`scripts/use_cache.py`), on the same rows with the same weights as the recipe. Scored on the
fold, pooled over the five:
- the current model; the plain TF-IDF + LR baseline trained on the set's own fold-training rows;
- the blend (1 - w) * P(current) + w * P(USE head), with w (0..1) and the head's C chosen per head on the other
  four folds (mean of the head's sets), applied to the fold: the figure a shipped blend would get;
- the USE head alone, and the blend at each w pooled (an in-sample curve, for the shape only).
Heads: sentiment_en (airline, own English), sentiment_it (SENTIPOLC F, multiemotions ad comments, agencies, own
Italian), the complaint flag (the intent component's decision 0.5 * complaint_score + 0.5 * P(intent=complaint)
>= 0.5, blended with the head's P(complaint); complaints_en's annotated domain tweets, own EN / IT).
Cross-source: the recipe trained on the other sets' whole training parts, scored on the left-out set's whole
training part, blended at the w the in-domain folds chose (the left-out set chooses nothing).

    nice -n 10 .venv/bin/python scripts/cv_use.py [fold0 ... fold4 cross]
Predictions are cached per fold in ~/.cache/ascolto/cv_use/ (naming parts computes only those, so that they can
run in separate processes); without arguments the missing parts are computed and the tables printed. One fold
took ~15-20 minutes at load 14 (nice 10) on the shared machine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from use_cache import CACHE, embed

from core.text import clean
from nlp import datasets, training
from nlp.datasets import Example
from nlp.evaluation import Baseline, macro_f1, polarity_f
from nlp.training import Trainer

FOLDS, SEED = 5, 7
WEIGHTS = np.round(np.arange(0, 1.01, 0.1), 2)
CS = (0.5, 2.0, 8.0)
SENT = ("negative", "neutral", "positive")
HEADS = {"sentiment_en": ("airline", "brand_care_en"),
         "sentiment_it": ("sentipolc", "multiemotions", "agencies", "brand_care_it"),
         "complaint": ("complaints", "brand_care_en", "brand_care_it")}
SMALL = int(os.environ.get("CV_USE_SMALL", "0"))
OUT = CACHE.parent / ("cv_use_small" if SMALL else "cv_use")
Parts = dict[str, list[Example]]


def fold_ids(rows: Sequence[Example]) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    strata = [datasets._stratum(e) for e in rows]
    counts = {s: strata.count(s) for s in set(strata)}
    strata = [s if counts[s] >= FOLDS else "rare" for s in strata]
    if strata.count("rare") < FOLDS:
        strata = [max(counts, key=lambda s: (counts[s], s)) if s == "rare" else s for s in strata]
    ids = np.zeros(len(rows), dtype=np.int64)
    for k, (_, dev) in enumerate(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(rows, strata)):
        ids[dev] = k
    return ids


def scored(head: str, name: str, rows: Sequence[Example]) -> list[Example]:
    """The rows a figure is on (as nlp/evaluation.py): annotated ones, ad comments, annotated complaint tweets."""
    if head == "complaint":
        return [e for e in rows if datasets.annotated(e)]
    rows = [e for e in rows if e.sentiment]
    return [e for e in rows if datasets.is_ad(e)] if name == "multiemotions" else rows


def _f1(gold: np.ndarray, predicted: np.ndarray, labels: Sequence[object] | None = None) -> float:
    """sklearn's macro-F1 (labels: those in either array, unless given), without its checks: the choices below
    score thousands of blends."""
    labels = sorted(set(gold.tolist()) | set(predicted.tolist())) if labels is None else labels
    out = []
    for label in labels:
        g, p = gold == label, predicted == label
        tp, wrong = int((g & p).sum()), int((g ^ p).sum())
        out.append(2 * tp / (2 * tp + wrong) if tp or wrong else 0.0)
    return float(np.mean(out))


def measure(head: str, name: str, rows: Sequence[Example], p: np.ndarray) -> float:
    """p: (n, 3) sentiment probabilities in SENT order, or (n,) complaint scores thresholded at 0.5."""
    if head == "complaint":
        return _f1(np.array([e.complaint or 0 for e in rows]), (p >= 0.5).astype(int))
    labels = p.argmax(axis=1)
    if name == "sentipolc":  # SENTIPOLC's polarity F (nlp/evaluation.polarity_f)
        return float(np.mean([_f1(np.array([e.opos for e in rows]), (labels == 2).astype(int), (0, 1)),
                              _f1(np.array([e.oneg for e in rows]), (labels == 0).astype(int), (0, 1))]))
    return _f1(np.array([SENT.index(e.sentiment) for e in rows]), labels)


def checked(head: str, name: str, rows: Sequence[Example], p: np.ndarray) -> float:
    """`measure`, checked against the definitions `ascolto evaluate` uses (nlp/evaluation.py)."""
    if head == "complaint":
        reference = macro_f1([e.complaint or 0 for e in rows], (p >= 0.5).astype(int).tolist())
    else:
        labels = [SENT[i] for i in p.argmax(axis=1)]
        reference = polarity_f(rows, labels) if name == "sentipolc" else macro_f1([e.sentiment for e in rows], labels)
    figure = measure(head, name, rows, p)
    assert abs(figure - reference) < 1e-9, (head, name, figure, reference)
    return figure


# ------------------------------------------------------------------ the recipes' rows and the USE heads
def head_rows(head: str, train: Parts, parts: Sequence[str] | None = None) -> tuple[list[Example], np.ndarray]:
    """The rows and weights the recipe of `head` learns from (nlp/training.py), for the USE head to learn too."""
    if head == "sentiment_en":
        weight = {"airline": 1.0, "brand_care_en": 2.0}
        parts = parts or tuple(weight)
        return training._weighted((training._sentiment(train.get(n, [])), weight[n]) for n in parts)
    if head == "sentiment_it":
        parts = parts or tuple(training.SENTIMENT_IT_WEIGHTS)
        return training._weighted((training._sentiment(train.get(n, [])), training.SENTIMENT_IT_WEIGHTS[n])
                                  for n in parts)
    weight = {"complaints": 1.0, "airline": 0.5, "qa4faq": 1.0, "brand_care_it": 2.0, "brand_care_en": 1.0}
    parts = parts or tuple(weight)
    return training._weighted((train.get(n, []), weight[n]) for n in parts)


def use_heads(head: str, rows: list[Example], w: np.ndarray, vectors: dict[int, np.ndarray]) -> dict[float, Callable]:
    from sklearn.linear_model import LogisticRegression

    X = np.stack([vectors[id(e)] for e in rows])
    y = [str(e.complaint or 0) for e in rows] if head == "complaint" else [e.sentiment for e in rows]
    out = {}
    for C in CS:
        lr = LogisticRegression(C=C, class_weight="balanced", max_iter=3000).fit(X, y, sample_weight=w)
        order = [list(lr.classes_).index(c) for c in (("1",) if head == "complaint" else SENT)]

        def predict(rs: Sequence[Example], lr=lr, order=order) -> np.ndarray:
            p = lr.predict_proba(np.stack([vectors[id(e)] for e in rs]))[:, order]
            return p[:, 0] if head == "complaint" else p
        out[C] = predict
    return out


def fast_predict(head: str, trainer: Trainer, models: dict, rows: Sequence[Example]) -> np.ndarray:
    X, texts = trainer.features(rows), [clean(e.text) for e in rows]
    if head == "complaint":  # the intent component's decision score (nlp/components.IntentComponent)
        score = models["complaint"].scores(X, texts)[:, models["complaint"].classes.index("1")]
        if "intent" not in models:  # cross-source: the complaint model alone, as `ascolto evaluate`'s cross row
            return score
        intent = models["intent"].scores(X, texts)[:, models["intent"].classes.index("complaint")]
        return 0.5 * score + 0.5 * intent
    model = models[head]
    return model.scores(X, texts)[:, [model.classes.index(c) for c in SENT]]


def baseline(head: str, name: str, train: Sequence[Example], rows: Sequence[Example]) -> np.ndarray:
    """The plain TF-IDF + LR's answers as probabilities (one-hot), trained on `train`."""
    if head == "complaint":
        return np.array(Baseline(train, lambda e: e.complaint or 0).predict(rows), dtype=float)
    labels = Baseline([e for e in train if e.sentiment], lambda e: e.sentiment).predict(rows)
    return np.array([[float(label == c) for c in SENT] for label in labels])


# ------------------------------------------------------------------ computing the predictions (cached per fold)
def predictions(trainer: Trainer, models: dict, train: Parts, dev: Parts, vectors: dict[int, np.ndarray],
                parts: dict[str, Sequence[str] | None], sets: dict[str, Sequence[str]],
                base_train: Callable[[str, str], Sequence[Example]]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for head, names in sets.items():
        rows, w = head_rows(head, train, parts.get(head))
        heads = use_heads(head, rows, w, vectors)
        for name in names:
            rs = scored(head, name, dev[name])
            out[f"{head}|{name}|fast"] = fast_predict(head, trainer, models, rs)
            out[f"{head}|{name}|base"] = baseline(head, name, base_train(head, name), rs)
            for C, predict in heads.items():
                out[f"{head}|{name}|use{C}"] = predict(rs)
    return out


def run_fold(k: int, train: Parts, ids: dict[str, np.ndarray], vectors: dict[int, np.ndarray],
             cache: dict) -> dict[str, np.ndarray]:
    path = OUT / f"fold{k}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as arrays:
            return dict(arrays)
    fit = {n: [e for e, i in zip(rows, ids[n], strict=True) if i != k] for n, rows in train.items()}
    dev = {n: [e for e, i in zip(rows, ids[n], strict=True) if i == k] for n, rows in train.items()}
    trainer = Trainer(fit)
    trainer._cache = cache  # features of a text are the same in every fold
    models = {name: getattr(trainer, name)() for name in ("sentiment_en", "sentiment_it", "complaint", "intent")}
    out = predictions(trainer, models, fit, dev, vectors, {}, HEADS, lambda head, name: fit[name])
    _save(path, out)
    return out


def _save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Written whole or not at all: parts run in separate processes, and a stopped one must leave no half file."""
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)


CROSS = {"sentiment_it": ("sentipolc", "multiemotions", "agencies", "brand_care_it"),
         "sentiment_en": ("brand_care_en",), "complaint": ("brand_care_en", "brand_care_it")}


def cross_parts(head: str, left_out: str) -> tuple[str, ...]:
    if head == "sentiment_it":
        return tuple(n for n in training.SENTIMENT_IT_WEIGHTS if n != left_out)
    return ("airline",) if head == "sentiment_en" else ("complaints",)


def run_cross(train: Parts, vectors: dict[int, np.ndarray], cache: dict) -> dict[str, np.ndarray]:
    path = OUT / "cross.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as arrays:
            return dict(arrays)
    trainer = Trainer(train)
    trainer._cache = cache
    out: dict[str, np.ndarray] = {}
    for head, names in CROSS.items():
        # Italian sentiment leaves one set out at a time; English sentiment and complaints train on one set only
        for group in ([(n,) for n in names] if head == "sentiment_it" else [names]):
            parts = cross_parts(head, group[0])
            model = getattr(trainer, head)(parts)
            out |= predictions(trainer, {head: model}, train, train, vectors, {head: parts}, {head: group},
                               lambda h, n, parts=parts: [e for p in parts for e in train[p]])
    _save(path, out)
    return out


# ------------------------------------------------------------------ blends, cascades, choices inside CV
Preds = dict[str, np.ndarray]
SHARES = (0.05, 0.1, 0.2, 1.0)


def margin(head: str, fast: np.ndarray) -> np.ndarray:
    """How sure the fast model is: the gap between its two best classes (complaints: to the 0.5 threshold)."""
    if head == "complaint":
        return np.abs(fast - 0.5) * 2
    top = np.sort(fast, axis=1)
    return top[:, -1] - top[:, -2]


def blended(head: str, p: Preds, name: str, w: float, C: float, band: float) -> np.ndarray:
    fast, use = p[f"{head}|{name}|fast"], p[f"{head}|{name}|use{C}"]
    mix = (1 - w) * fast + w * use
    unsure = margin(head, fast) <= band
    return np.where(unsure[:, None] if fast.ndim == 2 else unsure, mix, fast)


def band_for(head: str, folds: Sequence[Preds], share: float) -> float:
    """The margin under which `share` of the head's mentions (pooled over its sets and `folds`) fall."""
    if share >= 1.0:
        return np.inf
    margins = np.concatenate([margin(head, p[f"{head}|{n}|fast"]) for p in folds for n in HEADS[head]])
    return float(np.quantile(margins, share))


def pooled_figure(head: str, name: str, gold: Sequence[list[Example]], folds: Sequence[Preds],
                  answer: Callable[[Preds], np.ndarray]) -> float:
    return measure(head, name, [e for rows in gold for e in rows], np.concatenate([answer(p) for p in folds]))


def choose(head: str, gold: dict[str, list[list[Example]]], folds: Sequence[Preds], share: float,
           weights: Sequence[float] = tuple(WEIGHTS)) -> tuple[float, float, float]:
    """(w, C, band) with the best mean figure over the head's sets on `folds` (ties: the smaller w)."""
    band = band_for(head, folds, share)
    best = max((np.mean([pooled_figure(head, n, gold[n], folds, lambda p, n=n, w=w, C=C: blended(
        head, p, n, w, C, band)) for n in HEADS[head]]), -w, C) for w in weights for C in CS)
    return -best[1], best[2], band


def cv_blend(head: str, gold: dict[str, list[list[Example]]], folds: Sequence[Preds], share: float,
             weights: Sequence[float] = tuple(WEIGHTS)) -> tuple[dict[str, float], list[float], float]:
    """Each fold answered with the (w, C, band) the other four chose; figures pooled; the share that was unsure."""
    answers: dict[str, list[np.ndarray]] = {n: [] for n in HEADS[head]}
    chosen, unsure, total = [], 0, 0
    for k in range(len(folds)):
        others = [folds[j] for j in range(len(folds)) if j != k]
        w, C, band = choose(head, {n: [g for j, g in enumerate(gold[n]) if j != k] for n in gold}, others, share,
                            weights)
        chosen.append(float(w))
        for n in HEADS[head]:
            answers[n].append(blended(head, folds[k], n, w, C, band))
            m = margin(head, folds[k][f"{head}|{n}|fast"])
            unsure, total = unsure + int((m <= band).sum()), total + len(m)
    figures = {n: measure(head, n, [e for rows in gold[n] for e in rows], np.concatenate(answers[n]))
               for n in HEADS[head]}
    return figures, chosen, unsure / total


# ------------------------------------------------------------------ report
def main() -> None:
    corpus = datasets.load(datasets.DEFAULT_DATA, holdout=True)
    train = corpus.train
    if SMALL:  # a smoke test of the script on a few rows of each set
        train = {n: rows[::SMALL] for n, rows in train.items()}
    everything = [e for rows in train.values() for e in rows]
    vectors = dict(zip(map(id, everything), embed([e.text for e in everything]), strict=True))
    ids = {n: fold_ids(rows) for n, rows in train.items()}
    cache: dict = {}
    only = [a for a in sys.argv[1:] if a != "--available"]  # `fold3 cross`: those parts only (separate processes)
    for part in only:
        run_cross(train, vectors, cache) if part == "cross" else run_fold(int(part[4:]), train, ids, vectors, cache)
    if only:
        return
    # --available: report on the folds already computed (each answered from the others), compute none
    done = [k for k in range(FOLDS) if "--available" not in sys.argv or (OUT / f"fold{k}.npz").exists()]
    folds = []
    for k in done:
        folds.append(run_fold(k, train, ids, vectors, cache))
        print(f"fold {k} done", file=sys.stderr, flush=True)
    print(f"folds: {done} of {FOLDS}")
    cross = run_cross(train, vectors, cache)
    gains = []
    print("| head | set | n | baseline | current | USE head alone | blend (w chosen in CV) | gain | w per fold |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    golds = {}
    for head, names in HEADS.items():
        gold = {n: [scored(head, n, [e for e, i in zip(train[n], ids[n], strict=True) if i == k])
                    for k in done] for n in names}
        golds[head] = gold
        blend, chosen, _ = cv_blend(head, gold, folds, 1.0)
        alone, _, _ = cv_blend(head, gold, folds, 1.0, (1.0,))
        for n in names:
            rows = [e for fold in gold[n] for e in fold]
            fig = {kind: checked(head, n, rows, np.concatenate([p[f"{head}|{n}|{kind}"] for p in folds]))
                   for kind in ("base", "fast")}
            gains.append(blend[n] - fig["fast"])
            print(f"| {head} | {n} | {sum(map(len, gold[n]))} | {fig['base']:.3f} | {fig['fast']:.3f} | "
                  f"{alone[n]:.3f} | {blend[n]:.3f} | {blend[n] - fig['fast']:+.3f} | {chosen} |")
    print("\ncascade: the blend only where the fast model's margin is in the lowest SHARE (band chosen on the other"
          " folds), gain over current per set (actual unsure share)")
    print("| head | set | " + " | ".join(f"{share:.0%}" for share in SHARES) + " |")
    print("| --- | --- |" + " --- |" * len(SHARES))
    for head, names in HEADS.items():
        row = {n: [] for n in names}
        for share in SHARES:
            figures, _, actual = cv_blend(head, golds[head], folds, share)
            for n in names:
                current = pooled_figure(head, n, golds[head][n], folds, lambda p, h=head, n=n: p[f"{h}|{n}|fast"])
                row[n].append(f"{share:.0%} ({actual:.1%}): {figures[n] - current:+.3f}")
        for n in names:
            print(f"| {head} | {n} | " + " | ".join(row[n]) + " |")
    print("\ncross-source (trained without the set; w and C chosen on the in-domain folds)")
    print("| head | set | n | baseline | current | blend | gain | USE head alone |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for head, names in CROSS.items():
        w, C, _ = choose(head, golds[head], folds, 1.0)
        _, C1, _ = choose(head, golds[head], folds, 1.0, (1.0,))
        for n in names:
            rows = scored(head, n, train[n])
            fig = {kind: checked(head, n, rows, cross[f"{head}|{n}|{kind}"]) for kind in ("base", "fast")}
            mix = measure(head, n, rows, blended(head, cross, n, w, C, np.inf))
            alone = measure(head, n, rows, cross[f"{head}|{n}|use{C1}"])
            print(f"| {head} | {n} | {len(rows)} | {fig['base']:.3f} | {fig['fast']:.3f} | {mix:.3f} (w {w}) | "
                  f"{mix - fig['fast']:+.3f} | {alone:.3f} |")
    print(f"mean in-domain gain of the blend over the current model (CV, folds {done}): {np.mean(gains):+.4f}")


if __name__ == "__main__":
    main()
