"""Dev-split measurements for the English / complaint / intent recipes (nlp/training.py), never the test split.

Each dataset's training part (`datasets.load(holdout=True).train`) is split again 80/20 (`datasets.split`,
seed 7 or --seed): models are fitted on the 80% and scored on the 20%, with the shipped static vectors (built
from texts without labels). The figures in nlp/models/README.md ("English ... what was tried") come from here.

    .venv/bin/python scripts/dev_english.py intent      # intent recipes x complaint decision settings
    .venv/bin/python scripts/dev_english.py sentiment   # English sentiment recipes
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

from nlp import datasets
from nlp import embeddings as static
from nlp.components import INTENTS
from nlp.datasets import Example
from nlp.evaluation import _complaint_vs_question, macro_f1
from nlp.models import LinearModel
from nlp.training import Trainer

BLENDS = (0.3, 0.5, 0.7, 1.0)
THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6)
INTENT_BASE = ("brand_care_it", "brand_care_en", "qa4faq")
SPLIT_COMPLAINTS = ("complaints_random", "complaints_annotated", "airline", "qa4faq", "brand_care_it", "brand_care_en")


def dev_parts(seed: int) -> tuple[dict[str, list[Example]], dict[str, list[Example]]]:
    corpus = datasets.load(datasets.DEFAULT_DATA, holdout=True)
    fit, dev = {}, {}
    for name, rows in corpus.train.items():
        fit[name], dev[name] = datasets.split(rows, seed=seed)
    return fit, dev


def intents(trainer: Trainer, model: LinearModel, complaint: LinearModel, rows: Sequence[Example],
            blend: float, threshold: float) -> list[str]:
    """The intent component's decision (nlp/components.IntentComponent), computed from the two models."""
    texts = [e.text for e in rows]
    X = trainer.features(rows)
    from core.text import clean

    cleaned = [clean(t) for t in texts]
    probs = model.scores(X, cleaned)[:, [model.classes.index(i) for i in INTENTS]]
    score = complaint.scores(X, cleaned)[:, 1]
    blended = blend * score + (1 - blend) * probs[:, 0]
    others = probs[:, 1:].argmax(axis=1) + 1
    return ["complaint" if b >= threshold else INTENTS[int(o)] for b, o in zip(blended, others, strict=True)]


def intent_figures(trainer: Trainer, dev: dict[str, list[Example]], model: LinearModel, complaint: LinearModel,
                   blend: float, threshold: float) -> dict[str, float]:
    out = {}
    rows = [e for e in dev["complaints"] if datasets.annotated(e)]
    predicted = intents(trainer, model, complaint, rows, blend, threshold)
    out["cEN"] = macro_f1([e.complaint for e in rows], [int(p == "complaint") for p in predicted])
    for name, tag in (("brand_care_en", "own_en"), ("brand_care_it", "own_it")):
        rows = dev[name]
        predicted = intents(trainer, model, complaint, rows, blend, threshold)
        gold = [e.intent for e in rows]
        out[f"{tag}_c"] = macro_f1([e.complaint for e in rows], [int(p == "complaint") for p in predicted])
        out[f"{tag}_i"] = macro_f1(gold, predicted)
        pairs = [i for i, g in enumerate(gold) if g in ("complaint", "question")]
        out[f"{tag}_cq"] = _complaint_vs_question([gold[i] for i in pairs], [predicted[i] for i in pairs])
        questions = [i for i in pairs if gold[i] == "question"]
        out[f"{tag}_qr"] = float(np.mean([predicted[i] == "question" for i in questions]))
    return out


def run_intent(trainer: Trainer, dev: dict[str, list[Example]], variants: dict[str, Callable[[], LinearModel]],
               complaint: LinearModel) -> None:
    rows = [e for e in dev["complaints"] if datasets.annotated(e)]
    cleaned = [e.text for e in rows]
    from core.text import clean

    score = complaint.scores(trainer.features(rows), [clean(t) for t in cleaned])[:, 1]
    print(f"complaint_score alone at 0.5 on complaints_en dev: "
          f"{macro_f1([e.complaint for e in rows], (score >= 0.5).astype(int).tolist()):.3f} (n={len(rows)})")
    for name, make in variants.items():
        started = time.monotonic()
        model = make()
        print(f"== {name} ({time.monotonic() - started:.0f}s)", flush=True)
        for blend, threshold in itertools.product(BLENDS, THRESHOLDS):
            figures = intent_figures(trainer, dev, model, complaint, blend, threshold)
            mean = np.mean([figures["cEN"], figures["own_en_c"], figures["own_it_c"]])
            print(f"{name:<14} blend {blend:.1f} thr {threshold:.2f}  mean_c {mean:.3f}  "
                  + "  ".join(f"{k} {v:.3f}" for k, v in figures.items()), flush=True)


