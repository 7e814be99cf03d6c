"""A source that goes blind during a surge: its failed crawls are logged, `source_down` fires, the rule's windows
are marked incomplete and the surge's alert is not resolved on them — until the source answers again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import yaml

from alerts.engine import evaluate_rules
from core.config import config_from_dict
from core.model import Mention
from storage import open_store
from tests.crawlers.conftest import CrawlEnv, FixtureServer, _serve, source
from tests.crawlers.feeds import rss2

_ids = count()


def complaint(at: datetime) -> Mention:
    n = next(_ids)
    return Mention(id=f"h{n}", brands=["Velora"], source="news", platform="news", url=f"https://news.example/{n}",
                   author=f"user{n % 9}", text="Velora bolletta sbagliata, nessuna risposta", published_at=at,
                   fetched_at=at, intent="complaint", sentiment="negative", lang="it")


def rules() -> list[dict[str, object]]:
    return [{"name": "spike", "detector": "volume_spike", "brand": "Velora", "cooldown": "10m"},
            {"name": "blind", "detector": "source_down", "options": {"failures": 2}}]


def test_a_source_blind_during_a_surge(crawl_env: CrawlEnv) -> None:
    serving = _serve(FixtureServer())
    server = next(serving)
    server.add("/rss.xml", rss2(server.base_url, [("a1", "Velora", "Velora, bolletta sbagliata di nuovo")]),
               "application/rss+xml")
    sources = [source("news", "feed", [f"{server.base_url}/rss.xml"])]
    crawl_env.write_config(sources, brands=[{"name": "Velora"}])
    assert crawl_env.crawl()["sources"]["news"]["fetched"] == 1  # a good run first
    config = config_from_dict({**yaml.safe_load(crawl_env.config_path.read_text()), "alerts": rules()})
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with open_store(crawl_env.store) as store:
        start = now - timedelta(days=8)
        store.upsert([complaint(start + timedelta(hours=h, minutes=5 + 25 * k)) for h in range(8 * 24) for k in (0, 1)
                      if start + timedelta(hours=h, minutes=5 + 25 * k) < now - timedelta(hours=1)])
        store.upsert([complaint(now - timedelta(minutes=55 - m)) for m in range(0, 55, 1)])  # the surge
        opened = evaluate_rules(store, config, now)
        assert [e.rule for e in opened] == ["spike"]

    serving.close()  # the source's server goes away mid-surge
    for _ in range(2):
        failed = crawl_env.crawl()["sources"]["news"]
        assert failed["fetched"] == 0 and failed["errors"] >= 1

    later = now + timedelta(hours=2)  # the rule's window sees nothing: quiet because blind, not back to normal
    with open_store(crawl_env.store) as store:
        runs = store.crawl_runs(source="news")
        assert [r.ok for r in runs] == [False, False, True]
        events = evaluate_rules(store, config, later)
        assert [(e.rule, e.details["transition"]) for e in events] == [("blind", "opened")]
        down = events[0]
        assert down.details["source"] == "news" and down.details["error_streak"] == 2
        spike = store.list_alerts(rule="spike")[0]
        assert spike.status == "open" and spike.details["incomplete"] == ["news"]

    serving = _serve(FixtureServer())  # back, at a new address: the config follows it
    server = next(serving)
    server.add("/rss.xml", rss2(server.base_url, [("a2", "Velora", "Velora risponde finalmente")]),
               "application/rss+xml")
    crawl_env.write_config([source("news", "feed", [f"{server.base_url}/rss.xml"])], brands=[{"name": "Velora"}])
    try:
        assert crawl_env.crawl()["sources"]["news"]["errors"] == 0
    finally:
        serving.close()
    with open_store(crawl_env.store) as store:
        events = evaluate_rules(store, config, later + timedelta(hours=1))
        assert sorted((e.rule, e.status) for e in events) == [("blind", "resolved"), ("spike", "resolved")]
        spike = store.list_alerts(rule="spike")[0]
        assert "incomplete" not in spike.details
        assert [h["transition"] for h in spike.details["history"]] == ["opened", "held", "resolved"]
