"""Incidents: the alerts of one brand that overlap in time, grouped into one crisis, told once per transition.

Grouping (run by alerts.engine after every rule, as of `now`, so the live service, `backtest --rule` and the
replay all group alike; state lives only in the store, as the alerts' does):
- an active alert (open or acknowledged) of a brand that has no unresolved incident opens one, with every
  active alert of the brand at that instant; opened_at is the first one's opened_at;
- an active alert of a brand that has an unresolved incident joins it (alert_ids in the order they joined);
- once every alert of an incident has resolved, the incident waits `incidents.gap` (default 2 h): an alert of
  the brand opening in that time joins it, since the crisis was not over. When the gap passes with none, it
  resolves: resolved_at is when its last alert resolved, window_end the latest window end of its alerts;
- reopen rule: after an incident resolved, an alert of the brand opening (even minutes later, even an alert
  that reopens quietly in its cooldown) joins a NEW incident. A resolved incident, told as such, is never
  reopened, so the record the team received stays true;
- an incident a person closed (status set to resolved on the dashboard) stays closed: its alerts still
  running open no new incident; a new alert of the brand does.

Notices (`IncidentNotice`): `opened` with its first alert(s); `updated` when a new detector joined or the
severity rose since the last notice, at most one per `incidents.update_cooldown` (what is held back goes in
the next one after it); `resolved` with every alert inside. Each is staged (the outbox) before the incident is
saved, like an alert's transition (see alerts.notify).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from alerts.faults import crash_point
from alerts.findings import SEVERITY_RANK
from core import wording
from core.config import Config, IncidentSettings
from core.model import AlertEvent, Incident, utc
from core.text import fold

ACTIVE = ("open", "acknowledged")
UNRESOLVED = ("open", "handling")
MAX_ALERTS = 500  # alerts of one brand read per evaluation (far above any real crisis)
IncidentTransition = Literal["opened", "updated", "resolved"]
# alerts opening at one instant join in this order, the first naming the incident: the surge before its effects
DETECTOR_ORDER = ("volume_spike", "slow_build", "negative_share", "viral_mention", "emerging_term",
                  "unanswered_complaint", "sla_risk")


class IncidentNotice(BaseModel):
    """One notification of an incident transition, with the incident and its alerts as they were then."""

    transition: IncidentTransition
    at: datetime
    incident: Incident
    alerts: list[AlertEvent] = []

    @property
    def id(self) -> str:
        return self.incident.id

    @property
    def severity(self) -> str:
        return self.incident.severity


Stage = Callable[[Sequence[Any]], object]


def incident_id(brand: str, opened_at: datetime, first_alert: str) -> str:
    """Stable: the same alerts at the same instant give the same id (a re-run after a crash finds it)."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(brand)).strip("-") or "brand"
    digest = hashlib.sha1(f"{brand}|{first_alert}".encode()).hexdigest()[:6]
    return f"inc-{slug[:40]}-{utc(opened_at):%Y%m%dT%H%M}-{digest}"


def incident_title(first: AlertEvent, brand: str) -> str:
    """What the incident is called, from its first alert, in the catalogue's default language."""
    facts = first.details.get("facts")
    metric = facts.get("metric", "complaints") if isinstance(facts, dict) else "complaints"
    metric = metric if metric in ("complaints", "negative", "all") else "all"
    metric_word = wording.text(wording.DEFAULT_LANGUAGE, f"metric.{metric}")
    key = f"incident.title.{first.detector}"
    if key not in wording.catalogue(wording.DEFAULT_LANGUAGE):
        key = "incident.title.other"
    return wording.text(wording.DEFAULT_LANGUAGE, key, brand=brand, metric=metric_word)


def reconcile(store: Any, config: Config, now: datetime, stage: Stage | None = None) -> list[IncidentNotice]:
    """Bring every brand's incidents up to its alerts as of `now`; return the notices to deliver."""
    now = utc(now)
    notices: list[IncidentNotice] = []
    for brand in [b.name for b in config.brands]:
        notice = _reconcile_brand(store, config.incidents, brand, now, stage)
        if notice is not None:
            notices.append(notice)
    return notices


def _reconcile_brand(store: Any, settings: IncidentSettings, brand: str, now: datetime,
                     stage: Stage | None) -> IncidentNotice | None:
    active = [e for e in store.list_alerts(brand=brand, status=ACTIVE, limit=MAX_ALERTS)
              if e.brand == brand and e.opened_at <= now]
    active.sort(key=lambda e: (e.opened_at, _rank(e.detector), e.id))
    unresolved = store.list_incidents(brand=brand, status=UNRESOLVED, limit=1)
    current = unresolved[0] if unresolved else None
    if current is None:
        active = [e for e in active if not _closed_by_person(store, e)]
        if not active:
            return None
        incident = _new(brand, active, now)
        return _commit(store, incident, IncidentNotice(transition="opened", at=now, incident=incident,
                                                       alerts=active), stage, now)
    evaluated = current.details.get("evaluated_at")
    if evaluated and datetime.fromisoformat(str(evaluated)) > now:
        return None  # evaluated at a later instant already: going over the past changes nothing
    members = [a for a in (store.get_alert(i) for i in current.alert_ids) if a is not None]
    joined = [e for e in active if e.id not in current.alert_ids and not _closed_by_person(store, e)]
    before = current.model_dump()
    _absorb(current, [*members, *joined], joined)
    alerts = [*members, *joined]
    if active:
        current.details.pop("quiet_since", None)
        notice = _update_notice(current, settings, alerts, now)
    else:
        notice = _resolve_or_wait(current, settings, alerts, now)
    if notice is None and current.model_dump() == before:
        return None
    current.updated_at = max(current.updated_at, now)
    return _commit(store, current, notice, stage, now)


