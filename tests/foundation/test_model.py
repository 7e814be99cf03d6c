from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from core.model import Mention, content_hash, mention_id
from core.timebuckets import bucket_start, bucket_starts, parse_interval
from core.urls import canonical_url


def test_ids_are_stable_and_prefer_the_platform_id() -> None:
    assert mention_id("reddit", "t3_abc", "https://x.example/a") == mention_id("reddit", "t3_abc", None)
    assert mention_id("news", None, "https://x.example/a") != mention_id("blog", "1", None)


def test_canonical_url_drops_tracking_and_fragment() -> None:
    a = canonical_url("HTTPS://WWW.News.Example:443/art?utm_source=tw&id=2&fbclid=x#comments")
    assert a == canonical_url("https://news.example/art?id=2")


def test_content_hash_ignores_case_accents_and_punctuation() -> None:
    assert content_hash("Perché il RIMBORSO non arriva?!") == content_hash("perche il rimborso non arriva")


def test_mention_times_are_utc_and_text_is_cleaned() -> None:
    rome = timezone(timedelta(hours=1))
    m = Mention(id="x", source="s", text="ciao\x00 \ud800mondo", published_at=datetime(2026, 1, 1, 12, tzinfo=rome),
                fetched_at=datetime(2026, 1, 1, 12))
    assert m.published_at == datetime(2026, 1, 1, 11, tzinfo=UTC)
    assert m.fetched_at.tzinfo is not None
    assert "\x00" not in m.text and "mondo" in m.text
    m.text.encode("utf-8")  # no lone surrogate left


def test_buckets_floor_in_utc_and_weeks_start_monday() -> None:
    ts = datetime(2026, 11, 19, 14, 37, tzinfo=UTC)  # a Thursday
    assert bucket_start(ts, "1h") == datetime(2026, 11, 19, 14, tzinfo=UTC)
    assert bucket_start(ts, "15m") == datetime(2026, 11, 19, 14, 30, tzinfo=UTC)
    assert bucket_start(ts, "1d") == datetime(2026, 11, 19, tzinfo=UTC)
    assert bucket_start(ts, "1w") == datetime(2026, 11, 16, tzinfo=UTC)
    assert len(bucket_starts(ts - timedelta(days=1), ts, "1h")) == 25
    assert parse_interval("5m") == timedelta(minutes=5)
