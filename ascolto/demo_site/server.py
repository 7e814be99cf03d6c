"""Serve the demo web from a thread on loopback (no network needed). Answers conditional requests (ETag)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ascolto.demo_site import render
from ascolto.demo_site.world import World, generate_world

Route = Callable[[World, str, dict[str, str], re.Match[str]], "render.Reply | None"]


def _int(params: dict[str, str], key: str, default: int, cap: int = 100) -> int:
    try:
        return max(0, min(cap, int(params.get(key, default))))
    except ValueError:
        return default


ROUTES: list[tuple[re.Pattern[str], Route]] = [
    (re.compile(r"/robots\.txt"), lambda w, b, q, m: render.robots()),
    (re.compile(r"/news/rss\.xml"), lambda w, b, q, m: render.rss(w, b)),
    (re.compile(r"/blog/atom\.xml"), lambda w, b, q, m: render.atom(w, b)),
    (re.compile(r"/(?:news|blog|wire)/([\w-]+)"), lambda w, b, q, m: render.article(w, m.group(1))),
    (re.compile(r"/forum/?"), lambda w, b, q, m: render.forum_list(w, max(1, _int(q, "page", 1, 10_000)))),
    (re.compile(r"/forum/t/(\d+)"), lambda w, b, q, m: render.forum_thread(w, m.group(1))),
    (re.compile(r"/appstore/\w+/rss/customerreviews/page=(\d+)/id=(\d+)/sortby=mostrecent/json"),
     lambda w, b, q, m: render.reviews(w, m.group(2), int(m.group(1)), b)),
    (re.compile(r"/reddit(?:/r/\w+)?/search\.json"),
     lambda w, b, q, m: render.reddit_search(w, q.get("q", ""), max(1, _int(q, "limit", 25)), q.get("after"))),
    (re.compile(r"/reddit/r/\w+/comments/(\d+)/[\w-]+/?\.json"), lambda w, b, q, m: render.reddit_comments(
        w, m.group(1))),
    (re.compile(r"/mastodon/api/v1/timelines/tag/([^/]+)"), lambda w, b, q, m: render.mastodon_tag(
        w, b + "/mastodon", unquote(m.group(1)), max(1, _int(q, "limit", 20, 40)), q.get("max_id"))),
    (re.compile(r"/mastodon/api/v2/search"), lambda w, b, q, m: render.mastodon_search(
        w, b + "/mastodon", q.get("q", ""), max(1, _int(q, "limit", 20, 40)), _int(q, "offset", 0, 10_000))),
    (re.compile(r"/mastodon/api/v1/accounts/lookup"), lambda w, b, q, m: render.mastodon_lookup(q.get("acct", ""))),
    (re.compile(r"/mastodon/api/v1/accounts/(\w+)/statuses"), lambda w, b, q, m: render.mastodon_account_statuses(
        w, b + "/mastodon", m.group(1), max(1, _int(q, "limit", 20, 40)), q.get("max_id"))),
]


def answer(world: World, base: str, target: str) -> render.Reply:
    parts = urlsplit(target)
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for pattern, route in ROUTES:
        match = pattern.fullmatch(parts.path)
        if match:
            reply = route(world, base, params, match)
            if reply is not None:
                return reply
            break
    return 404, {"Content-Type": "text/plain; charset=utf-8"}, b"not found"


class DemoSite:
    """A running demo web: `.base_url`, `.world` (what it serves), `.stop()`."""

    def __init__(self, world: World, host: str, port: int) -> None:
        self.world = world
        self._httpd = ThreadingHTTPServer((host, port), self._handler())
        self._httpd.daemon_threads = True
        self.host, self.port = host, self._httpd.server_address[1]
        self.base_url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-site", daemon=True)
        self._thread.start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "AscoltoDemo/1"

            def do_GET(self) -> None:
                try:
                    status, headers, body = answer(site.world, site.base_url, self.path)
                except Exception as exc:  # a demo bug answers 500, it does not kill the server
                    status, headers, body = 500, {"Content-Type": "text/plain"}, str(exc).encode()
                if status == 200 and headers.get("ETag") and self.headers.get("If-None-Match") == headers["ETag"]:
                    status, body = 304, b""
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> DemoSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_demo_site(now: datetime | None = None, host: str = "127.0.0.1", port: int = 0) -> DemoSite:
    return DemoSite(generate_world(now), host, port)
