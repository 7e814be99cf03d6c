"""Identity across crawls: a feed entry is its guid (links that carry a new session id on every fetch make no new
mention), URL canonicalisation drops session ids, and a forum thread is revisited when its listing answers 304, so
that a brand reply added later is found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from core.urls import canonical_url
from tests.crawlers.conftest import CrawlEnv, FixtureServer, Hit, Reply, source

NOW = datetime.now(UTC).replace(microsecond=0)


def test_canonical_urls_drop_session_ids_in_the_query_and_the_path() -> None:
    assert canonical_url("http://x.org/t/1;jsessionid=A1B2?PHPSESSID=9f&sid=3&id=7&utm_source=rss") == \
        "http://x.org/t/1?id=7"
    assert canonical_url("https://x.org/a;JSESSIONID=zz/b?page=2&fbclid=q") == "https://x.org/a/b?page=2"


def test_a_stable_guid_is_one_mention_whatever_its_link_carries(http_server: FixtureServer,
                                                                crawl_env: CrawlEnv) -> None:
    base = http_server.base_url
    visits: list[int] = []

    def feed(hit: Hit) -> Reply:  # every fetch hands out a new session id and a new opaque visit token
        visits.append(1)
        n = len(visits)
        items = "".join(
            f"<item><title>Velora {slug}</title><link>{base}/news/{slug}{suffix}</link><guid>{slug}</guid>"
            f"<description>Velora down {slug}</description><pubDate>{format_datetime(NOW - timedelta(hours=1))}"
            "</pubDate></item>"
            for slug, suffix in (("s1", f";jsessionid=J{n}?sid=S{n}"), ("s2", f"?visit=v{n}x{n * 7}")))
        body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title><link>{base}/</link>'
                f"<description>d</description>{items}</channel></rss>")
        return 200, {"Content-Type": "application/rss+xml"}, body.encode()

    http_server.routes["/feed.xml"] = feed  # type: ignore[assignment]
    crawl_env.write_config([source("news", "feed", [f"{base}/feed.xml"])])
    first = crawl_env.crawl()["sources"]["news"]
    second = crawl_env.crawl()["sources"]["news"]
    assert first["new"] == 2 and second["new"] == 0, (first, second)
    assert second["already_seen"] == 2
    stored = crawl_env.mentions()
    assert len(stored) == 2 and f"{base}/news/s1" in {m.url for m in stored}  # the session id is not kept


def _thread(posts: list[tuple[str, str, str]]) -> str:
    body = "".join(f"<div class='post' id='{pid}'><span class='author'>{author}</span><time datetime="
                   f"'{(NOW - timedelta(minutes=30 - i)).isoformat()}'></time><div class='text'>{text}</div></div>"
                   for i, (pid, author, text) in enumerate(posts))
    return f"<html lang='it'><body><h1>Velora bollette</h1>{body}</body></html>"


def test_a_thread_is_revisited_when_its_listing_answers_304(http_server: FixtureServer, crawl_env: CrawlEnv) -> None:
    base = http_server.base_url
    http_server.add("/forum/", f"<html><body><a href='{base}/forum/t/1'>Velora bollette</a></body></html>",
                    etag='"listing-1"')
    opening = [("p1", "mario", "Velora mi ha addebitato due volte la bolletta")]
    http_server.add("/forum/t/1", _thread(opening), etag='"thread-1"')
    crawl_env.write_config([source("forum", "web", [f"{base}/forum/"],
                                   options={"follow": [r"/forum/t/"], "post_selector": ".post"})])
    first = crawl_env.crawl()["sources"]["forum"]
    assert first["new"] == 1, first

    reply = ("p2", "VeloraHelp", "Ci scusi Mario, le scriviamo in privato per il rimborso")
    http_server.add("/forum/t/1", _thread([*opening, reply]), etag='"thread-2"')  # the listing does not change
    second = crawl_env.crawl()["sources"]["forum"]
    assert second["not_modified"] == 1 and second["new"] == 1, second  # listing 304, thread revisited
    answer = next(m for m in crawl_env.mentions() if m.author == "VeloraHelp")
    assert answer.is_owned and answer.in_reply_to is not None

    third = crawl_env.crawl()["sources"]["forum"]
    assert third["not_modified"] == 2 and third["new"] == 0, third  # nothing changed: two cheap 304s
