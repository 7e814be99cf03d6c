"""SQLite answers to the care questions of storage.base (overview, care metrics, share of voice, reach), fast.

One brand's window is read from the hourly rollups of schema 3 plus its partial edge hours, and from the care
columns that schema 2 copies into mention_brands (no random row lookup per mention); any other filter falls back
to the generic answer of MentionStore, so results agree.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from core.model import Mention
from core.timebuckets import bucket_origin, epoch_seconds, parse_interval
from storage.analytics import CareSnapshot, MentionAnalytics, ReachRow, reply_figures, snapshot_now
from storage.base import MentionFilter, SearchPage
from storage.sqlite_rollup import HOUR_MS, care_rows, from_ms, period_clauses, to_ms, topic_rows


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


class SQLiteCareQueries(MentionAnalytics):
    """Mixed into SQLiteStore (which provides _conn, _where and _mention)."""

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _where(self, flt: MentionFilter) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def _brand_scope(self, flt: MentionFilter, brands: Sequence[str]) -> tuple[str, list[Any]] | None:
        narrowing = (flt.text, flt.sentiments, flt.intents, flt.topics, flt.sources, flt.platforms, flt.langs, flt.ids)
        if any(narrowing) or flt.unanswered is not None or not brands:
            return None
        period, bounds = period_clauses("b.published_at", flt.since, flt.until)
        clauses, params = [f"b.brand IN ({_marks(brands)})", *period], [*brands, *bounds]
        if flt.is_owned is not None:
            clauses.append("b.is_owned = ?")
            params.append(int(flt.is_owned))
        return " AND ".join(clauses), params

    def _single_brand(self, flt: MentionFilter) -> bool:
        """One brand, a window and at most is_owned: the questions the rollups of schema 3 answer."""
        return len(flt.brands) == 1 and self._brand_scope(flt, flt.brands) is not None

    def care_snapshot(self, flt: MentionFilter, interval: str, topic_size: int = 10, *, now: datetime | None = None,
                      target_minutes: int = 60) -> CareSnapshot:
        if not self._single_brand(replace(flt, is_owned=None)):  # several brands: a mention may be under two
            return super().care_snapshot(flt, interval, topic_size, now=now, target_minutes=target_minutes)
        brand, since, until = flt.brands[0], to_ms(flt.since), to_ms(flt.until)
        step_ms = int(parse_interval(interval).total_seconds()) * 1000
        origin_ms = epoch_seconds(bucket_origin(interval)) * 1000
        # whole hours fall into one bucket each when buckets are whole hours from an hour-aligned origin
        aligned = step_ms % HOUR_MS == 0 and origin_ms % HOUR_MS == 0 and since is not None and since >= origin_ms
        conn = self._conn()
        series: dict[tuple[datetime, str | None], int] = {}
        starts: dict[int, datetime] = {}
        inbound = owned = complaints = 0
        rows, params = care_rows([brand], since, until, None, aligned)
        for bucket, sentiment, n_inbound, n_owned, n_complaints in conn.execute(
            "SELECT (t - ?) / ?, sentiment, sum(CASE WHEN is_owned THEN 0 ELSE n END), "
            "sum(CASE WHEN is_owned THEN n ELSE 0 END), "
            f"sum(CASE WHEN is_owned THEN 0 WHEN intent = 'complaint' THEN n ELSE 0 END) FROM ({rows}) GROUP BY 1, 2",
            [origin_ms, step_ms, *params],
        ):
            owned += n_owned
            inbound += n_inbound
            complaints += n_complaints
            if n_inbound:
                start = starts.get(bucket) or starts.setdefault(bucket, from_ms(origin_ms + bucket * step_ms))
                series[(start, sentiment)] = n_inbound
        # both read from the partial index mention_brands_care, in published_at order
        where, params = self._brand_scope(replace(flt, is_owned=None), flt.brands)  # type: ignore[misc]
        answered = "AND b.is_owned = 0 AND (b.first_reply_at IS NOT NULL OR b.intent = 'complaint')"
        delays = conn.execute(
            f"SELECT max(0.0, (b.first_reply_at - b.published_at) / 1000.0) AS d FROM mention_brands b "
            f"WHERE {where} {answered} AND b.first_reply_at IS NOT NULL ORDER BY d", params,
        ).fetchall()
        waiting = conn.execute(
            f"SELECT b.published_at FROM mention_brands b WHERE {where} {answered} AND b.first_reply_at IS NULL "
            "AND b.intent = 'complaint' ORDER BY b.published_at", params,
        ).fetchall()
        rows, params = topic_rows(brand, since, until, False)
        topics = conn.execute(
            f"SELECT topic, sum(n) AS total FROM ({rows}) GROUP BY topic ORDER BY total DESC, topic LIMIT ?",
            [*params, topic_size],
        ).fetchall()
        return CareSnapshot(
            series=series, inbound=inbound, owned=owned, complaints=complaints,
            topics=[(t, n) for t, n in topics],
            replies=reply_figures([d for d, in delays], [from_ms(p) for p, in waiting],  # type: ignore[misc]
                                  snapshot_now(flt, now), target_minutes),
        )

    def _rollup_counts(self, flt: MentionFilter, brands: Sequence[str], column: str) -> dict[Any, int]:
        rows, params = care_rows(brands, to_ms(flt.since), to_ms(flt.until), flt.is_owned)
        return dict(self._conn().execute(f"SELECT {column}, sum(n) FROM ({rows}) GROUP BY 1", params).fetchall())

    def sentiment_counts(self, flt: MentionFilter) -> dict[str | None, int]:
        if not self._single_brand(flt):
            return super().sentiment_counts(flt)
        return self._rollup_counts(flt, flt.brands, "sentiment")

    def brand_counts(self, flt: MentionFilter, brands: Sequence[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(brands))
        if not wanted or self._brand_scope(replace(flt, brands=()), wanted) is None:
            return super().brand_counts(flt, brands)
        found = self._rollup_counts(flt, wanted, "brand")
        return {brand: found.get(brand, 0) for brand in brands}

    def _brand_count(self, flt: MentionFilter) -> int | None:
        """count() of one brand's window from the rollups; None when the filter needs the general query."""
        if not self._single_brand(flt):
            return None
        return sum(self._rollup_counts(flt, flt.brands, "brand").values())

    def _brand_search(self, flt: MentionFilter, limit: int, offset: int, sort: str) -> SearchPage | None:
        """search() of one brand's window in time order: walked along mention_brands' (brand, published_at) key,
        stopping after `offset + limit` mentions, instead of sorting the whole window."""
        if sort not in ("published_at_desc", "published_at_asc") or not self._single_brand(flt):
            return None
        total = self._brand_count(flt)
        where, params = self._brand_scope(flt, flt.brands)  # type: ignore[misc]
        direction = "DESC" if sort == "published_at_desc" else "ASC"
        rows = self._conn().execute(
            f"SELECT m.* FROM mention_brands b CROSS JOIN mentions m ON m.rowid = b.mention_rowid WHERE {where} "
            f"ORDER BY b.published_at {direction}, m.id ASC LIMIT ? OFFSET ?", [*params, limit, offset],
        ).fetchall()
        return SearchPage(total=total or 0, items=[self._mention(r) for r in rows])

    def newest_texts(self, flt: MentionFilter, limit: int) -> list[str]:
        """'title text' of the first `limit` mentions search(flt) returns (newest first), without building them."""
        if not self._single_brand(flt):
            return [f"{m.title or ''} {m.text}" for m in self.search(flt, limit=limit).items]
        where, params = self._brand_scope(flt, flt.brands)  # type: ignore[misc]
        rows = self._conn().execute(
            f"SELECT m.title, m.text FROM mention_brands b CROSS JOIN mentions m ON m.rowid = b.mention_rowid "
            f"WHERE {where} ORDER BY b.published_at DESC, m.id ASC LIMIT ?", [*params, limit],
        )
        return [f"{title or ''} {text}" for title, text in rows]

    def _mention(self, row: sqlite3.Row) -> Mention:
        raise NotImplementedError

    def reply_delays(self, flt: MentionFilter) -> list[float]:
        where, params = self._where(replace(flt, unanswered=False))
        rows = self._conn().execute(f"SELECT m.first_reply_at - m.published_at FROM mentions m{where}", params)
        return sorted(max(0.0, r[0] / 1000) for r in rows)

    def reach_by(self, flt: MentionFilter, field: str, size: int = 10) -> list[ReachRow]:
        if field not in ("author", "source"):
            raise ValueError(f"reach_by: field must be 'author' or 'source', not {field!r}")
        where, params = self._where(flt)
        rows = self._conn().execute(
            f"SELECT m.{field} AS v, count(*) AS n, sum(coalesce(m.author_reach, 0)) AS total, "
            f"max(coalesce(m.author_reach, 0)) FROM mentions m{where}{' AND' if where else ' WHERE'} "
            f"m.{field} IS NOT NULL GROUP BY v ORDER BY total DESC, n DESC, v ASC LIMIT ?", [*params, size],
        )
        return [ReachRow(v, n, total, top) for v, n, total, top in rows]
