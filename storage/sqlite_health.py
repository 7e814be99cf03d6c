"""The crawl log on SQLite: one row per crawl run of a source (storage.health)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime

from core.model import CrawlRun
from storage.health import CrawlLog
from storage.sqlite_rollup import to_ms

# Its own table, made when first used, so stores of any schema version get it without a migration.
_TABLE = ("CREATE TABLE IF NOT EXISTS crawl_runs (source TEXT NOT NULL, finished_at INTEGER NOT NULL, "
          "data TEXT NOT NULL)", "CREATE INDEX IF NOT EXISTS crawl_runs_source ON crawl_runs(source, finished_at)")


class SQLiteCrawlLog(CrawlLog):
    _write_lock: threading.Lock
    _crawl_table_made = False

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _crawl_table(self) -> sqlite3.Connection:
        conn = self._conn()
        if not self._crawl_table_made:
            with self._write_lock:
                for statement in _TABLE:
                    conn.execute(statement)
            self._crawl_table_made = True
        return conn

    def record_crawl(self, runs: list[CrawlRun]) -> None:
        conn = self._crawl_table()
        with self._write_lock:
            conn.executemany("INSERT INTO crawl_runs (source, finished_at, data) VALUES (?, ?, ?)",
                             [(r.source, to_ms(r.finished_at), r.model_dump_json()) for r in runs])

    def crawl_runs(self, *, source: str | None = None, since: datetime | None = None,
                   until: datetime | None = None, limit: int = 1000, ok: bool | None = None) -> list[CrawlRun]:
        clauses, params = [], []
        for clause, value in (("source = ?", source), ("finished_at >= ?", since), ("finished_at < ?", until)):
            if value is not None:
                clauses.append(clause)
                params.append(to_ms(value) if isinstance(value, datetime) else value)
        if ok is not None:  # the run's own flag, in its JSON: the table has no column for it
            clauses.append("json_extract(data, '$.ok') = ?")
            params.append(int(ok))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._crawl_table().execute(
            f"SELECT data FROM crawl_runs {where} ORDER BY finished_at DESC, rowid DESC LIMIT ?", (*params, limit))
        return [CrawlRun.model_validate_json(row[0]) for row in rows]
