"""`ascolto` command line. Each command is one module under ascolto/commands/; this file only wires them.

A command module exposes `add_arguments(parser)` and `run(args) -> int` (the exit status). It imports at the top
only what its options need (the standard library, mostly): the stage it runs is imported inside `run`, so that
`ascolto --help` and `ascolto <command> --help` stay quick.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from ascolto import __version__

# name -> (module, one-line help). Order is the order of `ascolto --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("ascolto.commands.demo", "run the whole loop offline on a built-in demo web, then serve the dashboard"),
    "run": ("ascolto.commands.run", "crawl sources on their intervals and evaluate alert rules every minute"),
    "crawl": ("ascolto.commands.crawl", "crawl the configured sources once and ingest what they find"),
    "ingest": ("ascolto.commands.ingest", "ingest mentions from a JSON-lines file (exports, other tools)"),
    "classify": ("ascolto.commands.classify", "add language, sentiment, intent and topics to a JSON-lines file"),
    "train": ("ascolto.commands.train", "rebuild the shipped NLP models from the labelled data"),
    "evaluate": ("ascolto.commands.evaluate", "report NLP quality on held-out data beside a plain baseline"),
    "backtest": ("ascolto.commands.backtest", "run the volume-spike detector over a timestamp,value series"),
    "alerts": ("ascolto.commands.alerts", "list and acknowledge alerts"),
    "digest": ("ascolto.commands.digest", "print (or send) a digest of the care figures of a period"),
    "report": ("ascolto.commands.report", "write the crisis report of an incident or a window (PDF or HTML)"),
    "incidents": ("ascolto.commands.incidents", "list, show and take on incidents (alerts of a brand grouped)"),
    "extract": ("ascolto.commands.extract", "print the main text of pages (files or URLs) as the crawler stores it"),
    "serve": ("ascolto.commands.serve", "serve the API and the dashboard"),
    "kibana-import": ("ascolto.commands.kibana_import", "load the Kibana data view, searches and dashboard"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ascolto",
        description="Social listening and complaint alerting. Data directory: $ASCOLTO_HOME "
        "(default ~/.local/share/ascolto).",
    )
    parser.add_argument("--version", action="version", version=f"ascolto {__version__}")
    parser.add_argument(
        "--store",
        default=os.environ.get("ASCOLTO_STORE"),
        help="a SQLite file path or an http(s):// Elasticsearch URL (default: the config's store, "
        "else $ASCOLTO_HOME/mentions.sqlite3)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument("-q", "--quiet", action="store_true", help="log warnings and errors only")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(_module=module_name)
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            sub.set_defaults(_missing=str(exc))
            continue
        module.add_arguments(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if getattr(args, "_missing", None):
        print(f"ascolto {args.command}: not available: {args._missing}", file=sys.stderr)
        return 1
    module = importlib.import_module(args._module)
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
