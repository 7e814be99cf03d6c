"""`ascolto ingest --input FILE.jsonl`: mentions from exports or other tools (fields as in core.model.Mention;
analysis fields optional). Bad lines are reported with their line number and kept in the rejects file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ascolto.commands.options import positive_int
from ascolto.context import add_config_argument, config_path, ingestor_for, load_config_or_exit, open_store_for
from ascolto.progress import Progress

if TYPE_CHECKING:
    from ingest import Ingestor, IngestReport

EXIT_OK, EXIT_SOME_REJECTED, EXIT_UNUSABLE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input", "-i", required=True, metavar="FILE.jsonl", help="one JSON object per line; - for stdin"
    )
    add_config_argument(parser)
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument("--batch-size", type=positive_int, default=500)
    parser.epilog = "Exit status: 0 all ingested, 1 some lines rejected (the rest stored), 2 unusable input or config."


def _lines(path: str, report: IngestReport, ingestor: Ingestor) -> Iterator[Any]:
    stream = sys.stdin if path == "-" else Path(path).open(encoding="utf-8", errors="replace")  # noqa: SIM115
    with stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                report.received += 1
                reason = f"invalid JSON: {path} line {number}, column {exc.colno}: {exc.msg}"
                ingestor.reject(report, reason, line[:1000])


def run(args: argparse.Namespace) -> int:
    if args.input != "-" and not Path(args.input).is_file():
        print(f"ascolto ingest: {args.input}: no such file", file=sys.stderr)
        return EXIT_UNUSABLE
    from ingest import IngestReport

    config = load_config_or_exit(args) if config_path(args) else None
    store = open_store_for(args, config)
    total = IngestReport()
    parse_errors = IngestReport()
    ingestor = ingestor_for(store, config, batch_size=args.batch_size)
    progress = Progress("ingest", unit="items")
    # two stages overlap: while one batch is being stored (mostly waiting for the store), the next one is read and
    # normalised; batches are stored one at a time and in order, so each sees all stored before it
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-store")
    storing: Future[IngestReport] | None = None

    def stored() -> None:
        if storing is not None:
            total.merge(storing.result())

    def store_next(batch: list[Any]) -> None:  # normalised here, stored once the batch before it is
        nonlocal storing
        ready = ingestor.normalise_batch(batch)
        stored()
        storing = pool.submit(ingestor.store_batch, *ready)
        progress.advance(len(batch))

    try:
        batch: list[Any] = []
        for item in _lines(args.input, parse_errors, ingestor):
            batch.append(item)
            if len(batch) >= args.batch_size:
                store_next(batch)
                batch = []
        if batch:
            store_next(batch)
        stored()
    finally:
        pool.shutdown(wait=True)
        store.close()
        progress.done()
    total.merge(parse_errors)
    summary = {**total.as_dict(), "store": store.url}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"ingested {total.accepted} ({total.new} new, {total.updated} updated), {total.duplicates} duplicates, "
              f"{total.rejected} rejected, {total.spooled} spooled until the store is back; store {store.url}")
        for reason, count in sorted(total.reasons.items()):
            print(f"  rejected {count}: {reason}")
    return EXIT_SOME_REJECTED if total.rejected else EXIT_OK
