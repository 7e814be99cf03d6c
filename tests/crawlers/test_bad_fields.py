"""What the world sends, one bad field or byte at a time, against the real spiders on loopback: a field that does
not parse costs that field (or its item), never the rest of the page or its pagination; one invalid byte does not
cost a JSON page; a feed served as text/html is read; an unusable link costs the link; an entry with neither link
nor guid is kept under a stable id."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
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


def test_an_invalid_byte_costs_one_character_not_the_json_page(http_server: FixtureServer, crawl_env: CrawlEnv) -> None:
    base = http_server.base_url
    body = json.dumps({"hits": [
        {"objectID": "200", "title": "Velora caf\u00e9 BYTE", "author": "a", "created_at_i": int(NOW.timestamp())},
        {"objectID": "201", "title": "Velora again", "author": "b", "created_at_i": int(NOW.timestamp())}],
        "nbPages": 1}).encode().replace(b"BYTE", b"\xff")
    http_server.add("/hn/search_by_date", body, "application/json; charset=utf-8")
    crawl_env.write_config([source("hn", "hackernews", [f"{base}/hn"], brands=["Velora"],
                                   options={**FAST, "item_url": base + "/i/{id}"})])
    summary = crawl_env.crawl()["sources"]["hn"]
    assert summary["new"] == 2 and summary["errors"] == 0, summary
    titles = sorted(m.title for m in crawl_env.mentions())
    assert titles == ["Velora again", "Velora caf\u00e9 \ufffd"]


def _rss(items: str) -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>N</title><link>http://x/'
            f"</link><description>d</description>{items}</channel></rss>")


def test_feed_as_html_bad_links_and_entries_without_link_or_guid(
        http_server: FixtureServer, crawl_env: CrawlEnv) -> None:
    base = http_server.base_url
    date = format_datetime(NOW - timedelta(hours=1))
    http_server.add("/as-html.xml", _rss(f"<item><title>Velora servita come html</title><link>{base}/n/1</link>"
                                         f"<pubDate>{date}</pubDate></item>"), "text/html; charset=utf-8")
    http_server.add("/links.xml", _rss(
        f"<item><title>Velora js</title><link>javascript:alert(1)</link><guid>g-js</guid><pubDate>{date}</pubDate>"
        f"</item><item><title>Velora porta</title><link>http://example.org:99999/x</link><guid>g-port</guid>"
        f"<pubDate>{date}</pubDate></item>"), "application/rss+xml")
    http_server.add("/bare.xml", _rss("".join(
        f"<item><title>Velora nuda {i}</title><description>Velora senza link {i}</description>"
        f"<pubDate>{date}</pubDate></item>" for i in range(3))), "application/rss+xml")
    http_server.add("/page.html", "<html><body><p>Velora, not a feed</p></body></html>", "text/html")
    crawl_env.write_config([source("news", "feed", [f"{base}/as-html.xml", f"{base}/links.xml", f"{base}/bare.xml",
                                                    f"{base}/page.html"])])
    first = crawl_env.crawl()["sources"]["news"]
    assert first["new"] == 6, first  # 1 served as html, 2 with bad links, 3 with neither link nor guid
    assert first["error_kinds"] == {"bad_field": 2, "content_type": 1}, first  # the two links; the html page
    stored = crawl_env.mentions()
    assert {m.title for m in stored if m.url is None} == {"Velora js", "Velora porta", *(
        f"Velora nuda {i}" for i in range(3))}
    assert any(m.url == f"{base}/n/1" for m in stored)
    again = crawl_env.crawl()["sources"]["news"]
    assert again["new"] == 0, again  # the synthetic ids are stable: no new mention on the next crawl
    assert len(crawl_env.mentions()) == 6
