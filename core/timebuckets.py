"""The one definition of time bucketing (store counts, alert series, API charts, Elasticsearch histograms)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from core.dates import utc

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MONDAY_EPOCH = datetime(1970, 1, 5, tzinfo=UTC)  # buckets of a week start on Monday 00:00 UTC
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_INTERVAL = re.compile(r"^(\d+)([smhdw])$")


def parse_interval(interval: str) -> timedelta:
    """'5m', '1h', '1d', '1w' -> timedelta. Raises ValueError with the accepted forms."""
    match = _INTERVAL.match(interval.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"bad interval {interval!r}: use a positive number and s, m, h, d or w (e.g. 5m, 1h, 1d)")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def bucket_origin(interval: str) -> datetime:
    """Buckets are counted from this instant: the Unix epoch, or its first Monday for weekly buckets."""
    return _MONDAY_EPOCH if interval.strip().endswith("w") else _EPOCH


def bucket_start(ts: datetime, interval: str) -> datetime:
    """Floor `ts` to the start of its bucket (UTC; weeks start on Monday)."""
    step = int(parse_interval(interval).total_seconds())
    origin = bucket_origin(interval)
    offset = int((utc(ts) - origin).total_seconds())
    return origin + timedelta(seconds=offset - offset % step)


def bucket_starts(since: datetime, until: datetime, interval: str) -> list[datetime]:
    """Every bucket start covering [since, until): the dense axis for charts and detectors."""
    step = parse_interval(interval)
    current, end = bucket_start(since, interval), utc(until)
    starts = []
    while current < end:
        starts.append(current)
        current += step
    return starts


def epoch_seconds(ts: datetime) -> int:
    return int((utc(ts) - _EPOCH).total_seconds())
