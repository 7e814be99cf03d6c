"""What the world sends, one bad field or byte at a time, against the real spiders on loopback: a field that does
not parse costs that field (or its item), never the rest of the page or its pagination; one invalid byte does not
cost a JSON page; a feed served as text/html is read; an unusable link costs the link; an entry with neither link
nor guid is kept under a stable id."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from core.model import mention_id
from tests.crawlers.conftest import CrawlEnv, FixtureServer, Hit, Reply, query, source

NOW = datetime.now(UTC).replace(microsecond=0)
FAST = {"requests_per_minute": 6000}


def _json(value: Any) -> Reply:
    return 200, {"Content-Type": "application/json"}, json.dumps(value).encode()


def _post(i: int, **bad: Any) -> dict[str, Any]:
    return {"kind": "t3", "data": {
        "id": f"p{i}", "name": f"t3_p{i}", "title": f"Velora problema {i}", "selftext": f"La bolletta Velora n.{i}",
        "author": f"user{i}", "created_utc": (NOW - timedelta(hours=i)).timestamp(), "score": i, "num_comments": 0,
        "permalink": f"/r1/r/italy/comments/p{i}/t/", **bad}}


def test_one_bad_field_costs_only_that_field_on_reddit_hn_and_appstore(
        http_server: FixtureServer, crawl_env: CrawlEnv) -> None:
    base = http_server.base_url
    pages = [[_post(0), _post(1, score="12k", num_comments="lots"), _post(2, permalink="http://[::1")],
             [_post(3), _post(4)]]

    def reddit(hit: Hit) -> Reply:
        page = 1 if "after" in query(hit) else 0
        return _json({"kind": "Listing", "data": {"after": "t3_p2" if page == 0 else None, "children": pages[page]}})

    http_server.routes["/r1/search.json"] = reddit
    http_server.routes["/r1/r/italy/comments/p1/t.json"] = lambda hit: _json(
        [{"kind": "Listing", "data": {"children": []}}, {"kind": "Listing", "data": {"children": [
            {"kind": "t1", "data": {"id": "c1", "name": "t1_c1", "body": "Velora anche a me", "author": "u9",
                                    "created_utc": NOW.timestamp(), "score": "a lot", "parent_id": "t3_p1"}}]}}])
    hits = [[{"objectID": "100", "title": "Velora raises prices", "author": "pg", "points": "lots",
              "num_comments": "many", "created_at_i": int(NOW.timestamp())},
             {"objectID": "101", "title": "Velora outage", "author": "dang", "points": 3,
              "created_at_i": int(NOW.timestamp())}],
            [{"objectID": "102", "title": "Velora refunds", "author": "tptacek", "points": 1,
              "created_at_i": int(NOW.timestamp())}]]
    http_server.routes["/hn/search_by_date"] = lambda hit: _json(
        {"hits": hits[int(query(hit).get("page", 0))] if query(hit)["query"] == "Velora" else [], "nbPages": 2})

    def review(i: int, **bad: Any) -> dict[str, Any]:
        return {"id": {"label": f"r{i}"}, "author": {"name": {"label": f"rev{i}"}}, "im:rating": {"label": "1"},
                "updated": {"label": (NOW - timedelta(days=i)).isoformat()}, "content": {"label": f"Crash {i}"},
                "link": {"attributes": {"href": f"{base}/review/{i}"}}, **bad}

    reviews = {1: [review(1), review(2, link={"attributes": {"href": "http://[::1"}}),
                   review(3, **{"im:voteSum": {"label": "12k"}})], 2: [review(4)], 3: []}
    for page, entries in reviews.items():
        http_server.routes[f"/as/page={page}/id=1/json"] = lambda hit, e=entries: _json({"feed": {"entry": e}})
    crawl_env.write_config([
        source("rd", "reddit", [f"{base}/r1"], brands=["Velora"], options={**FAST, "limit": 3}),
        source("hn", "hackernews", [f"{base}/hn"], brands=["Velora"], options={**FAST, "item_url": base + "/i/{id}"}),
        source("as", "appstore", [f"{base}/as/page=1/id=1/json"], brands=["Velora"], options=FAST),
    ])
    summary = crawl_env.crawl()["sources"]
    assert {name: s["new"] for name, s in summary.items()} == {"rd": 6, "hn": 3, "as": 4}, summary
    assert summary["rd"]["error_kinds"] == {"bad_field": 4}, summary["rd"]  # score, num_comments, link, score
    assert summary["hn"]["error_kinds"] == {"bad_field": 2}, summary["hn"]
    assert summary["as"]["error_kinds"] == {"bad_field": 2}, summary["as"]
    by_id = {m.id: m for m in crawl_env.mentions()}
    assert by_id[mention_id("reddit", "t3_p1", None)].engagement == {}  # unknown, not zero
    assert by_id[mention_id("reddit", "t3_p2", None)].url is None  # the link is dropped, the post kept
    assert by_id[mention_id("hackernews", "100", None)].engagement == {}
    assert by_id[mention_id("hackernews", "101", None)].engagement == {"points": 3, "comments": 0}
    assert by_id[mention_id("appstore", "r2", None)].url is None
    assert by_id[mention_id("appstore", "r3", None)].engagement == {"rating": 1}
