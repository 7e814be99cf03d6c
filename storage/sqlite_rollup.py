"""Reading the hourly rollups of schema version 3 (brand_hours, brand_topic_hours) exactly.

A window [since, until) is split into the whole hours inside it, read from the rollups (a few rows per hour),
and its partial first and last hours, read row by row from mention_brands. Both halves yield the same columns, so
every question is one GROUP BY over their UNION ALL and equals the answer counted over mention_brands alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from core.model import utc

HOUR_MS = 3_600_000
Bounds = tuple[int | None, int | None]  # [since, until) in epoch milliseconds; None is open-ended


def to_ms(value: datetime | None) -> int | None:
    """The store's instants: epoch milliseconds, UTC."""
    return None if value is None else round(utc(value).timestamp() * 1000)


def period_clauses(column: str, since: datetime | None, until: datetime | None) -> tuple[list[str], list[Any]]:
    """`column` (epoch ms) in [since, until), each bound only when given: SQL clauses and their parameters."""
    bounds = [(f"{column} >= ?", since), (f"{column} < ?", until)]
    return [clause for clause, at in bounds if at is not None], [to_ms(at) for _, at in bounds if at is not None]


def from_ms(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1000, tz=UTC)


def split_window(since_ms: int | None, until_ms: int | None, rollup: bool = True) -> tuple[Bounds | None, list[Bounds]]:
    """(whole hours [first, end) read from a rollup or None, millisecond ranges read from mention_brands).

    Rollup hours are published_at / 3600000 (SQLite truncates towards zero), so they are only used from hour 1 on,
    where truncation and flooring agree; windows starting earlier or without a start are read row by row.
    """
    if not rollup or since_ms is None or since_ms < HOUR_MS:
        return None, [(since_ms, until_ms)]
    first = -(-since_ms // HOUR_MS)
    end = None if until_ms is None else until_ms // HOUR_MS
    if end is not None and end <= first:
        return None, [(since_ms, until_ms)]
    edges: list[Bounds] = []
    if since_ms < first * HOUR_MS:
        edges.append((since_ms, first * HOUR_MS))
    if end is not None and until_ms is not None and end * HOUR_MS < until_ms:
        edges.append((end * HOUR_MS, until_ms))
    return (first, end), edges


def _range(column: str, lo: int | None, hi: int | None, params: list[Any]) -> str:
    sql = ""
    if lo is not None:
        sql += f" AND {column} >= ?"
        params.append(lo)
    if hi is not None:
        sql += f" AND {column} < ?"
        params.append(hi)
    return sql


def _owned(column: str, is_owned: bool | None, params: list[Any]) -> str:
    if is_owned is None:
        return ""
    params.append(int(is_owned))
    return f" AND {column} = ?"


def care_rows(
    brands: Sequence[str], since_ms: int | None, until_ms: int | None, is_owned: bool | None, rollup: bool = True
) -> tuple[str, list[Any]]:
    """A SELECT of (brand, t, is_owned, sentiment, intent, n): mention counts at instant t (an hour's start for
    rollup rows), with mention_brands' NULLs for unknown values."""
    hours, edges = split_window(since_ms, until_ms, rollup)
    marks = ",".join("?" * len(brands))
    parts: list[str] = []
    params: list[Any] = []
    if hours is not None:
        params += brands
        where = _range("hour", hours[0], hours[1], params) + _owned("is_owned", is_owned, params)
        parts.append(
            f"SELECT brand, hour * {HOUR_MS} AS t, is_owned, nullif(sentiment, '') AS "
            f"sentiment, nullif(intent, '') AS intent, n FROM brand_hours WHERE brand IN ({marks}){where}"
        )
    for lo, hi in edges:
        params += brands
        where = _range("published_at", lo, hi, params) + _owned("is_owned", is_owned, params)
        parts.append(
            "SELECT brand, published_at AS t, is_owned, sentiment, intent, 1 AS n FROM mention_brands "
            f"WHERE brand IN ({marks}){where}"
        )
    return " UNION ALL ".join(parts), params


def topic_rows(brand: str, since_ms: int | None, until_ms: int | None, is_owned: bool | None) -> tuple[str, list[Any]]:
    """A SELECT of (topic, n): distinct mentions of one brand per topic, in disjoint parts to be summed."""
    hours, edges = split_window(since_ms, until_ms)
    parts: list[str] = []
    params: list[Any] = []
    if hours is not None:
        params.append(brand)
        where = _range("hour", hours[0], hours[1], params) + _owned("is_owned", is_owned, params)
        parts.append(f"SELECT topic, n FROM brand_topic_hours WHERE brand = ?{where}")
    for lo, hi in edges:
        params.append(brand)
        where = _range("b.published_at", lo, hi, params) + _owned("b.is_owned", is_owned, params)
        parts.append(
            "SELECT j.value AS topic, count(DISTINCT b.mention_rowid) AS n FROM mention_brands b, "
            f"json_each(b.topics) j WHERE b.brand = ?{where} AND b.topics != '[]' GROUP BY j.value"
        )
    return " UNION ALL ".join(parts), params
