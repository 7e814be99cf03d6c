"""What an alert says, per medium: plain text, HTML (email), Slack Block Kit (alerts/slack_blocks.py), JSON.

Every message is written for its channel's reader (`Voice`: language and time zone) from the one catalogue
(core/wording). Its first lines say what is happening in plain words ("40 complaints in 1 h, about 10 times the
usual (4)") and how many of the alert's complaints still wait for a reply; the score, the tail probability, the
window and the rule are details below. A RESOLVED message says what the series reads now. Crawled text (authors,
mention text, terms) is untrusted: it reaches every medium on one line, and only links built here are links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from alerts.state import idempotency_key, transition_of
from core import wording
from core.model import AlertEvent
from core.timebuckets import parse_interval
from core.wording import Voice

# .html templates are autoescaped, .txt ones are not (every value in them is one line, made by Message)
_EMAIL = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), undefined=StrictUndefined,
                     autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                     keep_trailing_newline=True)
def template(name: str) -> Template:
    """One of the message templates in alerts/templates (alerts and digests share their environment)."""
    return _EMAIL.get_template(name)


AUTHOR_CHARS = 100  # a 5,000-character "author" is a forgery attempt, not a name
SAMPLE_CHARS = 600
SUBJECT_CHARS = 200


def safe_url(url: str | None) -> str | None:
    """Only http(s) links are ever shown (no javascript:, data:, mailto: from crawled pages)."""
    if not url:
        return None
    url = url.strip()
    return url if re.match(r"^https?://[^\s]+$", url, re.IGNORECASE) else None


def alert_link(event: AlertEvent, dashboard_url: str | None) -> str | None:
    if not dashboard_url:
        return None
    return f"{dashboard_url.rstrip('/')}/alerts?id={quote(event.id)}"


def one_line(text: object, limit: int | None = None) -> str:
    """Every line break Python knows (\\r, \\x0b, \\x85, \\u2028...) becomes a space; cut to `limit` with '…'."""
    flat = " ".join(str(text).split())
    return flat if limit is None or len(flat) <= limit else flat[: limit - 1] + "…"


def crawled(text: object, limit: int) -> str:
    """Untrusted text on one line, cut, with every '://' broken by a zero-width space: mail clients and Slack
    make no link of a bare URL in it (the links a message has are the ones it builds)."""
    return one_line(text, limit).replace("://", ":\u200b//")


@dataclass
class Sample:
    who: str
    text: str
    url: str | None


@dataclass
class Message:
    """An alert as one reader is told it; every field is one line (crawled parts flattened and cut)."""

    subject: str
    title: str
    headline: str
    unanswered: str | None
    details: list[str]
    samples: list[Sample]
    link: str | None
    link_label: str
    sample_link_label: str
    details_label: str
    samples_label: str
    key: str
    voice: Voice = field(default_factory=Voice)
    items: list[str] = field(default_factory=list)  # an incident's alerts, one line each
    items_label: str = ""


def _facts(event: AlertEvent) -> dict[str, Any]:
    facts = event.details.get("facts")
    return dict(facts) if isinstance(facts, dict) else {}


def _num(value: object, default: float = 0.0) -> float:
    """A figure from an alert's details, which old or foreign events may lack or carry as anything."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return number if number == number and abs(number) != float("inf") else default


def _rule_window(event: AlertEvent) -> float:
    try:
        return parse_interval(str(_facts(event).get("window", "1h"))).total_seconds()
    except ValueError:
        return 3600.0


def _metric(event: AlertEvent, voice: Voice) -> str:
    metric = _facts(event).get("metric", "complaints")
    return voice.text(f"metric.{metric}" if metric in ("complaints", "negative", "all") else "metric.all")


def _window_text(event: AlertEvent, voice: Voice) -> str:
    if event.window_start and event.window_end:
        return wording.duration((event.window_end - event.window_start).total_seconds(), voice.language)
    return wording.duration(_rule_window(event), voice.language)


