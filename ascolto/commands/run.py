"""`ascolto run --config FILE`: crawl each source on its interval, evaluate alert rules, serve the dashboard
(ascolto.scheduler)."""

from __future__ import annotations

import argparse

from ascolto.commands.options import interval, port
from ascolto.context import add_config_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser, required=True)
    parser.add_argument("--no-serve", action="store_true", help="do not serve the dashboard from this process")
    parser.add_argument("--no-crawl", action="store_true", help="only evaluate alert rules (sources crawled elsewhere)")
    parser.add_argument("--alert-interval", default="1m", type=interval,
                        help="how often alert rules are evaluated (default 1m)")
    parser.add_argument("--host", help="dashboard address (default: the config's dashboard.host)")
    parser.add_argument("--port", type=port, help="dashboard port (default: the config's dashboard.port)")


def run(args: argparse.Namespace) -> int:
    from ascolto.scheduler import run_service

    return run_service(args)
