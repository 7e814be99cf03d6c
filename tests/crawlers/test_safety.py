"""Polite and safe crawling against loopback servers: SSRF refusal (directly and via redirect), robots.txt, 429 with
Retry-After, 5xx backoff, wrong content types, malformed and oversized payloads; and a resumed interrupted crawl."""

from __future__ import annotations

import time

from crawlers.middlewares import non_public_address, retry_after_seconds
from tests.crawlers.conftest import CrawlEnv, FixtureServer, Hit, Reply, source
from tests.crawlers.feeds import rss2

ARTICLE = ("<html lang='it'><head><title>Velora e le bollette</title></head><body><article><h1>Velora e le bollette"
           "</h1><p>I clienti di Velora lamentano bollette sbagliate da settimane, con importi stimati che non "
           "corrispondono ai consumi reali e rimborsi che tardano ad arrivare.</p><p>Le associazioni chiedono "
           "chiarimenti e un tavolo con l'azienda entro la fine del mese.</p></article></body></html>")


def _sequence(*replies: Reply) -> object:
    """A route answering each request with the next reply (the last one repeats); remembers when it was asked."""
    calls: list[float] = []

    def route(hit: Hit) -> Reply:
        calls.append(time.monotonic())
        return replies[min(len(calls), len(replies)) - 1]

    route.calls = calls  # type: ignore[attr-defined]
    return route


def test_safety_politeness_and_bad_input(http_server: FixtureServer, other_server: FixtureServer,
                                         crawl_env: CrawlEnv) -> None:
    base, other = http_server.base_url, other_server.base_url
    feed = rss2(base, [("x1", "Velora rincara", "Velora aumenta le bollette del dieci per cento.")]).encode()
    rss = {"Content-Type": "application/rss+xml"}
    http_server.add("/robots.txt", "User-agent: *\nDisallow: /site/private/\n", "text/plain")
    http_server.add("/feed.xml", feed, "application/rss+xml")
    http_server.add("/go", b"", headers={"Location": f"{other}/feed.xml"}, status=302)
    other_server.add("/feed.xml", feed, "application/rss+xml")
    limited = _sequence((429, {"Retry-After": "1", "Content-Type": "text/plain"}, b"slow down"), (200, rss, feed))
    http_server.routes["/limited.xml"] = limited  # type: ignore[assignment]
    http_server.routes["/flaky.xml"] = _sequence((503, {"Content-Type": "text/plain"}, b"oops"),  # type: ignore
                                                 (200, rss, feed.replace(b"x1", b"x2")))
    http_server.add("/site/", "<html><body><a href='/site/private/secret'>s</a> <a href='/site/news/1'>n</a>"
                    "</body></html>")
    http_server.add("/site/private/secret", ARTICLE)
    http_server.add("/site/news/1", ARTICLE)
    http_server.add("/api/search.json", b'{"kind": "Listing", "data": {"children": [', "application/json")
    http_server.add("/hn/search_by_date", b'{"hits": [' + b'{"objectID": "1"},' * 20000 + b"]}", "application/json")
    crawl_env.write_config([
        {**source("locked", "feed", [f"{base}/feed.xml"]), "allow_private": False},
        source("redirected", "feed", [f"{base}/go"]),
        source("limited", "feed", [f"{base}/limited.xml"]),
        source("flaky", "feed", [f"{base}/flaky.xml"]),
        source("site", "web", [f"{base}/site/"], options={"follow": [r"/site/"]}),
        source("badjson", "reddit", [f"{base}/api"], options={"requests_per_minute": 6000}),
        source("huge", "hackernews", [f"{base}/hn"], brands=["Velora"], options={"max_bytes": 50_000}),
    ])
    summary = crawl_env.crawl()["sources"]

    assert summary["locked"]["refused"] >= 1 and summary["locked"]["fetched"] == 0
    assert not [h for h in http_server.hits if h.path == "/feed.xml"]  # refused before any connection
    assert summary["redirected"]["refused"] == 1 and summary["redirected"]["new"] == 0
    assert other_server.hits == []  # the redirect to another private host was not followed
    assert summary["limited"]["new"] == 1 and summary["limited"]["rate_limited"] == 1
    assert limited.calls[1] - limited.calls[0] >= 0.95  # type: ignore[attr-defined]
    assert summary["flaky"]["new"] == 1
    assert summary["site"]["new"] == 1 and summary["site"]["robots_disallowed"] == 1  # main text extracted
    assert not [h for h in http_server.hits if h.path.startswith("/site/private/")]  # robots.txt obeyed
    assert summary["badjson"]["errors"] >= 1 and summary["badjson"]["error_kinds"].get("malformed_json")
    assert summary["huge"]["errors"] >= 1 and summary["huge"]["new"] == 0
    assert all(s["finish_reason"] == "finished" for s in summary.values())
    article = next(m for m in crawl_env.mentions() if m.source == "site")
    assert article.title == "Velora e le bollette" and "rimborsi" in article.text and article.lang == "it"


def test_interrupted_crawl_resumes_without_duplicates_or_gaps(http_server: FixtureServer,
                                                               crawl_env: CrawlEnv) -> None:
    base = http_server.base_url
    for i in range(6):
        items = [(f"n{i}-{j}", f"Pakko notizia {i}.{j}", f"Pakko consegna il pacco {i}-{j} in ritardo.")
                 for j in range(5)]
        http_server.add(f"/f{i}.xml", rss2(base, items), "application/rss+xml", etag=f'"e{i}"')
    crawl_env.write_config([source("many", "feed", [f"{base}/f{i}.xml" for i in range(6)])])
    first = crawl_env.crawl(settings={"CLOSESPIDER_PAGECOUNT": 3, "CONCURRENT_REQUESTS": 1})["sources"]["many"]
    assert first["finish_reason"] == "closespider_pagecount" and 0 < first["new"] < 30, first
    second = crawl_env.crawl()["sources"]["many"]
    assert second["finish_reason"] == "finished"
    assert first["new"] + second["new"] == 30 and second["not_modified"] == 0, second  # no validators kept
    assert len(crawl_env.mentions()) == 30


def test_address_and_retry_after_helpers() -> None:
    assert non_public_address("127.0.0.1") == "127.0.0.1"
    assert non_public_address("169.254.169.254") == "169.254.169.254"
    assert non_public_address("10.1.2.3") and non_public_address("::1")
    assert non_public_address("93.184.216.34") is None
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_store_down_spools_items_instead_of_losing_them(http_server: FixtureServer, crawl_env: CrawlEnv) -> None:
    base = http_server.base_url
    http_server.add("/feed.xml", rss2(base, [("s1", "Pakko", "Pakko in ritardo anche oggi.")]), "application/rss+xml")
    crawl_env.write_config([source("spooled", "feed", [f"{base}/feed.xml"])])
    crawl_env.store = "/proc/no-such-dir/store.sqlite3"  # cannot be created: the store is "down"
    summary = crawl_env.crawl()["sources"]["spooled"]
    assert summary["spooled"] == 1 and summary["new"] == 0 and summary["errors"] >= 1, summary
    spool = list((crawl_env.home / "spool").glob("crawl-spooled-*.jsonl"))
    assert len(spool) == 1 and "Pakko in ritardo" in spool[0].read_text()