def _figures(event: AlertEvent, voice: Voice) -> dict[str, str]:
    """The fields the catalogue's alert texts are filled with, formatted for the reader."""
    lang, details, facts = voice.language, event.details, _facts(event)
    observed, expected = _num(event.observed), _num(event.expected)
    terms = details.get("terms")
    term = terms[0] if isinstance(terms, list) and terms and isinstance(terms[0], dict) else {}
    engagement = details.get("engagement")
    interactions = sum(_num(v) for v in engagement.values()) if isinstance(engagement, dict) else 0.0
    negative, total = _num(details.get("negative")), _num(details.get("total")) or 1.0
    usual = _num(details.get("baseline_negative")) / (_num(details.get("baseline_total")) or 1.0)
    limit_minutes = _num(details.get("limit_minutes"), _num(facts.get("limit_minutes"), 60.0))
    return {
        "brand": one_line(event.brand or voice.text("brand.all"), AUTHOR_CHARS), "metric": _metric(event, voice),
        "observed": wording.number(observed, lang), "expected": wording.number(expected, lang),
        "ratio": wording.ratio(observed / expected, lang) if expected > 0 else "",
        "window": _window_text(event, voice), "share": wording.percent(negative / total, lang),
        "negative": wording.number(negative, lang), "total": wording.number(total, lang),
        "usual": wording.percent(usual, lang), "interactions": wording.number(interactions, lang),
        "term": crawled(term.get("term", ""), AUTHOR_CHARS),
        "count": wording.number(_num(term.get("count"), observed) if event.detector == "emerging_term" else observed,
                                lang),
        "limit": wording.duration(60 * limit_minutes, lang),
        "oldest": wording.duration(60 * _num(details.get("oldest_minutes", details.get("oldest_waiting_minutes"))),
                                   lang),
        **(_sla_figures(details, lang) if event.detector == "sla_risk" else {}),
        "source": one_line(str(details.get("source", "")), AUTHOR_CHARS),
        "failures": wording.number(_num(details.get("error_streak")), lang),
        "blind": wording.duration(3600 * _num(details.get("blind_hours")), lang),
        "sources": one_line(", ".join(str(s) for s in details.get("incomplete") or ()), AUTHOR_CHARS),
    }


def _sla_figures(details: dict[str, Any], lang: str) -> dict[str, str]:
    """sla_risk's forecast (alerts/sla.py details): the backlog, how many will pass the limit and when."""
    usual = details.get("median_first_reply_minutes")
    return {
        "backlog": wording.number(_num(details.get("backlog")), lang, 0),
        "breaching": wording.number(_num(details.get("forecast_breaching")), lang, 0),
        "left": wording.duration(60 * _num(details.get("minutes_to_breach")), lang),
        "pace": wording.number(_num(details.get("reply_pace_per_hour")), lang),
        "incoming": wording.number(_num(details.get("incoming_per_hour")), lang),
        "usual": wording.duration(60 * _num(usual), lang) if usual is not None else "–",
    }


def _sla_close(event: AlertEvent) -> bool:
    """An open sla_risk alert whose forecast no longer passes the limit, but only just (alerts/sla.py)."""
    return event.details.get("minutes_to_breach") is None


def _is_spike(event: AlertEvent) -> bool:
    return bool(event.expected) and (event.observed or 0) / float(event.expected or 1) >= 1.5


def _title(event: AlertEvent, voice: Voice, figures: dict[str, str]) -> str:
    if event.status == "resolved" or transition_of(event) == "resolved":
        return voice.text("alert.title.resolved_source" if event.detector == "source_down" else "alert.title.resolved",
                          **figures)
    if event.detector in ("volume_spike", "slow_build"):
        return voice.text("alert.title.spike" if _is_spike(event) else "alert.title.rise", **figures)
    if event.detector in ("negative_share", "viral_mention", "emerging_term", "unanswered_complaint", "source_down"):
        return voice.text(f"alert.title.{event.detector}", **figures)
    if event.detector == "sla_risk":
        return voice.text("alert.title.sla_risk.close" if _sla_close(event) else "alert.title.sla_risk", **figures)
    return event.title  # a detector the catalogue does not know yet speaks for itself


def _headline(event: AlertEvent, voice: Voice, figures: dict[str, str]) -> str:
    if transition_of(event) == "resolved":
        return _resolved_line(event, voice, figures)
    if event.detector in ("volume_spike", "slow_build") and event.observed is not None:
        return voice.text("alert.headline.spike" if _is_spike(event) else "alert.headline.rise", **figures)
    if event.detector in ("negative_share", "viral_mention", "emerging_term", "unanswered_complaint", "source_down"):
        return voice.text(f"alert.headline.{event.detector}", **figures)
    if event.detector == "sla_risk":
        close = _sla_close(event)
        return voice.text("alert.headline.sla_risk.close" if close else "alert.headline.sla_risk", **figures)
    return event.summary


