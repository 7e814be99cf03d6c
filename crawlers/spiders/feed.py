"""Feeds: RSS 0.9x/1.0/2.0 and Atom (news, blogs, news-search feeds), parsed with feedparser.

A URL containing `{query}` is a search feed: it is expanded once per brand with the brand's names (and `{lang}` with
each of its languages). With `fetch_articles`, each entry's page is fetched and its main text extracted."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote_plus

import feedparser
import scrapy
from scrapy.http import Response

from core.config import or_query
from core.dates import parse_date
from crawlers.extraction import extract_article
from crawlers.spiders.base import KindOptions, SourceSpider
from crawlers.textutil import html_to_text

# RSS 2.0's <author>: "email (Name)", which feedparser's author_detail cuts mid-word ("ple (Jane Porter")
_EMAIL_AND_NAME = re.compile(r"[^\s()@]+@[^\s()]+\s*\((?P<name>[^()]*)\)")


def entry_author(entry: Any) -> str | None:
    """The entry's author name: the same person is the same author in RSS and Atom (syndication is by origin)."""
    raw = str(entry.get("author") or "").strip()
    found = _EMAIL_AND_NAME.fullmatch(raw)
    if found and found.group("name").strip():
        return found.group("name").strip()
    return (entry.get("author_detail") or {}).get("name") or raw or None


class FeedOptions(KindOptions):
    fetch_articles: bool = False  # follow each entry link and store the page's main text


class FeedSpider(SourceSpider):
    name = "feed"
    kind = "feed"
    default_platform = "news"
    options_model: ClassVar[type[KindOptions]] = FeedOptions

    def start_requests_for_source(self) -> Iterable[scrapy.Request]:
        for url in self.feed_urls():
            yield self.request(url, self.parse_feed, expect="feed", conditional=True)

    def feed_urls(self) -> list[str]:
        urls: list[str] = []
        for template in self.source.urls:
            if "{query}" not in template:
                urls.append(template)
                continue
            for brand in self.brands:
                terms = or_query(brand.names())
                for lang in brand.languages if "{lang}" in template else [""]:
                    urls.append(template.replace("{query}", quote_plus(terms)).replace("{lang}", lang))
        return list(dict.fromkeys(urls))

    def parse_feed(self, response: Response) -> Iterable[Any]:
        if not self.fetched(response):
            return
        parsed = feedparser.parse(response.body, response_headers={
            k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v})
        if parsed.bozo and not parsed.entries:
            self.bad_input(response, "malformed_feed", parsed.get("bozo_exception", "not a feed"))
            return
        if parsed.bozo:
            self.count("warnings/malformed_feed")  # partly readable: keep the good entries
        feed_lang = (parsed.feed.get("language") or "").split("-")[0].lower() or None
        for entry in parsed.entries:
            item_or_request = self.isolated(response, "malformed_entry", self.entry_item, entry, response, feed_lang,
                                            parsed.feed.get("updated_parsed"))
            if item_or_request is not None:
                yield item_or_request

    def entry_item(self, entry: Any, response: Response, feed_lang: str | None, feed_updated: Any = None) -> Any:
        link = self.link(entry.get("link"), response)
        content = entry.get("content") or []
        body = content[0].get("value") if content else entry.get("summary", "")
        detail = entry.get("title_detail") or {}
        fields = {
            "title": html_to_text(entry.get("title")) or None,
            "text": html_to_text(body),
            "url": link,
            "platform_id": None if link else self.entry_id(entry, response, body),
            "author": entry_author(entry),
            "published_at": parse_date(entry.get("published_parsed") or entry.get("updated_parsed")),
            "lang": ((detail.get("language") or "").split("-")[0].lower() or feed_lang),
        }
        if fields["published_at"] is None:
            fields["published_at"] = parse_date(feed_updated)  # undated entry: the feed's own date
        if self.options.fetch_articles and link and not self.state.is_seen(self.item_key(self.platform, None, link)):
            request = self.request(link, self.parse_article, expect="html", meta={"entry": fields})
            return request.replace(errback=self.article_failed)
        return self._item(fields)

    def entry_id(self, entry: Any, response: Response, body: Any) -> str:
        """Id of an entry without a usable link: its guid, else a stable hash of what it says (an entry with neither
        link nor guid is kept, and is the same mention on every crawl)."""
        guid = entry.get("id") or None
        if guid:
            return f"{response.url}#{guid}"
        self.count("warnings/no_link_or_guid")
        said = "\x1f".join(str(part or "") for part in (
            self.source.name, entry.get("title"), entry.get("published") or entry.get("updated"), body))
        return f"{response.url}#sha256:{hashlib.sha256(said.encode('utf-8', 'replace')).hexdigest()[:32]}"

    def _item(self, fields: dict[str, Any]) -> dict[str, Any] | None:
        if fields["published_at"] is None:
            fields["published_at"] = datetime.now(UTC)  # undated entries: when we first saw them
            self.count("warnings/undated")
        return self.make_item(**fields)

    def article_failed(self, failure: Any) -> Iterable[Any]:
        """The page could not be fetched: count it, and keep the entry with the feed's own text."""
        self.on_error(failure)
        item = self._item(dict(failure.request.meta["entry"]))
        if item is not None:
            yield item

    def parse_article(self, response: Response) -> Iterable[Any]:
        fields = dict(response.meta["entry"])
        if self.fetched(response):
            article = extract_article(response.body, response.url)
            if len(article["text"]) > len(fields["text"]):
                fields["text"] = article["text"]
            fields["author"] = fields["author"] or article["author"]
            fields["lang"] = fields["lang"] or article["lang"]
        item = self._item(fields)
        if item is not None:
            yield item
