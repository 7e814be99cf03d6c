"""An alert as a Slack Block Kit payload that Slack always accepts and crawled text cannot steer.

Crawled parts (authors, mention text, terms, a brand's name) go only into plain_text objects, so Slack renders no
*bold*, _italic_, ~strike~, `code`, > quote or <url|label> from them; &, < and > are escaped all the same and a
zero-width space after '@' and in '://' stops @here pings and bare links. The only mrkdwn is built here: our
links to the mention and the dashboard. Each text is cut, with an ellipsis, to its Block Kit limit (a refused
payload is a lost alert).
"""

from __future__ import annotations

import re
from typing import Any

from alerts.digest import DigestMessage, DigestReport, compose_digest
from alerts.messages import Message, compose, safe_url
from core.wording import Voice

HEADER_CHARS = 150  # Block Kit: header text
SECTION_CHARS = 3000  # section text
CONTEXT_CHARS = 2000  # a context element (kept well under the 3,000 of any text object)
FALLBACK_CHARS = 3000  # the notification text shown where blocks are not
_MENTION_WORDS = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def slack_escape(text: str) -> str:
    """Neutralise Slack markup in untrusted text: no <!channel>, <@U…>, <url|disguise>, no @here pings.

    Slack's own rule is to escape &, < and >; with those escaped no control sequence or link can be formed.
    A zero-width space after '@' also stops the plain-word @channel / @here / @everyone notifications, and one
    inside '://' keeps a bare URL from becoming a link.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("://", ":\u200b//")
    return _MENTION_WORDS.sub(lambda m: "@\u200b" + m.group(1), text)


def fit(text: str, limit: int) -> str:
    """`text` escaped for Slack and cut to `limit` characters with '…' (never inside an escape like &amp;)."""
    escaped = slack_escape(text)
    if len(escaped) <= limit:
        return escaped
    keep = limit - 1
    cut = slack_escape(text[:keep])
    while keep > 0 and len(cut) > limit - 1:
        keep -= max(1, (len(cut) - (limit - 1)) // 5)
        cut = slack_escape(text[:keep])
    return cut + "…"


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": fit(text, limit) or " ", "emoji": False}


def _link(url: str | None, label: str) -> str:
    """A mrkdwn link of ours: the target percent-encodes what Slack would read as markup."""
    url = safe_url(url)
    if not url:
        return ""
    target = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{target}|{slack_escape(label).replace('|', '¦')}>"


def blocks_of(message: Message) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(message.subject, HEADER_CHARS)},
        {"type": "section", "text": plain(message.headline, SECTION_CHARS)},
    ]
    if message.unanswered:
        blocks.append({"type": "section", "text": plain(message.unanswered, SECTION_CHARS)})
    if message.items:  # an incident's alerts (crawled terms may be in them: plain text only)
        items = "\n".join(f"• {line}" for line in message.items)
        blocks.append({"type": "section", "text": plain(f"{message.items_label}\n{items}", SECTION_CHARS)})
    for sample in message.samples:
        elements: list[dict[str, Any]] = [plain(f"{sample.who}: {sample.text}", CONTEXT_CHARS)]
        link = _link(sample.url, message.sample_link_label)
        if link:
            elements.append({"type": "mrkdwn", "text": link})
        blocks.append({"type": "context", "elements": elements})
    if message.details:
        blocks.append({"type": "section", "text": plain("\n".join(message.details), SECTION_CHARS)})
    dashboard = _link(message.link, message.link_label)
    if dashboard:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": dashboard}})
    blocks.append({"type": "context", "elements": [plain(f"ref {message.key}", CONTEXT_CHARS)]})
    return blocks


def slack_payload(event: Any, dashboard_url: str | None, voice: Voice | None = None,
                  key: str | None = None) -> dict[str, Any]:
    message = compose(event, dashboard_url, voice, key)
    return {"text": fit(message.subject, FALLBACK_CHARS), "blocks": blocks_of(message), "unfurl_links": False,
            "unfurl_media": False}


MAX_BLOCKS = 50  # Block Kit: blocks per message


def digest_blocks(message: DigestMessage) -> list[dict[str, Any]]:
    """A digest in Block Kit: per brand its figures, topics and terms, alerts, and the dashboard link."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(message.subject, HEADER_CHARS)},
        {"type": "section", "text": plain(message.intro, SECTION_CHARS)},
    ]
    labels = message.labels
    for s in message.sections:
        brand = [{"type": "divider"}, {"type": "header", "text": plain(s.brand, HEADER_CHARS)},
                 {"type": "section", "text": plain("\n".join(s.figures), SECTION_CHARS)}]
        listed = [f"{labels['topics']}: {', '.join(s.topics) or labels['nothing']}",
                  f"{labels['terms']}: {', '.join(s.terms) or labels['nothing']}"]
        brand.append({"type": "context", "elements": [plain(line, CONTEXT_CHARS) for line in listed]})
        alerts = "\n".join(f"• {line}" for line in s.alerts) or labels["none"]
        brand.append({"type": "section", "text": plain(f"{labels['alerts']}:\n{alerts}", SECTION_CHARS)})
        link = _link(s.link, s.link_label)
        if link:
            brand.append({"type": "section", "text": {"type": "mrkdwn", "text": link}})
        if len(blocks) + len(brand) + 1 > MAX_BLOCKS:
            break  # a refused payload is a lost digest: the brands that do not fit are on the dashboard
        blocks.extend(brand)
    blocks.append({"type": "context", "elements": [plain(f"ref {message.key}", CONTEXT_CHARS)]})
    return blocks


def digest_slack_payload(report: DigestReport, voice: Voice | None = None) -> dict[str, Any]:
    message = compose_digest(report, voice)
    return {"text": fit(message.subject, FALLBACK_CHARS), "blocks": digest_blocks(message), "unfurl_links": False,
            "unfurl_media": False}
