"""SQLite specifics (the cross-backend contract lives in tests/storage/)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.model import AlertEvent, Mention
from storage import MentionFilter, open_store
from storage.sqlite_schema import LATEST

T0 = datetime(2026, 11, 16, 8, tzinfo=UTC)  # a Monday


def mention(i: int, **fields) -> Mention:
    base = dict(id=f"m{i:04d}", brands=["Velora"], source="news", platform="news", text=f"testo numero {i}",
                published_at=T0 + timedelta(minutes=13 * i), fetched_at=T0)
    return Mention(**{**base, **fields})


def test_wal_mode_schema_version_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    with open_store(path) as store:
        store.upsert([mention(1)])
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    conn.close()
    with open_store(f"sqlite:///{path}") as store:  # migrations are not re-run
        assert store.get("m0001") is not None


def test_full_text_is_accent_and_case_insensitive_and_never_leaks_fts_syntax(tmp_path: Path) -> None:
    with open_store(tmp_path / "m.sqlite3") as store:
        store.upsert([mention(1, text="Perché la BOLLETTA è così alta?"), mention(2, text="tutto bene")])
        assert store.count(MentionFilter(text="perche bolletta")) == 1
        assert store.count(MentionFilter(text='bolletta" OR "tutto')) == 0  # quotes and operators are words
        assert store.count(MentionFilter(text="***")) == 0


def test_filters_buckets_and_facets(tmp_path: Path) -> None:
    with open_store(tmp_path / "m.sqlite3") as store:
        store.upsert([
            mention(i, sentiment="negative" if i % 3 == 0 else "neutral", intent="complaint" if i % 3 == 0 else "other",
                    topics=["delivery"] if i % 2 else ["price", "delivery"], author=f"a{i % 4}")
            for i in range(40)
        ])
        flt = MentionFilter(brands=("Velora",), intents=("complaint",), since=T0, until=T0 + timedelta(hours=4))
        buckets = store.count_buckets(flt, "1h")
        assert sum(n for _, n in buckets) == store.count(flt)
        assert all(b.minute == 0 and b.tzinfo is not None for b, _ in buckets)
        assert store.facets(MentionFilter(), "topics") == [("delivery", 40), ("price", 20)]
        assert store.facets(MentionFilter(), "author", size=2) == [("a0", 10), ("a1", 10)]
        assert store.count_buckets(MentionFilter(), "1w")[0][0] == T0.replace(hour=0)


def test_alert_events_persist_newest_first(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    with open_store(path) as store:
        for i in range(3):
            store.save_alert(AlertEvent(id=f"a{i}", rule="spike", detector="volume_spike", brand="Velora",
                                        opened_at=T0 + timedelta(hours=i), updated_at=T0 + timedelta(hours=i)))
        event = store.get_alert("a1")
        event.status = "acknowledged"
        store.save_alert(event)
    with open_store(path) as store:
        assert [a.id for a in store.list_alerts()] == ["a2", "a1", "a0"]
        assert [a.id for a in store.list_alerts(status=("open",))] == ["a2", "a0"]


def test_concurrent_readers_and_a_writer(tmp_path: Path) -> None:
    store = open_store(tmp_path / "m.sqlite3")
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(50):
                store.count(MentionFilter(brands=("Velora",)))
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for t in readers:
        t.start()
    for batch in range(10):
        store.upsert([mention(batch * 10 + i) for i in range(10)])
    for t in readers:
        t.join()
    assert not errors
    assert store.count(MentionFilter()) == 100
    store.close()
