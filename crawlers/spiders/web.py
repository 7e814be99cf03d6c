"""Web pages and forums: start URLs, link-follow patterns, per-site selectors for posts (threads, reviews), and
main-text extraction (trafilatura) for article pages. Only links on the start URLs' hosts are followed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor

from core.dates import parse_date
from crawlers.extraction import extract_article
from crawlers.spiders.base import KindOptions, SourceSpider
from crawlers.textutil import html_to_text


class Selectors(BaseModel):
    """CSS selectors for one site. `post` selects each post; the others are relative to a post."""

    model_config = ConfigDict(extra="forbid")
    post: str | None = None
    text: str = ".text, .content, .body"
    author: str = ".author::text"
    date: str = "time::attr(datetime)"
    id: str = "::attr(id)"
    reply_to: str | None = None  # e.g. "::attr(data-reply-to)"
    title: str = "h1::text"  # page-level: the thread title


class WebOptions(KindOptions):
    max_pages: int = 200
    max_depth: int = 3
    follow: list[str] = Field(default_factory=list)  # regexes of URLs to follow (listings, threads, articles)
    deny: list[str] = Field(default_factory=list)
    # regexes of article URLs; default: any followed page without posts
    articles: list[str] = Field(default_factory=list)
    selectors: Selectors = Selectors()
    post_selector: str | None = None  # shorthand for selectors.post
    # threads (pages with posts) are revisited on every run for this many days after they last changed, even
    # when the listing that links them answers 304 (a reply added later is found); conditional, so cheap
    revisit_days: float = Field(default=7.0, ge=0)
    revisit_max: int = Field(default=500, ge=0)  # the most recently changed threads kept for revisits

    @model_validator(mode="after")
    def _shorthand(self) -> WebOptions:
        if self.post_selector and not self.selectors.post:
            self.selectors = self.selectors.model_copy(update={"post": self.post_selector})
        return self

    @field_validator("follow", "deny", "articles")
    @classmethod
    def _regexes(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:  # a bad pattern is a configuration error, named on load
                raise ValueError(f"not a regular expression: {pattern!r}: {exc}") from None
        return value


class WebSpider(SourceSpider):
    name = "web"
    kind = "web"
    default_platform = "forum"
    options_model: ClassVar[type[KindOptions]] = WebOptions

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        opts: WebOptions = self.options  # type: ignore[assignment]
        # LinkExtractor compares network locations (host:port), so give both forms of each start host
        hosts = sorted({part for u in self.source.urls for part in (urlsplit(u).hostname, urlsplit(u).netloc)
                        if part})
        self.links = LinkExtractor(allow=opts.follow or (), deny=opts.deny or (), allow_domains=hosts)
        self.article_patterns = [re.compile(p) for p in opts.articles]
        self.pages_requested = 0

    def start_requests_for_source(self) -> Iterable[scrapy.Request]:
        for url in self.source.urls:
            yield self.page_request(url, depth=0)
        for url, depth in self.threads_to_revisit():
            yield self.page_request(url, depth=depth)

    def known_threads(self) -> dict[str, dict[str, Any]]:
        """Thread URL -> {"changed": ISO time it last answered with posts, "depth": where it was found}."""
        threads = self.state.extra.setdefault("threads", {})
        return threads if isinstance(threads, dict) else {}

    def threads_to_revisit(self) -> list[tuple[str, int]]:
        opts: WebOptions = self.options  # type: ignore[assignment]
        threads = self.known_threads()
        horizon = datetime.now(UTC) - timedelta(days=opts.revisit_days)
        fresh = {url: seen for url, seen in threads.items()
                 if isinstance(seen, dict) and (parse_date(seen.get("changed")) or horizon) > horizon}
        newest = sorted(fresh, key=lambda url: str(fresh[url].get("changed")), reverse=True)[:opts.revisit_max]
        self.state.extra["threads"] = {url: fresh[url] for url in newest}
        if newest:
            self.count("revisited_threads", len(newest))
        return [(url, int(fresh[url].get("depth") or 0)) for url in newest]

    def remember_thread(self, url: str, depth: int) -> None:
        if self.options.revisit_days > 0 and self.options.revisit_max > 0:  # type: ignore[attr-defined]
            self.known_threads()[url] = {"changed": datetime.now(UTC).isoformat(timespec="seconds"), "depth": depth}

    def page_request(self, url: str, depth: int) -> scrapy.Request:
        self.pages_requested += 1
        return self.request(url, self.parse_page, expect="html", conditional=True, meta={"page_depth": depth})

    def parse_page(self, response: Response) -> Iterable[Any]:
        if not self.fetched(response):
            return
        if not isinstance(response, TextResponse):
            self.bad_input(response, "not_html", "binary response")
            return
        opts: WebOptions = self.options  # type: ignore[assignment]
        depth = int(response.meta.get("page_depth", 0))
        try:
            posts = response.css(opts.selectors.post) if opts.selectors.post else []
        except ValueError as exc:  # unparseable markup
            self.bad_input(response, "malformed_html", exc)
            return
        if posts:
            self.remember_thread(response.url, depth)
            yield from self.post_items(response, posts)
        elif depth > 0 and self.is_article(response.url):
            item = self.article_item(response)
            if item is not None:
                yield item
        if depth < opts.max_depth and opts.follow:
            for link in self.links.extract_links(response):
                if self.pages_requested >= opts.max_pages:
                    self.count("warnings/max_pages")
                    break
                yield self.page_request(link.url, depth + 1)

    def is_article(self, url: str) -> bool:
        """Article URLs by pattern; without patterns, any followed page of a site that has no post selector (on a
        forum, pages without posts are listings)."""
        if self.article_patterns:
            return any(p.search(url) for p in self.article_patterns)
        return not self.options.selectors.post  # type: ignore[attr-defined]

    def article_item(self, response: Response) -> dict[str, Any] | None:
        article = extract_article(response.text, response.url)
        if not article["text"]:
            self.count("offered")
            self.count("skipped_empty")
            return None
        return self.make_item(
            text=article["text"], title=article["title"], author=article["author"], url=response.url,
            published_at=article["published_at"] or response.headers.get(b"Last-Modified", b"").decode("latin-1")
            or datetime.now(UTC),  # undated page: when we first saw it
            lang=article["lang"], platform=self.source.platform or "web",
        )

    def post_items(self, response: Response, posts: Any) -> Iterable[dict[str, Any]]:
        sel = self.options.selectors  # type: ignore[attr-defined]
        thread_title = " ".join(response.css(sel.title).getall()).strip() or None
        thread_url = response.url
        host = urlsplit(thread_url).netloc
        first_id: str | None = None
        lang = (response.css("html::attr(lang)").get() or "").split("-")[0].lower() or None
        for index, post in enumerate(posts):
            try:
                raw_id = (post.css(sel.id).get() or "").strip()
                platform_id = f"{host}:{raw_id}" if raw_id else f"{thread_url}#{index}"
                first_id = first_id or platform_id
                author = " ".join(post.css(sel.author).getall()).strip() or None
                text = html_to_text("\n".join(post.css(sel.text).getall()))
                published = parse_date(post.css(sel.date).get())
                reply_raw = (post.css(sel.reply_to).get() or "").strip() if sel.reply_to else ""
            except ValueError as exc:
                self.bad_input(response, "malformed_post", exc)
                self.lost("malformed_post")
                continue
            parent = f"{host}:{reply_raw}" if reply_raw else None
            if parent is None and index > 0 and self.brand_of_author(author) is not None:
                parent = first_id  # the brand answering in a thread answers its opening post
            item = self.make_item(
                text=text, title=thread_title, author=author, url=thread_url, platform_id=platform_id,
                published_at=published, lang=lang, thread_id=self.reply_id(first_id),  # the opening post
                in_reply_to=self.reply_id(parent) if parent else None,
            )
            if item is not None:
                yield item
