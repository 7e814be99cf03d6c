"""Fixture feeds built in code (RSS 0.91, RSS 1.0, RSS 2.0, Atom), so every test sees exactly what it asserts on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

NOW = datetime.now(UTC).replace(microsecond=0)


def rss2(base: str, items: list[tuple[str, str, str]], lang: str = "it") -> str:
    """items: (slug, title, description); newest first, one hour apart."""
    entries = "".join(
        f"<item><title>{title}</title><link>{base}/news/{slug}?utm_source=rss</link><guid>{slug}</guid>"
        f"<description>{text}</description><author>redazione@example.org (Redazione)</author>"
        f"<pubDate>{format_datetime(NOW - timedelta(hours=i + 1))}</pubDate></item>"
        for i, (slug, title, text) in enumerate(items)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Notizie</title>'
            f"<link>{base}/</link><language>{lang}</language><description>d</description>{entries}</channel></rss>")


def atom(base: str, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f'<entry><title>{title}</title><link href="{base}/blog/{slug}"/><id>urn:{slug}</id>'
        f"<updated>{(NOW - timedelta(hours=i + 1)).isoformat()}</updated><author><name>Jane</name></author>"
        f'<summary type="html">{text}</summary></entry>'
        for i, (slug, title, text) in enumerate(items)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
            f"<title>Blog</title><id>urn:blog</id><updated>{NOW.isoformat()}</updated>{entries}</feed>")


def rss1(base: str, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f'<item rdf:about="{base}/rdf/{slug}"><title>{title}</title><link>{base}/rdf/{slug}</link>'
        f"<description>{text}</description><dc:date>{(NOW - timedelta(hours=2)).isoformat()}</dc:date></item>"
        for slug, title, text in items
    )
    return ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel rdf:about="{base}/rdf"><title>RDF</title><link>{base}</link><description>d</description>'
            f"</channel>{entries}</rdf:RDF>")


def rss091(base: str, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(f"<item><title>{t}</title><link>{base}/old/{s}</link><description>{d}</description></item>"
                      for s, t, d in items)
    return (f'<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title><link>{base}</link>'
            f"<description>d</description><language>en</language>{entries}</channel></rss>")
