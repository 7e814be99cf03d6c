"""Alert state kept in the store: open, escalate, suppress repeats, resolve, acknowledge.

State lives only in the store (AlertEvent rows), so a restarted process picks up open alerts where it left
them, and re-evaluating at the same instant changes nothing that was already notified.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from alerts.facts import note_facts
from alerts.faults import crash_point
from alerts.findings import SEVERITY_RANK, Finding
from core.config import AlertRule
from core.model import AlertEvent, Mention, utc
from core.timebuckets import parse_interval
from storage.base import MentionStore

SAMPLE_TEXT_CHARS = 280
# called with an event to notify before its state is saved (the outbox stages its deliveries: see alerts.notify);
# alerts.incidents hands it incident notices the same way
Stage = Callable[[Sequence[Any]], object]


def _sample(mention: Mention) -> dict[str, Any]:
    text = mention.text if len(mention.text) <= SAMPLE_TEXT_CHARS else mention.text[: SAMPLE_TEXT_CHARS - 1] + "…"
    return {
        "id": mention.id, "url": mention.url, "author": mention.author, "platform": mention.platform,
        "source": mention.source, "published_at": mention.published_at.isoformat(), "title": mention.title,
        "text": text, "sentiment": mention.sentiment, "intent": mention.intent,
    }


def _alert_id(rule: str, brand: str | None, key: str, opened: datetime) -> str:
    return hashlib.sha1(f"{rule}|{brand or ''}|{key}|{opened.isoformat()}".encode()).hexdigest()[:16]


def _fill(event: AlertEvent, finding: Finding, now: datetime) -> None:
    event.updated_at = now
    for name in ("observed", "expected", "expected_low", "expected_high", "score", "window_start", "window_end"):
        setattr(event, name, getattr(finding, name))
    event.title = finding.title
    event.summary = finding.summary
    if finding.top_terms or not event.top_terms:
        event.top_terms = list(finding.top_terms)
    if finding.samples:
        event.sample_ids = [m.id for m in finding.samples]
        event.details["samples"] = [_sample(m) for m in finding.samples]
    event.details.pop("incomplete", None)  # said again by the finding while its window is still incomplete
    event.details.update(finding.details)


def _mark(event: AlertEvent, transition: str, now: datetime) -> None:
    event.details["transition"] = transition
    event.details["notified_at"] = now.isoformat()
    history = event.details.setdefault("history", [])
    history.append({"at": now.isoformat(), "transition": transition, "severity": event.severity})


def _save_notified(store: MentionStore, rule: AlertRule, event: AlertEvent, now: datetime,
                   stage: Stage | None) -> None:
    note_facts(store, rule, event, now)  # what the messages say beyond the detector's figures; staged with it
    if stage is not None:
        stage([event])
    store.save_alert(event)
    crash_point("alert-saved")


def apply_findings(
    store: MentionStore, rule: AlertRule, brand: str | None, findings: list[Finding], now: datetime,
    stage: Stage | None = None, *, incomplete: Sequence[str] = (),
) -> list[AlertEvent]:
    """Reconcile one rule's findings for one brand with its stored alerts; return the events to notify.

    `stage` receives each event to notify just before its state is saved (so a crash between the two loses
    nothing: see alerts.notify). `incomplete`: the sources that were blind in the rule's window; nothing resolves
    on such a window, and the open alerts it holds say why."""
    now = utc(now)
    cooldown = parse_interval(rule.cooldown)
    stored = store.list_alerts(rule=rule.name, brand=brand, limit=500)
    stored = [e for e in stored if e.brand == brand]
    latest: dict[str, AlertEvent] = {}
    for event in stored:  # newest first
        latest.setdefault(str(event.details.get("key", "")), event)
    active = {key: e for key, e in latest.items() if e.status != "resolved"}
    notify: list[AlertEvent] = []
    seen: set[str] = set()
    for finding in findings:
        seen.add(finding.key)
        event = active.get(finding.key)
        if event is not None:
            if event.updated_at <= now:
                if _update(event, finding, now, cooldown):
                    _save_notified(store, rule, event, now, stage)
                    notify.append(event)
                else:
                    store.save_alert(event)
            continue  # (an alert evaluated later already: a replay of the past changes nothing)
        if not finding.firing:
            continue
        previous = latest.get(finding.key)
        if previous is not None and previous.resolved_at is not None and now - previous.resolved_at < cooldown \
                and previous.resolved_at <= now:
            # back within the cooldown: the same alert again, reopened quietly instead of a repeat message
            previous.status = "open"
            previous.resolved_at = None
            _fill(previous, finding, now)
            previous.details.setdefault("history", []).append({"at": now.isoformat(), "transition": "reopened"})
            store.save_alert(previous)
            continue
        if previous is not None and previous.opened_at >= now:
            continue  # already opened at this instant (or after it): nothing fires twice
        event = AlertEvent(
            id=_alert_id(rule.name, brand, finding.key, now), rule=rule.name, detector=rule.detector, brand=brand,
            severity=finding.severity,  # type: ignore[arg-type]
            status="open", opened_at=now, updated_at=now, details={"key": finding.key},
        )
        _fill(event, finding, now)
        _mark(event, "opened", now)
        _save_notified(store, rule, event, now, stage)
        notify.append(event)
    unseen = [e for key, e in active.items() if key not in seen and e.updated_at <= now]
    return notify + _resolve_unseen(store, rule, unseen, now, stage, incomplete)


def _resolve_unseen(store: MentionStore, rule: AlertRule, unseen: list[AlertEvent], now: datetime,
                    stage: Stage | None, incomplete: Sequence[str]) -> list[AlertEvent]:
    """Resolve the open alerts no finding spoke of; on an incomplete window hold them open, marked, instead."""
    notify: list[AlertEvent] = []
    for event in unseen:
        if incomplete:  # not seen, but on a window that could not see: held open, marked
            if event.details.get("incomplete") != list(incomplete):
                event.details["incomplete"] = list(incomplete)
                event.details.setdefault("history", []).append(
                    {"at": now.isoformat(), "transition": "held", "incomplete": list(incomplete)})
                store.save_alert(event)
        else:
            _resolve(event, now)
            _save_notified(store, rule, event, now, stage)
            notify.append(event)
    return notify


def _update(event: AlertEvent, finding: Finding, now: datetime, cooldown: timedelta) -> bool:
    """Refresh an open alert with the latest finding (not saved); True when it escalated (and is to be notified)."""
    _fill(event, finding, now)
    escalate = SEVERITY_RANK[finding.severity] > SEVERITY_RANK[event.severity]
    notified = datetime.fromisoformat(str(event.details.get("notified_at", event.opened_at.isoformat())))
    if finding.firing and event.severity == "warning" and now - notified >= cooldown:
        escalate = True  # a spike that goes on for a whole cooldown is worse than one that passes
        finding.severity = "critical"
    if escalate:
        event.severity = finding.severity  # type: ignore[assignment]
        _mark(event, "escalated", now)
    return escalate


def _resolve(event: AlertEvent, now: datetime) -> None:
    event.details.pop("incomplete", None)  # resolved on a window that saw everything
    event.status = "resolved"
    event.resolved_at = now
    event.updated_at = now
    event.summary = f"Back to normal. {event.summary}"
    _mark(event, "resolved", now)


def acknowledge(store: MentionStore, alert_id: str, by: str | None, now: datetime) -> AlertEvent | None:
    """Mark an alert as seen by a person; it still resolves (and notifies) when the series is back to normal."""
    event = store.get_alert(alert_id)
    if event is None:
        return None
    if event.status == "open":
        event.status = "acknowledged"
        event.acknowledged_at = utc(now)
        event.acknowledged_by = by
        event.updated_at = utc(now)
        event.details.setdefault("history", []).append(
            {"at": utc(now).isoformat(), "transition": "acknowledged", "by": by}
        )
        store.save_alert(event)
    return event


def transition_of(event: AlertEvent) -> str:
    return str(event.details.get("transition", "opened"))


def step_of(event: Any) -> tuple[str, str]:
    """The notification an event stands for: its transition and the instant it was marked. `event` is an
    AlertEvent or an incident notice (alerts.incidents.IncidentNotice: its transition and instant)."""
    if not isinstance(event, AlertEvent):
        return str(event.transition), utc(event.at).isoformat()
    return transition_of(event), str(event.details.get("notified_at", event.updated_at.isoformat()))


def idempotency_key(event: Any) -> str:
    """Alert id (or incident id) and transition, with the instant of that transition (an alert reopened in its
    cooldown can resolve twice); the same on every attempt, so a receiver can drop the duplicate of an
    at-least-once retry. The one key of every notification, alert or incident."""
    transition, at = step_of(event)
    return f"{event.id}:{transition}:{at}"