def _resolved_line(event: AlertEvent, voice: Voice, figures: dict[str, str]) -> str:
    """What is true now: the count of the rule's window ending at the resolve, against the usual for it."""
    facts = _facts(event)
    if event.detector == "unanswered_complaint":
        return voice.text("alert.resolved.unanswered", **figures)
    if event.detector == "sla_risk":
        return voice.text("alert.resolved.sla_risk", **figures)
    if event.detector == "source_down":
        return voice.text("alert.resolved.source", **figures)
    if event.detector in ("volume_spike", "slow_build") and _num(facts.get("now_observed"), -1) >= 0 \
            and event.expected is not None:
        window = _rule_window(event)
        usual = float(event.expected)
        if event.window_start and event.window_end:  # the usual level of the alert's window, scaled to the rule's
            usual *= window / max((event.window_end - event.window_start).total_seconds(), 1.0)
        return voice.text("alert.resolved.count", **{
            **figures, "observed": wording.number(_num(facts["now_observed"]), voice.language),
            "expected": wording.number(usual, voice.language), "window": wording.duration(window, voice.language)})
    return voice.text("alert.resolved.plain")


def _detail_lines(event: AlertEvent, voice: Voice, figures: dict[str, str]) -> list[str]:
    lang, lines = voice.language, []
    resolved = transition_of(event) == "resolved"
    # observed vs usual means nothing for these (a backlog, a forecast, a streak of failed crawls)
    counted = event.detector not in ("unanswered_complaint", "sla_risk", "source_down")
    if figures["sources"]:
        lines.append(voice.text("alert.detail.incomplete", **figures))
    if not resolved and event.detector == "sla_risk":
        lines.extend(_sla_details(event, voice, figures))
    if not resolved and event.observed is not None and counted:
        low, high = wording.number(event.expected_low, lang), wording.number(event.expected_high, lang)
        lines.append(voice.text("alert.detail.observed", **{**figures, "low": low, "high": high}))
    if not resolved and event.score is not None and counted:
        lines.append(voice.text("alert.detail.score", score=wording.number(event.score, lang, 2),
                                detector=event.detector))
        if event.detector == "volume_spike":  # its score is -log10 of the tail probability
            odds = wording.large(10 ** min(event.score, 15), lang)
            lines.append(voice.text("alert.detail.tail", odds=odds))
    if resolved and event.resolved_at is not None:
        lasted = wording.duration((event.resolved_at - event.opened_at).total_seconds(), lang)
        lines.append(voice.text("alert.detail.lasted", opened=wording.when(event.opened_at, voice), lasted=lasted))
    elif event.window_start and event.window_end:
        start, end = wording.window(event.window_start, event.window_end, voice)
        lines.append(voice.text("alert.detail.window", start=start, end=end, timezone=voice.timezone))
    if event.top_terms and not resolved:
        lines.append(voice.text("alert.detail.terms", terms=", ".join(crawled(t, 40) for t in event.top_terms[:5])))
    status = voice.text(f"status.{event.status}")
    lines.append(voice.text("alert.detail.rule", rule=one_line(event.rule, 80), brand=figures["brand"],
                            status=status))
    return lines


def _sla_details(event: AlertEvent, voice: Voice, figures: dict[str, str]) -> list[str]:
    lines = [voice.text("alert.detail.pace" if event.details.get("reply_pace_per_hour") is not None
                        else "alert.detail.pace.none", **figures)]
    breach = event.details.get("forecast_breach_at")
    at = _moment(breach) if isinstance(breach, str) else None
    if at is not None:
        lines.append(voice.text("alert.detail.forecast", at=wording.when(at, voice)))
    return lines


