"""Query parameters shared by the API endpoints: brand, time window and filters, validated and bounded."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import HTTPException, Query, Request
from pydantic import BaseModel, BeforeValidator, StringConstraints

from core.config import Config
from core.dates import utc
from core.timebuckets import bucket_starts, parse_interval
from storage.base import MentionFilter, MentionStore

MAX_WINDOW = timedelta(days=400)
MAX_BUCKETS = 2000
MAX_LIST = 50  # values per list filter
Values = Annotated[list[Annotated[str, StringConstraints(max_length=200)]], Query(max_length=MAX_LIST)]
Short = Annotated[str | None, Query(max_length=200)]
# what core.timebuckets.parse_interval reads, bounded (a million weeks would overflow the calendar)
INTERVAL_PATTERN = r"^[1-9][0-9]{0,5}[smhdw]$"
# The schema says what one parameter may be; these are the only 400s a schema-valid request can get: rules across
# parameters (each valid alone), and the brand query language, whose grammar is its parser's
CONFLICTS = ("since must not be after until", "the window is longer than", "too many buckets",
             "query syntax:")
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)  # a day inside the calendar at each end: no offset overflows it
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)
# ISO 8601 date and time; not the bare numbers (Unix times) pydantic would also turn into a datetime
_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?")


class Problem(BaseModel):
    """Why a request was refused."""

    detail: str


PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "parameters that are each valid but not together (since after until, a "
          "window longer than 400 days, too many buckets), or a query that does not parse"},
    # answered by ascolto.web.security before any endpoint runs
    401: {"model": Problem, "description": "the dashboard token is required (served beyond loopback)"},
    414: {"model": Problem, "description": "the query string is longer than 8 KiB"},
    421: {"model": Problem, "description": "a Host name the dashboard does not answer to"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "no such item"}}


def _iso_instant(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_INSTANT.fullmatch(value.strip()):
        raise ValueError("not an ISO 8601 date-time (e.g. 2026-05-01T12:00:00Z)")
    return value


def in_calendar(value: datetime) -> datetime:
    """UTC, kept a day inside the calendar: any instant the schema admits makes a window, never an overflow."""
    try:
        moment = utc(value)
    except OverflowError:  # an offset across the calendar's first or last day
        return _EARLIEST if value.year == 1 else _LATEST
    return min(max(moment, _EARLIEST), _LATEST)


Instant = Annotated[datetime | None, BeforeValidator(_iso_instant)]
Interval = Annotated[str | None, Query(pattern=INTERVAL_PATTERN, max_length=10,
                                       description="bucket size: 5m, 1h, 1d, 1w (default: by window)")]


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime


def store_of(request: Request) -> MentionStore:
    return request.app.state.store  # type: ignore[no-any-return]


def config_of(request: Request) -> Config | None:
    return request.app.state.config  # type: ignore[no-any-return]


def window_params(
    since: Annotated[Instant, Query(description="start (inclusive, ISO 8601; default until − window)")] = None,
    until: Annotated[Instant, Query(description="end (exclusive, ISO 8601; default now)")] = None,
    window: Annotated[str, Query(pattern=INTERVAL_PATTERN, max_length=10,
                                 description="length when since is not given: 24h, 7d, 30d")] = "7d",
) -> Window:
    """[since, until): since == until is an empty window (nothing in it), since after until a conflict."""
    end = in_calendar(until) if until else datetime.now(UTC)
    start = in_calendar(since) if since else end - min(parse_interval(window), end - _EARLIEST)
    if start > end:
        raise HTTPException(400, "since must not be after until")
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
    step = parse_interval(interval)  # the schema's INTERVAL_PATTERN admits only what it reads
    if (window.until - window.since) / step > MAX_BUCKETS:
        raise HTTPException(400, f"too many buckets: use a longer interval (at most {MAX_BUCKETS} buckets)")
    return interval


def dense_axis(window: Window, interval: str) -> list[datetime]:
    return bucket_starts(window.since, window.until, interval)
