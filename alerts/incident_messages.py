"""What an incident notice says (alerts.incidents.IncidentNotice), as the same Message the alert media render
(alerts/messages.py: plain text, HTML, Slack blocks, JSON). One message per incident transition: what the
incident is, how many alerts and which detectors it holds, one line per alert inside (each written as its own
alert message would say it), sample mentions while it is open, and the link to its dashboard page. Crawled
text goes through the alerts' own composition, so it is flattened and cut the same way.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from alerts.messages import SUBJECT_CHARS, Message, compose, one_line
from core import wording
from core.model import AlertEvent
from core.wording import Voice

MAX_ITEMS = 12  # alerts listed in one message (a longer incident says how many more)


def incident_link(incident_id: str, dashboard_url: str | None) -> str | None:
    if not dashboard_url:
        return None
    return f"{dashboard_url.rstrip('/')}/incident?id={quote(incident_id)}"


def _title(notice: Any, voice: Voice) -> str:
    """The incident's title in the reader's language, from its first alert (the stored one is English)."""
    first = next((a for a in notice.alerts if notice.incident.alert_ids[:1] == [a.id]), None)
    if first is None:
        return str(notice.incident.title)
    facts = first.details.get("facts")
    metric = facts.get("metric", "complaints") if isinstance(facts, dict) else "complaints"
    metric = metric if metric in ("complaints", "negative", "all") else "all"
    key = f"incident.title.{first.detector}"
    if key not in wording.catalogue(voice.language):
        key = "incident.title.other"
    brand = one_line(notice.incident.brand, 100)
    return voice.text(key, brand=brand, metric=voice.text(f"metric.{metric}"))


def _alert_line(alert: AlertEvent, voice: Voice) -> str:
    said = compose(alert, None, voice)
    status = voice.text(f"status.{alert.status}")
    return one_line(f"{said.title} ({status}): {said.headline}", 600)


def _detectors(detectors: list[str], voice: Voice) -> str:
    known = wording.catalogue(voice.language)
    return ", ".join(voice.text(f"detector.{d}") if f"detector.{d}" in known else one_line(d, 40) for d in detectors)


def _details(notice: Any, voice: Voice) -> list[str]:
    incident, lang = notice.incident, voice.language
    lines = []
    if incident.resolved_at is not None:
        lasted = wording.duration((incident.resolved_at - incident.opened_at).total_seconds(), lang)
        lines.append(voice.text("alert.detail.lasted", opened=wording.when(incident.opened_at, voice), lasted=lasted))
    else:
        start, end = wording.window(incident.window_start, notice.at, voice)
        lines.append(voice.text("alert.detail.window", start=start, end=end, timezone=voice.timezone))
    owner = one_line(incident.owner, 100) if incident.owner else voice.text("incident.nobody")
    lines.append(voice.text("incident.detail.ref", id=incident.id, brand=one_line(incident.brand, 100),
                            status=voice.text(f"incident.status.{incident.status}"), owner=owner))
    return [one_line(x) for x in lines]


def compose_incident(notice: Any, dashboard_url: str | None, voice: Voice | None = None,
                     key: str | None = None) -> Message:
    from alerts.state import idempotency_key

    voice = voice or Voice()
    incident = notice.incident
    count = len(incident.alert_ids)
    alerts_text = voice.text("incident.alerts.one") if count == 1 else voice.text(
        "incident.alerts.many", count=wording.number(count, voice.language, 0))
    title = one_line(_title(notice, voice), SUBJECT_CHARS)
    subject = voice.text("incident.subject", verb=voice.text(f"incident.verb.{notice.transition}"),
                         severity=voice.text(f"severity.{incident.severity}"), title=title)
    headline = voice.text(f"incident.headline.{notice.transition}", brand=one_line(incident.brand, 100),
                          alerts=alerts_text, detectors=_detectors(incident.detectors, voice))
    items = [_alert_line(a, voice) for a in notice.alerts[:MAX_ITEMS]]
    if len(notice.alerts) > MAX_ITEMS:
        items.append(f"… +{len(notice.alerts) - MAX_ITEMS}")
    samples = []
    if notice.transition != "resolved":  # the evidence of the peak is not news once it is over
        samples = next((s for s in (compose(a, None, voice).samples for a in notice.alerts) if s), [])
    return Message(
        subject=one_line(subject, SUBJECT_CHARS), title=title, headline=one_line(headline), unanswered=None,
        details=_details(notice, voice), samples=samples, link=incident_link(incident.id, dashboard_url),
        link_label=voice.text("incident.open"), sample_link_label=voice.text("alert.link"),
        details_label=voice.text("alert.details"), samples_label=voice.text("alert.samples"),
        key=key or idempotency_key(notice), voice=voice, items=items, items_label=voice.text("incident.inside"),
    )
