"""The one date parser: feeds, APIs, HTTP headers and ingest read their dates through `parse_date`.

Accepted: aware or naive datetimes, epoch seconds (or milliseconds, told apart by size), ISO 8601 strings (with a
trailing Z), RFC 2822 / HTTP dates, and feedparser's `struct_time` tuples (already UTC). Naive values are UTC.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

_EPOCH_MS_ABOVE = 1e11  # an epoch in seconds this large would be in the year 5138: it is milliseconds


def utc(value: datetime) -> datetime:
    """Return `value` as an aware UTC datetime (naive values are taken to be UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_date(value: Any) -> datetime | None:
    """`value` as an aware UTC datetime, or None when it is empty or not a date (see the module's list)."""
    if isinstance(value, datetime):
        return utc(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if isinstance(value, time.struct_time | tuple):
        return _from_struct_time(value)
    if isinstance(value, str) and value.strip():
        return _from_text(value.strip())
    return None


def parse_epoch(value: Any) -> datetime | None:
    """An epoch in seconds given as a number or a numeric string (APIs' `created_utc`), else None."""
    try:
        return _from_epoch(float(value))
    except (TypeError, ValueError):
        return None


def _from_epoch(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds / 1000 if seconds > _EPOCH_MS_ABOVE else seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _from_struct_time(value: Any) -> datetime | None:
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _from_text(text: str) -> datetime | None:
    try:
        return utc(datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text))
    except ValueError:
        pass
    try:
        return utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    from dateutil.parser import isoparse  # imported on first use: most dates are read above

    try:
        return utc(isoparse(text))  # ISO 8601 forms the standard library does not read (week dates, ...)
    except (ValueError, OverflowError):
        return None
