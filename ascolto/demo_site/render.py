"""The demo web's pages and API answers, rendered from the World: feeds, forum, app reviews, Reddit-style and
Mastodon-style JSON. Every function returns (status, headers, body)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from email.utils import format_datetime
from html import escape
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from ascolto.demo_site.world import APP_IDS, CARE_ACCOUNTS, SUBREDDITS, Post, World

Reply = tuple[int, dict[str, str], bytes]
THREADS_PER_PAGE = 25
REVIEWS_PER_PAGE = 50


def _slug(post: Post) -> str:
    return f"{post.id}"


def ok(body: str | bytes, content_type: str, headers: dict[str, str] | None = None) -> Reply:
    data = body.encode() if isinstance(body, str) else body
    etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
    return 200, {"Content-Type": content_type, "ETag": etag, **(headers or {})}, data


def as_json(value: Any, headers: dict[str, str] | None = None) -> Reply:
    return ok(json.dumps(value, ensure_ascii=False), "application/json; charset=utf-8", headers)


def robots() -> Reply:
    return ok("User-agent: *\nDisallow: /private/\n", "text/plain")


# -- news feeds -------------------------------------------------------------------------------------------------------
def _news_items(world: World, base: str, own: str, other: str) -> list[tuple[Post, str]]:
    """The feed's own articles plus the other feed's syndicated ones (same text, another URL)."""
    items = [(p, f"{base}/{'news' if own == 'news' else 'blog'}/{_slug(p)}") for p in world.on(own)]
    items += [(p, f"{base}/wire/{p.syndicated_as}") for p in world.on(other) if p.syndicated_as]
    return sorted(items, key=lambda item: item[0].at, reverse=True)


def rss(world: World, base: str) -> Reply:
    entries = "".join(
        f"<item><title>{xml_escape(p.title or '')}</title><link>{url}?utm_source=rss&amp;utm_medium=feed</link>"
        f"<guid isPermaLink=\"false\">{url}</guid><pubDate>{format_datetime(p.at)}</pubDate>"
        f"<author>redazione@notizie.example ({xml_escape(p.author)})</author>"
        f"<description>{xml_escape(p.text)}</description></item>"
        for p, url in _news_items(world, base, "news", "blog")
    )
    return ok('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Notizie Oggi</title>'
              f"<link>{base}/news/</link><description>Economia e consumi</description><language>it</language>"
              f"{entries}</channel></rss>", "application/rss+xml; charset=utf-8")


def atom(world: World, base: str) -> Reply:
    entries = "".join(
        f'<entry><title>{xml_escape(p.title or "")}</title><link href="{url}"/><id>{url}</id>'
        f"<updated>{p.at.isoformat()}</updated><published>{p.at.isoformat()}</published>"
        f"<author><name>{xml_escape(p.author)}</name></author>"
        f'<summary type="text" xml:lang="{p.lang}">{xml_escape(p.text)}</summary></entry>'
        for p, url in _news_items(world, base, "blog", "news")
    )
    return ok('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
              f"<title>Consumer Watch</title><id>{base}/blog/</id><updated>{world.now.isoformat()}</updated>"
              f"{entries}</feed>", "application/atom+xml; charset=utf-8")


def article(world: World, slug: str) -> Reply | None:
    post = next((p for p in world.posts if p.platform in ("news", "blog") and slug in (p.id, p.syndicated_as)), None)
    if post is None:
        return None
    return ok(f'<!doctype html><html lang="{post.lang}"><head><title>{escape(post.title or "")}</title>'
              f'<meta name="author" content="{escape(post.author)}">'
              f'<meta property="article:published_time" content="{post.at.isoformat()}"></head><body>'
              f"<nav><a href='/'>Home</a></nav><article><h1>{escape(post.title or '')}</h1>"
              f"<p>{escape(post.text)}</p></article><footer>© Demo</footer></body></html>", "text/html; charset=utf-8")


# -- forum ------------------------------------------------------------------------------------------------------------
def _threads(world: World) -> list[list[Post]]:
    posts = world.on("forum")
    threads: dict[str, list[Post]] = {}
    for post in sorted(posts, key=lambda p: p.at):
        threads.setdefault(post.thread or post.id, []).append(post)
    return sorted(threads.values(), key=lambda t: t[-1].at, reverse=True)


def forum_list(world: World, page: int) -> Reply:
    threads = _threads(world)
    chunk = threads[(page - 1) * THREADS_PER_PAGE: page * THREADS_PER_PAGE]
    rows = "".join(f'<li><a class="thread" href="/forum/t/{t[0].id}">{escape(t[0].title or "")}</a> '
                   f"<span>{len(t)} messaggi</span></li>" for t in chunk)
    more = f'<a class="next" href="/forum/?page={page + 1}">Pagina successiva</a>' if len(threads) > page * \
        THREADS_PER_PAGE else ""
    return ok(f'<!doctype html><html lang="it"><head><title>Forum Consumatori - pagina {page}</title></head><body>'
              f"<h1>Forum Consumatori</h1><ul>{rows}</ul>{more}</body></html>", "text/html; charset=utf-8")


def forum_thread(world: World, thread_id: str) -> Reply | None:
    thread = next((t for t in _threads(world) if t[0].id == thread_id), None)
    if thread is None:
        return None
    posts = "".join(
        f'<div class="post" data-post-id="{p.id}"' + (f' data-reply-to="{p.reply_to}"' if p.reply_to else "") +
        f'><span class="author">{escape(p.author)}</span> <time datetime="{p.at.isoformat()}">'
        f'{p.at:%d/%m/%Y %H:%M}</time><div class="text"><p>{escape(p.text)}</p></div></div>'
        for p in thread
    )
    return ok(f'<!doctype html><html lang="{thread[0].lang}"><head><title>{escape(thread[0].title or "")}</title>'
              f"</head><body><h1>{escape(thread[0].title or '')}</h1>{posts}</body></html>",
              "text/html; charset=utf-8")


# -- app reviews (App Store customer-review feed style) --------------------------------------------------------------
def reviews(world: World, app_id: str, page: int, base: str) -> Reply:
    brand = next((b for b, a in APP_IDS.items() if a == app_id), None)
    posts = [p for p in world.on("reviews") if p.brand == brand]
    chunk = posts[(page - 1) * REVIEWS_PER_PAGE: page * REVIEWS_PER_PAGE] if 1 <= page <= 10 else []
    entries = [{
        "author": {"uri": {"label": f"{base}/reviewer/{p.author}"}, "name": {"label": p.author}},
        "updated": {"label": p.at.isoformat()}, "im:rating": {"label": str(p.rating)},
        "im:version": {"label": "5.2.1"}, "id": {"label": p.id}, "title": {"label": p.title},
        "content": {"label": p.text, "attributes": {"type": "text"}},
        "link": {"attributes": {"rel": "related", "href": f"{base}/apps/{app_id}"}},
        "im:voteSum": {"label": "0"}, "im:voteCount": {"label": "0"},
    } for p in chunk]
    return as_json({"feed": {"author": {"name": {"label": "App Store"}}, "entry": entries,
                             "updated": {"label": world.now.isoformat()}, "title": {"label": "Customer reviews"}}})


# -- Reddit-style search ----------------------------------------------------------------------------------------------
def _reddit_post(p: Post, world: World) -> dict[str, Any]:
    sub = SUBREDDITS[p.lang]
    comments = [c for c in world.on("reddit") if c.reply_to == p.id]
    return {"kind": "t3", "data": {
        "id": p.id, "name": f"t3_{p.id}", "title": p.title, "selftext": p.text, "author": p.author,
        "created_utc": p.at.timestamp(), "subreddit": sub, "score": 1 + int(p.id[-2:]) % 40,
        "num_comments": len(comments), "permalink": f"/reddit/r/{sub}/comments/{p.id}/post/",
        "url": f"/reddit/r/{sub}/comments/{p.id}/post/"}}


def _brand_in(query: str) -> list[str]:
    q = query.lower()
    return [b for b in APP_IDS if b.lower() in q]


def reddit_search(world: World, query: str, limit: int, after: str | None) -> Reply:
    brands = _brand_in(query)
    posts = [p for p in world.on("reddit") if p.reply_to is None and p.brand in brands]
    if after:
        ids = [f"t3_{p.id}" for p in posts]
        posts = posts[ids.index(after) + 1:] if after in ids else []
    chunk = posts[:limit]
    next_after = f"t3_{chunk[-1].id}" if len(posts) > limit else None
    return as_json({"kind": "Listing", "data": {"after": next_after, "before": None,
                                                "children": [_reddit_post(p, world) for p in chunk]}})


def reddit_comments(world: World, post_id: str) -> Reply | None:
    post = next((p for p in world.on("reddit") if p.id == post_id and p.reply_to is None), None)
    if post is None:
        return None
    comments = [{"kind": "t1", "data": {
        "id": c.id, "name": f"t1_{c.id}", "body": c.text, "author": c.author, "created_utc": c.at.timestamp(),
        "parent_id": f"t3_{post.id}", "link_id": f"t3_{post.id}", "score": 1, "replies": "",
        "permalink": f"/reddit/r/{SUBREDDITS[c.lang]}/comments/{post.id}/post/{c.id}/"}}
        for c in sorted(world.on("reddit"), key=lambda c: c.at) if c.reply_to == post.id]
    return as_json([{"kind": "Listing", "data": {"children": [_reddit_post(post, world)]}},
                    {"kind": "Listing", "data": {"children": comments, "after": None}}])


# -- Mastodon-style API -----------------------------------------------------------------------------------------------
def _status(p: Post, base: str) -> dict[str, Any]:
    tag = f' <a href="{base}/tags/{p.brand.lower()}" class="hashtag">#{p.brand.lower()}</a>' if p.hashtag else ""
    acct = p.author
    return {"id": p.id, "created_at": p.at.isoformat().replace("+00:00", "Z"), "in_reply_to_id": p.reply_to,
            "url": f"{base}/@{acct}/{p.id}", "uri": f"{base}/users/{acct}/statuses/{p.id}",
            "content": f"<p>{escape(p.text)}{tag}</p>", "language": p.lang, "spoiler_text": "", "reblog": None,
            "account": {"id": acct, "acct": acct, "username": acct, "followers_count": 40 + len(acct) * 17,
                        "url": f"{base}/@{acct}"},
            "favourites_count": int(p.id[-1]), "reblogs_count": int(p.id[-2]) % 3, "replies_count": 0,
            "tags": [{"name": p.brand.lower()}] if p.hashtag else []}


def _page(statuses: list[Post], limit: int, max_id: str | None, next_url: str, base: str) -> Reply:
    if max_id:
        statuses = [p for p in statuses if int(p.id) < int(max_id)]
    chunk = statuses[:limit]
    headers = {}
    if len(statuses) > limit:
        sep = "&" if "?" in next_url else "?"
        headers["Link"] = f'<{next_url}{sep}limit={limit}&max_id={chunk[-1].id}>; rel="next"'
    return as_json([_status(p, base) for p in chunk], headers)


def mastodon_tag(world: World, base: str, tag: str, limit: int, max_id: str | None) -> Reply:
    posts = [p for p in world.on("mastodon") if p.hashtag and p.brand.lower() == tag.lower() and not p.owned]
    return _page(posts, limit, max_id, f"{base}/api/v1/timelines/tag/{quote(tag)}", base)


def mastodon_search(world: World, base: str, query: str, limit: int, offset: int) -> Reply:
    brands = _brand_in(query)
    posts = [p for p in world.on("mastodon") if p.brand in brands and p.brand.lower() in p.text.lower()]
    return as_json({"accounts": [], "hashtags": [],
                    "statuses": [_status(p, base) for p in posts[offset: offset + limit]]})


def mastodon_lookup(acct: str) -> Reply | None:
    if acct not in CARE_ACCOUNTS.values():
        return None
    return as_json({"id": acct, "acct": acct, "username": acct})


def mastodon_account_statuses(world: World, base: str, account: str, limit: int, max_id: str | None) -> Reply:
    posts = [p for p in world.on("mastodon") if p.author == account]
    return _page(posts, limit, max_id, f"{base}/api/v1/accounts/{account}/statuses", base)


def http_date(value: datetime) -> str:
    return format_datetime(value, usegmt=True)
