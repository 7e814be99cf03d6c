"""`ascolto demo [--no-serve] [--json]`: the whole loop offline on a built-in demo web (ascolto.demo)."""

from __future__ import annotations

import argparse

from ascolto.commands.options import port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-serve", action="store_true", help="stop after alerting instead of serving the dashboard")
    parser.add_argument("--json", action="store_true", help="end by printing one JSON object with the results")
    parser.add_argument("--host", default="127.0.0.1", help="dashboard address (default 127.0.0.1)")
    parser.add_argument("--port", type=port, default=8765, help="dashboard port (default 8765; 0 picks a free one)")


def run(args: argparse.Namespace) -> int:
    from ascolto.demo import run_demo

    return run_demo(args)
