"""The crawl log on both stores, and a source's health from it (storage.health)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.model import CrawlRun
from storage.base import MentionStore
from storage.health import blind_during, health_of, source_health

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def run(minutes: int, ok: bool, source: str = "news", stored: int = 5) -> CrawlRun:
    at = T0 + timedelta(minutes=minutes)
    return CrawlRun(source=source, kind="feed", started_at=at - timedelta(seconds=20), finished_at=at, ok=ok,
                    fetched=1 if ok else 0, stored=stored if ok else 0, errors=0 if ok else 1,
                    error_kinds={} if ok else {"connection_refused": 1})


def test_runs_are_kept_newest_first_and_filtered(store: MentionStore) -> None:
    store.record_crawl([run(0, True), run(15, True, source="forum"), run(30, False), run(45, False)])
    assert [r.finished_at for r in store.crawl_runs(source="news")] == [T0 + timedelta(minutes=m) for m in (45, 30, 0)]
    assert [r.source for r in store.crawl_runs(since=T0 + timedelta(minutes=10), until=T0 + timedelta(minutes=40))] \
        == ["news", "forum"]
    assert store.crawl_runs(source="news", limit=1)[0].error_kinds == {"connection_refused": 1}
    health = {h.source: h for h in source_health(store, ["news", "forum", "reviews"], T0 + timedelta(hours=1))}
    assert (health["news"].status, health["news"].error_streak, health["news"].last_success_at) == ("failing", 2, T0)
    assert health["forum"].status == "ok" and health["forum"].items_usual == 5
    assert health["reviews"].status == "never" and health["reviews"].last_run_at is None


def test_health_and_blind_windows() -> None:
    runs = [run(45, False), run(30, False), run(0, True, stored=9)]  # newest first
    health = health_of("news", runs)
    assert health.error_streak == 2 and health.items_usual == 9 and health.last_errors == {"connection_refused": 1}
    assert blind_during(runs, T0 + timedelta(minutes=35), T0 + timedelta(minutes=40))  # after a failed run
    assert blind_during(runs, T0 + timedelta(minutes=20), T0 + timedelta(minutes=35))  # a failure inside
    assert not blind_during(runs, T0 + timedelta(minutes=5), T0 + timedelta(minutes=25))
    assert not blind_during([run(60, True), *runs], T0 + timedelta(minutes=65), T0 + timedelta(minutes=70))
    assert health_of("none", []).status == "never"


def test_a_source_failing_longer_than_the_runs_read_is_failing_since_its_last_success(store: MentionStore) -> None:
    store.record_crawl([run(0, True), *(run(5 * k, False) for k in range(1, 61))])
    assert [r.finished_at for r in store.crawl_runs(source="news", ok=True)] == [T0]
    assert len(store.crawl_runs(source="news", ok=False, limit=100)) == 60
    health = source_health(store, ["news"], T0 + timedelta(hours=6))[0]
    assert (health.status, health.last_success_at, health.error_streak) == ("failing", T0, 50)
