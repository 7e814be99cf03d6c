"""`ascolto serve [--config FILE]`: the API and the dashboard (ascolto.web.server)."""

from __future__ import annotations

import argparse

from ascolto.commands.options import port
from ascolto.context import add_config_argument
from ascolto.web import DEFAULT_HOST, DEFAULT_PORT


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("--host", default=None, help=f"address to bind (default: the config's, else {DEFAULT_HOST}; "
                        "anything but loopback requires the token environment variable)")
    parser.add_argument("--port", type=port, default=None, help=f"port (default: the config's, else {DEFAULT_PORT})")


def run(args: argparse.Namespace) -> int:
    from ascolto.web.server import run_server

    return run_server(args)
