"""Hacker News through the Algolia search API: /search_by_date newest first, `page` pagination, stories and
comments (linked to their parents). Documented limit: 10,000 requests per hour per IP."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar
from urllib.parse import urlencode

import scrapy
from pydantic import Field
from scrapy.http import Response

from core.dates import parse_date, parse_epoch
from crawlers.spiders.base import KindOptions, SourceSpider
from crawlers.textutil import html_to_text


class HackerNewsOptions(KindOptions):
    tags: str = "(story,comment)"
    hits_per_page: int = Field(default=100, ge=1, le=1000)
    item_url: str = "https://news.ycombinator.com/item?id={id}"


class HackerNewsSpider(SourceSpider):
    name = "hackernews"
    kind = "hackernews"
    default_platform = "hackernews"
    options_model: ClassVar[type[KindOptions]] = HackerNewsOptions
    default_rate = 10_000 / 60

    def start_requests_for_source(self) -> Iterable[scrapy.Request]:
        opts: HackerNewsOptions = self.options  # type: ignore[assignment]
        for base in self.source.urls:
            for brand in self.brands:
                for term in dict.fromkeys(brand.names()):  # Algolia has no OR: one query per name
                    params = {"query": term, "tags": opts.tags, "hitsPerPage": opts.hits_per_page}
                    url = f"{base.rstrip('/')}/search_by_date?{urlencode(params)}"
                    yield self.request(url, self.parse_hits, expect="json", meta={"search_url": url, "page": 0})

    def parse_hits(self, response: Response) -> Iterable[Any]:
        if not self.fetched(response):
            return
        data = self.json_body(response)
        if data is None:
            return
        hits = data.get("hits") if isinstance(data, dict) else None
        if not isinstance(hits, list):
            self.bad_input(response, "unexpected_json", "no hits list")
            return
        emitted = 0
        for hit in hits:
            if not isinstance(hit, dict) or not hit.get("objectID"):
                continue
            item = self.isolated(response, "malformed_hit", self.hit_item, hit)
            if item is not None:
                emitted += 1
                yield item
        page = int(response.meta["page"])
        pages = data.get("nbPages")
        more = isinstance(pages, int) and page + 1 < pages
        if more and self.keep_paging(page, len(hits), emitted):
            url = f"{response.meta['search_url']}&page={page + 1}"
            yield self.request(url, self.parse_hits, expect="json", meta={"search_url": response.meta["search_url"],
                                                                             "page": page + 1})

    def hit_item(self, hit: dict[str, Any]) -> dict[str, Any] | None:
        object_id = str(hit["objectID"])
        is_comment = hit.get("comment_text") is not None
        text = html_to_text(hit.get("comment_text") if is_comment else hit.get("story_text"))
        if not is_comment and hit.get("url"):
            text = f"{text}\n{hit['url']}".strip()
        parent = hit.get("parent_id")
        story = hit.get("story_id")
        return self.make_item(
            platform_id=object_id, url=self.options.item_url.format(id=object_id),  # type: ignore[attr-defined]
            title=hit.get("title") or (hit.get("story_title") if is_comment else None),
            text=text, author=hit.get("author"),
            published_at=parse_epoch(hit.get("created_at_i")) or parse_date(hit.get("created_at")),
            in_reply_to=self.reply_id(str(parent)) if is_comment and parent else None,
            thread_id=self.reply_id(str(story)) if story else None,
            engagement=self.counts(points=hit.get("points"), comments=hit.get("num_comments")),
        )
