"""The outbox table (SQLite in the outbox folder) and what it needs besides: its migrations, who owns a claim,
the retry schedule, and the idempotency key of a notification.

Statuses: `staged` (written before the alert's state is saved; invisible to delivery until released, or
dropped after a crash when the state never reached the store), `pending`, `sending` (claimed by one flush),
`delivered`, `failed` (refused for good by the receiver: dead-lettered, never retried).
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alerts.state import idempotency_key, step_of, transition_of  # noqa: F401 (the one key, used here)
from core.model import AlertEvent
from core.owners import owner_dead, owner_token  # noqa: F401 (the claim owners, defined once in core)

FIRST_BACKOFF = timedelta(seconds=15)
MAX_BACKOFF = timedelta(minutes=5)  # after an outage delivery resumes within minutes of the channel coming back
# a claim by a live process on another host (whose pid cannot be checked here) is left alone this long
LEASE = timedelta(minutes=5)
UNDONE = ("staged", "pending", "sending")  # not delivered yet, and not given up on

MIGRATIONS: list[tuple[int, list[str]]] = [
    (1, [
        """CREATE TABLE IF NOT EXISTS outbox (
            id TEXT PRIMARY KEY, channel TEXT NOT NULL, event TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, next_attempt_at REAL NOT NULL,
            delivered_at REAL, last_error TEXT
        )""",
        "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(status, next_attempt_at)",
    ]),
    # 2: per-alert ordering (a RESOLVED never overtakes its ALERT on a channel), the idempotency key handed to
    # the channels, and the owner of a claim (so a crashed sender's claim is taken over at once)
    (2, [
        "ALTER TABLE outbox ADD COLUMN alert_id TEXT",
        "ALTER TABLE outbox ADD COLUMN step_at REAL",
        "ALTER TABLE outbox ADD COLUMN idempotency_key TEXT",
        "ALTER TABLE outbox ADD COLUMN owner TEXT",
        """UPDATE outbox SET alert_id = json_extract(event, '$.id'), step_at = created_at,
            idempotency_key = substr(id, 1, length(id) - length(channel) - 1)""",
        "CREATE INDEX outbox_alert ON outbox(alert_id, channel, step_at)",
        "CREATE INDEX outbox_key ON outbox(idempotency_key)",
    ]),
    # 3: what a row notifies: an alert transition (`event` an AlertEvent) or an incident transition (`event` an
    # alerts.incidents.IncidentNotice; alert_id then holds the incident id, so its messages keep their order)
    (3, [
        "ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'alert'",
    ]),
]


def kind_of(item: Any) -> str:
    return "alert" if isinstance(item, AlertEvent) else "incident"


def decode(kind: str, raw: str) -> Any:
    """The notification a row holds, as it was staged: an alert, an incident notice or a digest."""
    if kind == "incident":
        from alerts.incidents import IncidentNotice

        return IncidentNotice.model_validate_json(raw)
    if kind == "digest":
        from alerts.digest import DigestReport

        return DigestReport.from_dict(json.loads(raw)["digest"])
    return AlertEvent.model_validate_json(raw)


def stored_state(store: Any, item: Any) -> Any:
    """What the store holds of the alert or incident a notification is about."""
    return store.get_alert(item.id) if isinstance(item, AlertEvent) else store.get_incident(item.id)


def was_saved(stored: Any, event: Any) -> bool:
    """True when the store holds the transition `event` notifies (the save it was staged for happened): an
    alert or an incident, whose details keep the history of their notified transitions alike."""
    if stored is None:
        return False
    transition, at = step_of(event)
    return any(h.get("at") == at and h.get("transition") == transition for h in stored.details.get("history", []))


def backoff(attempts: int) -> timedelta:
    """Exponential from 15 s, capped at 5 minutes, with jitter (so retries of many items do not march in step)."""
    ceiling = min(FIRST_BACKOFF * 2 ** min(attempts, 20), MAX_BACKOFF)
    return ceiling * random.uniform(0.5, 1.0)


def due_at(now: datetime, attempts: int, retry_after: float | None) -> datetime:
    """When a failed delivery is tried next: never before the receiver's Retry-After, else the backoff."""
    if retry_after is not None:
        return now + timedelta(seconds=retry_after)
    return now + backoff(attempts)


def undelivered(outbox_dir: Path, alert_ids: Sequence[str]) -> dict[str, list[dict[str, str]]]:
    """Dead-lettered deliveries of these alerts (channel and error), read from the outbox when there is one."""
    path = Path(outbox_dir) / "outbox.sqlite3"
    if not path.exists() or not alert_ids:
        return {}
    found: dict[str, list[dict[str, str]]] = {}
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as db:
        try:
            rows = db.execute(f"SELECT alert_id, channel, coalesce(last_error, '') FROM outbox WHERE status = "
                              f"'failed' AND alert_id IN ({','.join('?' * len(alert_ids))}) ORDER BY created_at",
                              list(alert_ids)).fetchall()
        except sqlite3.OperationalError:  # an outbox from before dead letters existed
            return {}
    for alert_id, channel, error in rows:
        found.setdefault(alert_id, []).append({"channel": channel, "error": error})
    return found
