"""The HTTP channels (httpx) against a real receiver on loopback: what counts as delivered, what is an error."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from alerts.channels import (
    REPLAY_WINDOW_SECONDS,
    DeliveryError,
    message_id,
    send_email,
    send_file,
    send_slack,
    send_webhook,
    verify_webhook,
)
from alerts.messages import idempotency_key
from core.config import EmailChannel, FileChannel, SlackChannel, WebhookChannel
from tests.alerts.test_notify import event


def hook(url: str) -> WebhookChannel:
    return WebhookChannel(name="hook", kind="webhook", url=url)


def test_any_2xx_is_delivered(receiver) -> None:  # type: ignore[no-untyped-def]
    receiver.status = 204
    send_webhook(hook(receiver.url), event(), None, "d1")


@pytest.mark.parametrize("status", [301, 302, 307, 400, 500, 503])
def test_redirects_and_errors_are_failures_not_followed(receiver, status: int) -> None:  # type: ignore[no-untyped-def]
    receiver.status = status
    with pytest.raises(DeliveryError, match=f"webhook hook: HTTP {status}$"):
        send_webhook(hook(receiver.url), event(), None, "d1")


def test_unreachable_endpoint_names_no_url() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with pytest.raises(DeliveryError) as raised:
        send_webhook(hook(f"http://127.0.0.1:{port}/secret-token"), event(), None, "d1")
    assert "secret-token" not in str(raised.value) and str(raised.value).startswith("webhook hook: ")


# --- what the payloads carry: an idempotency key everywhere, nothing crawled text can forge, sizes Slack takes ---

HOSTILE_AUTHOR = "mallory\nOpen on the dashboard: https://evil.example/\n" + "*bold* _i_ ~s~ `code`\n> quote " * 200
HOSTILE_TEXT = ("*Rimborso* _negato_ ~mai~ `rm -rf` \n> citazione\n<https://evil.example|velora.example> "
                "<!channel> <!here> @here @channel visit https://evil.example/pay now\nOpen on the dashboard: x")
LIMITS = {"header": 150, "section": 3000, "context": 3000}


def hostile_event():  # type: ignore[no-untyped-def]
    base = event()
    samples = [{"id": f"m{k}", "url": "https://forum.example/t/1", "author": HOSTILE_AUTHOR * (k + 1) + "x" * 5000,
                "platform": "forum\n<!channel>", "text": HOSTILE_TEXT * (k + 1)} for k in range(3)]
    return base.model_copy(update={"details": {**base.details, "samples": samples},
                                   "top_terms": ["*grassetto*", "<!channel>", "https://evil.example/t"]})


def block_kit_problems(payload: dict) -> list[str]:  # type: ignore[type-arg]
    """What Slack would refuse, or would render from crawled text: the checks of a Slack-like receiver."""
    problems = []
    blocks = payload["blocks"]
    if len(blocks) > 50:
        problems.append("more than 50 blocks")
    for block in blocks:
        texts = block.get("elements", []) if block["type"] == "context" else [block["text"]]
        if len(texts) > 10:
            problems.append("context with more than 10 elements")
        for obj in texts:
            if len(obj["text"]) > LIMITS[block["type"]]:
                problems.append(f"{block['type']} text of {len(obj['text'])} characters")
            if block["type"] == "header" and obj["type"] != "plain_text":
                problems.append("header not plain_text")
            if obj["type"] == "mrkdwn" and not re.fullmatch(r"<https?://[^|<> ]+\|[^<>|]+>", obj["text"]):
                problems.append(f"mrkdwn that is not one of our links: {obj['text'][:80]!r}")
            if obj["type"] == "plain_text" and ("<!" in obj["text"] or "@here" in obj["text"]
                                                or "https://evil" in obj["text"]):
                problems.append(f"a ping or a bare link in {obj['text'][:80]!r}")
    if len(payload["text"]) > 3000:
        problems.append("fallback text too long")
    return problems


def test_hostile_crawled_text_cannot_forge_ping_link_or_line_in_slack(receiver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TEST_SLACK_URL", receiver.url)
    channel = SlackChannel(name="slack", kind="slack", webhook_url_env="TEST_SLACK_URL")
    send_slack(channel, hostile_event(), "https://ascolto.example/", "d1")
    headers, raw = receiver.posts[0]
    body = json.loads(raw)
    assert block_kit_problems(body) == []
    links = [o["text"] for b in body["blocks"] for o in b.get("elements", [b.get("text")]) if o["type"] == "mrkdwn"]
    assert links == ["<https://forum.example/t/1|link>"] * 3 + ["<https://ascolto.example/alerts?id=a1|Open on the "
                                                                "dashboard>"]
    for block in body["blocks"]:  # a crawled newline starts no line of its own
        for obj in block.get("elements", [block.get("text")]):
            assert not any(line.startswith(("Open on the dashboard", "> ")) for line in obj["text"].split("\n"))
    assert body["unfurl_links"] is False and body["unfurl_media"] is False
    assert headers["X-Ascolto-Idempotency-Key"] == headers["Idempotency-Key"] == idempotency_key(hostile_event())
    assert len(raw) < 40_000


def test_every_payload_carries_the_idempotency_key(receiver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    send_webhook(hook(receiver.url), event(), None, "d1")
    send_webhook(hook(receiver.url), event(), None, "d2", idempotency_key="a1:opened:2026-03-10T12:00:00+00:00")
    (h1, b1), (h2, b2) = receiver.posts
    assert h1["X-Ascolto-Idempotency-Key"] == json.loads(b1)["idempotency_key"] == idempotency_key(event())
    assert idempotency_key(event()).startswith("a1:opened:")  # alert, transition, the instant of the transition
    assert h2["Idempotency-Key"] == json.loads(b2)["idempotency_key"] == "a1:opened:2026-03-10T12:00:00+00:00"
    out = FileChannel(name="out", kind="file", path=str(tmp_path / "a.jsonl"))
    send_file(out, event(), None, "d3")
    assert json.loads((tmp_path / "a.jsonl").read_text())["idempotency_key"] == idempotency_key(event())


def test_email_carries_the_key_and_a_message_id_stable_across_attempts(smtp_server) -> None:  # type: ignore[no-untyped-def]
    controller, mailbox = smtp_server
    mail = EmailChannel(name="mail", kind="email", host="127.0.0.1", port=controller.port,
                        sender="Ascolto <alerts@care.velora.example>", to=["care@velora.example"],
                        language="it", timezone="Europe/Rome")
    send_email(mail, event(), None, "attempt-1")
    send_email(mail, event(), None, "attempt-2")  # a retry of the same notification
    first, second = mailbox.messages
    assert first["X-Ascolto-Key"] == second["X-Ascolto-Key"] == idempotency_key(event())
    assert first["Message-ID"] == second["Message-ID"]
    assert re.fullmatch(r"<[0-9a-f]{32}\.ascolto@care\.velora\.example>", first["Message-ID"])
    assert "ALLERTA" in first["Subject"]  # the channel's language
    escalated = event("critical")
    escalated.details["transition"] = "escalated"
    send_email(mail, escalated, None, "attempt-1")
    assert mailbox.messages[2]["Message-ID"] != first["Message-ID"]
    assert message_id("a1:opened", "nobody") == message_id("a1:opened", "x@[bad domain]")


def test_a_receiver_verifies_a_signed_webhook_as_the_readme_says(receiver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TEST_HOOK_SECRET", "s3cret")
    channel = WebhookChannel(name="hook", kind="webhook", url=receiver.url, secret_env="TEST_HOOK_SECRET")
    send_webhook(channel, event(), None, "d1")
    headers, body = receiver.posts[0]
    sent = int(headers["X-Ascolto-Timestamp"])
    assert verify_webhook("s3cret", headers, body)
    assert not verify_webhook("other", headers, body)
    assert not verify_webhook("s3cret", headers, body.replace(b"a1", b"a2"))  # the body as received, byte for byte
    assert not verify_webhook("s3cret", headers, body, now=sent + REPLAY_WINDOW_SECONDS + 1)  # a replay
    assert verify_webhook("s3cret", headers, body, now=sent + REPLAY_WINDOW_SECONDS)


def test_hostile_crawled_text_forges_no_line_or_header_in_a_real_email(smtp_server) -> None:  # type: ignore[no-untyped-def]
    controller, mailbox = smtp_server
    mail = EmailChannel(name="mail", kind="email", host="127.0.0.1", port=controller.port, to=["care@example"],
                        language="it", timezone="Europe/Rome")
    send_email(mail, hostile_event(), "https://ascolto.example/", "d1")
    received = mailbox.messages[0]
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in received.walk()
             if not p.is_multipart()}
    lines = parts["text/plain"].splitlines()
    assert [x for x in lines if x.startswith(("Apri nella dashboard", "Open on the dashboard"))] == [
        "Apri nella dashboard: https://ascolto.example/alerts?id=a1"]
    assert not [x for x in lines if x.startswith(("> ", "https://evil", "Bcc"))]
    assert "https://evil" not in parts["text/plain"] and "https://evil" not in parts["text/html"]  # no bare link
    assert max(len(x) for x in lines if x.startswith("- ")) < 800  # a 5,000-character author is cut
    assert "Bcc" not in received and received["To"] == "care@example"
    assert parts["text/html"].count("<a href=") == 4  # three sample links and the dashboard's
