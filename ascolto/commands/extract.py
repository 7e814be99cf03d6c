"""`ascolto extract FILE_OR_URL...`: the main text of pages as the crawler stores it (crawlers.extract), one JSON
object each."""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="FILE_OR_URL", help="HTML files or http(s) URLs")
    parser.add_argument("--allow-private", action="store_true",
                        help="allow URLs on private or loopback addresses (refused by default)")


def run(args: argparse.Namespace) -> int:
    from urllib.error import URLError

    from crawlers.extract import extract_one

    status = 0
    for target in args.inputs:
        try:
            result = extract_one(target, args.allow_private)
        except (OSError, URLError, ValueError) as exc:
            status = 1
            result = {"source": target, "error": str(exc)}
            print(f"ascolto extract: {target}: {exc}", file=sys.stderr)
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return status
