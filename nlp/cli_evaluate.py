"""`ascolto evaluate`: per task and per dataset on the test splits, cross-source rows, beside a plain TF-IDF + LR.

The models are trained here on the training parts (the same recipes as `ascolto train`), because the shipped
models have seen every row. `--models DIR` scores models written by `ascolto train --holdout --output DIR` on
the test rows instead (the cross-source rows are still trained here).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from nlp import datasets, training
from nlp import embeddings as static


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=datasets.DEFAULT_DATA,
                        help="the shared labelled data directory (default: ../shared/data beside the repo)")
    parser.add_argument("--models", type=Path, default=None,
                        help="evaluate models trained with `ascolto train --holdout --output DIR`")
    parser.add_argument("--no-cross", action="store_true", help="skip the cross-source rows (faster)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")


def run(args: argparse.Namespace) -> int:
    from nlp.evaluation import evaluate  # scikit-learn: imported when evaluating, not by every `ascolto` command

    started = time.monotonic()
    try:
        corpus = datasets.load(args.data, holdout=True)
    except (FileNotFoundError, ValueError) as exc:
        print(f"ascolto evaluate: {exc}", file=sys.stderr)
        return 2
    trainer = training.Trainer(corpus.train)
    if args.models:
        models = training.load(args.models)
    else:
        table, models = trainer.all()
        static.use_table(table)
    results = evaluate(corpus, trainer, models, cross=not args.no_cross)
    if args.json:
        print(json.dumps({"split": {"seed": datasets.SEED, "holdout": datasets.HOLDOUT},
                          "tasks": {r.key: r.row() for r in results},
                          "seconds": round(time.monotonic() - started, 1)}))
        return 0
    print(f"{'task':<22}{'dataset':<15}{'kind':<7}{'measure':<13}{'model':>7}{'baseline':>9}{'n':>6}")
    for r in results:
        print(f"{r.task:<22}{r.dataset:<15}{r.kind:<7}{r.measure:<13}{r.model:>7.3f}{r.baseline:>9.3f}{r.n:>6}")
    print(f"test split: {datasets.HOLDOUT:.0%} of each dataset, seed {datasets.SEED}; cross = trained without that "
          "dataset; baseline: TfidfVectorizer() + LogisticRegression() on the same training rows; "
          f"{time.monotonic() - started:.0f}s", file=sys.stderr)
    return 0
