"""The store's care questions: SQLite's fast answers equal the generic ones of MentionStore (which Elasticsearch
inherits), and the care columns copied into mention_brands follow later changes (reply linking, re-analysis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from ascolto.model import Mention
from storage.base import MentionFilter, MentionStore
from storage.sqlite import SQLiteStore


@pytest.fixture
def store(seeded_sqlite_url: str) -> SQLiteStore:
    return SQLiteStore(Path(seeded_sqlite_url))


def windows(seed: SimpleNamespace) -> list[MentionFilter]:
    day = MentionFilter(since=seed.now - timedelta(days=1), until=seed.now + timedelta(minutes=1))
    return [
        replace(day, brands=("Acme",)),
        replace(day, brands=("Globex",)),
        replace(day, brands=("Acme",), since=seed.now - timedelta(hours=2)),
        replace(day, brands=("Acme", "Globex")),  # several brands: the generic path
        replace(day, brands=("Acme",), langs=("it",)),  # another filter: the generic path
        MentionFilter(brands=("Acme",)),  # no window at all
        day,
    ]


@pytest.mark.parametrize("interval", ["1h", "15m", "1d"])
def test_care_snapshot_fast_path_equals_the_generic_answer(
    store: SQLiteStore, seed: SimpleNamespace, interval: str
) -> None:
    for flt in windows(seed):
        fast = store.care_snapshot(flt, interval, 5)
        generic = MentionStore.care_snapshot(store, flt, interval, 5)
        assert fast == generic, flt


def test_counts_delays_and_reach_equal_the_generic_answers(store: SQLiteStore, seed: SimpleNamespace) -> None:
    for flt in windows(seed):
        for owned in (None, False, True):
            scoped = replace(flt, is_owned=owned)
            assert store.sentiment_counts(scoped) == MentionStore.sentiment_counts(store, scoped)
            assert store.brand_counts(scoped, ["Acme", "Globex", "Nobody"]) == MentionStore.brand_counts(
                store, scoped, ["Acme", "Globex", "Nobody"])
            assert store.reply_delays(scoped) == MentionStore.reply_delays(store, scoped)
            for field in ("author", "source"):
                assert store.reach_by(scoped, field, 3) == MentionStore.reach_by(store, scoped, field, 3)


def test_iter_mentions_pages_through_ties_without_loss(tmp_path: Path, seed: SimpleNamespace) -> None:
    with SQLiteStore(tmp_path / "ties.sqlite3") as store:
        at = seed.now - timedelta(hours=1)
        store.upsert([Mention(id=f"t{i:03d}", brands=["Acme"], source="s", text=f"testo {i}", published_at=at,
                              fetched_at=at) for i in range(25)])
        ids = [m.id for m in store.iter_mentions(MentionFilter(brands=("Acme",)), batch=4)]
        assert ids == [f"t{i:03d}" for i in range(25)]


def test_care_copies_follow_reply_linking_and_reanalysis(tmp_path: Path, seed: SimpleNamespace) -> None:
    at = seed.now - timedelta(hours=3)
    flt = MentionFilter(brands=("Acme",), since=seed.now - timedelta(days=1), until=seed.now)
    with SQLiteStore(tmp_path / "sync.sqlite3") as store:
        parent = Mention(id="p", brands=["Acme"], source="s", text="pacco rotto", published_at=at, fetched_at=at,
                         sentiment="negative", intent="complaint", topics=["delivery"])
        store.upsert([parent])
        assert store.care_snapshot(flt, "1h").unanswered_complaints == [at]
        reply_at = at + timedelta(minutes=20)
        store.upsert([Mention(id="r", brands=["Acme"], source="s", text="ci scusi", published_at=reply_at,
                              fetched_at=reply_at, is_owned=True, in_reply_to="p")])
        snap = store.care_snapshot(flt, "1h")
        assert snap.unanswered_complaints == [] and snap.reply_delays == [1200.0] and snap.owned == 1
        store.upsert([parent.model_copy(update={"sentiment": "positive", "intent": "praise", "topics": ["app"]})])
        snap = store.care_snapshot(flt, "1h")
        assert snap.complaints == 0 and snap.topics == [("app", 1)]
        assert {s for (_, s) in snap.series} == {"positive"} and snap.reply_delays == [1200.0]
        assert snap == MentionStore.care_snapshot(store, flt, "1h")


def test_percentile_and_net_sentiment_definitions() -> None:
    from ascolto.web.metrics import net_sentiment, percentile

    assert percentile([], 50) is None
    assert percentile([10.0], 90) == 10.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([0.0, 10.0], 90) == 9.0
    assert net_sentiment(0, 0) is None and net_sentiment(3, 1) == 0.5 and net_sentiment(0, 2) == -1.0


def test_emerging_terms_rank_what_is_new_today(tmp_path: Path, seed: SimpleNamespace) -> None:
    from ascolto.web.terms import clear_baselines, emerging_terms

    clear_baselines()
    mentions = []
    for i in range(20):  # the week before: deliveries are the usual talk
        at = seed.now - timedelta(days=2 + i % 5, hours=i)
        mentions.append(Mention(id=f"old{i}", brands=["Acme"], source="s", text="consegna lenta del pacco",
                                published_at=at, fetched_at=at))
    for i in range(6):  # today: a blackout nobody mentioned before
        at = seed.now - timedelta(hours=i + 1)
        mentions.append(Mention(id=f"new{i}", brands=["Acme"], source="s", text="Acme: blackout totale dell'app",
                                published_at=at, fetched_at=at))
    with SQLiteStore(tmp_path / "terms.sqlite3") as store:
        store.upsert(mentions)
        terms = emerging_terms(store, MentionFilter(brands=("Acme",)), seed.now, exclude=["Acme"])
    assert {"blackout", "blackout totale"} & {t["term"] for t in terms}
    assert terms[0]["recent"] == 6 and terms[0]["baseline"] == 0
    assert all("acme" not in t["term"] for t in terms) and all("consegna" not in t["term"] for t in terms)