def _moment(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _unanswered_line(event: AlertEvent, voice: Voice) -> str | None:
    facts = _facts(event)
    complaints = _num(facts.get("complaints"))
    if transition_of(event) == "resolved" or complaints <= 0:
        return None
    return voice.text("alert.unanswered", unanswered=wording.number(_num(facts.get("unanswered")), voice.language, 0),
                      complaints=wording.number(complaints, voice.language, 0))


def _samples(event: AlertEvent, voice: Voice) -> list[Sample]:
    if transition_of(event) == "resolved":
        return []  # the evidence of the peak is not news once it is over
    found = []
    samples = event.details.get("samples")
    for s in [x for x in samples if isinstance(x, dict)][:3] if isinstance(samples, list) else []:
        author = crawled(s.get("author") or voice.text("alert.someone"), AUTHOR_CHARS)
        who = voice.text("alert.sample.who", author=author, platform=crawled(s.get("platform") or "?", 40))
        found.append(Sample(who=who, text=crawled(s.get("text") or "", SAMPLE_CHARS), url=safe_url(s.get("url"))))
    return found


def compose(event: Any, dashboard_url: str | None, voice: Voice | None = None,
            key: str | None = None) -> Message:
    """The alert (or incident notice, alerts/incident_messages.py) as `voice`'s reader is told it; `key` is the
    delivery's idempotency key (default: the event's)."""
    if not isinstance(event, AlertEvent):
        from alerts.incident_messages import compose_incident

        return compose_incident(event, dashboard_url, voice, key)
    voice = voice or Voice()
    figures = _figures(event, voice)
    verb = voice.text(f"alert.verb.{transition_of(event)}") if transition_of(event) in (
        "opened", "reopened", "escalated", "resolved") else voice.text("alert.verb.opened")
    title = one_line(_title(event, voice, figures), SUBJECT_CHARS)
    subject = voice.text("alert.subject", verb=verb, severity=voice.text(f"severity.{event.severity}"), title=title)
    return Message(
        subject=one_line(subject, SUBJECT_CHARS), title=title, headline=one_line(_headline(event, voice, figures)),
        unanswered=_unanswered_line(event, voice), details=[one_line(x) for x in _detail_lines(event, voice, figures)],
        samples=_samples(event, voice), link=alert_link(event, dashboard_url), link_label=voice.text("alert.open"),
        sample_link_label=voice.text("alert.link"), details_label=voice.text("alert.details"),
        samples_label=voice.text("alert.samples"), key=key or idempotency_key(event), voice=voice,
    )


def words(event: AlertEvent) -> dict[str, dict[str, str | None]] | None:
    """What the messages say of an alert, per language, for the dashboard's alert cards: None for an alert
    notified before its facts were kept (its detector's own title and summary stay the best words for it)."""
    if "facts" not in event.details:
        return None
    said = {}
    for language in wording.LANGUAGES:
        message = compose(event, None, Voice(language))
        said[language] = {"title": message.title, "headline": message.headline, "unanswered": message.unanswered}
    return said


def subject(event: Any, voice: Voice | None = None) -> str:
    return compose(event, None, voice).subject


def text_body(event: Any, dashboard_url: str | None, voice: Voice | None = None,
              key: str | None = None) -> str:
    return _EMAIL.get_template("alert_email.txt").render(m=compose(event, dashboard_url, voice, key))


def html_body(event: Any, dashboard_url: str | None, voice: Voice | None = None,
              key: str | None = None) -> str:
    return _EMAIL.get_template("alert_email.html").render(m=compose(event, dashboard_url, voice, key))


def json_payload(event: Any, dashboard_url: str | None, voice: Voice | None = None,
                 key: str | None = None) -> dict[str, Any]:
    """Webhook and file payload: an alert's (`alert`), or an incident notice's (`incident` and its `alerts`)."""
    message = compose(event, dashboard_url, voice, key)
    text = _EMAIL.get_template("alert_email.txt").render(m=message)
    if not isinstance(event, AlertEvent):
        return {
            "idempotency_key": message.key, "transition": event.transition, "subject": message.subject,
            "language": message.voice.language, "incident": event.incident.model_dump(mode="json", exclude={"details"}),
            "alerts": [a.model_dump(mode="json") for a in event.alerts], "dashboard_url": message.link, "text": text,
        }
    return {
        "idempotency_key": message.key, "transition": transition_of(event), "subject": message.subject,
        "language": message.voice.language, "alert": event.model_dump(mode="json"),
        "dashboard_url": message.link, "text": text,
    }


def __getattr__(name: str) -> Any:
    """slack_payload and slack_escape live in alerts/slack_blocks.py (which builds on compose); found here too."""
    if name in ("slack_payload", "slack_escape"):
        from alerts import slack_blocks

        return getattr(slack_blocks, name)
    raise AttributeError(name)
