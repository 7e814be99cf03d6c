"""The store's care questions: SQLite's fast answers equal the generic ones of MentionStore (which Elasticsearch
inherits), and the care columns copied into mention_brands and the hourly rollups follow later changes (reply
linking, re-analysis, brand changes, deletions)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.model import Mention
from storage.analytics import MentionAnalytics as MentionStore  # the generic answers: the dashboard analytics'
from storage.base import MentionFilter
from storage.sqlite import SQLiteStore
from storage.sqlite_schema import LATEST


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
        replies = store.care_snapshot(flt, "1h", now=seed.now).replies
        assert (replies.unanswered, replies.oldest_unanswered, replies.over_target) == (1, at, 1)
        reply_at = at + timedelta(minutes=20)
        store.upsert([Mention(id="r", brands=["Acme"], source="s", text="ci scusi", published_at=reply_at,
                              fetched_at=reply_at, is_owned=True, in_reply_to="p")])
        snap = store.care_snapshot(flt, "1h")
        assert snap.replies.unanswered == 0 and snap.replies.median_seconds == 1200.0 and snap.owned == 1
        store.upsert([parent.model_copy(update={"sentiment": "positive", "intent": "praise", "topics": ["app"]})])
        snap = store.care_snapshot(flt, "1h")
        assert snap.complaints == 0 and snap.topics == [("app", 1)]
        assert {s for (_, s) in snap.series} == {"positive"} and snap.replies.answered == 1
        assert snap == MentionStore.care_snapshot(store, flt, "1h")


def test_percentile_and_net_sentiment_definitions() -> None:
    from ascolto.web.metrics import net_sentiment, percentile

    assert percentile([], 50) is None
    assert percentile([10.0], 90) == 10.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([0.0, 10.0], 90) == 9.0
    assert net_sentiment(0, 0) is None and net_sentiment(3, 1) == 0.5 and net_sentiment(0, 2) == -1.0


def test_emerging_terms_rank_what_is_new_today(tmp_path: Path, seed: SimpleNamespace) -> None:
    from ascolto.web.terms import emerging_terms

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


# the hourly rollups of schema 3: exact under every kind of write, and the answers they serve equal the generic ones
T0 = datetime(2026, 10, 5, 7, 23, 11, tzinfo=UTC)  # not on an hour: windows have partial edge hours
ROLLUP_RECOUNT = {
    "brand_hours": "SELECT brand, published_at / 3600000, is_owned, coalesce(sentiment, ''), "
                   "coalesce(intent, ''), count(*) FROM mention_brands GROUP BY 1, 2, 3, 4, 5",
    "brand_topic_hours": "SELECT b.brand, b.published_at / 3600000, b.is_owned, j.value, "
                         "count(DISTINCT b.mention_rowid) FROM mention_brands b, json_each(b.topics) j "
                         "GROUP BY 1, 2, 3, 4",
}


def random_mentions(rng: random.Random, count: int, prefix: str = "m") -> list[Mention]:
    out: list[Mention] = []
    for i in range(count):
        at = T0 + timedelta(minutes=rng.randrange(0, 10 * 24 * 60), seconds=rng.randrange(60))
        brands = rng.sample(["Acme", "Globex", "Initech"], rng.choice([1, 1, 1, 2]))
        sentiment = rng.choice(["negative", "neutral", "positive", None])
        intent = rng.choice(["complaint", "question", "praise", "other", None])
        topics = rng.sample(["delivery", "billing", "app", "price"], rng.randrange(0, 3))
        out.append(Mention(id=f"{prefix}{i:04d}", brands=brands, source=f"s{i % 5}", author=f"a{i % 7}",
                           author_reach=rng.randrange(1000), text=f"testo {i} consegna pacco", published_at=at,
                           fetched_at=at, sentiment=sentiment, intent=intent, topics=topics))
        if intent == "complaint" and rng.random() < 0.5:
            reply_at = at + timedelta(minutes=rng.randrange(1, 600))
            out.append(Mention(id=f"{prefix}{i:04d}r", brands=brands[:1], source="care", text="ci scusi",
                               published_at=reply_at, fetched_at=reply_at, is_owned=True,
                               in_reply_to=f"{prefix}{i:04d}", sentiment="neutral", intent="other"))
    return out


def assert_rollups_exact(store: SQLiteStore) -> None:
    conn = store._conn()
    side_tables = {  # each side table equals what its mention says now
        "SELECT brand, published_at, mention_rowid FROM mention_brands":
            "SELECT DISTINCT j.value, m.published_at, m.rowid FROM mentions m, json_each(m.brands) j",
        "SELECT topic, mention_rowid FROM mention_topics":
            "SELECT DISTINCT j.value, m.rowid FROM mentions m, json_each(m.topics) j",
    }
    for stored, expected in side_tables.items():
        assert sorted(map(tuple, conn.execute(stored))) == sorted(map(tuple, conn.execute(expected)))
    for table, recount in ROLLUP_RECOUNT.items():
        stored, recounted = (sorted(map(tuple, conn.execute(sql))) for sql in (f"SELECT * FROM {table}", recount))
        assert stored == recounted, table


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    """Ten days of three brands; then re-analysis, brand changes and replies arriving before what they answer."""
    rng = random.Random(11)
    store = SQLiteStore(tmp_path_factory.mktemp("rollup") / "busy.sqlite3")
    mentions = random_mentions(rng, 400)
    store.upsert(mentions[::2])
    store.upsert(mentions[1::2])  # half of the replies now come before their parents
    changed = [m.model_copy(update={"sentiment": "negative", "intent": "complaint", "topics": ["app", "app"],
                                    "brands": ["Globex"]}) for m in rng.sample(mentions, 60) if not m.is_owned]
    store.upsert(changed)
    store.upsert(rng.sample(mentions, 40))  # unchanged re-upserts
    store.upsert([m.model_copy(update={"published_at": m.published_at + timedelta(minutes=rng.randrange(-900, 900)),
                                       "topics": m.topics[:1], "brands": [*m.brands, "Initech"]})
                  for m in rng.sample(mentions, 40)])  # moved in time, fewer topics, one brand more
    yield store
    store.close()


def test_rollups_stay_exact_under_writes(busy: SQLiteStore, tmp_path: Path) -> None:
    assert_rollups_exact(busy)
    with SQLiteStore(tmp_path / "delete.sqlite3") as store:
        store.upsert(random_mentions(random.Random(5), 60))
        store._conn().execute("DELETE FROM mentions WHERE rowid % 3 = 0")
        assert_rollups_exact(store)


def test_migration_3_builds_the_rollups_of_an_existing_store(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    with SQLiteStore(path) as store:
        store.upsert(random_mentions(random.Random(9), 120))
        conn = store._conn()
        for name in ("mention_brands_hours_ai", "mention_brands_hours_ad", "mention_brands_hours_au"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP INDEX mention_brands_care")
        conn.execute("DROP TABLE brand_hours")
        conn.execute("DROP TABLE brand_topic_hours")
        conn.execute("PRAGMA user_version = 2")
    with SQLiteStore(path) as store:
        assert store._conn().execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert_rollups_exact(store)


def busy_windows(rng: random.Random) -> list[MentionFilter]:
    out = [MentionFilter(brands=("Acme",)), MentionFilter(brands=("Globex",), since=T0),
           MentionFilter(brands=("Acme",), since=T0.replace(minute=0), until=T0 + timedelta(days=20))]
    for _ in range(12):
        since = T0 + timedelta(minutes=rng.randrange(-600, 12 * 24 * 60))
        length = timedelta(minutes=rng.choice([30, 59, 60, 61, 600, 3000, 9000, 20000]))
        if rng.random() < 0.3:
            since = since.replace(minute=0, second=0)
        out.append(MentionFilter(brands=(rng.choice(["Acme", "Globex", "Initech"]),), since=since,
                                 until=since + length))
    return out


@pytest.mark.parametrize("interval", ["1h", "3h", "15m", "1d", "1w"])
def test_rollup_answers_equal_the_generic_ones(busy: SQLiteStore, interval: str) -> None:
    for flt in busy_windows(random.Random(interval)):
        assert busy.care_snapshot(flt, interval, 3) == MentionStore.care_snapshot(busy, flt, interval, 3), flt
        for owned in (None, False, True):
            scoped = replace(flt, is_owned=owned)
            assert busy.sentiment_counts(scoped) == MentionStore.sentiment_counts(busy, scoped)
            assert busy.brand_counts(scoped, ["Acme", "Globex", "Initech", "Acme"]) == MentionStore.brand_counts(
                busy, scoped, ["Acme", "Globex", "Initech", "Acme"])
            assert busy.count(scoped) == busy._count_any(scoped)


def test_brand_search_and_newest_texts_equal_the_general_query(busy: SQLiteStore) -> None:
    for flt in busy_windows(random.Random(4)):
        for owned in (None, False, True):
            scoped = replace(flt, is_owned=owned)
            for sort in ("published_at_desc", "published_at_asc"):
                for limit, offset in ((5, 0), (50, 3), (1000, 0)):
                    fast = busy.search(scoped, limit=limit, offset=offset, sort=sort)
                    assert fast == busy._search_any(scoped, limit=limit, offset=offset, sort=sort), (scoped, sort)
            expected = [f"{m.title or ''} {m.text}" for m in busy._search_any(
                scoped, limit=40, offset=0, sort="published_at_desc").items]
            assert busy.newest_texts(scoped, 40) == expected
            assert MentionStore.newest_texts(busy, scoped, 40) == expected


@pytest.mark.parametrize("interval", ["15m", "1h", "7h", "1d", "1w"])
def test_happiness_trend_groups_each_bucket_into_its_day(interval: str) -> None:
    from ascolto.web.metrics import happiness_trend, net_sentiment
    from core.timebuckets import bucket_start, bucket_starts

    rng = random.Random(interval)
    axis = bucket_starts(T0, T0 + timedelta(days=9), interval)
    series = {name: [rng.randrange(4) for _ in axis] for name in ("positive", "negative")}
    trend_interval = "1d" if interval in ("15m", "1h") else interval
    days: dict[datetime, list[int]] = {}
    for i, start in enumerate(axis):
        day = days.setdefault(bucket_start(start, trend_interval), [0, 0])
        day[0] += series["positive"][i]
        day[1] += series["negative"][i]
    assert happiness_trend(axis, series, interval) == [
        {"start": d, "positive": p, "negative": n, "index": net_sentiment(p, n)} for d, (p, n) in days.items()]
