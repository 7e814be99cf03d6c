"""A digest: the care figures of a period beside the period before, per brand, as one reader is told them.

The figures are the dashboard's own (ascolto/web/metrics.care_metrics, gathered by ascolto/digests.py), kept
here as they were computed so that a digest waiting in the outbox reads the same when it goes out. Every word
comes from the catalogue (core/wording) in the channel's language, every time is in its time zone. Terms and
alert titles come from crawled text: they reach every medium on one line, inert (alerts.messages.crawled), and
only links built here are links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from alerts.messages import AUTHOR_CHARS, SUBJECT_CHARS, compose, crawled, one_line, template
from core import wording
from core.model import AlertEvent
from core.wording import Voice

ALERTS_SHOWN = 10  # per brand; the rest are a link away
# (care_metrics field, catalogue key of its label, how it is written)
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("inbound", "kpi.total", "count"),
    ("complaints", "digest.figure.complaints", "count"),
    ("response_median_seconds", "kpi.median", "duration"),
    ("response_p90_seconds", "kpi.p90", "duration"),
    ("within_target_share", "digest.figure.withinTarget", "share"),
    ("unanswered_over_target", "digest.figure.overTarget", "count"),
    ("resolution_rate", "kpi.resolution", "share"),
    ("happiness_index", "kpi.happiness", "index"),
)


@dataclass
class BrandDigest:
    """One brand's period: its care figures, those of the period before, topics, terms and alerts."""

    brand: str
    care: dict[str, Any]
    previous: dict[str, Any]
    topics: list[tuple[str, int]] = field(default_factory=list)  # complaint topics, most frequent first
    terms: list[str] = field(default_factory=list)  # emerging terms (the dashboard's, last 24 hours)
    alerts: list[AlertEvent] = field(default_factory=list)  # opened in the period, newest first

    def change(self) -> dict[str, float | None]:
        """Each figure minus the one of the period before (None when either is unknown)."""
        changes: dict[str, float | None] = {}
        for name, _, _ in FIGURES:
            now, before = self.care.get(name), self.previous.get(name)
            changes[name] = None if now is None or before is None else round(now - before, 4)
        return changes


@dataclass
class DigestReport:
    name: str
    since: datetime
    until: datetime
    brands: list[BrandDigest]
    dashboard_url: str | None = None

    @property
    def key(self) -> str:
        """The idempotency key: one per digest and period, so a restart never sends the same one twice."""
        return f"digest:{self.name}:{self.since.isoformat()}:{self.until.isoformat()}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "since": self.since.isoformat(), "until": self.until.isoformat(),
            "dashboard_url": self.dashboard_url, "idempotency_key": self.key,
            "brands": [{
                "brand": b.brand, "care": b.care, "previous": b.previous, "change": b.change(),
                "topics": [{"topic": t, "count": n} for t, n in b.topics], "emerging_terms": b.terms,
                "alerts": [a.model_dump(mode="json") for a in b.alerts],
            } for b in self.brands],
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> DigestReport:
        return cls(
            name=raw["name"], since=datetime.fromisoformat(raw["since"]), until=datetime.fromisoformat(raw["until"]),
            dashboard_url=raw.get("dashboard_url"),
            brands=[BrandDigest(brand=b["brand"], care=b["care"], previous=b["previous"],
                                topics=[(t["topic"], t["count"]) for t in b["topics"]], terms=b["emerging_terms"],
                                alerts=[AlertEvent.model_validate(a) for a in b["alerts"]]) for b in raw["brands"]],
        )


@dataclass
class Section:
    """One brand as the reader is told it; every string is one line."""

    brand: str
    figures: list[str]
    topics: list[str]
    terms: list[str]
    alerts: list[str]
    link: str | None
    link_label: str


@dataclass
class DigestMessage:
    subject: str
    intro: str
    sections: list[Section]
    labels: dict[str, str]  # section headings: topics, terms, alerts, none
    key: str
    voice: Voice


