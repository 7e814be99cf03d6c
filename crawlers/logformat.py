"""What Scrapy logs per item: never the item itself. Its default dumps every scraped item at DEBUG (its whole text:
megabytes on stderr for one crawl, and crawled text is untrusted wherever it is shown); one line with the item's
source URL is enough to follow a crawl with -v."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


def _which(item: Any) -> str:
    if isinstance(item, dict):
        return str(item.get("url") or item.get("platform_id") or "an item")[:200]
    return type(item).__name__


class ItemsWithoutBodies(LogFormatter):
    def scraped(self, item: Any, response: Any, spider: Any) -> LogFormatterResult:
        return {"level": logging.DEBUG, "msg": "scraped %(which)s", "args": {"which": _which(item)}}

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> LogFormatterResult:
        return {"level": logging.WARNING, "msg": "dropped %(which)s: %(exception)s",
                "args": {"which": _which(item), "exception": exception}}

    def item_error(self, item: Any, exception: BaseException, response: Any, spider: Any) -> LogFormatterResult:
        return {"level": logging.ERROR, "msg": "error processing %(which)s", "args": {"which": _which(item)}}
