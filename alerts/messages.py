"""What an alert says, per medium: plain text, HTML (email), Slack Block Kit, JSON. Crawled text is untrusted.

Every message says why: observed against expected with its range, the window, the top terms, up to three
sample mentions with links, and a link to the alert on the dashboard.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from alerts.state import transition_of
from core.model import AlertEvent

# .html templates are autoescaped, .txt ones are not (their untrusted values go through one_line instead)
_EMAIL = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), undefined=StrictUndefined,
                     autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                     keep_trailing_newline=True)
VERB = {"opened": "ALERT", "escalated": "ESCALATED", "resolved": "RESOLVED", "reopened": "ALERT"}


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


def subject(event: AlertEvent) -> str:
    verb = VERB.get(transition_of(event), "ALERT")
    return _one_line(f"[Ascolto {verb} {event.severity}] {event.title}")[:200]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())  # every line break Python knows (\r, \x0b, \x85, \u2028...) becomes a space


_EMAIL.filters["one_line"] = _one_line


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:.2f}".rstrip("0").rstrip(".")


def evidence_lines(event: AlertEvent) -> list[str]:
    lines = []
    if event.observed is not None:
        expected = f"expected {_number(event.expected)}"
        if event.expected_low is not None or event.expected_high is not None:
            expected += f" (usual range {_number(event.expected_low)}-{_number(event.expected_high)})"
        lines.append(f"Observed {_number(event.observed)}, {expected}; score {_number(event.score)}")
    if event.window_start and event.window_end:
        lines.append(f"Window: {event.window_start:%Y-%m-%d %H:%M} - {event.window_end:%Y-%m-%d %H:%M} UTC")
    if event.top_terms:
        lines.append("Top terms: " + ", ".join(event.top_terms[:5]))
    return lines


def samples_of(event: AlertEvent) -> list[dict[str, Any]]:
    return list(event.details.get("samples", []))[:3]


def _email_context(event: AlertEvent, dashboard_url: str | None) -> dict[str, Any]:
    samples = [{"who": f"{s.get('author') or 'someone'} on {s.get('platform')}", "text": s.get("text") or "",
                "url": safe_url(s.get("url"))} for s in samples_of(event)]
    return {"subject": subject(event), "summary": event.summary, "evidence": evidence_lines(event),
            "rule": event.rule, "detector": event.detector, "brand": event.brand or "all", "status": event.status,
            "samples": samples, "link": alert_link(event, dashboard_url)}


def text_body(event: AlertEvent, dashboard_url: str | None) -> str:
    return _EMAIL.get_template("alert_email.txt").render(_email_context(event, dashboard_url))


def html_body(event: AlertEvent, dashboard_url: str | None) -> str:
    return _EMAIL.get_template("alert_email.html").render(_email_context(event, dashboard_url))


_MENTION_WORDS = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def slack_escape(text: str) -> str:
    """Neutralise Slack markup in untrusted text: no <!channel>, <@U…>, <url|disguise>, no @here pings.

    Slack's own rule is to escape &, < and >; with those escaped no control sequence or link can be formed.
    A zero-width space after '@' also stops the plain-word @channel / @here / @everyone notifications.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION_WORDS.sub(lambda m: "@\u200b" + m.group(1), text)


def _slack_link(url: str | None, label: str) -> str:
    url = safe_url(url)
    if not url:
        return slack_escape(label)
    target = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{target}|{slack_escape(label).replace('|', '¦')}>"


def slack_payload(event: AlertEvent, dashboard_url: str | None) -> dict[str, Any]:
    head = subject(event)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": head[:150], "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(event.summary)[:2900]}},
    ]
    evidence = evidence_lines(event)
    if evidence:
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": "\n".join(slack_escape(x) for x in evidence)[:2900]}})
    for s in samples_of(event):
        who = slack_escape(f"{s.get('author') or 'someone'} on {s.get('platform')}")
        text = slack_escape(_one_line(s.get("text") or ""))[:600]
        link = _slack_link(s.get("url"), "link")
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"*{who}*: {text} {link}"}]})
    link = alert_link(event, dashboard_url)
    if link:
        dashboard = _slack_link(link, "Open on the dashboard")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": dashboard}})
    return {"text": slack_escape(head), "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def json_payload(event: AlertEvent, dashboard_url: str | None) -> dict[str, Any]:
    return {
        "transition": transition_of(event), "subject": subject(event), "alert": event.model_dump(mode="json"),
        "dashboard_url": alert_link(event, dashboard_url), "text": text_body(event, dashboard_url),
    }
