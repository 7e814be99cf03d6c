"""Embedded MentionStore: one SQLite file in WAL mode, FTS5 full-text search, versioned migrations."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from core.model import AlertEvent, Mention
from core.text import tokens
from core.timebuckets import bucket_origin, epoch_seconds, parse_interval
from storage.base import FACET_FIELDS, AlertStore, MentionFilter, SearchPage, UpsertResult
from storage.sqlite_care import SQLiteCareQueries
from storage.sqlite_health import SQLiteCrawlLog
from storage.sqlite_incidents import SQLiteIncidents
from storage.sqlite_leases import SQLiteLeases
from storage.sqlite_rollup import from_ms, period_clauses, to_ms
from storage.sqlite_schema import migrate
from storage.sqlite_threads import SQLiteThreads

_COLUMNS = (
    "id", "source", "platform", "platform_id", "url", "author", "author_reach", "title", "text", "lang",
    "published_at", "fetched_at", "is_owned", "in_reply_to", "thread_id", "content_hash", "first_reply_at",
    "sentiment", "sentiment_score", "intent", "complaint_score", "brands", "topics", "engagement", "copies",
)
_JSON_COLUMNS = ("brands", "topics", "engagement", "copies")
_TIME_COLUMNS = ("published_at", "fetched_at", "first_reply_at")
_REPLY = "(SELECT min(r.published_at) FROM mentions r WHERE r.in_reply_to = mentions.id AND r.is_owned = 1)"
_SORT_SQL = {
    "published_at_desc": "m.published_at DESC, m.id ASC",
    "published_at_asc": "m.published_at ASC, m.id ASC",
    "reach_desc": "coalesce(m.author_reach, -1) DESC, m.published_at DESC, m.id ASC",
}


def fts_query(text: str) -> str | None:
    """Free text -> an FTS5 query where every word must appear (quoted, so no FTS syntax leaks through)."""
    words = tokens(text)
    return " ".join(f'"{w}"' for w in words) or None


class SQLiteStore(SQLiteThreads, SQLiteCareQueries, SQLiteIncidents, SQLiteCrawlLog, SQLiteLeases, AlertStore):
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.url = str(self.path)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        migrate(self._conn())

    # connections: one per thread (the API serves from a thread pool); WAL lets readers run beside a writer
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
            self._connections.append(conn)
        return conn

    def close(self) -> None:
        self.close_leases()
        for conn in self._connections:
            conn.close()
        self._connections.clear()
        self._local = threading.local()

    # writes
    def upsert(self, mentions: Sequence[Mention]) -> UpsertResult:
        result = UpsertResult()
        if not mentions:
            return result
        unique = list({m.id: m for m in mentions}.values())  # last copy of an id in a batch wins
        conn = self._conn()
        placeholders = ",".join(["?"] * len(_COLUMNS))
        updates = ",".join(f"{c}=excluded.{c}" for c in _COLUMNS if c not in ("id", "first_reply_at"))
        sql = (
            f"INSERT INTO mentions ({','.join(_COLUMNS)}) VALUES ({placeholders}) ON CONFLICT(id) DO UPDATE SET "
            f"{updates}, first_reply_at=CASE WHEN excluded.first_reply_at IS NULL THEN mentions.first_reply_at "
            "WHEN mentions.first_reply_at IS NULL THEN excluded.first_reply_at "
            "ELSE min(excluded.first_reply_at, mentions.first_reply_at) END"
        )
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                existing = self._existing_ids(conn, [m.id for m in unique])
                for mention in unique:
                    try:
                        conn.execute(sql, self._row(mention))
                    except (sqlite3.Error, OverflowError, ValueError) as exc:
                        result.failed.append((mention.id, f"{type(exc).__name__}: {exc}"))
                        continue
                    if mention.id in existing:
                        result.updated += 1
                    else:
                        result.inserted += 1
                stored = [m for m in unique if m.id not in {f[0] for f in result.failed}]
                self._index_facets(conn, stored)
                self._link_replies(conn, stored)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return result

    @staticmethod
    def _existing_ids(conn: sqlite3.Connection, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = conn.execute(f"SELECT id FROM mentions WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            found.update(r[0] for r in rows)
        return found

    @staticmethod
    def _row(m: Mention) -> tuple[Any, ...]:
        values = []
        for column in _COLUMNS:
            value = getattr(m, column)
            if column in _TIME_COLUMNS:
                value = to_ms(value)
            elif column in _JSON_COLUMNS:
                value = json.dumps(value, ensure_ascii=False, sort_keys=True)
            elif column == "is_owned":
                value = int(value)
            values.append(value)
        return tuple(values)

    @staticmethod
    def _index_facets(conn: sqlite3.Connection, mentions: list[Mention]) -> None:
        """Side-table rows of each mention: the ones that no longer apply go, missing ones come; rows that stay are
        left alone (their care columns follow the mention by trigger), so a re-upsert rewrites no rollup."""
        for m in mentions:
            rowid = conn.execute("SELECT rowid FROM mentions WHERE id = ?", (m.id,)).fetchone()[0]
            published = to_ms(m.published_at)
            brands, topics = json.dumps(sorted(set(m.brands))), json.dumps(sorted(set(m.topics)))
            conn.execute(
                "DELETE FROM mention_brands WHERE mention_rowid = ? AND (published_at != ? "
                "OR brand NOT IN (SELECT value FROM json_each(?)))", (rowid, published, brands),
            )
            conn.execute(
                "DELETE FROM mention_topics WHERE mention_rowid = ? AND topic NOT IN (SELECT value FROM json_each(?))",
                (rowid, topics),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO mention_brands (mention_rowid, brand, published_at) VALUES (?, ?, ?)",
                [(rowid, b, published) for b in m.brands],
            )
            conn.executemany("INSERT OR IGNORE INTO mention_topics VALUES (?, ?)", [(rowid, t) for t in m.topics])

    @staticmethod
    def _link_replies(conn: sqlite3.Connection, mentions: list[Mention]) -> None:
        """first_reply_at = earliest owned reply, whichever of parent and reply was stored first."""
        targets = {m.id for m in mentions} | {m.in_reply_to for m in mentions if m.is_owned and m.in_reply_to}
        for mention_id in targets:
            conn.execute(
                f"UPDATE mentions SET first_reply_at = min(coalesce({_REPLY}, first_reply_at), "
                f"coalesce(first_reply_at, {_REPLY})) WHERE id = ?",
                (mention_id,),
            )

    def add_copies(self, mention_id: str, urls: Sequence[str]) -> None:
        with self._write_lock:
            conn = self._conn()
            row = conn.execute("SELECT copies FROM mentions WHERE id = ?", (mention_id,)).fetchone()
            if row is None:
                return
            merged = sorted(set(json.loads(row[0])) | set(urls))
            conn.execute("UPDATE mentions SET copies = ? WHERE id = ?", (json.dumps(merged), mention_id))

    # reads
    def _mention(self, row: sqlite3.Row) -> Mention:
        by_name = dict(zip(row.keys(), row, strict=True))  # one pass: Row looks names up one by one
        data: dict[str, Any] = {c: by_name[c] for c in _COLUMNS}
        for column in _JSON_COLUMNS:
            value = data[column]
            data[column] = [] if value == "[]" else {} if value == "{}" else json.loads(value)
        for column in _TIME_COLUMNS:
            data[column] = from_ms(data[column])
        data["is_owned"] = bool(data["is_owned"])
        return Mention.model_construct(**data)  # rows were validated on the way in

    def get(self, mention_id: str) -> Mention | None:
        row = self._conn().execute("SELECT * FROM mentions WHERE id = ?", (mention_id,)).fetchone()
        return self._mention(row) if row else None

    def get_many(self, mention_ids: Sequence[str]) -> list[Mention]:
        by_id = {}
        ids = list(mention_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = self._conn().execute(f"SELECT * FROM mentions WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            by_id.update({r["id"]: self._mention(r) for r in rows})
        return [by_id[i] for i in ids if i in by_id]

    def ids_by_content_hash(self, hashes: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        wanted = [h for h in dict.fromkeys(hashes) if h]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self._conn().execute(
                f"SELECT content_hash, min(id) FROM mentions WHERE content_hash IN ({','.join('?' * len(chunk))}) "
                "GROUP BY content_hash", chunk,
            )
            found.update({r[0]: r[1] for r in rows})
        return found

    def _where(self, flt: MentionFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if flt.brands:
            clauses.append(
                f"m.rowid IN (SELECT mention_rowid FROM mention_brands WHERE brand IN ({_marks(flt.brands)})"
                + (" AND published_at >= ?" if flt.since else "") + (" AND published_at < ?" if flt.until else "")
                + ")"
            )
            params += [*flt.brands, *([to_ms(flt.since)] if flt.since else []),
                       *([to_ms(flt.until)] if flt.until else [])]
        if flt.topics:
            clauses.append(
                f"m.rowid IN (SELECT mention_rowid FROM mention_topics WHERE topic IN ({_marks(flt.topics)}))"
            )
            params += list(flt.topics)
        if flt.text:
            query = fts_query(flt.text)
            if query is None:
                clauses.append("0")
            else:
                clauses.append("m.rowid IN (SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ?)")
                params.append(query)
        period, bounds = period_clauses("m.published_at", flt.since, flt.until)
        clauses += period
        params += bounds
        for column, values in (("sentiment", flt.sentiments), ("intent", flt.intents), ("source", flt.sources),
                               ("platform", flt.platforms), ("lang", flt.langs), ("id", flt.ids)):
            if values:
                clauses.append(f"m.{column} IN ({_marks(values)})")
                params += list(values)
        if flt.is_owned is not None:
            clauses.append("m.is_owned = ?")
            params.append(int(flt.is_owned))
        if flt.unanswered is not None:
            clauses.append("m.first_reply_at IS NULL" if flt.unanswered else "m.first_reply_at IS NOT NULL")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def search(
        self, flt: MentionFilter, *, limit: int = 50, offset: int = 0, sort: str = "published_at_desc"
    ) -> SearchPage:
        page = self._brand_search(flt, limit, offset, sort)
        return page if page is not None else self._search_any(flt, limit=limit, offset=offset, sort=sort)

    def _search_any(self, flt: MentionFilter, *, limit: int, offset: int, sort: str) -> SearchPage:
        where, params = self._where(flt)
        conn = self._conn()
        total = conn.execute(f"SELECT count(*) FROM mentions m{where}", params).fetchone()[0]
        if sort == "relevance" and flt.text and fts_query(flt.text):
            sql = (f"SELECT m.* FROM mentions m JOIN mentions_fts f ON f.rowid = m.rowid{where} "
                   "AND mentions_fts MATCH ? ORDER BY bm25(mentions_fts), m.published_at DESC, m.id LIMIT ? OFFSET ?")
            rows = conn.execute(sql, [*params, fts_query(flt.text), limit, offset]).fetchall()
        else:
            order = _SORT_SQL.get(sort, _SORT_SQL["published_at_desc"])
            rows = conn.execute(
                f"SELECT m.* FROM mentions m{where} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]
            ).fetchall()
        return SearchPage(total=total, items=[self._mention(r) for r in rows])

    def count(self, flt: MentionFilter) -> int:
        fast = self._brand_count(flt)
        return fast if fast is not None else self._count_any(flt)

    def _count_any(self, flt: MentionFilter) -> int:
        where, params = self._where(flt)
        return self._conn().execute(f"SELECT count(*) FROM mentions m{where}", params).fetchone()[0]

    def count_buckets(self, flt: MentionFilter, interval: str) -> list[tuple[datetime, int]]:
        step_ms = int(parse_interval(interval).total_seconds()) * 1000
        origin_ms = epoch_seconds(bucket_origin(interval)) * 1000
        where, params = self._where(flt)
        rows = self._conn().execute(
            f"SELECT ((m.published_at - ?) / ?) AS b, count(*) FROM mentions m{where} GROUP BY b ORDER BY b",
            [origin_ms, step_ms, *params],
        )
        return [(from_ms(origin_ms + b * step_ms), n) for b, n in rows]  # type: ignore[misc]

    def facets(self, flt: MentionFilter, field: str, size: int = 10) -> list[tuple[str, int]]:
        if field not in FACET_FIELDS:
            raise ValueError(f"unknown facet {field!r}; one of {', '.join(FACET_FIELDS)}")
        where, params = self._where(flt)
        if field == "brands":
            sql = (f"SELECT b.brand AS v, count(*) AS n FROM mentions m JOIN mention_brands b "
                   f"ON b.mention_rowid = m.rowid{where} GROUP BY v")
        elif field == "topics":
            sql = (f"SELECT t.topic AS v, count(*) AS n FROM mentions m JOIN mention_topics t "
                   f"ON t.mention_rowid = m.rowid{where} GROUP BY v")
        elif field == "is_owned":
            sql = (f"SELECT CASE m.is_owned WHEN 1 THEN 'true' ELSE 'false' END AS v, count(*) AS n "
                   f"FROM mentions m{where} GROUP BY v")
        else:
            sql = f"SELECT m.{field} AS v, count(*) AS n FROM mentions m{where} GROUP BY v"
        rows = self._conn().execute(
            f"SELECT v, n FROM ({sql}) WHERE v IS NOT NULL ORDER BY n DESC, v ASC LIMIT ?", [*params, size]
        )
        return [(r[0], r[1]) for r in rows]

    # alert events
    def save_alert(self, event: AlertEvent) -> None:
        with self._write_lock:
            self._conn().execute(
                "INSERT INTO alerts (id, rule, brand, status, opened_at, data) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET rule=excluded.rule, brand=excluded.brand, status=excluded.status, "
                "opened_at=excluded.opened_at, data=excluded.data",
                (event.id, event.rule, event.brand, event.status, to_ms(event.opened_at), event.model_dump_json()),
            )

    def get_alert(self, alert_id: str) -> AlertEvent | None:
        row = self._conn().execute("SELECT data FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return AlertEvent.model_validate_json(row[0]) if row else None

    def list_alerts(
        self, *, brand: str | None = None, status: Sequence[str] = (), rule: str | None = None, limit: int = 100,
        opened_since: datetime | None = None, opened_until: datetime | None = None,
    ) -> list[AlertEvent]:
        clauses, params = [], []
        if brand is not None:
            clauses.append("brand = ?")
            params.append(brand)
        if status:
            clauses.append(f"status IN ({_marks(status)})")
            params += list(status)
        if rule is not None:
            clauses.append("rule = ?")
            params.append(rule)
        period, bounds = period_clauses("opened_at", opened_since, opened_until)
        clauses += period
        params += bounds
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._conn().execute(
            f"SELECT data FROM alerts{where} ORDER BY opened_at DESC, id ASC LIMIT ?", [*params, limit]
        )
        return [AlertEvent.model_validate_json(r[0]) for r in rows]


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))
