"""App Store customer-review feeds (the iTunes RSS JSON: .../customerreviews/page=N/id=APP/sortby=mostrecent/json).
Reviews of a brand's app rarely name the brand, so by default they belong to the source's `brands` without a query
match (set options.require_match to filter). Apple serves at most 10 pages per feed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response

from core.config import ConfigError, Source
from core.dates import parse_date
from crawlers.spiders.base import KindOptions, SourceSpider

_PAGE = re.compile(r"page=(\d+)")


class AppStoreOptions(KindOptions):
    max_pages: int = 10
    require_match: bool = False


def _label(node: Any) -> str | None:
    if isinstance(node, dict):
        value = node.get("label")
        return str(value) if value is not None else None
    return None


class AppStoreSpider(SourceSpider):
    name = "appstore"
    kind = "appstore"
    default_platform = "appstore"
    options_model: ClassVar[type[KindOptions]] = AppStoreOptions
    default_rate = 20.0  # Apple documents no figure for these feeds; about 20 requests/minute is tolerated

    @classmethod
    def validate_options(cls, source: Source) -> KindOptions:
        options = super().validate_options(source)
        if not options.require_match and not source.brands:
            raise ConfigError(f"sources.{source.name}.brands: an appstore source names the brand(s) whose app it "
                              "reviews (or set options.require_match: true)")
        return options

    def start_requests_for_source(self) -> Iterable[scrapy.Request]:
        for url in self.source.urls:
            yield self.request(url, self.parse_reviews, expect="json", conditional=True, meta={"page": 0})

    def parse_reviews(self, response: Response) -> Iterable[Any]:
        if not self.fetched(response):
            return
        data = self.json_body(response)
        if data is None:
            return
        feed = data.get("feed") if isinstance(data, dict) else None
        if not isinstance(feed, dict):
            self.bad_input(response, "unexpected_json", "no feed object")
            return
        entries = feed.get("entry") or []
        entries = [entries] if isinstance(entries, dict) else entries
        emitted = 0
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict) or "im:rating" not in entry:
                continue  # the first entry of older feeds describes the app itself
            item = self.isolated(response, "malformed_review", self.review_item, entry, response)
            if item is not None:
                emitted += 1
                yield item
        page = int(response.meta["page"])
        number = _PAGE.search(response.url)
        if number and self.keep_paging(page, len(entries), emitted):
            url = _PAGE.sub(f"page={int(number.group(1)) + 1}", response.url, count=1)
            yield self.request(url, self.parse_reviews, expect="json", conditional=True, meta={"page": page + 1})

    def review_item(self, entry: dict[str, Any], response: Response) -> dict[str, Any] | None:
        link = entry.get("link")
        href = link.get("attributes", {}).get("href") if isinstance(link, dict) else None
        return self.make_item(
            platform_id=_label(entry.get("id")), url=self.link(href, response),
            title=_label(entry.get("title")), text=_label(entry.get("content")) or "",
            author=_label((entry.get("author") or {}).get("name")),
            published_at=parse_date(_label(entry.get("updated"))),
            engagement=self.counts(None, rating=_label(entry.get("im:rating")), votes=_label(entry.get("im:voteSum"))),
        )
