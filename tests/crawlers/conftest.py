"""Fixture HTTP servers on loopback for the crawler tests, and a helper that crawls in a child process."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from ascolto.commands.crawl import crawl_in_subprocess

Reply = tuple[int, dict[str, str], bytes]
Handler = Callable[["Hit"], Reply]

FAST = json.dumps({"AUTOTHROTTLE_START_DELAY": 0.0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                   "ASCOLTO_RETRY_BACKOFF_BASE": 0.05, "LOG_LEVEL": "WARNING"})


@dataclass
class Hit:
    path: str
    headers: dict[str, str]


@dataclass
class FixtureServer:
    """Routes: path (with query) -> (status, headers, body) or a function of the Hit. Every request is logged."""

    routes: dict[str, Reply | Handler] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    base_url: str = ""

    def add(self, path: str, body: bytes | str | Any, content_type: str = "text/html; charset=utf-8",
            status: int = 200, headers: dict[str, str] | None = None, etag: str | None = None) -> None:
        if not isinstance(body, bytes | str):
            body, content_type = json.dumps(body), "application/json"
        data = body.encode() if isinstance(body, str) else body
        extra = {"Content-Type": content_type, **(headers or {})}
        if etag is None:
            self.routes[path] = (status, extra, data)
            return

        def conditional(hit: Hit) -> Reply:
            if hit.headers.get("If-None-Match") == etag:
                return 304, {"ETag": etag}, b""
            return status, {**extra, "ETag": etag}, data

        self.routes[path] = conditional

    def count(self, path: str) -> int:
        return sum(1 for h in self.hits if h.path == path)


def _handler_class(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hit = Hit(self.path, dict(self.headers.items()))
            server.hits.append(hit)
            route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
            if route is None and self.path == "/robots.txt":
                route = (404, {"Content-Type": "text/plain"}, b"")
            if route is None:
                route = (404, {"Content-Type": "text/plain"}, b"not found")
            status, headers, body = route(hit) if callable(route) else route
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def _serve(server: FixtureServer) -> Iterator[FixtureServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(server))
    httpd.daemon_threads = True
    server.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def http_server() -> Iterator[FixtureServer]:
    yield from _serve(FixtureServer())


@pytest.fixture
def other_server() -> Iterator[FixtureServer]:
    yield from _serve(FixtureServer())


BRANDS = [
    {"name": "Velora", "aliases": ["Velora Energia"], "hashtags": ["velora"],
     "owned_accounts": ["velora_care", "VeloraHelp"], "owned_domains": ["velora.example"]},
    {"name": "Pakko", "hashtags": ["pakko"], "owned_accounts": ["pakko_help"]},
]


@dataclass
class CrawlEnv:
    home: Path
    store: str
    config_path: Path

    def write_config(self, sources: list[dict[str, Any]], brands: list[dict[str, Any]] | None = None) -> Path:
        self.config_path.write_text(yaml.safe_dump({"brands": brands or BRANDS, "sources": sources}))
        return self.config_path

    def crawl(self, sources: list[str] | None = None, settings: dict[str, Any] | None = None) -> dict[str, Any]:
        env = {"ASCOLTO_HOME": str(self.home), "ASCOLTO_CRAWL_SETTINGS": FAST}
        if settings:
            env["ASCOLTO_CRAWL_SETTINGS"] = json.dumps({**json.loads(FAST), **settings})
        return crawl_in_subprocess(self.config_path, self.store, sources, env=env, timeout=120)

    def mentions(self) -> list[Any]:
        from storage import MentionFilter, open_store

        with open_store(self.store) as store:
            return store.search(MentionFilter(), limit=10_000, sort="published_at_asc").items


@pytest.fixture
def crawl_env(tmp_path: Path) -> CrawlEnv:
    home = tmp_path / "home"
    home.mkdir()
    return CrawlEnv(home=home, store=str(tmp_path / "store.sqlite3"), config_path=tmp_path / "config.yaml")


def query(hit: Hit) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(hit.path).query).items()}


def source(name: str, kind: str, urls: list[str], **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": kind, "urls": urls, "allow_private": True, **extra}
