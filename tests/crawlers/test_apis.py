"""The JSON API spiders (Reddit-style, Hacker News Algolia, Mastodon, App Store reviews) against fixture APIs on
loopback: pagination, comments and brand replies linked to what they answer, credentials, incremental re-crawl."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from core.model import mention_id
from tests.crawlers.conftest import CrawlEnv, FixtureServer, Hit, Reply, query, source

NOW = datetime.now(UTC).replace(microsecond=0)


def _json(value: Any, headers: dict[str, str] | None = None) -> Reply:
    return 200, {"Content-Type": "application/json", **(headers or {})}, json.dumps(value).encode()


def reddit_routes(server: FixtureServer) -> None:
    posts = [{"kind": "t3", "data": {
        "id": f"p{i}", "name": f"t3_p{i}", "title": f"Velora problema {i}", "selftext": f"La bolletta Velora n.{i} è"
        " sbagliata", "author": f"user{i}", "created_utc": (NOW - timedelta(hours=i)).timestamp(), "score": i,
        "num_comments": 1 if i == 0 else 0, "permalink": f"/r1/r/italy/comments/p{i}/t/"}} for i in range(5)]

    def search(hit: Hit) -> Reply:
        q = query(hit)
        assert "Velora" in q["q"] and q["sort"] == "new"
        start = int(q.get("after", "t3_p-1").removeprefix("t3_p")) + 1
        chunk = posts[start:start + 2]
        after = chunk[-1]["data"]["name"] if start + 2 < len(posts) else None
        return _json({"kind": "Listing", "data": {"after": after, "children": chunk}})

    server.routes["/r1/search.json"] = search
    comments = [{"kind": "t1", "data": {
        "id": "c1", "name": "t1_c1", "body": "Ciao, ci scrivi in privato?", "author": "velora_care",
        "created_utc": NOW.timestamp(), "parent_id": "t3_p0", "permalink": "/r1/r/italy/comments/p0/t/c1/",
        "replies": {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {
            "id": "c2", "name": "t1_c2", "body": "grazie, fatto", "author": "user0", "created_utc": NOW.timestamp(),
            "parent_id": "t1_c1", "replies": ""}}]}}}}]
    server.routes["/r1/r/italy/comments/p0/t.json"] = lambda hit: _json(
        [{"kind": "Listing", "data": {"children": posts[:1]}}, {"kind": "Listing", "data": {"children": comments}}])


def hn_routes(server: FixtureServer) -> None:
    hits = [{"objectID": "100", "title": "Velora raises prices", "url": "https://example.org/velora", "author": "pg",
             "created_at_i": int((NOW - timedelta(hours=3)).timestamp()), "points": 12, "num_comments": 1,
             "story_id": 100},
            {"objectID": "101", "comment_text": "<p>Velora support is <i>terrible</i></p>", "author": "dang",
             "created_at_i": int((NOW - timedelta(hours=2)).timestamp()), "parent_id": 100, "story_id": 100,
             "story_title": "Velora raises prices"}]

    def search(hit: Hit) -> Reply:
        q = query(hit)
        page = int(q.get("page", 0))
        return _json({"hits": hits[page:page + 1] if q["query"] == "Velora" else [], "nbPages": 2, "page": page})

    server.routes["/hn/search_by_date"] = search


def mastodon_routes(server: FixtureServer) -> None:
    base = server.base_url + "/m"

    def status(i: int, text: str, acct: str = "anna", reply_to: str | None = None) -> dict[str, Any]:
        return {"id": str(i), "created_at": (NOW - timedelta(minutes=100 - i)).isoformat().replace("+00:00", "Z"),
                "in_reply_to_id": reply_to, "url": f"{base}/@{acct}/{i}", "content": f"<p>{text}</p>",
                "language": "en", "reblog": None, "spoiler_text": "",
                "account": {"acct": acct, "followers_count": 10}, "favourites_count": 1, "reblogs_count": 0}

    timeline = [status(30, "Velora app down again #velora"), status(20, "Velora bill wrong #velora")]

    def tag(hit: Hit) -> Reply:
        if "max_id" in hit.path:
            return _json(timeline[1:])
        return _json(timeline[:1], {"Link": f'<{base}/api/v1/timelines/tag/velora?limit=40&max_id=30>; rel="next"'})

    server.routes["/m/api/v1/timelines/tag/velora"] = tag
    server.routes["/m/api/v2/search"] = lambda hit: _json(
        {"accounts": [], "statuses": [] if "offset" in hit.path else [status(10, "Velora Energia prices!")]})
    server.routes["/m/api/v1/accounts/lookup"] = lambda hit: _json({"id": "77", "acct": "velora_care"})
    server.routes["/m/api/v1/accounts/77/statuses"] = lambda hit: _json(
        [status(40, "Sorry! Please DM us.", "velora_care", reply_to="30")])


def appstore_routes(server: FixtureServer) -> None:
    def entry(i: int) -> dict[str, Any]:
        return {"id": {"label": f"r{i}"}, "author": {"name": {"label": f"rev{i}"}},
                "updated": {"label": (NOW - timedelta(days=i)).isoformat()}, "im:rating": {"label": "1"},
                "title": {"label": "Crashes"}, "content": {"label": f"The app crashes on start, attempt {i}"},
                "im:voteSum": {"label": "2"}}

    app = {"im:name": {"label": "Velora"}}  # older feeds start with the app itself
    pages = {1: [app, entry(1), entry(2)], 2: [entry(3)], 3: []}
    for page, entries in pages.items():
        server.routes[f"/as/it/rss/customerreviews/page={page}/id=1/sortby=mostrecent/json"] = (
            lambda hit, e=entries: _json({"feed": {"entry": e}}))


def test_api_spiders_paginate_link_replies_and_recrawl_incrementally(
        http_server: FixtureServer, crawl_env: CrawlEnv, monkeypatch: Any) -> None:
    base = http_server.base_url
    reddit_routes(http_server)
    hn_routes(http_server)
    mastodon_routes(http_server)
    appstore_routes(http_server)
    fast = {"requests_per_minute": 6000}
    crawl_env.write_config([
        source("rd", "reddit", [f"{base}/r1"], brands=["Velora"], credentials_env={"token": "TEST_REDDIT_TOKEN"},
               options={**fast, "limit": 2}),
        source("hn", "hackernews", [f"{base}/hn"], brands=["Velora"], options={**fast, "item_url": base + "/i/{id}"}),
        source("md", "mastodon", [f"{base}/m"], brands=["Velora"], options={**fast, "accounts": ["velora_care"]}),
        source("as", "appstore", [f"{base}/as/it/rss/customerreviews/page=1/id=1/sortby=mostrecent/json"],
               brands=["Velora"], options=fast),
    ])
    monkeypatch.setenv("TEST_REDDIT_TOKEN", "s3cret")
    summary = crawl_env.crawl()["sources"]
    assert {name: s["new"] for name, s in summary.items()} == {"rd": 6, "hn": 2, "md": 4, "as": 3}, summary
    assert all(s["errors"] == 0 for s in summary.values()), summary
    assert summary["rd"]["no_brand_match"] == 1  # the customer's "grazie, fatto" names no brand
    reddit_hits = [h for h in http_server.hits if h.path.startswith("/r1/search.json")]
    assert len(reddit_hits) == 3 and reddit_hits[0].headers.get("Authorization") == "bearer s3cret"

    by_id = {m.id: m for m in crawl_env.mentions()}
    post = by_id[mention_id("reddit", "t3_p0", None)]
    reply = by_id[mention_id("reddit", "t1_c1", None)]
    assert reply.is_owned and reply.in_reply_to == post.id and reply.brands == ["Velora"]
    assert post.first_reply_at is not None  # the store links the care reply to the complaint
    host = base.removeprefix("http://")
    toot_reply = by_id[mention_id("mastodon", f"{host}:40", None)]
    assert toot_reply.is_owned and toot_reply.in_reply_to == mention_id("mastodon", f"{host}:30", None)
    hn_comment = by_id[mention_id("hackernews", "101", None)]
    assert hn_comment.in_reply_to == mention_id("hackernews", "100", None) and "terrible" in hn_comment.text
    review = by_id[mention_id("appstore", "r1", None)]
    assert review.engagement == {"rating": 1, "votes": 2} and review.brands == ["Velora"]

    again = crawl_env.crawl()["sources"]
    assert {name: s["new"] for name, s in again.items()} == {"rd": 0, "hn": 0, "md": 0, "as": 0}, again
    assert len([h for h in http_server.hits if h.path.startswith("/r1/search.json")]) == 4  # stopped at page 1
