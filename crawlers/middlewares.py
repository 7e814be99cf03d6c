"""Downloader middlewares, one job each: refuse private addresses (SSRF), check what came back (content type),
conditional requests (ETag / Last-Modified from the source's state), and retries that honour Retry-After."""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

from core.dates import parse_date

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(parts.scheme.lower(), 0)


@lru_cache(maxsize=1024)
def _addresses(host: str) -> tuple[str, ...]:
    try:
        return tuple({info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})
    except (OSError, UnicodeError):
        return ()  # unresolvable: the download itself fails and is counted as an error


def non_public_address(host: str) -> str | None:
    """The first private, loopback, link-local or otherwise non-global address `host` resolves to, if any."""
    for text in _addresses(host.strip("[]")):
        ip = ipaddress.ip_address(text.split("%")[0])
        mapped = getattr(ip, "ipv4_mapped", None)
        if not ip.is_global or (mapped is not None and not mapped.is_global):
            return text
    return None


class RefusedRequest(IgnoreRequest):
    """A request the crawler will not make; the message says why."""


def _count(crawler: Crawler, key: str, n: int = 1) -> None:
    if crawler.stats is not None:
        crawler.stats.inc_value(f"ascolto/{key}", n)


class SSRFGuardMiddleware:
    """Refuse non-http(s) schemes and hosts resolving to non-public addresses (redirect targets included, since a
    redirect is a new request through this chain). `allow_private` admits only the hosts the source names."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SSRFGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme.lower() not in ("http", "https"):
            self._refuse(request, f"scheme {parts.scheme!r} is not http(s)")
        host, port = host_port(request.url)
        spider: Any = self.crawler.spider
        allowed: set[tuple[str, int]] = getattr(spider, "private_hosts_allowed", set())
        if (host, port) in allowed:
            return None
        address = non_public_address(host)
        if address is not None:
            self._refuse(request, f"{host} resolves to non-public address {address}")
        return None

    def _refuse(self, request: Request, why: str) -> None:
        _count(self.crawler, "refused")
        log.warning("refused %s: %s", request.url, why)
        raise RefusedRequest(f"refused: {why}")


# What each kind of response may be; a missing Content-Type is sniffed by the parser instead.
EXPECTED_TYPES: dict[str, tuple[str, ...]] = {
    "feed": ("xml", "rss", "atom", "rdf", "text/plain", "application/octet-stream"),
    "html": ("text/html", "application/xhtml", "text/plain"),
    "json": ("json", "text/javascript", "application/javascript", "text/plain"),
}
# a feed's root element near the start of the body: many servers send valid RSS/Atom as text/html
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)
_HTML_ROOT = re.compile(rb"<html[\s>]", re.IGNORECASE)


def looks_like_feed(body: bytes) -> bool:
    """Sniff the first bytes: a feed root element and no HTML root before it."""
    head = body[:4096]
    found = _FEED_ROOT.search(head)
    html = _HTML_ROOT.search(head)
    return found is not None and (html is None or html.start() > found.start())


class ResponseGuardMiddleware:
    """Check the content type of successful responses against what the spider expects (`meta['expect']`)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResponseGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        expect = request.meta.get("expect")
        if not expect or not 200 <= response.status < 300:
            return response
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").split(";")[0].strip().lower()
        if ctype and not any(part in ctype for part in EXPECTED_TYPES.get(expect, ())):
            if expect == "feed" and looks_like_feed(response.body):
                _count(self.crawler, "warnings/feed_as_html")  # parsed as the feed it is; the spider checks it
                return response
            _count(self.crawler, "errors")
            _count(self.crawler, "errors/content_type")
            log.warning("skipped %s: content type %r is not %s", response.url, ctype, expect)
            raise RefusedRequest(f"unexpected content type {ctype!r} for {expect}")
        return response


class ConditionalRequestMiddleware:
    """Send If-None-Match / If-Modified-Since from the source state; note new validators; count 304s."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        return cls(crawler)

    def _state(self) -> Any:
        return getattr(self.crawler.spider, "state", None)

    def process_request(self, request: Request) -> None:
        state = self._state()
        if state is None or not request.meta.get("conditional"):
            return None
        known = state.validators_for(request.url)
        if known.get("etag") and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = known["etag"]
        if known.get("last_modified") and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = known["last_modified"]
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        state = self._state()
        if state is None or not request.meta.get("conditional"):
            return response
        if response.status == 304:
            _count(self.crawler, "not_modified")
        elif 200 <= response.status < 300:
            header = response.headers.get
            etag, modified = header(b"ETag"), header(b"Last-Modified")
            state.remember_validators(
                request.url, etag.decode("latin-1") if etag else None, modified.decode("latin-1") if modified else None
            )
        return response


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = parse_date(value)
    if when is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _time(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=UTC)  # unreadable: not paused
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class DeferredRequest(RefusedRequest):
    """The server asked for a longer pause than a crawl waits: the request, and its host, are left to a later run."""


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry, but waiting first: the server's Retry-After when given (capped), else exponential backoff.

    The wait is a timer of the reactor (scrapy.utils.asyncio.sleep), so the other requests and crawls go on.
    A Retry-After beyond ASCOLTO_RETRY_DEFER_AFTER is not waited for: the host is paused in the source's state
    until then (later runs skip it meanwhile) and this run is not complete, so the next one fetches it in full."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("ASCOLTO_RETRY_BACKOFF_BASE", 1.0)
        self.max_delay = settings.getfloat("ASCOLTO_RETRY_MAX_DELAY", 120.0)
        self.defer_after = settings.getfloat("ASCOLTO_RETRY_DEFER_AFTER", 600.0)

    def process_request(self, request: Request) -> None:
        host = "{}:{}".format(*host_port(request.url))
        until = self._paused_hosts().get(host)  # only hosts still paused are kept
        if until:
            self._defer(request, host, f"paused until {until}")

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        header = response.headers.get(b"Retry-After")
        told = retry_after_seconds(header.decode("latin-1") if header else None)
        if response.status == 429:
            _count(self.crawler, "rate_limited")
        if told is not None and told > self.defer_after:
            host = "{}:{}".format(*host_port(request.url))
            until = (datetime.now(UTC) + timedelta(seconds=told)).isoformat(timespec="seconds")
            self._paused_hosts()[host] = until
            self._defer(request, host, f"HTTP {response.status} with Retry-After {told:.0f}s")
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:  # retries exhausted: the spider's errback counts the HttpError, once
            return response
        attempt = int(request.meta.get("retry_times", 0))
        delay = told if told is not None else self.backoff_base * (2**attempt)
        delay = min(delay, self.max_delay)
        log.info("retrying %s after %.1fs (HTTP %s)", request.url, delay, response.status)
        if delay > 0:
            await sleep(delay)
        return retry

    def _paused_hosts(self) -> dict[str, str]:
        """host:port -> ISO time before which it is not asked again (kept in the source state, so across runs)."""
        state = getattr(self.crawler.spider, "state", None)
        if state is None:
            return {}
        paused = state.extra.setdefault("paused_hosts", {})
        now = datetime.now(UTC)
        for host in [h for h, until in paused.items() if _time(until) <= now]:
            del paused[host]
        return paused

    def _defer(self, request: Request, host: str, why: str) -> None:
        _count(self.crawler, "deferred")
        log.warning("%s deferred to a later run: %s %s", request.url, host, why)
        raise DeferredRequest(f"deferred: {host} {why}")
