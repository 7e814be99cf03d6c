"""SQLite answers to the incident questions of AlertStore (storage/base.py), by the tables of schema 5: one
row per incident (its JSON in `data`) and one per (alert, incident) for incident_of_alert."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

from core.model import Incident
from storage.base import statuses
from storage.sqlite_rollup import to_ms


class SQLiteIncidents:
    """Mixed into SQLiteStore (which provides _conn and _write_lock)."""

    _write_lock: threading.Lock

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def save_incident(self, incident: Incident) -> None:
        opened = to_ms(incident.opened_at)
        with self._write_lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")  # the row and its alert links change together
            try:
                conn.execute(
                    "INSERT INTO incidents (id, brand, status, opened_at, data) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET brand=excluded.brand, status=excluded.status, "
                    "opened_at=excluded.opened_at, data=excluded.data",
                    (incident.id, incident.brand, incident.status, opened, incident.model_dump_json()),
                )
                conn.execute("DELETE FROM incident_alerts WHERE incident_id = ?", (incident.id,))
                conn.executemany("INSERT OR IGNORE INTO incident_alerts (alert_id, incident_id, opened_at) "
                                 "VALUES (?, ?, ?)", [(a, incident.id, opened) for a in incident.alert_ids])
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def get_incident(self, incident_id: str) -> Incident | None:
        row = self._conn().execute("SELECT data FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        return Incident.model_validate_json(row[0]) if row else None

    def list_incidents(
        self, brand: str | None = None, status: str | Sequence[str] | None = None, limit: int = 50
    ) -> list[Incident]:
        clauses, params = [], []
        if brand is not None:
            clauses.append("brand = ?")
            params.append(brand)
        wanted = statuses(status)
        if wanted:
            clauses.append(f"status IN ({','.join('?' * len(wanted))})")
            params += wanted
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._conn().execute(
            f"SELECT data FROM incidents{where} ORDER BY opened_at DESC, id ASC LIMIT ?", [*params, limit])
        return [Incident.model_validate_json(r[0]) for r in rows]

    def incident_of_alert(self, alert_id: str) -> Incident | None:
        row = self._conn().execute(
            "SELECT i.data FROM incident_alerts a JOIN incidents i ON i.id = a.incident_id WHERE a.alert_id = ? "
            "ORDER BY a.opened_at DESC, a.incident_id ASC LIMIT 1", (alert_id,)).fetchone()
        return Incident.model_validate_json(row[0]) if row else None