def _written(value: float | None, kind: str, lang: str, signed: bool = False) -> str:
    if value is None:
        return "–"
    sign = ("+" if value > 0 else "-" if value < 0 else "±") if signed else ""  # as Babel writes -0.85
    size = abs(value) if signed else value
    if kind == "duration":
        return sign + wording.duration(size, lang)
    if kind == "share":
        if signed:  # a change of a share is in percentage points, not in percent of itself
            points = wording.number(100 * size, lang, 0)
            return sign + wording.text(lang, "digest.point" if points == "1" else "digest.points", value=points)
        return wording.percent(size, lang)
    if kind == "index":
        return sign + wording.number(size, lang, 2)
    return sign + wording.number(size, lang, 0)


def _figure_lines(b: BrandDigest, voice: Voice) -> list[str]:
    lang, changes = voice.language, b.change()
    target = wording.duration(60 * float(b.care.get("target_minutes") or 60), lang)
    lines = []
    for name, label_key, kind in FIGURES:
        value = _written(b.care.get(name), kind, lang)
        change = changes[name]
        if change is None:
            shown = value
        elif change == 0:
            shown = voice.text("digest.unchanged", value=value)
        else:
            shown = voice.text("digest.change", value=value, change=_written(change, kind, lang, signed=True))
        lines.append(f"{voice.text(label_key, target=target)}: {shown}")
    return lines


def _alert_line(event: AlertEvent, voice: Voice) -> str:
    title = compose(event, None, voice).title  # the alert's own words, as its messages said them
    return voice.text("digest.alert", when=wording.when(event.opened_at, voice), title=title,
                      severity=voice.text(f"severity.{event.severity}"), status=voice.text(f"status.{event.status}"))


def brand_link(dashboard_url: str | None, brand: str, since: datetime, until: datetime) -> str | None:
    """The dashboard's overview of the brand over the dashboard window nearest the period's length."""
    if not dashboard_url:
        return None
    days = (until - since).total_seconds() / 86400
    window = "24h" if days <= 1.5 else "7d" if days <= 10 else "30d"
    return f"{dashboard_url.rstrip('/')}/?{urlencode({'brand': brand, 'window': window})}"


def _section(report: DigestReport, b: BrandDigest, voice: Voice) -> Section:
    lang = voice.language
    alerts = [_alert_line(a, voice) for a in b.alerts[:ALERTS_SHOWN]]
    if len(b.alerts) > ALERTS_SHOWN:
        alerts.append(voice.text("digest.more", count=wording.number(len(b.alerts) - ALERTS_SHOWN, lang, 0)))
    return Section(
        brand=one_line(b.brand, AUTHOR_CHARS), figures=_figure_lines(b, voice),
        topics=[voice.text("digest.topic", topic=crawled(t, 60), count=wording.number(n, lang, 0))
                for t, n in b.topics],
        terms=[crawled(t, 60) for t in b.terms], alerts=[one_line(a) for a in alerts],
        link=brand_link(report.dashboard_url, b.brand, report.since, report.until),
        link_label=voice.text("digest.open", brand=one_line(b.brand, AUTHOR_CHARS)),
    )


def compose_digest(report: DigestReport, voice: Voice | None = None) -> DigestMessage:
    voice = voice or Voice()
    start, end = wording.window(report.since, report.until, voice)
    subject = voice.text("digest.subject", name=one_line(report.name, 80), start=start, end=end)
    return DigestMessage(
        subject=one_line(subject, SUBJECT_CHARS),
        intro=voice.text("digest.intro", start=start, end=end, timezone=voice.timezone),
        sections=[_section(report, b, voice) for b in report.brands],
        labels={"topics": voice.text("digest.topics"), "terms": voice.text("chart.terms"),
                "alerts": voice.text("digest.alerts"), "none": voice.text("alerts.none"),
                "nothing": voice.text("none")},
        key=report.key, voice=voice,
    )


def digest_text(report: DigestReport, voice: Voice | None = None) -> str:
    return template("digest_email.txt").render(m=compose_digest(report, voice))


def digest_html(report: DigestReport, voice: Voice | None = None) -> str:
    return template("digest_email.html").render(m=compose_digest(report, voice))


def digest_payload(report: DigestReport, voice: Voice | None = None) -> dict[str, Any]:
    """What webhooks and file channels get: the figures as data, and the text as people read it."""
    message = compose_digest(report, voice)
    return {
        "kind": "digest", "idempotency_key": report.key, "subject": message.subject,
        "language": message.voice.language, "digest": report.as_dict(),
        "text": template("digest_email.txt").render(m=message),
    }
