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
from core.urls import canonical_url
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


def canonical_guid(guid: str) -> str:
    """A permalink guid is canonicalised like any link (its session ids dropped); any other guid is kept as is."""
    if guid.lower().startswith(("http://", "https://")):
        try:
            return canonical_url(guid)
        except ValueError:  # a broken URL is still a usable name
            return guid
    return guid


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
            "platform_id": self.entry_id(entry, response, body, has_link=link is not None),
            "author": entry_author(entry),
            "published_at": parse_date(entry.get("published_parsed") or entry.get("updated_parsed")),
            "lang": ((detail.get("language") or "").split("-")[0].lower() or feed_lang),
        }
        if fields["published_at"] is None:
            fields["published_at"] = parse_date(feed_updated)  # undated entry: the feed's own date
        seen = self.state.is_seen(self.item_key(self.platform, fields["platform_id"], link))
        if self.options.fetch_articles and link and not seen:
            request = self.request(link, self.parse_article, expect="html", meta={"entry": fields})
            # not filtered as a duplicate: two entries (two guids) may share a link, and each is an item
            return request.replace(errback=self.article_failed, dont_filter=True)
        return self._item(fields)

    def entry_id(self, entry: Any, response: Response, body: Any, has_link: bool) -> str | None:
        """The identity of an entry within its feed: its guid when it has one (stable, where links may carry a new
        session id on every fetch); else none when it has a link (the canonical link is its identity); else a
        stable hash of what it says (an entry with neither is kept, and is the same mention on every crawl)."""
        feed = canonical_url(response.url)
        guid = str(entry.get("id") or "").strip()
        if guid:
            return f"{feed}#{canonical_guid(guid)}"
        if has_link:
            return None
        self.count("warnings/no_link_or_guid")
        said = "\x1f".join(str(part or "") for part in (
            self.source.name, entry.get("title"), entry.get("published") or entry.get("updated"), body))
        return f"{feed}#sha256:{hashlib.sha256(said.encode('utf-8', 'replace')).hexdigest()[:32]}"

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
