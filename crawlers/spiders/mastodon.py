"""Mastodon: tag timelines, status search and the brand's own accounts on configured instances. Pagination by the
Link header (max_id) or search offset; token from credentials_env['access_token'] or ['token'] (search of statuses
needs one on most instances); documented limit: 300 requests per 5 minutes per account or IP."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar
from urllib.parse import quote, urlencode, urlsplit

import scrapy
from pydantic import Field
from scrapy.http import Response

from core.dates import parse_date
from crawlers.spiders.base import KindOptions, SourceSpider
from crawlers.textutil import html_to_text

_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class MastodonOptions(KindOptions):
    tags: list[str] | None = None  # default: the brands' hashtags
    search: bool = True
    accounts: list[str] = Field(default_factory=list)  # the brand's accounts on this instance, to catch its replies
    limit: int = Field(default=40, ge=1, le=40)


class MastodonSpider(SourceSpider):
    name = "mastodon"
    kind = "mastodon"
    default_platform = "mastodon"
    options_model: ClassVar[type[KindOptions]] = MastodonOptions
    default_rate = 60.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        token = self.credential("access_token") or self.credential("token")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def start_requests_for_source(self) -> Iterable[scrapy.Request]:
        opts: MastodonOptions = self.options  # type: ignore[assignment]
        tags = opts.tags if opts.tags is not None else [h.lstrip("#") for b in self.brands for h in b.hashtags]
        for base in self.source.urls:
            base = base.rstrip("/")
            for tag in dict.fromkeys(t.lstrip("#").lower() for t in tags):
                url = f"{base}/api/v1/timelines/tag/{quote(tag)}?limit={opts.limit}"
                yield self.api_request(url, base, "timeline")
            if opts.search:
                for brand in self.brands:
                    for term in brand.names():
                        params = {"q": term, "type": "statuses", "limit": opts.limit, "resolve": "false"}
                        url = f"{base}/api/v2/search?{urlencode(params)}"
                        yield self.api_request(url, base, "search", {"search_url": url, "offset": 0})
            for acct in opts.accounts:
                url = f"{base}/api/v1/accounts/lookup?{urlencode({'acct': acct.lstrip('@')})}"
                yield self.request(url, self.parse_account, expect="json", headers=self.headers,
                                   meta={"base": base})

    def api_request(self, url: str, base: str, what: str, extra: dict[str, Any] | None = None,
                    page: int = 0) -> scrapy.Request:
        return self.request(url, self.parse_statuses, expect="json", headers=self.headers,
                            meta={"base": base, "what": what, "page": page, **(extra or {})})

    def parse_account(self, response: Response) -> Iterable[Any]:
        if not self.fetched(response):
            return
        account = self.json_body(response)
        if not isinstance(account, dict) or not account.get("id"):
            if account is not None:
                self.bad_input(response, "unexpected_json", "no account id")
            return
        base = response.meta["base"]
        url = (f"{base}/api/v1/accounts/{quote(str(account['id']))}/statuses?"
               f"limit={self.options.limit}&exclude_reblogs=true")  # type: ignore[attr-defined]
        yield self.api_request(url, base, "account")

    def parse_statuses(self, response: Response) -> Iterable[Any]:
        if not self.fetched(response):
            return
        data = self.json_body(response)
        if data is None:
            return
        statuses = data.get("statuses") if isinstance(data, dict) else data
        if not isinstance(statuses, list):
            self.bad_input(response, "unexpected_json", "no list of statuses")
            return
        base, page, emitted = response.meta["base"], int(response.meta["page"]), 0
        for status in statuses:
            if not isinstance(status, dict) or status.get("reblog"):
                continue  # boosts repeat someone else's status, which is crawled on its own
            item = self.isolated(response, "malformed_status", self.status_item, status, base)
            if item is not None:
                emitted += 1
                yield item
        if not self.keep_paging(page, len(statuses), emitted):
            return
        if response.meta["what"] == "search":
            offset = int(response.meta["offset"]) + len(statuses)
            url = f"{response.meta['search_url']}&offset={offset}"
            yield self.api_request(url, base, "search", {"search_url": response.meta["search_url"],
                                                         "offset": offset}, page + 1)
            return
        link = response.headers.get(b"Link", b"").decode("latin-1")
        found = _NEXT.search(link)
        if found:
            yield self.api_request(response.urljoin(found.group(1)), base, response.meta["what"], page=page + 1)

    def status_item(self, status: dict[str, Any], base: str) -> dict[str, Any] | None:
        host = urlsplit(base).netloc
        account = status.get("account") or {}
        acct = str(account.get("acct") or account.get("username") or "") or None
        text = html_to_text(status.get("content"))
        if status.get("spoiler_text"):
            text = f"{status['spoiler_text']}\n{text}"
        parent = status.get("in_reply_to_id")
        return self.make_item(
            platform_id=f"{host}:{status['id']}", url=status.get("url") or status.get("uri"),
            text=text, author=acct, author_reach=self.number("followers_count", account.get("followers_count")),
            published_at=parse_date(status.get("created_at")), lang=status.get("language"),
            in_reply_to=self.reply_id(f"{host}:{parent}") if parent else None,
            engagement=self.counts(favourites=status.get("favourites_count"), reblogs=status.get("reblogs_count"),
                                   replies=status.get("replies_count")),
        )
