"""Query parameters shared by the API endpoints: brand, time window and filters, validated and bounded."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import HTTPException, Query, Request

from core.config import Config
from core.model import utc
from core.timebuckets import bucket_starts, parse_interval
from storage.base import MentionFilter, MentionStore

MAX_WINDOW = timedelta(days=400)
MAX_BUCKETS = 2000
MAX_LIST = 50  # values per list filter
Values = Annotated[list[str], Query(max_length=MAX_LIST)]
Short = Annotated[str | None, Query(max_length=200)]


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime


def store_of(request: Request) -> MentionStore:
    return request.app.state.store  # type: ignore[no-any-return]


def config_of(request: Request) -> Config | None:
    return request.app.state.config  # type: ignore[no-any-return]


def window_params(
    since: Annotated[datetime | None, Query(description="start (inclusive, ISO 8601; default until − window)")] = None,
    until: Annotated[datetime | None, Query(description="end (exclusive, ISO 8601; default now)")] = None,
    window: Annotated[str, Query(max_length=10, description="length when since is not given: 24h, 7d, 30d")] = "7d",
) -> Window:
    end = utc(until) if until else datetime.now(UTC)
    if since is None:
        try:
            start = end - parse_interval(window)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
    else:
        start = utc(since)
    if start >= end:
        raise HTTPException(400, "since must be before until")
    if end - start > MAX_WINDOW:
        raise HTTPException(400, f"the window is longer than {MAX_WINDOW.days} days")
    return Window(start, end)


def filter_params(
    brand: Short = None,
    text: Annotated[str | None, Query(max_length=500, description="free text: every word must appear")] = None,
    sentiment: Values = [],  # noqa: B006 - FastAPI copies defaults per request
    intent: Values = [],  # noqa: B006
    topic: Values = [],  # noqa: B006
    source: Values = [],  # noqa: B006
    platform: Values = [],  # noqa: B006
    lang: Values = [],  # noqa: B006
    owned: Annotated[bool | None, Query(description="true: only the brand's own posts; false: only others'")] = None,
    unanswered: Annotated[bool | None, Query(description="true: no reply from the brand yet")] = None,
) -> MentionFilter:
    for values in (sentiment, intent, topic, source, platform, lang):
        if any(len(v) > 200 for v in values):
            raise HTTPException(400, "filter values are at most 200 characters")
    return MentionFilter(
        text=text or None, brands=(brand,) if brand else (), sentiments=tuple(sentiment), intents=tuple(intent),
        topics=tuple(topic), sources=tuple(source), platforms=tuple(platform), langs=tuple(lang),
        is_owned=owned, unanswered=unanswered,
    )


def with_window(flt: MentionFilter, window: Window) -> MentionFilter:
    return replace(flt, since=window.since, until=window.until)


def choose_interval(window: Window, interval: str | None) -> str:
    """The requested bucket size, or one that gives a readable chart (≈ 24 to 750 buckets)."""
    if interval is None:
        span = window.until - window.since
        interval = "5m" if span <= timedelta(hours=2) else "1h" if span <= timedelta(days=31) else "1d"
    try:
        step = parse_interval(interval)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    if (window.until - window.since) / step > MAX_BUCKETS:
        raise HTTPException(400, f"too many buckets: use a longer interval (at most {MAX_BUCKETS} buckets)")
    return interval


def dense_axis(window: Window, interval: str) -> list[datetime]:
    return bucket_starts(window.since, window.until, interval)
