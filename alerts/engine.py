"""Evaluate every alert rule as of `now`: detectors read the past from the store, state reconciles, events return."""

from __future__ import annotations

import logging
from datetime import datetime

from alerts.detectors import DETECTORS
from alerts.state import apply_findings
from core.config import Config
from core.model import AlertEvent, utc
from storage.base import MentionStore

log = logging.getLogger(__name__)


def evaluate_rules(store: MentionStore, config: Config, now: datetime) -> list[AlertEvent]:
    """Persist new, updated, escalated and resolved events; return those that need a notification.

    A rule without a brand runs once per configured brand (alerts are grouped per brand). A detector that
    fails is logged and skipped: its open alerts are left as they are rather than wrongly resolved.
    """
    now = utc(now)
    notify: list[AlertEvent] = []
    for rule in config.alerts:
        detector = DETECTORS[rule.detector]
        brands = [rule.brand] if rule.brand else [b.name for b in config.brands]
        for brand in brands:
            try:
                findings = detector(store, config, rule, brand, now)
            except Exception:
                log.exception("alert rule %s (brand %s): detector %s failed; skipped", rule.name, brand, rule.detector)
                continue
            notify.extend(apply_findings(store, rule, brand, findings, now))
    return notify
