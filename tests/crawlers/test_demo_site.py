"""The demo web: deterministic, fast to build, serves every endpoint; a crawl of demo_config_dict stores >= 400
mentions with brand replies linked, syndicated copies folded, and Pakko's complaint surge in the last hours."""

from __future__ import annotations

import json
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from ascolto.commands.crawl import crawl_in_subprocess
from ascolto.demo_site import demo_config_dict, start_demo_site
from ascolto.demo_site.world import generate_world
from core.config import config_from_dict
from tests.crawlers.conftest import FAST

NOW = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


def test_world_is_deterministic_fast_and_shaped_like_a_fortnight() -> None:
    started = time.perf_counter()
    world = generate_world(NOW)
    assert time.perf_counter() - started < 5.0  # bounded on a loaded machine; speed is for benchmarks/
    again = generate_world(NOW)
    assert [(p.id, p.text) for p in world.posts] == [(p.id, p.text) for p in again.posts]
    assert len(world.posts) >= 500
    assert all(NOW - timedelta(days=14, hours=1) <= p.at < NOW for p in world.posts)
    assert {p.lang for p in world.posts} == {"it", "en"} and {p.brand for p in world.posts} == {"Velora", "Pakko"}
    assert Counter(p.intent for p in world.posts).keys() >= {"complaint", "question", "praise", "other"}
    owned = [p for p in world.posts if p.owned]
    complaints = [p for p in world.posts if p.intent == "complaint" and p.platform in ("reddit", "mastodon", "forum")]
    answered = {p.reply_to for p in owned}
    assert owned and 0 < sum(c.id in answered for c in complaints) < len(complaints)  # some are left unanswered
    assert any(p.syndicated_as for p in world.posts)

    def pakko_complaints(hours_ago: int) -> int:
        start, end = NOW - timedelta(hours=hours_ago + 4), NOW - timedelta(hours=hours_ago)
        return sum(1 for p in world.posts if p.brand == "Pakko" and p.intent == "complaint" and start <= p.at < end)

    assert pakko_complaints(0) >= 5 * max(1, max(pakko_complaints(h) for h in range(24, 24 * 13, 24)))


def test_demo_site_serves_every_endpoint_and_a_crawl_finds_400_mentions(tmp_path: Path) -> None:
    with start_demo_site(now=NOW) as site:
        base = site.base_url
        for path, kind in [
            ("/robots.txt", "text/plain"), ("/news/rss.xml", "rss"), ("/blog/atom.xml", "atom"),
            ("/forum/", "html"), ("/forum/?page=2", "html"),
            ("/appstore/it/rss/customerreviews/page=1/id=1002/sortby=mostrecent/json", "json"),
            ("/reddit/search.json?q=Pakko&sort=new&limit=5", "json"),
            ("/mastodon/api/v1/timelines/tag/velora?limit=5", "json"),
            ("/mastodon/api/v2/search?q=Pakko&type=statuses", "json"),
            ("/mastodon/api/v1/accounts/lookup?acct=pakko_help", "json"),
            ("/mastodon/api/v1/accounts/pakko_help/statuses?limit=5", "json"),
        ]:
            status, ctype, body = _get(base + path)
            assert status == 200 and kind in ctype and body, path
        thread = next(p for p in site.world.posts if p.platform == "forum" and p.reply_to is None)
        assert b'class="post"' in _get(f"{base}/forum/t/{thread.id}")[2]
        listing = json.loads(_get(f"{base}/reddit/search.json?q=Velora&limit=1")[2])
        permalink = listing["data"]["children"][0]["data"]["permalink"]
        assert len(json.loads(_get(base + permalink.rstrip("/") + ".json")[2])) == 2

        raw: dict[str, Any] = demo_config_dict(base)
        config = config_from_dict(raw)
        assert all(s.allow_private for s in config.sources)
        assert {s.kind for s in config.sources} >= {"feed", "web", "reddit", "mastodon", "appstore"}
        config_path = tmp_path / "demo.yaml"
        config_path.write_text(yaml.safe_dump(raw))
        store = str(tmp_path / "demo.sqlite3")
        home = tmp_path / "home"
        summary = crawl_in_subprocess(config_path, store, env={"ASCOLTO_HOME": str(home),
                                                                "ASCOLTO_CRAWL_SETTINGS": FAST}, timeout=170)
    totals = summary["totals"]
    assert totals["new"] >= 400 and totals["errors"] == 0 and totals["rejected"] == 0, totals

    from storage import MentionFilter, open_store

    with open_store(store) as opened:
        mentions = opened.search(MentionFilter(), limit=5000).items
    ids = {m.id for m in mentions}
    replies = [m for m in mentions if m.is_owned and m.in_reply_to]
    assert len(replies) >= 50 and all(r.in_reply_to in ids for r in replies)
    threaded = [m for m in mentions if m.thread_id]  # a thread names its opening post, as stored
    assert {m.platform for m in threaded} >= {"forum", "reddit"}
    assert all(m.thread_id in ids for m in threaded), {m.platform for m in threaded if m.thread_id not in ids}
    assert sum(1 for m in mentions if m.first_reply_at) >= 50
    assert any(m.copies for m in mentions)  # the syndicated articles were folded into one mention
    assert {m.platform for m in mentions} >= {"news", "blog", "forum", "reviews", "reddit", "mastodon"}
