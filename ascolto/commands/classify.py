"""`ascolto classify --input IN.jsonl --output OUT.jsonl`: add the analysis to each {"id", "text"} line.

Output lines keep `id` and add lang, sentiment, sentiment_score, intent, complaint, complaint_score, topics.
A bad line (not JSON, not an object, no id, text not a string) is reported on stderr with its line number,
counted and skipped; every other line is written, in input order. Progress goes to stderr on long files.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from typing import IO, Any

from ascolto.progress import Progress

CHUNK = 2000
PROGRESS_SECONDS = 5.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", "-i", default="-", help="JSON-lines file of {id, text[, lang]} (- = stdin)")
    parser.add_argument("--output", "-o", default="-", help="JSON-lines file to write (- = stdout)")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when any line was bad")


class BadLine(ValueError):
    pass


def _parse(line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise BadLine(f"expected a JSON object, got {type(record).__name__}")
    if "id" not in record or record["id"] is None or isinstance(record["id"], dict | list):
        raise BadLine("missing or invalid 'id'")
    text = record.get("text")
    if not isinstance(text, str):
        raise BadLine("'text' must be a string" if "text" in record else "missing 'text'")
    lang = record.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise BadLine("'lang' must be a string or absent")
    return record


def _lines(handle: IO[bytes]) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(handle, 1):
        text = raw.decode("utf-8", "replace").strip()  # invalid UTF-8 bytes become U+FFFD, not a crash
        if text:
            yield number, text


def run(args: argparse.Namespace) -> int:
    from nlp.analyzer import get_analyzer

    analyzer = get_analyzer()
    good = bad = 0
    progress = Progress("classified", unit="mentions", every=PROGRESS_SECONDS)
    with ExitStack() as stack:
        try:
            source = sys.stdin.buffer if args.input == "-" else stack.enter_context(open(args.input, "rb"))
            sink = sys.stdout if args.output == "-" else stack.enter_context(
                open(args.output, "w", encoding="utf-8"))
        except OSError as exc:
            print(f"ascolto classify: {exc}", file=sys.stderr)
            return 2
        pending: list[dict[str, Any]] = []

        def flush() -> None:
            nonlocal good
            results = analyzer.analyse([r["text"] for r in pending], [r.get("lang") or None for r in pending])
            for record, analysis in zip(pending, results, strict=True):
                sink.write(json.dumps({"id": record["id"], **analysis.to_dict()}) + "\n")
            good += len(pending)
            progress.advance(len(pending))
            pending.clear()

        for number, line in _lines(source):
            try:
                pending.append(_parse(line))
            except BadLine as exc:
                bad += 1
                print(f"{args.input}:{number}: skipped: {exc}", file=sys.stderr)
            if len(pending) >= CHUNK:
                flush()
        if pending:
            flush()
    elapsed = progress.elapsed()
    print(f"classified {good} mentions, skipped {bad} bad lines in {elapsed:.1f}s", file=sys.stderr)
    return 1 if args.strict and bad else 0
