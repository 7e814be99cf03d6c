"""`ascolto train`: rebuild the shipped models (nlp/models/) from the labelled data, reproducibly."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None,
                        help="the shared labelled data directory (default: ../shared/data beside the repo)")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the models (default: nlp/models, what ships)")
    parser.add_argument("--holdout", action="store_true",
                        help="train on the training split only (what `ascolto evaluate` measures); "
                        "default: all the data, for the shipped models (no test rows held out)")


def run(args: argparse.Namespace) -> int:
    from nlp import datasets, training

    started = time.monotonic()
    try:
        corpus = datasets.load(args.data or datasets.DEFAULT_DATA, holdout=args.holdout)
    except (FileNotFoundError, ValueError) as exc:
        print(f"ascolto train: {exc}", file=sys.stderr)
        return 2
    table, models = training.Trainer(corpus.train).all()
    for path in training.save(table, models, args.output or training.MODEL_DIR):
        size = path.stat().st_size
        print(f"wrote {path} ({size / 1024:.0f} KiB)", file=sys.stderr)
    print(f"trained {len(models)} models in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return 0
