"""What every source spider shares: its Source and Config, per-source state, brand matching and ownership (by
ingest.brands, the one matcher), reply links, error counting, and the item shape handed to the ingest pipeline
(plain dicts with Mention field names)."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from pydantic import BaseModel, ConfigDict, ValidationError
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from core.config import Brand, Config, ConfigError, Source
from core.model import mention_id
from core.urls import canonical_url
from crawlers import settings as default_settings
from crawlers.middlewares import RefusedRequest, host_port
from crawlers.state import SourceState
from ingest.brands import BrandMatcher, load_checked_config

log = logging.getLogger(__name__)
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)


ROBOTS_FORBIDDEN = "Forbidden by robots.txt"  # the message of Scrapy's RobotsTxtMiddleware


def is_decompression_bomb(exc: BaseException) -> bool:
    """Scrapy's HttpCompressionMiddleware ignores a response that inflates past DOWNLOAD_MAXSIZE: an error of its
    own (a hostile or broken server), not a polite robots.txt refusal, though both arrive as IgnoreRequest."""
    cause = exc.__cause__
    return (cause is not None and "decompression" in type(cause).__name__.lower()) or \
        "during decompression" in str(exc)


class KindOptions(BaseModel):
    """Options every kind understands; each spider extends this with its own (unknown keys are an error)."""

    model_config = ConfigDict(extra="forbid")
    max_pages: int = 20  # pagination bound per start URL / query
    max_bytes: int | None = None  # maximum response size for this source
    requests_per_minute: float | None = None  # documented API rate limit; None: AutoThrottle alone
    require_match: bool = True  # keep only text matching a brand query (owned posts are always kept)


class SourceSpider(scrapy.Spider):
    """Base of the source spiders. Built by the runner with `source=` and `config=` objects, or by `scrapy crawl
    <kind> -a source=NAME [-a config=FILE] [-a data_dir=DIR]` with names (config default: config.yaml in the data
    directory, the ASCOLTO_DATA_DIR setting's default)."""

    kind: ClassVar[str] = ""
    default_platform: ClassVar[str] = "web"
    options_model: ClassVar[type[KindOptions]] = KindOptions
    default_rate: ClassVar[float | None] = None  # documented requests per minute of the API

    def __init__(self, source: Source | str | None = None, config: Config | str | None = None,
                 data_dir: str | Path | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_dir = Path(data_dir or default_settings.ASCOLTO_DATA_DIR).expanduser()
        if not isinstance(config, Config):
            config = load_checked_config(config or os.environ.get("ASCOLTO_CONFIG") or self.data_dir / "config.yaml")
        if not isinstance(source, Source):
            found = next((s for s in config.sources if s.name == source), None)
            if found is None:
                raise ConfigError(f"no source named {source!r} in the configuration")
            source = found
        if self.kind and source.kind != self.kind:
            raise ConfigError(f"source {source.name!r} is of kind {source.kind!r}, not {self.kind!r}")
        self.config: Config = config
        self.source: Source = source
        self.options = self.validate_options(source)
        self.platform = source.platform or self.default_platform
        self.brands = [b for b in config.brands if not source.brands or b.name in source.brands]
        self.matcher = BrandMatcher(self.brands)
        self.private_hosts_allowed = {host_port(u) for u in source.urls} if source.allow_private else set()
        self.state = SourceState(source.name, self.data_dir / "crawl")
        self.source_settings: dict[str, Any] = {}
        if self.options.max_bytes:
            self.source_settings["DOWNLOAD_MAXSIZE"] = self.options.max_bytes
        rate = self.options.requests_per_minute or self.default_rate
        if rate:
            self.source_settings["DOWNLOAD_DELAY"] = 60.0 / rate

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        """One crawler per source: the source's limits become that crawler's settings (before they are frozen)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        for key, value in spider.source_settings.items():
            crawler.settings.set(key, value, priority="spider")
        return spider

    @classmethod
    def validate_options(cls, source: Source) -> KindOptions:
        try:
            return cls.options_model.model_validate(source.options)
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                key = ".".join(str(p) for p in err["loc"])
                problems.append(f"sources.{source.name}.options.{key}: {err['msg'].removeprefix('Value error, ')}")
            raise ConfigError("\n".join(problems)) from None

    def credential(self, option: str) -> str | None:
        """A secret named by `credentials_env` (option -> environment variable); never logged."""
        env_name = self.source.credentials_env.get(option)
        return os.environ.get(env_name) if env_name else None

    # -- lifecycle -------------------------------------------------------------------------------------------------
    async def start(self) -> Any:
        if not self.state.lock():  # two crawls of one source would each think the other's items are new
            self.count("errors")
            self.count("errors/locked")
            self.logger.warning("%s: another crawl of this source is running; skipped", self.source.name)
            return
        self.state.start_run()
        for request in self.start_requests_for_source():
            yield request

    def start_requests_for_source(self) -> Iterable[scrapy.Request]:
        raise NotImplementedError

    def closed(self, reason: str) -> None:
        if self.state.locked:
            stats = self.crawler.stats
            spooled = stats.get_value("ascolto/spooled", 0) if stats else 0
            deferred = stats.get_value("ascolto/deferred", 0) if stats else 0
            # with items spooled (store down) or requests deferred (a long Retry-After) the pages are fetched in
            # full again next time, to be stored then
            self.state.finish_run(ok=reason == "finished" and not spooled and not deferred)
            self.state.unlock()

    # -- requests and errors -----------------------------------------------------------------------------------------
    def request(self, url: str, callback: Any, *, expect: str, conditional: bool = False,
                meta: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> scrapy.Request:
        full_meta = {"expect": expect, "conditional": conditional, **(meta or {})}
        if conditional:
            full_meta["handle_httpstatus_list"] = [304]
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=full_meta, headers=headers,
                              dont_filter=False)

    def count(self, key: str, n: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"ascolto/{key}", n)

    def fetched(self, response: Response) -> bool:
        """Count a response; False when there is nothing to parse (304 Not Modified)."""
        if response.status == 304:
            return False
        self.count("fetched")
        return True

    def bad_input(self, response: Response, what: str, exc: BaseException | str) -> None:
        """Malformed payloads are logged, counted per source and skipped; the URL is re-fetched in full next time."""
        self.count("errors")
        self.count(f"errors/{what}")
        self.state.forget_validators(response.request.url if response.request else response.url)
        self.logger.warning("%s: skipped %s (%s): %s", self.source.name, response.url, what, str(exc)[:200])

    def decoded(self, response: Response) -> str:
        """A JSON body as text: in the charset the Content-Type declares, else UTF-8 (JSON's own; guessing picks a
        legacy code page for one stray byte). Invalid bytes become U+FFFD (counted) rather than costing the page."""
        declared = _CHARSET.search(response.headers.get(b"Content-Type", b"").decode("latin-1"))
        encoding = declared.group(1) if declared else "utf-8"
        try:
            return response.body.decode(encoding)
        except UnicodeDecodeError:
            self.count("warnings/invalid_encoding")
            return response.body.decode(encoding, errors="replace")
        except LookupError:  # an encoding Python does not know
            self.count("warnings/invalid_encoding")
            return response.body.decode("utf-8", errors="replace")

    def json_body(self, response: Response) -> Any:
        """The decoded JSON of a response, or None (counted and logged) when it is not valid JSON."""
        try:
            return json.loads(self.decoded(response).removeprefix("\ufeff"))
        except ValueError as exc:
            self.bad_input(response, "malformed_json", exc)
            return None

    def isolated(self, response: Response, what: str, build: Any, *args: Any, an_item: bool = True) -> Any:
        """build(*args) for one entry of a page; an entry that breaks it is counted and logged with its reason, and
        costs only itself, never the rest of the page or its pagination. An item that could not be built is one the
        source offered and the crawl lost (`an_item=False` for builders of requests)."""
        try:
            return build(*args)
        except Exception as exc:  # one odd entry must not cost the others
            self.bad_input(response, what, exc)
            if an_item:
                self.lost(what)
            return None

    def lost(self, why: str) -> None:
        """An item the source offered that the crawl could not turn into anything: the summary's `lost`."""
        self.count("offered")
        self.count("lost")
        self.count(f"lost/{why}")

    def bad_field(self, field: str, value: Any, why: str) -> None:
        """A field that cannot be used is dropped from its item (which is kept), counted and logged."""
        self.count("errors")
        self.count("errors/bad_field")
        self.logger.warning("%s: dropped field %s=%.80r: %s", self.source.name, field, value, why)

    def number(self, field: str, value: Any) -> int | None:
        """An integer field of an API reply; None when absent or not a number ("12k", "lots": counted)."""
        if value is None or value == "":
            return None
        try:
            if isinstance(value, bool):
                raise ValueError("a boolean")
            return int(value)
        except (TypeError, ValueError, OverflowError) as exc:
            self.bad_field(field, value, str(exc))
            return None

    def counts(self, absent: int | None = 0, **values: Any) -> dict[str, int]:
        """Engagement counts: an absent one is `absent` (left out when None); one that does not parse is left out
        (unknown, not zero) and counted."""
        counts: dict[str, int] = {}
        for key, value in values.items():
            n = absent if value is None or value == "" else self.number(key, value)
            if n is not None:
                counts[key] = n
        return counts

    def link(self, href: Any, response: Response | None = None) -> str | None:
        """An absolute http(s) URL (joined to the response's), or None when unusable (`javascript:`, a port out of
        range, a broken IPv6 literal: counted)."""
        if not href:
            return None
        try:
            url = response.urljoin(str(href)) if response is not None else str(href)
            parts = urlsplit(url)
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                raise ValueError("not an http(s) URL")
            _ = parts.port  # raises when out of range
            canonical_url(url)
        except (ValueError, UnicodeError) as exc:
            self.bad_field("link", href, str(exc))
            return None
        return url

    def keep_paging(self, page: int, entries: int, emitted: int) -> bool:
        """Fetch the next page? Not past max_pages nor after an empty page; and after a complete previous run, not
        once a page brought nothing new (newest-first listings: the rest is older). After an interrupted run, walk
        on to max_pages so that nothing is skipped."""
        if page + 1 >= self.options.max_pages or entries == 0:
            return False
        return not (self.state.complete_before and emitted == 0)

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if request is not None:
            self.state.forget_validators(request.url)
        if failure.check(RefusedRequest):
            return  # counted by the middleware that refused it (refused address, wrong content type)
        if failure.check(HttpError):
            kind = f"http_{failure.value.response.status}"
        elif failure.check(IgnoreRequest) and ROBOTS_FORBIDDEN in str(failure.value):
            self.count("robots_disallowed")  # robots.txt said no: polite, not an error
            return
        elif failure.check(IgnoreRequest) and is_decompression_bomb(failure.value):
            kind = "decompression_bomb"
        elif failure.check(IgnoreRequest):
            kind = "ignored"
        else:
            kind = failure.type.__name__ if failure.type else "error"
        self.count("errors")
        self.count(f"errors/{kind}")
        self.logger.warning("%s: %s failed: %s", self.source.name, url, failure.getErrorMessage()[:200])

    # -- items -------------------------------------------------------------------------------------------------------
    def brand_of_author(self, author: str | None) -> Brand | None:
        return self.matcher.owner_of(author)

    def make_item(self, *, text: str | None, url: str | None = None, platform_id: str | None = None,
                  published_at: datetime | str | None, title: str | None = None, author: str | None = None,
                  author_reach: int | None = None, lang: str | None = None, in_reply_to: str | None = None,
                  thread_id: str | None = None, engagement: dict[str, int] | None = None,
                  platform: str | None = None) -> dict[str, Any] | None:
        """An item for ingest, or None when it matches no brand, was already ingested, or has nothing to say. Every
        call is an item the source offered (`offered`); each None is counted under its reason."""
        self.count("offered")
        text = (text or "").strip()
        if not text and not (title or "").strip():
            self.count("skipped_empty")
            return None
        platform = platform or self.platform
        url = self.link(url)
        # ingest's one rule: the brands named, the brand whose account wrote it, the brands whose accounts it
        # addresses ("@VeloraCare ancora niente" is about Velora without its name)
        matched = self.matcher.about(title, text, author)
        if not self.options.require_match and not matched:
            matched = [b.name for b in self.brands]
        if not matched:
            self.count("skipped_no_match")
            return None
        if not platform_id and not url:
            self.count("skipped_no_id")
            return None
        key = self.item_key(platform, platform_id, url)
        if self.state.is_seen(key):
            self.count("skipped_seen")
            return None
        return {
            "source": self.source.name, "platform": platform, "platform_id": platform_id, "url": url,
            "author": author, "author_reach": author_reach, "title": title, "text": text, "lang": lang,
            "published_at": published_at.isoformat() if isinstance(published_at, datetime) else published_at,
            "fetched_at": datetime.now(UTC).isoformat(), "is_owned": self.matcher.is_owned(author, url, matched),
            "in_reply_to": in_reply_to, "thread_id": thread_id, "engagement": engagement or {},
            "brands": sorted(set(matched)),
        }

    @staticmethod
    def item_key(platform: str, platform_id: str | None, url: str | None) -> str:
        """The mention id ingest will give the item (same function, same canonical URL)."""
        return mention_id(platform, platform_id, canonical_url(url) if url else None)

    def reply_id(self, platform_id: str | None, url: str | None = None, platform: str | None = None) -> str | None:
        """Mention id of the parent an item answers."""
        if not platform_id and not url:
            return None
        return self.item_key(platform or self.platform, platform_id, url)
