"""Crawl the configured sources once: one Scrapy crawler per source, all in one process, items handed to the ingest
sink the settings name; per-source progress (stderr) and a summary. The `ascolto crawl` command runs this
(ascolto.commands.crawl), in a child process for callers that crawl more than once per process: the Twisted reactor
cannot be restarted."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.config import Config, ConfigError, Source
from core.model import CrawlRun
from crawlers.accounting import crashed_callbacks, item_accounts

log = logging.getLogger(__name__)

SUMMARY_FIELDS = ("fetched", "new", "duplicates", "rejected", "errors")
ITEM_FIELDS = ("offered", "stored", "merged", "rejected", "spooled", "lost")  # offered = the sum of the others
EXTRA_FIELDS = ("updated", "already_seen", "not_modified", "refused", "robots_disallowed", "no_brand_match",
                "rate_limited", "spooled", "offered", "lost")


def spider_classes() -> dict[str, Any]:
    from crawlers.spiders.appstore import AppStoreSpider
    from crawlers.spiders.feed import FeedSpider
    from crawlers.spiders.hackernews import HackerNewsSpider
    from crawlers.spiders.mastodon import MastodonSpider
    from crawlers.spiders.reddit import RedditSpider
    from crawlers.spiders.web import WebSpider

    classes = (FeedSpider, WebSpider, RedditSpider, MastodonSpider, HackerNewsSpider, AppStoreSpider)
    return {cls.kind: cls for cls in classes}


def select_sources(config: Config, names: Sequence[str] | None) -> list[Source]:
    if not names:
        return list(config.sources)
    known = {s.name: s for s in config.sources}
    missing = [n for n in names if n not in known]
    if missing:
        raise ConfigError(f"sources: unknown source(s) {', '.join(missing)}; known: {', '.join(known) or 'none'}")
    return [known[n] for n in names]


def validate_sources(sources: Sequence[Source]) -> None:
    """Kind-specific options are checked before anything is fetched or written."""
    classes = spider_classes()
    problems = []
    for source in sources:
        try:
            classes[source.kind].validate_options(source)
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError("\n".join(problems))


def crawl_settings(store: str, data_dir: Path, log_level: str = "INFO") -> Any:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    settings.set("ASCOLTO_STORE", store, priority="cmdline")
    settings.set("ASCOLTO_DATA_DIR", str(data_dir), priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    overrides = os.environ.get("ASCOLTO_CRAWL_SETTINGS")  # JSON object: tests and benchmarks tune the pace
    if overrides:
        settings.setdict(json.loads(overrides), priority="cmdline")
    return settings


def crawl(config: Config, sources: Sequence[Source], store: str, data_dir: Path,
          log_level: str = "INFO") -> dict[str, Any]:
    """Crawl `sources` into `store`, keeping crawl state, spool and rejects under `data_dir`; the summary."""
    from scrapy.crawler import CrawlerProcess

    from ingest.sink import close_shared_stores

    classes = spider_classes()
    settings = crawl_settings(store, data_dir, log_level)
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # `ascolto` has configured logging
    for handler in logging.getLogger().handlers:  # Scrapy's loggers say DEBUG while it starts; -q means quiet
        handler.setLevel(settings.get("LOG_LEVEL"))
    process = CrawlerProcess(settings)
    # after CrawlerProcess, whose logging set-up puts Scrapy's loggers back to DEBUG whatever LOG_LEVEL says
    for name in ("scrapy", "twisted", "py.warnings", "crawlers", "protego"):
        logging.getLogger(name).setLevel(settings.get("LOG_LEVEL"))
    crawlers = []
    started = time.monotonic()
    started_at = datetime.now(UTC)
    for source in sources:
        crawler = process.create_crawler(classes[source.kind])
        process.crawl(crawler, source=source, config=config, data_dir=data_dir)
        crawlers.append((source, crawler))
    if crawlers:
        process.start()
    close_shared_stores()
    per_source = {source.name: source_summary(source, crawler) for source, crawler in crawlers}
    totals = {key: sum(s[key] for s in per_source.values()) for key in (*SUMMARY_FIELDS, *EXTRA_FIELDS)}
    totals["items"] = {key: sum(s["items"][key] for s in per_source.values()) for key in ITEM_FIELDS}
    return {"sources": per_source, "totals": totals, "elapsed_s": round(time.monotonic() - started, 3),
            "started_at": started_at.isoformat(), "finished_at": datetime.now(UTC).isoformat()}


def crawl_runs(summary: dict[str, Any]) -> list[CrawlRun]:
    """The summary as one run per source, for the store's crawl log (source health). A source answered when a
    page was fetched or found not modified; a run in which every request failed is a failed run."""
    started, finished = (datetime.fromisoformat(summary[k]) for k in ("started_at", "finished_at"))
    return [CrawlRun(source=name, kind=s["kind"], started_at=started, finished_at=finished,
                     ok=bool(s["fetched"] or s["not_modified"] or not s["errors"]), fetched=s["fetched"],
                     stored=s["new"] + s["updated"], errors=s["errors"], error_kinds=s["error_kinds"],
                     finish_reason=s["finish_reason"])
            for name, s in summary["sources"].items()]


def items_lost(summary: dict[str, Any]) -> bool:
    """Did errors cost items: lost ones, or pages whose parsing crashed (their remaining items are uncounted)?"""
    return any(s["lost"] or s["error_kinds"].get("spider_exception") for s in summary["sources"].values())


def source_summary(source: Source, crawler: Any) -> dict[str, Any]:
    stats = crawler.stats.get_stats() if crawler.stats else {}

    def value(key: str) -> int:
        return int(stats.get(f"ascolto/{key}", 0))

    errors = {k.removeprefix("ascolto/errors/"): int(v) for k, v in stats.items() if k.startswith("ascolto/errors/")}
    crashed = crashed_callbacks(stats)
    if crashed:
        errors["spider_exception"] = crashed
    items = item_accounts(stats)
    return {
        "kind": source.kind,
        "fetched": value("fetched"),
        "new": value("new"),
        "duplicates": value("duplicates") + value("skipped_seen"),
        "rejected": value("rejected"),
        "errors": value("errors") + value("errors/ingest") + crashed,
        "offered": items["offered"],
        "lost": items["lost"],
        "items": items,
        "updated": value("updated"),
        "already_seen": value("skipped_seen"),
        "not_modified": value("not_modified"),
        "refused": value("refused"),
        "robots_disallowed": value("robots_disallowed"),
        "no_brand_match": value("skipped_no_match"),
        "rate_limited": value("rate_limited"),
        "spooled": value("spooled"),
        "error_kinds": errors,
        "finish_reason": stats.get("finish_reason"),
    }


def print_table(summary: dict[str, Any]) -> None:
    fields = (*SUMMARY_FIELDS, "lost")
    columns = ("source", *fields)
    rows = [(name, *(str(s[k]) for k in fields)) for name, s in summary["sources"].items()]
    rows.append(("TOTAL", *(str(summary["totals"][k]) for k in fields)))
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    print(f"({summary['elapsed_s']:.1f}s)")


