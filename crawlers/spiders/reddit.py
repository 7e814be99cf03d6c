"""Reddit-style search: /search.json (or /r/<sub>/search.json) newest first, `after` pagination, and the comment
trees of matching posts (the brand's replies are comments). Token from credentials_env['token'] (OAuth bearer);
documented limits: 100 requests/minute with OAuth, about 10 without."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar
from urllib.parse import urlencode

import scrapy
from pydantic import Field
from scrapy.http import Response

from core.config import or_query
from core.dates import parse_epoch
from crawlers.spiders.base import KindOptions, SourceSpider


class RedditOptions(KindOptions):
    subreddits: list[str] = Field(default_factory=list)  # empty: site-wide search
    comments: bool = True  # fetch comment trees of posts with comments
    limit: int = Field(default=100, ge=1, le=100)


class RedditSpider(SourceSpider):
    name = "reddit"
    kind = "reddit"
    default_platform = "reddit"
    options_model: ClassVar[type[KindOptions]] = RedditOptions

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token = self.credential("token")
        if not self.options.requests_per_minute:
            self.source_settings["DOWNLOAD_DELAY"] = 60.0 / (100 if self.token else 10)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"bearer {self.token}"} if self.token else {}

    def start_requests_for_source(self) -> Iterable[scrapy.Request]:
        opts: RedditOptions = self.options  # type: ignore[assignment]
        for base in self.source.urls:
            base = base.rstrip("/")
            for brand in self.brands:
                query = or_query(brand.names())
                for path in [f"/r/{sub}/search.json" for sub in opts.subreddits] or ["/search.json"]:
                    params = {"q": query, "sort": "new", "limit": opts.limit, "raw_json": 1,
                              **({"restrict_sr": 1} if opts.subreddits else {})}
                    url = f"{base}{path}?{urlencode(params)}"
                    yield self.request(url, self.parse_listing, expect="json", headers=self.headers,
                                       meta={"page": 0, "search_url": url, "base": base})

    def parse_listing(self, response: Response) -> Iterable[Any]:
        if not self.fetched(response):
            return
        data = self.json_body(response)
        if data is None:
            return
        listing = data.get("data") if isinstance(data, dict) else None
        children = listing.get("children") if isinstance(listing, dict) else None
        if not isinstance(children, list):
            self.bad_input(response, "unexpected_json", "no data.children listing")
            return
        emitted = 0
        for child in children:
            post = child.get("data") if isinstance(child, dict) else None
            if not isinstance(post, dict) or child.get("kind") != "t3":
                continue
            item = self.isolated(response, "malformed_post", self.post_item, post, response)
            if item is not None:
                emitted += 1
                yield item
            comments = self.isolated(response, "malformed_post", self.comments_request, post, response,
                                     an_item=False)
            if comments is not None:
                yield comments
        page, after = int(response.meta["page"]), listing.get("after")
        if after and self.keep_paging(page, len(children), emitted):
            url = f"{response.meta['search_url']}&after={after}"
            yield self.request(url, self.parse_listing, expect="json", headers=self.headers,
                               meta={"page": page + 1, "search_url": response.meta["search_url"],
                                     "base": response.meta["base"]})

    def post_item(self, post: dict[str, Any], response: Response) -> dict[str, Any] | None:
        return self.make_item(
            platform_id=str(post.get("name") or f"t3_{post.get('id')}"),
            url=self.link(post.get("permalink"), response) if post.get("permalink") else self.link(post.get("url")),
            title=post.get("title"), text=post.get("selftext") or "", author=post.get("author"),
            published_at=parse_epoch(post.get("created_utc")),
            engagement=self.counts(score=post.get("score"), comments=post.get("num_comments")),
        )

    def comments_request(self, post: dict[str, Any], response: Response) -> scrapy.Request | None:
        """The comment tree of a post that has comments (or whose count does not parse: look rather than miss)."""
        if not self.options.comments or not post.get("permalink"):  # type: ignore[attr-defined]
            return None
        raw = post.get("num_comments")
        try:
            if int(raw or 0) <= 0:
                return None
        except (TypeError, ValueError, OverflowError):
            pass  # counted with the post's engagement
        url = self.link(str(post["permalink"]).rstrip("/") + ".json?raw_json=1&sort=new", response)
        if url is None:
            return None
        return self.request(url, self.parse_comments, expect="json", conditional=True, headers=self.headers,
                            meta={"post": post})

    def parse_comments(self, response: Response) -> Iterable[Any]:
        if not self.fetched(response):
            return
        data = self.json_body(response)
        if not isinstance(data, list) or len(data) < 2 or not isinstance(data[1], dict):
            if data is not None:
                self.bad_input(response, "unexpected_json", "expected [post listing, comment listing]")
            return
        post = response.meta["post"]
        thread = self.item_key(self.platform, str(post.get("name") or f"t3_{post.get('id')}"), None)
        yield from self.comment_items(data[1], response, thread)

    def comment_items(self, listing: Any, response: Response, thread: str) -> Iterable[dict[str, Any]]:
        children = (listing.get("data") or {}).get("children") if isinstance(listing, dict) else None
        for child in children or []:
            comment = child.get("data") if isinstance(child, dict) else None
            if not isinstance(comment, dict) or child.get("kind") != "t1":
                continue
            item = self.isolated(response, "malformed_comment", self.comment_item, comment, response, thread)
            if item is not None:
                yield item
            yield from self.comment_items(comment.get("replies"), response, thread)

    def comment_item(self, comment: dict[str, Any], response: Response, thread: str) -> dict[str, Any] | None:
        return self.make_item(
            platform_id=str(comment.get("name") or f"t1_{comment.get('id')}"),
            url=self.link(comment.get("permalink"), response),
            text=comment.get("body") or "", author=comment.get("author"),
            published_at=parse_epoch(comment.get("created_utc")),
            in_reply_to=self.reply_id(str(comment["parent_id"])) if comment.get("parent_id") else None,
            thread_id=thread, engagement=self.counts(score=comment.get("score")),
        )
