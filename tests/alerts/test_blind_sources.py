"""Which sources make a rule's window incomplete (alerts.health.BlindSources), on a real SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.health import BlindSources
from core.model import CrawlRun
from storage import MentionStore
from tests.alerts.conftest import make_config, mention

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def run(source: str, at: datetime, ok: bool) -> CrawlRun:
    return CrawlRun(source=source, kind="feed", started_at=at, finished_at=at, ok=ok, errors=0 if ok else 1)


def test_a_blind_source_marks_only_the_rules_that_read_it(store: MentionStore) -> None:
    sources = [{"name": n, "kind": "feed", "urls": [f"https://{n}.example/rss"]} for n in ("news", "forum")]
    config = make_config([], sources=sources)
    week = [mention(NOW - timedelta(hours=2 + h)).model_copy(update={"source": name})
            for h in range(0, 24 * 6, 3) for name in ("news", "forum")]
    store.upsert(week)
    store.record_crawl([run("news", NOW - timedelta(hours=3), True), run("news", NOW - timedelta(minutes=30), False),
                        run("forum", NOW - timedelta(minutes=30), True)])
    blind = BlindSources(store, config, NOW, timedelta(hours=1))
    start = NOW - timedelta(hours=1)
    assert blind("Velora", start, NOW) == ["news"]
    assert blind("Velora", start, NOW, ("news", "forum")) == ["news"]
    # a rule filtered to the forum sees all it reads: its window is complete, its alerts may resolve
    assert blind("Velora", start, NOW, ("forum",)) == []
