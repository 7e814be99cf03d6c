"""Delivery through a persisted outbox: enqueue first (SQLite in the outbox folder), then deliver with retries.

A channel that is down loses nothing: its deliveries stay pending with a growing backoff and go out on a
later flush, from this process or the next one. Quiet hours hold non-critical messages until they end.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from alerts import channels
from alerts.state import transition_of
from core.config import Config, QuietHours
from core.model import AlertEvent

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
LEASE = timedelta(minutes=10)  # how long a delivery claimed by one flush is left alone by the others
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY, channel TEXT NOT NULL, event TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, next_attempt_at REAL NOT NULL,
    delivered_at REAL, last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(status, next_attempt_at);
"""


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0  # attempts that failed in this flush (they stay pending)
    pending: int = 0  # still waiting in the outbox after this flush


def quiet_until(quiet: QuietHours | None, now: datetime) -> datetime | None:
    """The end of the quiet period `now` falls in, or None when it is not quiet."""
    if quiet is None:
        return None
    local = now.astimezone(ZoneInfo(quiet.timezone))
    start = local.replace(hour=int(quiet.start[:2]), minute=int(quiet.start[3:]), second=0, microsecond=0)
    end = local.replace(hour=int(quiet.end[:2]), minute=int(quiet.end[3:]), second=0, microsecond=0)
    if start <= end:
        return end.astimezone(UTC) if start <= local < end else None
    if local >= start:  # over midnight: 23:00-07:00
        return (end + timedelta(days=1)).astimezone(UTC)
    if local < end:
        return end.astimezone(UTC)
    return None


class Dispatcher:
    def __init__(self, config: Config, outbox_dir: Path, dashboard_url: str | None = None, *,
                 retry_delays: Sequence[float] = (1.0, 4.0), clock: Callable[[], datetime] | None = None,
                 files_dir: Path | None = None) -> None:
        self.config = config
        # relative paths of file channels are under files_dir (default: the folder holding the outbox's folder,
        # the data directory in the shell's layout)
        self.files_dir = Path(files_dir) if files_dir is not None else Path(outbox_dir).parent
        self.dashboard_url = dashboard_url or config.dashboard.public_url
        self.retry_delays = tuple(retry_delays)  # in-flush retries before an item waits for a later flush
        self.clock = clock or (lambda: datetime.now(UTC))
        outbox_dir = Path(outbox_dir)
        outbox_dir.mkdir(parents=True, exist_ok=True)
        self.path = outbox_dir / "outbox.sqlite3"
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def enqueue(self, events: Sequence[AlertEvent]) -> int:
        """Persist one delivery per event and channel of its rule; idempotent. Returns how many were new."""
        rules = {r.name: r for r in self.config.alerts}
        known = {c.name: c.kind for c in self.config.channels}
        now = self.clock()
        added = 0
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for event in events:
                rule = rules.get(event.rule)
                if rule is None:
                    log.warning("alert %s: rule %s is no longer configured; not delivered", event.id, event.rule)
                    continue
                held = quiet_until(rule.quiet_hours, now) if event.severity != "critical" else None
                step = f"{transition_of(event)}:{event.details.get('notified_at', event.updated_at.isoformat())}"
                for name in rule.channels:
                    if name not in known:
                        continue
                    # quiet hours spare people (email, Slack); files and webhooks are machines and get it now
                    due = (held if held and known[name] in ("email", "slack") else now).timestamp()
                    cur = self._db.execute(
                        "INSERT OR IGNORE INTO outbox (id, channel, event, created_at, next_attempt_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (f"{event.id}:{step}:{name}", name, event.model_dump_json(), now.timestamp(), due),
                    )
                    added += cur.rowcount
        return added

    def pending(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM outbox WHERE status != 'delivered'").fetchone()[0])

    def flush(self) -> DeliveryReport:
        """Deliver everything due; failures stay pending with exponential backoff (capped at an hour)."""
        report = DeliveryReport()
        now = self.clock()
        rows = self._db.execute(
            "SELECT id, channel, event, attempts FROM outbox WHERE status IN ('pending', 'sending') "
            "AND next_attempt_at <= ? "
            "ORDER BY created_at, id", (now.timestamp(),),
        ).fetchall()
        channels_by_name = {c.name: c for c in self.config.channels}
        down: dict[str, str] = {}  # a channel that failed this flush is not hammered for each of its items
        for delivery_id, channel_name, raw, attempts in rows:
            channel = channels_by_name.get(channel_name)
            if channel is None:
                self._fail(delivery_id, attempts, "channel no longer configured", now)
                report.failed += 1
                continue
            if channel_name in down:
                self._fail(delivery_id, attempts, down[channel_name], now)
                report.failed += 1
                continue
            # claim it first: a second process flushing the same outbox skips it; a claim left by a crash
            # expires after the lease and the item is picked up again (at least once, never lost)
            claimed = self._db.execute(
                "UPDATE outbox SET status = 'sending', next_attempt_at = ? WHERE id = ? "
                "AND status IN ('pending', 'sending') AND next_attempt_at <= ?",
                ((now + LEASE).timestamp(), delivery_id, now.timestamp()),
            ).rowcount
            if not claimed:
                continue
            event = AlertEvent.model_validate_json(raw)
            error = self._attempt(channel, event, delivery_id)
            if error is None:
                self._db.execute("UPDATE outbox SET status = 'delivered', delivered_at = ?, attempts = ?, "
                                 "last_error = NULL WHERE id = ?", (time.time(), attempts + 1, delivery_id))
                report.delivered += 1
            else:
                log.warning("alert delivery %s via %s failed: %s (will retry)", event.id, channel_name, error)
                down[channel_name] = error
                self._fail(delivery_id, attempts, error, now)
                report.failed += 1
        report.pending = self.pending()
        return report

    def _resolved(self, channel: Any) -> Any:
        if channel.kind == "file" and not Path(channel.path).expanduser().is_absolute():
            return channel.model_copy(update={"path": str(self.files_dir / channel.path)})
        return channel

    def _attempt(self, channel: object, event: AlertEvent, delivery_id: str) -> str | None:
        error = None
        for delay in (0.0, *self.retry_delays):
            if delay:
                time.sleep(delay)
            try:
                channels.send(self._resolved(channel), event, self.dashboard_url, delivery_id)
                return None
            except channels.DeliveryError as exc:
                error = str(exc)
            except Exception as exc:  # a bug in one channel must not stop the others
                error = f"{type(exc).__name__}"
        return error

    def _fail(self, delivery_id: str, attempts: int, error: str, now: datetime) -> None:
        backoff = min(timedelta(seconds=30 * 2 ** attempts), MAX_BACKOFF)
        self._db.execute(
            "UPDATE outbox SET status = 'pending', attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
            (attempts + 1, (now + backoff).timestamp(), error, delivery_id),
        )

    def items(self) -> list[dict[str, object]]:
        """The outbox rows (for the CLI and tests): id, channel, status, attempts, last_error."""
        rows = self._db.execute("SELECT id, channel, status, attempts, last_error FROM outbox ORDER BY created_at, id")
        return [dict(zip(("id", "channel", "status", "attempts", "last_error"), r, strict=True)) for r in rows]


def load_event(raw: str) -> AlertEvent:
    return AlertEvent.model_validate(json.loads(raw))