def _mapped(make: Callable[[], LinearModel], questions: bool, praise: bool) -> LinearModel:
    """Train with complaints_en's non-complaints mapped so: '?' -> question (or not), positive -> praise (or not)."""
    from nlp import training

    saved = training.COMPLAINTS_EN_QUESTIONS, training.COMPLAINTS_EN_PRAISE
    training.COMPLAINTS_EN_QUESTIONS, training.COMPLAINTS_EN_PRAISE = questions, praise
    try:
        return make()
    finally:
        training.COMPLAINTS_EN_QUESTIONS, training.COMPLAINTS_EN_PRAISE = saved


def _label_weighted(make: Callable[[], LinearModel], weights: dict[str, float]) -> LinearModel:
    """Train with complaints_en's rows weighted per taught label (training.COMPLAINTS_EN_LABEL_WEIGHTS)."""
    from nlp import training

    saved = training.COMPLAINTS_EN_LABEL_WEIGHTS
    training.COMPLAINTS_EN_LABEL_WEIGHTS = weights
    try:
        return make()
    finally:
        training.COMPLAINTS_EN_LABEL_WEIGHTS = saved


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("task", choices=("intent", "complaint", "sentiment", "stack"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--variants", default="", help="comma-separated subset of the variants")
    parser.add_argument("--complaint-random", type=float, default=1.0,
                        help="intent task: weight of complaints_en's random_* rows in the complaint model")
    args = parser.parse_args()
    fit, dev = dev_parts(args.seed)
    static.use_table(static.shipped(static.TABLE))
    fit["complaints_all"] = fit["complaints"]  # another name: Trainer.intent keeps every row of it
    fit["complaints_pos"] = [e for e in fit["complaints"] if e.complaint]
    fit["complaints_annotated"] = [e for e in fit["complaints"] if datasets.annotated(e)]
    fit["complaints_random"] = [e for e in fit["complaints"] if not datasets.annotated(e)]
    trainer = Trainer(fit)
    if args.task == "intent":
        parts = SPLIT_COMPLAINTS if args.complaint_random else SPLIT_COMPLAINTS[1:]  # 0: rows left out
        complaint = trainer.complaint(parts, {"complaints_random": args.complaint_random})
        base = ("brand_care_it", "brand_care_en", "qa4faq", "complaints")

        def plain(parts: tuple[str, ...], weights: dict[str, float] | None = None) -> LinearModel:
            return _mapped(lambda: trainer.intent(parts, weights), False, False)  # complaint / other

        variants: dict[str, Callable[[], LinearModel]] = {
            "before": lambda: trainer.intent(INTENT_BASE),
            # complaints_en with its random_* rows, at weights 1, 0.5, 2; its complaints only
            "all_w1": lambda: plain((*INTENT_BASE, "complaints_all")),
            "all_w0.5": lambda: plain((*INTENT_BASE, "complaints_all"), {"complaints_all": 0.5}),
            "all_w2": lambda: plain((*INTENT_BASE, "complaints_all"), {"complaints_all": 2.0}),
            "pos_only": lambda: plain((*INTENT_BASE, "complaints_pos")),
            # the annotated domain tweets only, every non-complaint as `other`
            "annotated": lambda: plain(base),
            # ... non-complaints with a '?' as questions
            "annotated_q": lambda: _mapped(lambda: trainer.intent(base), True, False),
            "annotated_q_w0.5": lambda: _mapped(lambda: trainer.intent(base, {"complaints": 0.5}), True, False),
            "annotated_q_own3": lambda: _mapped(lambda: trainer.intent(base, {"brand_care_en": 3.0}), True, False),
            # the shipped recipe: ... and clearly positive non-complaints as praise
            "annotated_qp": lambda: _mapped(lambda: trainer.intent(base), True, True),
            # ... with complaints_en's weakly labelled rows weighted lower
            "qp_other0.5": lambda: _label_weighted(lambda: trainer.intent(base), {"other": 0.5}),
            "qp_other0.25": lambda: _label_weighted(lambda: trainer.intent(base), {"other": 0.25}),
            "qp_weak0.5": lambda: _label_weighted(lambda: trainer.intent(base),
                                                  {"other": 0.5, "question": 0.5, "praise": 0.5}),
            "qp_own3": lambda: trainer.intent(base, {"brand_care_en": 3.0}),
        }
        chosen = [v for v in args.variants.split(",") if v] or list(variants)
        run_intent(trainer, dev, {k: variants[k] for k in chosen}, complaint)
    if args.task == "complaint":
        complaint_variants = {
            "before": lambda: trainer.complaint(),
            "lexicon": lambda: trainer.complaint(lexicon=True),
            "questions": lambda: trainer.complaint(questions=True),
            "nb": lambda: trainer.complaint(nb_scaling=True),
            "C1": lambda: trainer.complaint(C=1.0),
            "C10": lambda: trainer.complaint(C=10.0),
            "emb3": lambda: trainer.complaint(embeddings=3.0),
            "no_airline": lambda: trainer.complaint(("complaints", "qa4faq", "brand_care_it", "brand_care_en")),
            "own_en2": lambda: trainer.complaint(weights={"brand_care_en": 2.0}),
            "random0.3": lambda: trainer.complaint(SPLIT_COMPLAINTS, {"complaints_random": 0.3}),
            "random0": lambda: trainer.complaint(SPLIT_COMPLAINTS[1:]),
            "annotated2": lambda: trainer.complaint(SPLIT_COMPLAINTS, {"complaints_annotated": 2.0}),
            "annotated2_lex": lambda: trainer.complaint(SPLIT_COMPLAINTS, {"complaints_annotated": 2.0},
                                                        lexicon=True),
        }
        chosen = [v for v in args.variants.split(",") if v] or list(complaint_variants)
        run_complaint(trainer, dev, {k: complaint_variants[k] for k in chosen})
    if args.task == "sentiment":
        sentiment_variants = {
            "before": lambda: trainer.sentiment_en(),
            "C1": lambda: trainer.sentiment_en(C=1.0),
            "C3": lambda: trainer.sentiment_en(C=3.0),  # the recipe before C 1
            "C0.5": lambda: trainer.sentiment_en(C=0.5),
            "C10": lambda: trainer.sentiment_en(C=10.0),
            "emb2.5": lambda: trainer.sentiment_en(embeddings=2.5),
            "own_en3": lambda: trainer.sentiment_en(weights={"brand_care_en": 3.0}),
            "multinomial": lambda: trainer.sentiment_en(nb_scaling=False),
        }
        chosen = [v for v in args.variants.split(",") if v] or list(sentiment_variants)
        run_sentiment(trainer, dev, {k: sentiment_variants[k] for k in chosen})
    if args.task == "stack":
        run_stack(trainer, dev)
    return 0


def run_stack(trainer: Trainer, dev: dict[str, list[Example]]) -> None:
    """The complaint decision with the sentiment model's P(negative) as a third vote:
    (a * complaint_score + b * P(intent = complaint) + c * P(negative)) / (a + b + c) >= threshold."""
    from core.text import clean

    complaint, intent = trainer.complaint(), trainer.intent(INTENT_BASE)
    sentiment = {"en": trainer.sentiment_en(), "it": trainer.sentiment_it()}
    sets = {"cEN": ([e for e in dev["complaints"] if datasets.annotated(e)], "en"),
            "own_en": (dev["brand_care_en"], "en"), "own_it": (dev["brand_care_it"], "it")}
    votes = {}
    for tag, (rows, lang) in sets.items():
        X, texts = trainer.features(rows), [clean(e.text) for e in rows]
        p_int = intent.scores(X, texts)[:, intent.classes.index("complaint")]
        p_neg = sentiment[lang].scores(X, texts)[:, sentiment[lang].classes.index("negative")]
        votes[tag] = (complaint.scores(X, texts)[:, 1], p_int, p_neg, [e.complaint for e in rows])
    for a, b, c in itertools.product((0.3, 0.5, 0.7), (0.3, 0.5, 0.7), (0.0, 0.2, 0.4)):
        for threshold in THRESHOLDS:
            figures = {}
            for tag, (score, p_int, p_neg, gold) in votes.items():
                blended = (a * score + b * p_int + c * p_neg) / (a + b + c)
                figures[tag] = macro_f1(gold, (blended >= threshold).astype(int).tolist())
            print(f"a {a:.1f} b {b:.1f} c {c:.1f} thr {threshold:.2f}  mean {np.mean(list(figures.values())):.3f}  "
                  + "  ".join(f"{k} {v:.3f}" for k, v in figures.items()), flush=True)


def run_sentiment(trainer: Trainer, dev: dict[str, list[Example]],
                  variants: dict[str, Callable[[], LinearModel]]) -> None:
    from core.text import clean

    for name, make in variants.items():
        started = time.monotonic()
        model = make()
        figures = []
        for tag in ("airline", "brand_care_en"):
            rows = [e for e in dev[tag] if e.sentiment]
            probs = model.scores(trainer.features(rows), [clean(e.text) for e in rows])
            predicted = [model.classes[i] for i in probs.argmax(axis=1)]
            figures.append(f"{tag} {macro_f1([e.sentiment for e in rows], predicted):.3f}")
        print(f"{name:<12} ({time.monotonic() - started:.0f}s)  " + "  ".join(figures), flush=True)


def run_complaint(trainer: Trainer, dev: dict[str, list[Example]],
                  variants: dict[str, Callable[[], LinearModel]]) -> None:
    from core.text import clean

    sets = {"cEN": [e for e in dev["complaints"] if datasets.annotated(e)], "own_en": dev["brand_care_en"],
            "own_it": dev["brand_care_it"]}
    for name, make in variants.items():
        started = time.monotonic()
        model = make()
        figures = []
        for tag, rows in sets.items():
            score = model.scores(trainer.features(rows), [clean(e.text) for e in rows])[:, 1]
            figures.append(f"{tag} {macro_f1([e.complaint for e in rows], (score >= 0.5).astype(int).tolist()):.3f}")
        print(f"{name:<12} ({time.monotonic() - started:.0f}s)  " + "  ".join(figures), flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
