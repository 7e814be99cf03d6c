"""Leases (storage.base.LeaseStore) in the embedded store: a `leases` table beside the mentions, written inside
BEGIN IMMEDIATE transactions so that two processes on one file decide one after the other.

The table is created on first use (IF NOT EXISTS) rather than by a schema migration: nothing else reads it, and
a store file opened by an older version simply has none.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.owners import owner_dead
from storage.base import Lease, LeaseStore

_TABLE = """CREATE TABLE IF NOT EXISTS leases (
    key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL NOT NULL, version INTEGER NOT NULL
)"""


def _lease(key: str, owner: str, expires_at: float, version: int) -> Lease:
    return Lease(key=key, owner=owner, expires_at=datetime.fromtimestamp(expires_at, UTC), version=str(version))


class SQLiteLeases(LeaseStore):
    """Mixed into SQLiteStore (which provides path). Leases use one connection of their own, shared by the
    threads that take and renew them under a lock: a renewal thread per job must not leave a connection behind."""

    path: Path

    @contextlib.contextmanager
    def _lease_conn(self) -> Iterator[sqlite3.Connection]:
        lock = self.__dict__.setdefault("_lease_lock", threading.Lock())
        with lock:
            conn = self.__dict__.get("_lease_db")
            if conn is None:
                conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
                conn.execute("PRAGMA busy_timeout=30000")
                conn.execute(_TABLE)
                self.__dict__["_lease_db"] = conn
            yield conn

    def close_leases(self) -> None:
        conn = self.__dict__.pop("_lease_db", None)
        if conn is not None:
            conn.close()

    def acquire_lease(self, key: str, owner: str, ttl: timedelta) -> Lease | None:
        with self._lease_conn() as conn:
            return self._acquire(conn, key, owner, ttl)

    @staticmethod
    def _acquire(conn: sqlite3.Connection, key: str, owner: str, ttl: timedelta) -> Lease | None:
        now = datetime.now(UTC).timestamp()
        conn.execute("BEGIN IMMEDIATE")  # the write lock first: no other process decides between our read and write
        try:
            row = conn.execute("SELECT owner, expires_at, version FROM leases WHERE key = ?", (key,)).fetchone()
            if row is not None and row[0] != owner and row[1] > now and not owner_dead(row[0]):
                conn.execute("ROLLBACK")
                return None
            version = (row[2] if row is not None else 0) + 1
            expires = now + ttl.total_seconds()
            conn.execute("INSERT INTO leases (key, owner, expires_at, version) VALUES (?, ?, ?, ?) ON CONFLICT(key) "
                         "DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, "
                         "version = excluded.version", (key, owner, expires, version))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return _lease(key, owner, expires, version)

    def renew_lease(self, lease: Lease, ttl: timedelta) -> Lease | None:
        expires = datetime.now(UTC).timestamp() + ttl.total_seconds()
        version = int(lease.version) + 1
        with self._lease_conn() as conn:
            cursor = conn.execute("UPDATE leases SET expires_at = ?, version = ? WHERE key = ? AND owner = ? AND "
                                  "version = ?", (expires, version, lease.key, lease.owner, int(lease.version)))
        return _lease(lease.key, lease.owner, expires, version) if cursor.rowcount == 1 else None

    def release_lease(self, lease: Lease) -> None:
        with self._lease_conn() as conn:
            conn.execute("DELETE FROM leases WHERE key = ? AND owner = ? AND version = ?",
                         (lease.key, lease.owner, int(lease.version)))

    def get_lease(self, key: str) -> Lease | None:
        with self._lease_conn() as conn:
            row = conn.execute("SELECT owner, expires_at, version FROM leases WHERE key = ?", (key,)).fetchone()
        return _lease(key, row[0], row[1], row[2]) if row is not None else None
