"""What is true about an alert when it is notified, beyond its detector's figures: how many of its complaints are
still unanswered and, when it resolves, what the series reads now. Kept in `details["facts"]` for the messages
(alerts/messages.py), which have no store to ask."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from alerts.findings import rule_filter
from core.config import AlertRule
from core.model import AlertEvent
from core.timebuckets import parse_interval
from storage.base import MentionStore


def note_facts(store: MentionStore, rule: AlertRule, event: AlertEvent, now: datetime) -> None:
    facts: dict[str, object] = {"metric": rule.metric, "window": rule.window, "limit_minutes": rule.limit_minutes,
                                "at": now.isoformat()}
    if event.window_start is not None and event.window_end is not None:
        complaints = replace(rule_filter(rule, event.brand, metric="complaints"), since=event.window_start,
                             until=event.window_end)
        facts["complaints"] = store.count(complaints)
        facts["unanswered"] = store.count(replace(complaints, unanswered=True, is_owned=False))
    if event.status == "resolved":
        # the figure of the rule's own window ending now: what a RESOLVED message must say, not the last peak
        since = now - parse_interval(rule.window)
        facts["now_observed"] = store.count(replace(rule_filter(rule, event.brand), since=since, until=now))
    event.details["facts"] = facts
