"""`ascolto evaluate`: per-task quality on the held-out split, model beside a plain TF-IDF + LR baseline.

By default the models are trained here on the training split (the same recipes as `ascolto train`), because
the shipped models have seen the held-out rows. `--models DIR` evaluates models written by
`ascolto train --holdout --output DIR` instead.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None,
                        help="the shared labelled data directory (default: ../shared/data beside the repo)")
    parser.add_argument("--models", type=Path, default=None,
                        help="evaluate models trained with `ascolto train --holdout --output DIR`")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")


def run(args: argparse.Namespace) -> int:
    from nlp import datasets, training
    from nlp.evaluation import evaluate

    started = time.monotonic()
    try:
        corpus = datasets.load(args.data or datasets.DEFAULT_DATA, holdout=True)
    except (FileNotFoundError, ValueError) as exc:
        print(f"ascolto evaluate: {exc}", file=sys.stderr)
        return 2
    models = training.load(args.models) if args.models else training.Trainer(corpus).all()
    results = evaluate(corpus, models)
    if args.json:
        print(json.dumps({"split": {"seed": datasets.SEED, "holdout": datasets.HOLDOUT},
                          "tasks": {r.task: r.row() for r in results},
                          "seconds": round(time.monotonic() - started, 1)}))
        return 0
    print(f"{'task':<26}{'measure':<14}{'model':>8}{'baseline':>10}{'n':>7}")
    for r in results:
        print(f"{r.task:<26}{r.measure:<14}{r.model:>8.4f}{r.baseline:>10.4f}{r.n:>7}")
    print(f"held-out split: {datasets.HOLDOUT:.0%} of each dataset, seed {datasets.SEED}; "
          f"baseline: TfidfVectorizer() + LogisticRegression() on the same training split", file=sys.stderr)
    return 0
