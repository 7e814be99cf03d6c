"""`ascolto serve`: the API and the dashboard on loopback by default; any other address requires a token."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable

import uvicorn

from ascolto.context import config_path, load_config_or_exit, store_location
from ascolto.web import DEFAULT_HOST, DEFAULT_PORT
from ascolto.web.app import create_app
from ascolto.web.security import is_loopback
from core.config import Config, secret

log = logging.getLogger(__name__)
DEFAULT_TOKEN_ENV = "ASCOLTO_TOKEN"


class TokenRequired(RuntimeError):
    """Binding beyond loopback without a token in the environment."""


def token_for(host: str, config: Config | None) -> str | None:
    """None on loopback; otherwise the token from the environment variable the config names (or ASCOLTO_TOKEN)."""
    if is_loopback(host):
        return None
    env_name = (config.dashboard.token_env if config else None) or DEFAULT_TOKEN_ENV
    token = secret(env_name)
    if not token or len(token) < 16:
        raise TokenRequired(
            f"serving on {host} (beyond loopback) needs an access token of at least 16 characters in the "
            f"environment variable {env_name}"
        )
    return token


def _server(store_location: str, config: Config | None, host: str, port: int) -> uvicorn.Server:
    app = create_app(store_location, config, token=token_for(host, config))
    settings = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, server_header=False,
        limit_concurrency=64, timeout_keep_alive=5, h11_max_incomplete_event_size=16 * 1024,
    )
    return uvicorn.Server(settings)


def serve_in_thread(
    store_location: str, config: Config | None, host: str = DEFAULT_HOST, port: int = 0
) -> tuple[str, Callable[[], None]]:
    """Start serving in a background thread; return (base url, stop). Port 0 picks a free port."""
    server = _server(store_location, config, host, port)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]  # not the main thread
    thread = threading.Thread(target=server.run, name="ascolto-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the dashboard could not start on {host}:{port}")
        time.sleep(0.02)
    bound_port = server.servers[0].sockets[0].getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://{shown_host}:{bound_port}", stop


def serve_forever(
    store_location: str, config: Config | None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> None:
    """Serve until Ctrl-C (uvicorn handles SIGINT/SIGTERM and shuts down gracefully)."""
    server = _server(store_location, config, host, port)
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Ascolto dashboard: http://{shown_host}:{port}/  (Ctrl-C to stop)", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn shuts down gracefully, then re-raises the Ctrl-C
        server.run()
    print("Ascolto dashboard stopped", file=sys.stderr)


def run_server(args: argparse.Namespace) -> int:
    config = load_config_or_exit(args) if config_path(args) is not None else None
    host = args.host or (config.dashboard.host if config else DEFAULT_HOST)
    port = args.port if args.port is not None else (config.dashboard.port if config else DEFAULT_PORT)
    try:
        serve_forever(store_location(args, config), config, host, port)
    except TokenRequired as exc:
        print(f"ascolto serve: {exc}", file=sys.stderr)
        return 2
    return 0
