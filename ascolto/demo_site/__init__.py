"""A deterministic synthetic web on loopback for `ascolto demo`: news feeds (RSS 2.0, Atom), a forum, app reviews,
a Reddit-style search and a Mastodon-style API, about two fictional brands over a fortnight ending at `now`."""

from __future__ import annotations

from typing import Any

from ascolto.demo_site.server import DemoSite, start_demo_site
from ascolto.demo_site.world import APP_IDS, CARE_ACCOUNTS

__all__ = ["DemoSite", "demo_config_dict", "start_demo_site"]

_FAST = {"requests_per_minute": 6000}  # the demo server is local: no API rate limit to respect


def demo_config_dict(base_url: str) -> dict[str, Any]:
    """The `brands` and `sources` sections of a Config for the demo web at `base_url` (loopback: allow_private)."""
    base = base_url.rstrip("/")
    brands = [
        {"name": "Velora", "aliases": ["Velora Energia", "Velora Fibra"], "handles": ["@velora"],
         "hashtags": ["#velora"], "owned_domains": ["velora.example"], "owned_accounts": [CARE_ACCOUNTS["Velora"]]},
        {"name": "Pakko", "aliases": ["Pakko.it"], "handles": ["@pakko"], "hashtags": ["#pakko"],
         "owned_domains": ["pakko.example"], "owned_accounts": [CARE_ACCOUNTS["Pakko"]]},
    ]
    common = {"allow_private": True, "interval": "15m"}
    forum_selectors = {"post": "div.post", "text": "div.text", "author": ".author::text",
                       "date": "time::attr(datetime)", "id": "::attr(data-post-id)",
                       "reply_to": "::attr(data-reply-to)", "title": "h1::text"}
    sources = [
        {"name": "demo-news-it", "kind": "feed", "platform": "news", "urls": [f"{base}/news/rss.xml"], **common},
        {"name": "demo-blog-en", "kind": "feed", "platform": "blog", "urls": [f"{base}/blog/atom.xml"], **common},
        {"name": "demo-forum", "kind": "web", "platform": "forum", "urls": [f"{base}/forum/"], **common,
         "options": {"follow": [r"/forum/\?page=\d+$", r"/forum/t/\d+$"], "max_pages": 1000, "max_depth": 50,
                     "selectors": forum_selectors}},
        *({"name": f"demo-reviews-{brand.lower()}", "kind": "appstore", "platform": "reviews", "brands": [brand],
           "urls": [f"{base}/appstore/it/rss/customerreviews/page=1/id={app}/sortby=mostrecent/json"], **common,
           "options": dict(_FAST)} for brand, app in APP_IDS.items()),
        {"name": "demo-reddit", "kind": "reddit", "urls": [f"{base}/reddit"], **common, "options": dict(_FAST)},
        {"name": "demo-mastodon", "kind": "mastodon", "urls": [f"{base}/mastodon"], **common,
         "options": {**_FAST, "accounts": list(CARE_ACCOUNTS.values())}},
    ]
    return {"brands": brands, "sources": sources}