def _rank(detector: str) -> int:
    return DETECTOR_ORDER.index(detector) if detector in DETECTOR_ORDER else len(DETECTOR_ORDER)


def _closed_by_person(store: Any, alert: AlertEvent) -> bool:
    """The alert's incident was closed by a person while it ran: it is not a new crisis of its own."""
    held = store.incident_of_alert(alert.id)
    return held is not None and held.status == "resolved" and bool(held.details.get("closed_by"))


def _new(brand: str, active: list[AlertEvent], now: datetime) -> Incident:
    first = active[0]
    incident = Incident(
        id=incident_id(brand, first.opened_at, first.id), brand=brand, opened_at=first.opened_at, updated_at=now,
        window_start=first.window_start or first.opened_at, title=incident_title(first, brand),
    )
    _absorb(incident, active, active)
    incident.details["told"] = {"detectors": list(incident.detectors), "severity": incident.severity,
                                "at": now.isoformat()}
    return incident


def _absorb(incident: Incident, alerts: list[AlertEvent], joined: list[AlertEvent]) -> None:
    """Add the joining alerts; severity, detectors and window start follow all of them."""
    for alert in joined:
        if alert.id not in incident.alert_ids:
            incident.alert_ids.append(alert.id)
        if alert.detector not in incident.detectors:
            incident.detectors.append(alert.detector)
    if alerts:
        incident.severity = max((a.severity for a in alerts), key=lambda s: SEVERITY_RANK[s])  # type: ignore
        starts = [a.window_start or a.opened_at for a in alerts]
        incident.window_start = min([incident.window_start, *starts])


def _update_notice(incident: Incident, settings: IncidentSettings, alerts: list[AlertEvent],
                   now: datetime) -> IncidentNotice | None:
    """An update when the incident grew since it was last told of (new detector, higher severity), bounded."""
    told = incident.details.get("told") or {}
    new_detector = any(d not in told.get("detectors", []) for d in incident.detectors)
    rose = SEVERITY_RANK[incident.severity] > SEVERITY_RANK.get(str(told.get("severity", "warning")), 1)
    if not settings.updates or not (new_detector or rose):
        return None
    last = datetime.fromisoformat(str(told.get("at", incident.opened_at.isoformat())))
    if now - last < settings.update_delta():
        return None  # held back: told with the next notice once the cooldown has passed
    incident.details["told"] = {"detectors": list(incident.detectors), "severity": incident.severity,
                                "at": now.isoformat()}
    return IncidentNotice(transition="updated", at=now, incident=incident, alerts=alerts)


def _resolve_or_wait(incident: Incident, settings: IncidentSettings, alerts: list[AlertEvent],
                     now: datetime) -> IncidentNotice | None:
    """Every alert has resolved: resolve once the gap has passed, else remember since when it is quiet."""
    ends = [a.resolved_at for a in alerts if a.resolved_at is not None]
    quiet = max(ends) if ends else now
    if now - quiet < settings.gap_delta():
        incident.details["quiet_since"] = quiet.isoformat()
        return None
    incident.status = "resolved"
    incident.resolved_at = quiet
    windows = [a.window_end for a in alerts if a.window_end is not None]
    incident.window_end = max(windows) if windows else quiet
    incident.details.pop("quiet_since", None)
    return IncidentNotice(transition="resolved", at=now, incident=incident, alerts=alerts)


def _commit(store: Any, incident: Incident, notice: IncidentNotice | None, stage: Stage | None,
            now: datetime) -> IncidentNotice | None:
    """Stage the notice (the outbox), then save the incident with the transition in its history."""
    incident.details["evaluated_at"] = now.isoformat()
    if notice is not None:
        incident.details.setdefault("history", []).append({"at": notice.at.isoformat(),
                                                           "transition": notice.transition})
        notice.incident = incident.model_copy(deep=True)
        if stage is not None:
            stage([notice])
    store.save_incident(incident)
    crash_point("incident-saved")
    return notice


def acknowledge(store: Any, incident_id_: str, by: str | None, now: datetime) -> Incident | None:
    """A person took the incident: status handling (unless resolved), owner `by` when it had none."""
    incident = store.get_incident(incident_id_)
    if incident is None:
        return None
    now = utc(now)
    if incident.status == "open":
        incident.status = "handling"
    if incident.acknowledged_at is None:
        incident.acknowledged_at, incident.acknowledged_by = now, by
    if incident.owner is None and by:
        incident.owner = by
    incident.updated_at = max(incident.updated_at, now)
    store.save_incident(incident)
    return incident
