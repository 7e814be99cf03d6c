"""Evaluate every alert rule as of `now`: detectors read the past from the store, state reconciles, events return."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from alerts.detectors import DETECTORS, live_shape
from alerts.findings import Finding, rule_filter
from alerts.health import BlindSources
from alerts.incidents import IncidentNotice, reconcile
from alerts.state import Stage, apply_findings
from core.config import AlertRule, Config
from core.model import AlertEvent, utc
from core.timebuckets import bucket_start, parse_interval
from storage.base import MentionStore

log = logging.getLogger(__name__)

SERIES_DETECTORS = ("volume_spike", "slow_build")  # they read a series of closed buckets
BRANDLESS = ("source_down",)  # about a source, not a brand: evaluated once, not once per brand


@dataclass
class Evaluation:
    """What one evaluation notifies: alert transitions and incident transitions (alerts.incidents)."""

    alerts: list[AlertEvent] = field(default_factory=list)
    incidents: list[IncidentNotice] = field(default_factory=list)

    @property
    def notifications(self) -> list[AlertEvent | IncidentNotice]:
        """Everything to hand the outbox (each channel takes what its `incidents.notify` mode asks for)."""
        return [*self.alerts, *self.incidents]


def evaluate_rules(store: MentionStore, config: Config, now: datetime, *, stage: Stage | None = None,
                   current_bucket: bool = False) -> list[AlertEvent]:
    """The alert events to notify of `evaluate` (which groups them into incidents as well)."""
    return evaluate(store, config, now, stage=stage, current_bucket=current_bucket).alerts


def evaluate(store: MentionStore, config: Config, now: datetime, *, stage: Stage | None = None,
             current_bucket: bool = False, group: bool = True) -> Evaluation:
    """Persist new, updated, escalated and resolved events, then the brands' incidents; return what needs a
    notification.

    A rule without a brand runs once per configured brand (alerts are grouped per brand). A detector that
    fails is logged and skipped: its open alerts are left as they are rather than wrongly resolved.
    `stage` gets each event to notify before its state is saved (the outbox, see alerts.notify).
    `current_bucket` (live service): a surge in the bucket still filling fires now, not when it closes.
    `group=False` leaves the incidents to a separate `alerts.incidents.reconcile` (the service evaluates its rules
    one by one, each under its lease, then groups once).
    """
    now = utc(now)
    notify: list[AlertEvent] = []
    widest = max((parse_interval(r.window) for r in config.alerts), default=timedelta(hours=1))
    blind_sources = BlindSources(store, config, now, widest)
    for rule in config.alerts:
        detector = DETECTORS[rule.detector]
        brands = [rule.brand] if rule.brand or rule.detector in BRANDLESS else [b.name for b in config.brands]
        for brand in brands:
            try:
                findings = detector(store, config, rule, brand, now)
                if current_bucket and rule.detector in SERIES_DETECTORS:
                    findings = _with_current_bucket(store, config, rule, brand, now, findings)
                blind = [] if rule.detector in BRANDLESS else \
                    blind_sources(brand, now - parse_interval(rule.window), now, rule.filters.get("sources", ()))
            except Exception:
                log.exception("alert rule %s (brand %s): detector %s failed; skipped", rule.name, brand, rule.detector)
                continue
            for finding in findings:
                if blind:
                    finding.details["incomplete"] = blind
            notify.extend(apply_findings(store, rule, brand, findings, now, stage, incomplete=blind))
    return Evaluation(notify, reconcile(store, config, now, stage) if group else [])


def _with_current_bucket(store: MentionStore, config: Config, rule: AlertRule, brand: str | None, now: datetime,
                         findings: list[Finding]) -> list[Finding]:
    """Add what fires when the bucket still filling is counted as it stands.

    The series detectors read closed buckets only, so a surge stored just after a bucket began would wait for
    that bucket to close (5 minutes for a 1-hour window) and the next tick. Evaluated once more as of the end of
    the current bucket (the store holds nothing later, so that bucket counts what arrived so far, which can only
    understate it), a finding that fires there opens or escalates the alert now. Only firing counts: whether an
    alert stays open or resolves is still judged on closed buckets, so a bucket just begun (nearly empty) never
    resolves one.
    """
    interval, shape = live_shape(rule)
    current = bucket_start(now, interval)
    if current == now or not store.count(replace(rule_filter(rule, brand), since=current, until=now)):
        return findings  # nothing in the bucket filling yet (the common case for a quiet brand): no second look
    end = current + timedelta(seconds=shape.bucket_seconds)
    firing = {f.key for f in findings if f.firing}
    early = [f for f in DETECTORS[rule.detector](store, config, rule, brand, end) if f.firing and f.key not in firing]
    if not early:
        return findings
    for finding in early:
        if finding.window_end is not None and finding.window_end > now:
            finding.window_end = now
    by_key = {f.key: f for f in findings}
    by_key.update({f.key: f for f in early})
    return list(by_key.values())
