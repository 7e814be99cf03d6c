"""IngestPipeline: buffer the spider's items and hand them in batches to the ingest sink named by the
`ASCOLTO_INGEST_SINK` setting (normalise, dedupe, NLP, store). A store that is down means keep the batch and retry;
what still fails at the end is spooled to a file in the data directory, never lost. Keys are marked seen in the
source state only once stored."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.asyncio import sleep
from scrapy.utils.misc import load_object

log = logging.getLogger(__name__)

FINAL_ATTEMPTS = 3  # ingest tries at the end of a crawl before the buffer is spooled


class IngestPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.batch_size = crawler.settings.getint("ASCOLTO_BATCH_SIZE", 200)
        self.sink_class: Any = load_object(crawler.settings.get("ASCOLTO_INGEST_SINK"))
        self.buffer: list[dict[str, Any]] = []
        self.sink: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IngestPipeline:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    def _count(self, key: str, n: int) -> None:
        if n and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"ascolto/{key}", n)

    def open_spider(self) -> None:
        pass  # the store is opened on the first flush, so that a store down at start costs a retry, not the crawl

    def _sink(self) -> Any:
        if self.sink is None:
            self.sink = self.sink_class.from_settings(self.crawler.settings, self.spider.config)
        return self.sink

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        self._count("items", 1)
        self.buffer.append(dict(item))
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> bool:
        """Ingest the buffer; on failure keep it for the next flush (close_spider tries a few times more)."""
        if not self.buffer:
            return True
        try:
            report = self._sink().ingest(self.buffer)
        except Exception as exc:  # store down, disk full...: keep the batch, try again later
            self._count("errors/ingest", 1)
            log.warning("%s: ingest failed (%s); batch of %d kept for retry", self.spider.source.name, exc,
                        len(self.buffer))
            return False
        self._count("new", report.new)
        self._count("updated", report.updated)
        self._count("duplicates", report.duplicates)
        self._count("rejected", report.rejected)
        self._count("spooled_by_store", report.spooled)  # accepted; the store writes them when it is back
        for reason, n in report.reasons.items():
            self._count(f"rejected/{reason}", n)
        state = self.spider.state
        state.mark_seen([self.spider.item_key(i["platform"], i.get("platform_id"), i.get("url"))
                         for i in self.buffer])
        state.save()
        self.buffer = []
        return True

    async def close_spider(self) -> None:
        for attempt in range(FINAL_ATTEMPTS):
            if self.flush():
                return
            if attempt + 1 < FINAL_ATTEMPTS:
                await sleep(0.5 * 2**attempt)  # the reactor's timer, not time.sleep: other crawls go on meanwhile
        try:
            self._spool()
        except OSError as exc:  # nowhere to keep them either: say so, loudly
            self._count("lost", len(self.buffer))
            self._count("lost/spool_failed", len(self.buffer))
            log.error("%s: store unavailable and spool not writable (%s): %d items lost", self.spider.source.name,
                      exc, len(self.buffer))
            self.buffer = []

    def _spool(self) -> None:
        spool = self.spider.data_dir / "spool"
        spool.mkdir(parents=True, exist_ok=True)
        path = spool / f"crawl-{self.spider.source.name}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for item in self.buffer:
                out.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
        self._count("spooled", len(self.buffer))
        log.error("%s: store unavailable; %d items spooled to %s (load them with `ascolto ingest`)",
                  self.spider.source.name, len(self.buffer), path)
        self.buffer = []


class DiscardPipeline:
    """Counts items and drops them: the do-nothing baseline of benchmarks/bench_crawl.py."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiscardPipeline:
        return cls(crawler)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("ascolto/items")
        return item
