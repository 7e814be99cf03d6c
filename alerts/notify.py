"""Delivery through a persisted outbox: stage, save the alert's state, release; then deliver with retries.

Nothing is lost: the outbox rows of a notification are written (staged) before the alert's state is saved, and
released after; a crash between the two leaves staged rows that `recover` releases when the store holds that
state, or drops when it does not (the next evaluation then decides afresh). This works whatever the store is
(SQLite or Elasticsearch): the outbox never needs a transaction shared with it.
A channel that is down loses nothing: its deliveries stay pending, retried with a backoff capped at 5 minutes
(or at the receiver's Retry-After, never before it). A message the receiver refuses for good (HTTP 4xx but
408/429, SMTP 5xx to the message) is dead-lettered (`failed`) and the channel goes on with the others. On each
channel an alert's messages go out in order (a RESOLVED never before its ALERT). Delivery is at least once: a
crash after sending and before recording it sends that message again, with the same idempotency key.
Quiet hours hold non-critical messages until they end. Digests (alerts/digest.py) go through the same outbox,
one row per digest, period and channel.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from alerts import channels, outbox
from alerts.digest import DigestReport
from alerts.faults import crash_point
from core.config import Config, QuietHours
from core.model import AlertEvent
from storage.base import AlertStore
from storage.sqlite_schema import migrate

log = logging.getLogger(__name__)

STAGED_GRACE = timedelta(minutes=10)  # staged rows of a live process are its own business for this long


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0  # attempts that failed in this flush (they stay pending)
    pending: int = 0  # still waiting in the outbox after this flush
    dead: int = 0  # refused for good in this flush (dead-lettered: status `failed`)


@dataclass
class _Failure:
    error: str
    permanent: bool = False
    retry_after: float | None = None


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
        self.owner = outbox.owner_token()
        outbox_dir = Path(outbox_dir)
        outbox_dir.mkdir(parents=True, exist_ok=True)
        self.path = outbox_dir / "outbox.sqlite3"
        # one connection per thread: each channel is flushed from its own thread
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        migrate(self._db, outbox.MIGRATIONS)

    @property
    def _db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on the outbox (BEGIN IMMEDIATE: a second process waits instead of failing)."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    # writing: stage before the state is saved, release after
    def stage(self, events: Sequence[Any]) -> int:
        """Write one delivery per notification and channel, not yet deliverable; idempotent. Returns how many
        were new. A notification is an AlertEvent (to the channels of its rule that take alerts) or an incident
        notice (alerts.incidents: to the channels of its alerts' rules that take incidents, see
        `incidents.notify` in the config)."""
        now = self.clock()
        added = 0
        with self._transaction() as db:
            for event in events:
                targets = self._targets(event)
                if targets is None:
                    continue
                names, quiet = targets
                held = quiet_until(quiet, now) if event.severity != "critical" else None
                key = outbox.idempotency_key(event)
                step_at = datetime.fromisoformat(outbox.step_of(event)[1]).timestamp()
                for name in names:
                    # quiet hours spare people (email, Slack); files and webhooks are machines and get it now
                    due = (held if held and self._kinds[name] in ("email", "slack") else now).timestamp()
                    added += db.execute(
                        "INSERT OR IGNORE INTO outbox (id, channel, event, status, created_at, next_attempt_at, "
                        "alert_id, step_at, idempotency_key, owner, kind) "
                        "VALUES (?, ?, ?, 'staged', ?, ?, ?, ?, ?, ?, ?)",
                        (f"{key}:{name}", name, event.model_dump_json(), now.timestamp(), due, event.id, step_at,
                         key, self.owner, outbox.kind_of(event)),
                    ).rowcount
                    if due <= now.timestamp():  # a critical step in quiet hours brings the held ones before it
                        db.execute("UPDATE outbox SET next_attempt_at = ? WHERE alert_id = ? AND channel = ? "
                                   "AND status IN ('staged', 'pending') AND attempts = 0 AND next_attempt_at > ? "
                                   "AND step_at < ?", (due, event.id, name, due, step_at))
        return added

    def enqueue_digest(self, report: DigestReport, channel_names: Sequence[str],
                       quiet: QuietHours | None = None) -> int:
        """Persist one delivery of a digest per channel, due now or at the end of the quiet hours `now` falls in
        (email and Slack: people; files and webhooks get it now). Idempotent on the digest and period
        (DigestReport.key): a restart that builds the same digest again adds nothing. Returns how many were new."""
        now = self.clock()
        held = quiet_until(quiet, now)
        known = self._kinds
        raw = json.dumps({"digest": report.as_dict()}, ensure_ascii=False)
        added = 0
        with self._transaction() as db:
            for name in channel_names:
                if name not in known:
                    log.warning("digest %s: channel %s is not configured; not delivered", report.name, name)
                    continue
                due = (held if held and known[name] in ("email", "slack") else now).timestamp()
                added += db.execute(
                    "INSERT OR IGNORE INTO outbox (id, channel, event, status, created_at, next_attempt_at, "
                    "alert_id, step_at, idempotency_key, owner, kind) "
                    "VALUES (?, ?, ?, 'pending', ?, ?, NULL, ?, ?, NULL, 'digest')",
                    (f"{report.key}:{name}", name, raw, now.timestamp(), due, now.timestamp(), report.key),
                ).rowcount
        return added

    @property
    def _kinds(self) -> dict[str, str]:
        return {c.name: c.kind for c in self.config.channels}

    def _targets(self, event: Any) -> tuple[list[str], QuietHours | None] | None:
        """The channels a notification goes to and the quiet hours it keeps; None when its rule is gone.

        An alert of a brand goes only to channels that take alerts (the others hear of it in its incident's
        messages); an alert without a brand belongs to no incident and goes to all of its rule's channels."""
        rules = {r.name: r for r in self.config.alerts}
        settings = self.config.incidents
        if isinstance(event, AlertEvent):
            rule = rules.get(event.rule)
            if rule is None:
                log.warning("alert %s: rule %s is no longer configured; not delivered", event.id, event.rule)
                return None
            names = [n for n in rule.channels if n in self._kinds
                     and (event.brand is None or settings.mode(n) == "alerts")]
            return names, rule.quiet_hours
        own = [rules[a.rule] for a in event.alerts if a.rule in rules]
        names = [n for n in dict.fromkeys(n for r in own for n in r.channels)
                 if n in self._kinds and settings.mode(n) == "incidents"]
        return names, next((r.quiet_hours for r in own if r.quiet_hours is not None), None)

    def release(self, events: Sequence[Any]) -> None:
        """The state of these events is saved: their deliveries may go."""
        keys = [(outbox.idempotency_key(e),) for e in events]
        with self._transaction() as db:
            db.executemany("UPDATE outbox SET status = 'pending' WHERE idempotency_key = ? AND status = 'staged'",
                           keys)

    def enqueue(self, events: Sequence[Any]) -> int:
        """Persist one delivery per notification and channel (as `stage`), deliverable now; idempotent."""
        added = self.stage(events)
        self.release(events)
        return added

    def recover(self, store: AlertStore) -> int:
        """Release the staged deliveries whose alert state reached the store, drop those whose state did not
        (a crash between staging and saving); dead-letter those of channels no longer configured. Returns how
        many were released."""
        now = self.clock()
        released = 0
        rows = self._db.execute("SELECT DISTINCT idempotency_key, kind, event, owner, created_at FROM outbox "
                                "WHERE status = 'staged'").fetchall()
        for key, kind, raw, owner, created_at in rows:
            mine_or_dead = owner == self.owner or outbox.owner_dead(owner)
            if not mine_or_dead and now.timestamp() - created_at < STAGED_GRACE.total_seconds():
                continue  # another live process is between staging and saving
            event = outbox.decode(kind, raw)
            if outbox.was_saved(outbox.stored_state(store, event), event):
                released += self._db.execute("UPDATE outbox SET status = 'pending' WHERE idempotency_key = ? "
                                             "AND status = 'staged'", (key,)).rowcount
            else:
                self._db.execute("DELETE FROM outbox WHERE idempotency_key = ? AND status = 'staged'", (key,))
        known = [c.name for c in self.config.channels]
        self._db.execute(
            f"UPDATE outbox SET status = 'failed', last_error = 'channel no longer configured' "
            f"WHERE status IN ('pending', 'sending') AND channel NOT IN ({','.join('?' * len(known))})", known)
        if released:
            log.info("outbox: %d deliveries staged before a crash released", released)
        return released

    def pending(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")
                   .fetchone()[0])

    # delivering
    def flush(self, channel: str | None = None) -> DeliveryReport:
        """Deliver everything due (on one channel, or on each in turn); failures stay pending with a backoff."""
        report = DeliveryReport()
        for configured in self.config.channels:
            if channel is None or configured.name == channel:
                self._flush_channel(configured, report)
        report.pending = self.pending()
        return report

    def _flush_channel(self, channel: Any, report: DeliveryReport) -> None:
        now = self.clock()
        rows = self._db.execute(
            "SELECT id, event, attempts, status, owner, next_attempt_at, alert_id, step_at, idempotency_key, kind "
            "FROM outbox WHERE channel = ? AND (status = 'sending' OR (status = 'pending' AND next_attempt_at <= ?)) "
            "ORDER BY step_at, created_at, id", (channel.name, now.timestamp()),
        ).fetchall()
        for delivery_id, raw, attempts, status, owner, next_at, alert_id, step_at, key, kind in rows:
            if self._earlier_undone(channel.name, alert_id, step_at) or not self._claim(
                    delivery_id, status, owner, next_at, now):
                continue
            item = outbox.decode(kind, raw)
            if isinstance(item, AlertEvent):
                item.details["idempotency_key"] = key  # what the channels put in payloads and headers
            crash_point("delivery-claimed")
            failure = self._attempt(channel, item, delivery_id)
            label = item.key if isinstance(item, DigestReport) else item.id
            if failure is None:
                crash_point("delivery-sent")
                self._db.execute("UPDATE outbox SET status = 'delivered', delivered_at = ?, attempts = ?, "
                                 "last_error = NULL, owner = NULL WHERE id = ?", (time.time(), attempts + 1,
                                                                                 delivery_id))
                report.delivered += 1
            elif failure.permanent:
                log.error("delivery %s via %s refused: %s (dead-lettered; the channel goes on)",
                          label, channel.name, failure.error)
                self._db.execute("UPDATE outbox SET status = 'failed', attempts = ?, last_error = ?, owner = NULL "
                                 "WHERE id = ?", (attempts + 1, failure.error, delivery_id))
                report.dead += 1
            else:
                retry = outbox.due_at(self.clock(), attempts, failure.retry_after)
                log.warning("delivery %s via %s failed: %s (next attempt at %s)", label, channel.name,
                            failure.error, f"{retry:%H:%M:%S}")
                self._retry_later(channel.name, delivery_id, attempts, failure.error, retry)
                report.failed += 1
                return  # the channel is down (or asked us to wait): its other items wait as well

    def _earlier_undone(self, channel: str, alert_id: str | None, step_at: float | None) -> bool:
        """An earlier message of the same alert on this channel is not delivered yet (nor given up on)."""
        if alert_id is None or step_at is None:
            return False
        return self._db.execute(
            f"SELECT 1 FROM outbox WHERE alert_id = ? AND channel = ? AND step_at < ? "
            f"AND status IN ({','.join('?' * len(outbox.UNDONE))}) LIMIT 1",
            (alert_id, channel, step_at, *outbox.UNDONE),
        ).fetchone() is not None

    def _claim(self, delivery_id: str, status: str, owner: str | None, next_at: float, now: datetime) -> bool:
        """Take the item for this flush; a second process skips it. A claim whose owner is dead (a crash
        mid-send) is taken over at once, a live one on another host after its lease (at least once, never lost)."""
        if status == "sending" and next_at > now.timestamp() and (owner == self.owner or not outbox.owner_dead(owner)):
            return False  # being sent right now, by this process or a live other one
        return self._db.execute(
            "UPDATE outbox SET status = 'sending', owner = ?, next_attempt_at = ? WHERE id = ? AND status = ? "
            "AND owner IS ? AND next_attempt_at = ?",
            (self.owner, (now + outbox.LEASE).timestamp(), delivery_id, status, owner, next_at),
        ).rowcount == 1

    def _resolved(self, channel: Any) -> Any:
        if channel.kind == "file" and not Path(channel.path).expanduser().is_absolute():
            return channel.model_copy(update={"path": str(self.files_dir / channel.path)})
        return channel

    def _attempt(self, channel: Any, item: Any, delivery_id: str) -> _Failure | None:
        """One delivery of an alert, an incident notice or a digest, with quick retries."""
        failure = _Failure("not attempted")
        for delay in (0.0, *self.retry_delays):
            if delay:
                time.sleep(delay)
            try:
                if isinstance(item, DigestReport):
                    channels.send_digest(self._resolved(channel), item, delivery_id)
                else:
                    channels.send(self._resolved(channel), item, self.dashboard_url, delivery_id)
                return None
            except channels.DeliveryError as exc:
                failure = _Failure(str(exc), exc.permanent, exc.retry_after)
                if exc.permanent or exc.retry_after is not None:
                    return failure  # refused for good, or told when to come back: no retry before that
            except Exception as exc:  # a bug in one channel must not stop the others
                failure = _Failure(type(exc).__name__)
        return failure

    def _retry_later(self, channel: str, delivery_id: str, attempts: int, error: str, retry: datetime) -> None:
        """Schedule the failed item at `retry`, and the channel's other due items no earlier (untried, they
        keep their attempt count)."""
        db = self._db
        db.execute("UPDATE outbox SET status = 'pending', attempts = ?, next_attempt_at = ?, last_error = ?, "
                   "owner = NULL WHERE id = ?", (attempts + 1, retry.timestamp(), error, delivery_id))
        db.execute("UPDATE outbox SET next_attempt_at = ? WHERE channel = ? AND status = 'pending' "
                   "AND next_attempt_at < ?", (retry.timestamp(), channel, retry.timestamp()))

    def items(self) -> list[dict[str, object]]:
        """The outbox rows (for the CLI and tests): id, channel, status, attempts, last_error and more."""
        names = ("id", "channel", "status", "attempts", "last_error", "alert_id", "idempotency_key",
                 "next_attempt_at")
        rows = self._db.execute(f"SELECT {', '.join(names)} FROM outbox ORDER BY created_at, id")
        return [dict(zip(names, r, strict=True)) for r in rows]

