"""Per-source progress on stderr while a crawl runs: one line per source every few seconds, and one when it ends."""

from __future__ import annotations

import sys
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import task

FIELDS = ("fetched", "new", "duplicates", "rejected", "errors")


def progress_line(crawler: Crawler, name: str, done: str | None = None) -> str:
    stats = crawler.stats.get_stats() if crawler.stats else {}
    values = {k: int(stats.get(f"ascolto/{k}", 0)) for k in FIELDS}
    values["duplicates"] += int(stats.get("ascolto/skipped_seen", 0))
    values["errors"] += int(stats.get("ascolto/errors/ingest", 0))
    tail = f" ({done})" if done else ""
    return f"crawl {name}: " + ", ".join(f"{k} {v}" for k, v in values.items()) + tail


class CrawlProgress:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("ASCOLTO_PROGRESS_INTERVAL", 5.0)
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        extension = cls(crawler)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def _name(self) -> str:
        spider: Any = self.crawler.spider
        return spider.source.name if spider is not None and hasattr(spider, "source") else "?"

    def _print(self, done: str | None = None) -> None:
        sys.stderr.write(progress_line(self.crawler, self._name(), done) + "\n")
        sys.stderr.flush()

    def opened(self) -> None:
        if self.interval > 0:
            self.loop = task.LoopingCall(self._print)
            self.loop.start(self.interval, now=False)

    def closed(self, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self._print(done=reason)
