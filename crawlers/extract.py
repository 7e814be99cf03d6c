"""`ascolto extract FILE_OR_URL...`: one JSON object per input with the main text of the page as the crawler stores
it (same extraction: trafilatura, with the page's own metadata as fallback). URLs get the crawler's safety rules."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawlers.extraction import extract_article
from crawlers.middlewares import EXPECTED_TYPES, non_public_address
from crawlers.settings import DOWNLOAD_MAXSIZE, DOWNLOAD_TIMEOUT, USER_AGENT


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are followed one by one by `fetch`, so that each target passes the address check."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch(url: str, allow_private: bool = False, max_redirects: int = 5) -> tuple[bytes, str]:
    opener = urllib.request.build_opener(_NoRedirect)
    for _ in range(max_redirects + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) URL: {url}")
        address = None if allow_private else non_public_address(parts.hostname or "")
        if address:
            raise ValueError(f"refused: {parts.hostname} resolves to non-public address {address}")
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            response = opener.open(request, timeout=DOWNLOAD_TIMEOUT)
        except urllib.error.HTTPError as exc:
            if exc.code in (301, 302, 303, 307, 308) and exc.headers.get("Location"):
                url = urllib.parse.urljoin(url, exc.headers["Location"])
                continue
            raise
        with response:
            ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if ctype and not any(part in ctype for part in EXPECTED_TYPES["html"]):
                raise ValueError(f"not a web page: content type {ctype!r}")
            body = response.read(DOWNLOAD_MAXSIZE + 1)
            if len(body) > DOWNLOAD_MAXSIZE:
                raise ValueError(f"response larger than {DOWNLOAD_MAXSIZE} bytes")
            return body, response.headers.get_content_charset() or "utf-8"
    raise ValueError("too many redirects")


def extract_one(target: str, allow_private: bool = False) -> dict[str, Any]:
    if target.lower().startswith(("http://", "https://")):
        body, charset = fetch(target, allow_private)
        html = body.decode(charset, "replace")
        url: str | None = target
    else:
        raw = Path(target).read_bytes()
        html = raw.decode("utf-8", "replace")
        url = None
    return {"source": target, **extract_article(html, url)}


