"""Retry waits do not block the reactor, and a Retry-After longer than a crawl waits defers the host to a later run."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.crawlers.conftest import CrawlEnv, FixtureServer, Hit, Reply, source
from tests.crawlers.feeds import rss2


def test_long_retry_after_defers_the_host_instead_of_sleeping(http_server: FixtureServer, other_server: FixtureServer,
                                                             crawl_env: CrawlEnv) -> None:
    base, other = http_server.base_url, other_server.base_url
    feed = rss2(other, [("y1", "Velora rincara", "Velora aumenta le bollette del dieci per cento.")])
    http_server.add("/busy.xml", b"come back tomorrow", "text/plain", status=429, headers={"Retry-After": "86400"})
    slow_calls: list[float] = []

    def slow(hit: Hit) -> Reply:  # 503 then fine: its short backoff must not hold up the other source
        slow_calls.append(time.monotonic())
        if len(slow_calls) == 1:
            return 503, {"Content-Type": "text/plain", "Retry-After": "2"}, b"busy"
        return 200, {"Content-Type": "application/rss+xml"}, feed.encode()

    other_server.routes["/slow.xml"] = slow  # type: ignore[assignment]
    other_server.add("/fast.xml", rss2(other, [("z1", "Velora app", "Velora app in crash da ieri.")]),
                     "application/rss+xml")
    crawl_env.write_config([source("busy", "feed", [f"{base}/busy.xml"]),
                            source("slow", "feed", [f"{other}/slow.xml"]),
                            source("fast", "feed", [f"{other}/fast.xml"])])
    started = time.monotonic()
    summary = crawl_env.crawl()["sources"]
    assert time.monotonic() - started < 60  # a day's Retry-After was not slept
    assert summary["busy"]["rate_limited"] == 1 and summary["busy"]["new"] == 0
    assert summary["busy"]["finish_reason"] == "finished"
    assert http_server.count("/busy.xml") == 1  # not retried
    assert summary["slow"]["new"] == 1 and slow_calls[1] - slow_calls[0] >= 1.9
    assert summary["fast"]["new"] == 1

    state = json.loads((Path(crawl_env.home) / "crawl" / "busy.json").read_text())
    assert state["complete"] is False  # the next run walks it in full
    assert list(state["extra"]["paused_hosts"]) == [base.removeprefix("http://")]

    again = crawl_env.crawl(["busy"])["sources"]["busy"]  # still paused: the server is not asked again
    assert http_server.count("/busy.xml") == 1 and again["new"] == 0
