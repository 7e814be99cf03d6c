"""Care metrics and the per-brand overview, asked of any MentionStore through its interface only.

Every figure here is computed from store counts, buckets, facets and reply delays, so the SQLite and the
Elasticsearch backends give the same answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, cast

from core.config import Config
from core.timebuckets import bucket_start, bucket_starts, parse_interval
from storage.analytics import CareSnapshot, MentionAnalytics, percentile  # noqa: F401  (defined in storage, re-exported here)
from storage.base import MentionFilter, MentionStore
from storage.together import Together

DEFAULT_TARGET_MINUTES = 60  # the field's usual promise: a first reply within the hour
LABELLED_SENTIMENTS = ("negative", "neutral", "positive")


def net_sentiment(positive: int, negative: int) -> float | None:
    """Customer-happiness index: (positive − negative) / (positive + negative), in −1..1; None without data."""
    return None if positive + negative == 0 else round((positive - negative) / (positive + negative), 4)


def target_minutes(config: Config | None, brand: str | None) -> int:
    """The reply target: the unanswered-complaint rule's limit for this brand when configured, else 60."""
    if config is not None:
        for rule in config.alerts:
            if rule.detector == "unanswered_complaint" and rule.brand in (None, brand):
                return rule.limit_minutes
    return DEFAULT_TARGET_MINUTES


def care_metrics(
    store: MentionStore, flt: MentionFilter, snapshot: CareSnapshot, now: datetime,
    target: int = DEFAULT_TARGET_MINUTES, before: dict[str | None, int] | None = None,
) -> dict[str, Any]:
    """Volume, response times, unanswered complaints and their age, resolution rate, happiness (with the previous
    window of equal length for a trend), from the window's snapshot, asked for at `now` with this `target` (and
    that window's sentiment counts, `before`, when already asked for)."""
    replies = snapshot.replies
    positive = sum(n for (_, s), n in snapshot.series.items() if s == "positive")
    negative = sum(n for (_, s), n in snapshot.series.items() if s == "negative")
    happiness = net_sentiment(positive, negative)
    if before is None and flt.since is not None and flt.until is not None:
        before = store.sentiment_counts(previous_window(flt))
    previous = None if before is None else net_sentiment(before.get("positive", 0), before.get("negative", 0))
    unanswered, oldest = replies.unanswered, replies.oldest_unanswered
    return {
        "target_minutes": target,
        "inbound": snapshot.inbound,
        "owned_replies": snapshot.owned,
        "answered": replies.answered,
        "response_median_seconds": _round(replies.median_seconds),
        "response_p90_seconds": _round(replies.p90_seconds),
        "within_target_share": _ratio(replies.within_target, replies.answered),
        "complaints": snapshot.complaints,
        "complaints_unanswered": unanswered,
        "unanswered_share": _ratio(unanswered, snapshot.complaints),
        "unanswered_over_target": replies.over_target,
        "unanswered_over_24h": replies.over_24h,
        "oldest_unanswered_age_seconds": _round(max(0.0, (now - oldest).total_seconds()) if oldest else None),
        "resolution_rate": _ratio(snapshot.complaints - unanswered, snapshot.complaints),
        "happiness_index": happiness,
        "happiness_previous": previous,
        "happiness_change": None if happiness is None or previous is None else round(happiness - previous, 4),
    }


def previous_window(flt: MentionFilter) -> MentionFilter:
    """The inbound mentions of the window of equal length just before `flt`'s."""
    assert flt.since is not None and flt.until is not None
    return replace(flt, since=flt.since - (flt.until - flt.since), until=flt.since, is_owned=False)


def sentiment_series(
    snapshot: CareSnapshot, since: datetime, until: datetime, interval: str
) -> tuple[list[datetime], dict[str, list[int]]]:
    """Dense bucket axis over [since, until) and inbound counts per sentiment ('unlabelled' = not analysed yet)."""
    axis = bucket_starts(since, until, interval)
    position = {start: i for i, start in enumerate(axis)}
    series = {name: [0] * len(axis) for name in (*LABELLED_SENTIMENTS, "unlabelled")}
    for (start, sentiment), n in snapshot.series.items():
        if start in position:
            series[sentiment or "unlabelled"][position[start]] += n
    return axis, series


def happiness_trend(axis: list[datetime], series: dict[str, list[int]], interval: str) -> list[dict[str, Any]]:
    """Net sentiment per day (per bucket when buckets are a day or longer), from the sentiment series."""
    step = parse_interval(interval)
    trend_interval = interval if step >= timedelta(days=1) or timedelta(days=1) % step else "1d"
    trend_step = parse_interval(trend_interval)
    days: dict[datetime, list[int]] = {}
    day_start = day_end = None
    for i, start in enumerate(axis):
        if day_start is None or day_end is None or not day_start <= start < day_end:  # the axis ascends
            day_start = bucket_start(start, trend_interval)
            day_end = day_start + trend_step
        day = days.setdefault(day_start, [0, 0])
        day[0] += series["positive"][i]
        day[1] += series["negative"][i]
    return [{"start": day, "positive": p, "negative": n, "index": net_sentiment(p, n)}
            for day, (p, n) in days.items()]


def share_of_voice(store: MentionStore, flt: MentionFilter, brands: Sequence[str]) -> list[dict[str, Any]]:
    """Inbound mentions per brand in the window, with each brand's share of their sum."""
    with cast(MentionAnalytics, store).together() as ask:
        counts = ask_share_of_voice(ask, store, flt, brands)
    return voice_rows(counts.result())


def ask_share_of_voice(ask: Together, store: MentionStore, flt: MentionFilter,
                       brands: Sequence[str]) -> Future[dict[str, int] | list[tuple[str, int]]]:
    """share_of_voice's counts, asked with other questions (voice_rows makes its rows)."""
    base = replace(flt, brands=(), is_owned=False)
    if brands:
        return ask(cast(MentionAnalytics, store).brand_counts, base, brands)  # type: ignore[return-value]
    return ask(store.facets, base, "brands", 20)  # type: ignore[return-value]


def voice_rows(counts: dict[str, int] | list[tuple[str, int]]) -> list[dict[str, Any]]:
    pairs = list(counts.items()) if isinstance(counts, dict) else counts
    total = sum(n for _, n in pairs)
    rows = [{"brand": b, "count": n, "share": _ratio(n, total)} for b, n in pairs]
    return sorted(rows, key=lambda r: (-r["count"], r["brand"]))


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
