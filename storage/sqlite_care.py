"""SQLite answers to the care questions of storage.base (overview, care metrics, share of voice, reach), fast.

One brand's window is one range scan of the care columns that migration 2 copies into mention_brands (no random
row lookup per mention); any other filter falls back to the generic answer of MentionStore, so results agree.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from ascolto.timebuckets import bucket_origin, epoch_seconds, parse_interval
from storage.base import CareSnapshot, MentionFilter, MentionStore, ReachRow


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


class SQLiteCareQueries(MentionStore):
    """Mixed into SQLiteStore (which provides _conn and _where)."""

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _where(self, flt: MentionFilter) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def _brand_scope(self, flt: MentionFilter, brands: Sequence[str]) -> tuple[str, list[Any]] | None:
        narrowing = (flt.text, flt.sentiments, flt.intents, flt.topics, flt.sources, flt.platforms, flt.langs, flt.ids)
        if any(narrowing) or flt.unanswered is not None or not brands:
            return None
        clauses, params = [f"b.brand IN ({_marks(brands)})"], list(brands)
        if flt.since:
            clauses.append("b.published_at >= ?")
            params.append(_to_ms(flt.since))
        if flt.until:
            clauses.append("b.published_at < ?")
            params.append(_to_ms(flt.until))
        if flt.is_owned is not None:
            clauses.append("b.is_owned = ?")
            params.append(int(flt.is_owned))
        return " AND ".join(clauses), params

    def care_snapshot(self, flt: MentionFilter, interval: str, topic_size: int = 10) -> CareSnapshot:
        scope = self._brand_scope(replace(flt, is_owned=None), flt.brands)
        if scope is None or len(flt.brands) != 1:  # several brands: a mention may be under two of them
            return super().care_snapshot(flt, interval, topic_size)
        where, params = scope
        step_ms = int(parse_interval(interval).total_seconds()) * 1000
        origin_ms = epoch_seconds(bucket_origin(interval)) * 1000
        conn = self._conn()
        series: dict[tuple[datetime, str | None], int] = {}
        inbound = owned = complaints = 0
        for bucket, is_owned, sentiment, is_complaint, n in conn.execute(
            f"SELECT (b.published_at - ?) / ?, b.is_owned, b.sentiment, b.intent = 'complaint', count(*) "
            f"FROM mention_brands b WHERE {where} GROUP BY 1, 2, 3, 4", [origin_ms, step_ms, *params],
        ):
            if is_owned:
                owned += n
                continue
            inbound += n
            complaints += n if is_complaint else 0
            key = (_from_ms(origin_ms + bucket * step_ms), sentiment)
            series[key] = series.get(key, 0) + n  # type: ignore[index]
        delays: list[float] = []
        waiting: list[int] = []
        for published, replied, intent in conn.execute(
            f"SELECT b.published_at, b.first_reply_at, b.intent FROM mention_brands b WHERE {where} "
            "AND b.is_owned = 0 AND (b.first_reply_at IS NOT NULL OR b.intent = 'complaint')", params,
        ):
            if replied is not None:
                delays.append(max(0.0, (replied - published) / 1000))
            elif intent == "complaint":
                waiting.append(published)
        topics = conn.execute(
            f"SELECT j.value, count(DISTINCT b.mention_rowid) AS n FROM mention_brands b, json_each(b.topics) j "
            f"WHERE {where} AND b.is_owned = 0 AND b.topics != '[]' GROUP BY j.value ORDER BY n DESC, j.value "
            "LIMIT ?", [*params, topic_size],
        ).fetchall()
        return CareSnapshot(
            series=series, inbound=inbound, owned=owned, complaints=complaints,
            unanswered_complaints=[_from_ms(p) for p in sorted(waiting)],  # type: ignore[misc]
            reply_delays=sorted(delays), topics=[(t, n) for t, n in topics],
        )

    def sentiment_counts(self, flt: MentionFilter) -> dict[str | None, int]:
        scope = self._brand_scope(flt, flt.brands)
        if scope is None or len(flt.brands) != 1:
            return super().sentiment_counts(flt)
        where, params = scope
        rows = self._conn().execute(f"SELECT b.sentiment, count(*) FROM mention_brands b WHERE {where} GROUP BY 1",
                                    params)
        return {sentiment: n for sentiment, n in rows}

    def brand_counts(self, flt: MentionFilter, brands: Sequence[str]) -> dict[str, int]:
        scope = self._brand_scope(replace(flt, brands=()), list(dict.fromkeys(brands)))
        if scope is None:
            return super().brand_counts(flt, brands)
        where, params = scope
        rows = self._conn().execute(f"SELECT b.brand, count(*) FROM mention_brands b WHERE {where} GROUP BY 1", params)
        found = dict(rows.fetchall())
        return {brand: found.get(brand, 0) for brand in brands}

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


def _to_ms(value: datetime) -> int:
    from storage.sqlite import to_ms

    return to_ms(value)  # type: ignore[return-value]


def _from_ms(value: int) -> datetime:
    from storage.sqlite import from_ms

    return from_ms(value)  # type: ignore[return-value]
