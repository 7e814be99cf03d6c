"""Main text of an article page, as the crawler stores it. Trafilatura does the extraction (so quality is
trafilatura's by construction); the fallbacks fill in what its metadata lacks from the page itself."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import lxml.html
import py3langid
import trafilatura
from lxml.etree import ParserError, XMLSyntaxError

from core.dates import parse_date
from crawlers.textutil import html_to_text

log = logging.getLogger(__name__)

_META_AUTHOR = ("author", "article:author", "og:article:author", "dc.creator", "twitter:creator")
_META_DATE = ("article:published_time", "og:published_time", "date", "dc.date", "pubdate", "publish-date")


def extract_article(html: str | bytes, url: str | None = None) -> dict[str, Any]:
    """{'title', 'text', 'author', 'published_at' (ISO or None), 'lang'}; text is '' when the page has none."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    result: dict[str, Any] = {"title": None, "text": "", "author": None, "published_at": None, "lang": None}
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                          include_tables=False, favor_precision=True)
    except Exception as exc:  # the library must never take the crawl down with it
        log.warning("trafilatura failed on %s: %s", url, exc)
        doc = None
    data = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else (doc or {})
    result["title"] = data.get("title") or None
    result["text"] = (data.get("text") or "").strip()
    result["author"] = data.get("author") or None
    result["published_at"] = _iso_date(data.get("date"))
    page = _parse(html)
    if page is not None:
        _fill_from_page(result, page)
    if result["text"]:
        result["lang"] = result["lang"] or py3langid.classify(result["text"][:2000])[0]
    return result


def _parse(html: str) -> Any:
    try:
        return lxml.html.document_fromstring(html)
    except (ParserError, XMLSyntaxError, ValueError):
        return None


def _meta(page: Any, names: tuple[str, ...]) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = page.xpath(f'//meta[translate(@{attr}, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", '
                               f'"abcdefghijklmnopqrstuvwxyz")="{name}"]/@content')
            if found and found[0].strip():
                return str(found[0]).strip()
    return None


def _fill_from_page(result: dict[str, Any], page: Any) -> None:
    if not result["title"]:
        title = _meta(page, ("og:title", "twitter:title")) or " ".join(page.xpath("//title//text()")).strip()
        if not title:
            title = " ".join(page.xpath("(//h1)[1]//text()")).strip()
        result["title"] = title or None
    if not result["author"]:
        result["author"] = _meta(page, _META_AUTHOR)
    stamp = _meta(page, _META_DATE) or next(iter(page.xpath("//time/@datetime")), None)
    if stamp and (not result["published_at"] or "T" in str(stamp)):  # trafilatura keeps the day only
        result["published_at"] = _iso_date(stamp) or result["published_at"]
    if not result["text"]:  # no main text found: the readable text of the body, rather than nothing
        body = page.find("body")
        if body is not None:
            for bad in body.xpath(".//script|.//style|.//nav|.//header|.//footer|.//form"):
                bad.drop_tree()
            result["text"] = html_to_text(lxml.html.tostring(body, encoding="unicode"))
    lang = page.get("lang") or _meta(page, ("og:locale", "content-language", "language"))
    if lang:
        result["lang"] = lang.replace("_", "-").split("-")[0].lower()[:3]


def _iso_date(value: Any) -> str | None:
    if not value:
        return None
    if not isinstance(value, datetime):
        text = str(value).strip()
        value = text if "T" in text or " " in text else text + "T00:00:00"
    parsed = parse_date(value)
    return parsed.isoformat() if parsed else None
