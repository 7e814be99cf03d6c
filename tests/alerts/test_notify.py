"""Notifiers against real servers on loopback: SMTP (aiosmtpd), Slack and webhook receivers; the outbox."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from alerts.channels import SIGNATURE_HEADER
from alerts.messages import slack_escape
from alerts.notify import Dispatcher, quiet_until
from core.config import QuietHours
from core.model import AlertEvent
from tests.alerts.conftest import make_config

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
HOSTILE = "Rimborso negato <!channel> <@U024BE7LH> <https://evil.example|https://velora.example> & <b>x</b> @here"


def event(severity: str = "warning", rule: str = "spike") -> AlertEvent:
    return AlertEvent(
        id="a1", rule=rule, detector="volume_spike", brand="Velora", severity=severity,  # type: ignore[arg-type]
        opened_at=NOW, updated_at=NOW, window_start=NOW - timedelta(hours=1), window_end=NOW,
        observed=40, expected=4.2, expected_low=1, expected_high=9, score=7.5, title="Velora: spike in complaints",
        summary="40 complaints in 1h against 4.2 expected", top_terms=["rimborso", "#velorafail"],
        sample_ids=["m1", "m2", "m3"],
        details={"key": "volume", "transition": "opened", "notified_at": NOW.isoformat(), "samples": [
            {"id": "m1", "url": "https://forum.example/t/1", "author": "<script>alert(1)</script>",
             "platform": "forum", "text": HOSTILE},
            {"id": "m2", "url": "javascript:alert(1)", "author": "b", "platform": "reddit", "text": "app down"},
            {"id": "m3", "url": "https://x.example/a?b=1&c=<2>|3", "author": "c", "platform": "news", "text": "ok"},
        ]},
    )


def config_with(channels: list[dict], rule_channels: list[str], **rule: object):
    return make_config([{"name": "spike", "detector": "volume_spike", "channels": rule_channels, **rule}],
                       channels=channels)


def test_slack_block_kit_neutralises_crawled_markup(receiver, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TEST_SLACK_URL", receiver.url)
    config = config_with([{"name": "slack", "kind": "slack", "webhook_url_env": "TEST_SLACK_URL"}], ["slack"])
    dispatcher = Dispatcher(config, tmp_path, "https://ascolto.example/", retry_delays=())
    dispatcher.enqueue([event()])
    assert dispatcher.flush().delivered == 1
    body = receiver.bodies()[0]
    text = json.dumps(body)
    for forbidden in ("<!channel>", "<@U024BE7LH>", "<https://evil.example|", "javascript:", "@here"):
        assert forbidden not in text
    assert "&lt;!channel&gt;" in text and "&lt;@U024BE7LH&gt;" in text
    assert "<https://forum.example/t/1|link>" in text  # our own links stay links
    assert "<https://ascolto.example/alerts?id=a1|Open on the dashboard>" in text
    assert any(b["type"] == "header" for b in body["blocks"])
    assert "40" in text and "4.2" in text and "rimborso" in text  # observed, expected, top terms


def test_slack_escape_rules() -> None:
    assert slack_escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert "<" not in slack_escape("<!here|x> <#C123>") and "@\u200bchannel" in slack_escape("@channel")


def test_webhook_is_signed_with_hmac(receiver, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TEST_HOOK_SECRET", "s3cret")
    config = config_with([{"name": "hook", "kind": "webhook", "url": receiver.url,
                           "secret_env": "TEST_HOOK_SECRET"}], ["hook"])
    dispatcher = Dispatcher(config, tmp_path, None, retry_delays=())
    dispatcher.enqueue([event()])
    assert dispatcher.flush().delivered == 1
    headers, body = receiver.posts[0]
    timestamp = headers["X-Ascolto-Timestamp"]
    expected = hmac.new(b"s3cret", timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["alert"]["id"] == "a1" and payload["transition"] == "opened"


def test_email_is_multipart_with_escaped_html(smtp_server, tmp_path: Path) -> None:
    controller, mailbox = smtp_server
    config = config_with([{"name": "mail", "kind": "email", "host": "127.0.0.1", "port": controller.port,
                           "to": ["care@example"]}], ["mail"])
    dispatcher = Dispatcher(config, tmp_path, "http://dash.example/", retry_delays=())
    dispatcher.enqueue([event()])
    assert dispatcher.flush().delivered == 1
    mail = mailbox.messages[0]
    assert mail.is_multipart() and "ALERT warning" in mail["Subject"]
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in mail.walk() if not p.is_multipart()}
    html = parts["text/html"]
    assert "<script>" not in html and "&lt;script&gt;" in html and "javascript:" not in html
    assert 'href="https://forum.example/t/1"' in html and "http://dash.example/alerts?id=a1" in html
    assert "usual range 1-9" in parts["text/plain"] and "Window:" in parts["text/plain"]


def test_a_channel_that_is_down_loses_nothing(receiver, tmp_path: Path, caplog) -> None:
    config = config_with([{"name": "hook", "kind": "webhook", "url": receiver.url}], ["hook"])
    receiver.status = 503
    clock = [NOW]
    first = Dispatcher(config, tmp_path, None, retry_delays=(0.0,), clock=lambda: clock[0])
    first.enqueue([event()])
    with caplog.at_level(logging.WARNING):
        report = first.flush()
    assert (report.delivered, report.failed, report.pending) == (0, 1, 1)
    assert receiver.posts == [] and "HTTP 503" in caplog.text
    assert first.flush().failed == 0  # backing off: not retried before its time
    first.close()
    receiver.status = 200
    clock[0] = NOW + timedelta(minutes=5)
    second = Dispatcher(config, tmp_path, None, retry_delays=(), clock=lambda: clock[0])  # a restart
    report = second.flush()
    assert (report.delivered, report.pending) == (1, 0)
    assert len(receiver.posts) == 1
    assert second.items()[0]["status"] == "delivered"


def test_secrets_never_logged(monkeypatch, tmp_path: Path, caplog) -> None:
    monkeypatch.setenv("TEST_SLACK_URL", "http://127.0.0.1:9/services/T000/B000/SECRETTOKEN")
    config = config_with([{"name": "slack", "kind": "slack", "webhook_url_env": "TEST_SLACK_URL"}], ["slack"])
    dispatcher = Dispatcher(config, tmp_path, None, retry_delays=())
    dispatcher.enqueue([event()])
    with caplog.at_level(logging.DEBUG):
        assert dispatcher.flush().pending == 1
    assert "SECRETTOKEN" not in caplog.text
    assert all("SECRETTOKEN" not in str(item["last_error"]) for item in dispatcher.items())


def test_quiet_hours_hold_warnings_but_not_critical(tmp_path: Path, receiver, monkeypatch) -> None:
    quiet = {"start": "23:00", "end": "07:00", "timezone": "Europe/Rome"}
    night = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 00:30 in Rome
    assert quiet_until(QuietHours(**quiet), night) == datetime(2026, 3, 11, 6, 0, tzinfo=UTC)
    assert quiet_until(QuietHours(**quiet), NOW) is None
    monkeypatch.setenv("TEST_SLACK_URL", receiver.url)
    config = config_with([{"name": "slack", "kind": "slack", "webhook_url_env": "TEST_SLACK_URL"},
                          {"name": "out", "kind": "file", "path": str(tmp_path / "audit.jsonl")}],
                         ["slack", "out"], quiet_hours=quiet)
    dispatcher = Dispatcher(config, tmp_path, None, retry_delays=(), clock=lambda: night)
    critical = event("critical")
    critical.id = "a2"
    dispatcher.enqueue([event(), critical])
    report = dispatcher.flush()
    assert (report.delivered, report.pending) == (3, 1)  # the warning waits for 07:00 on Slack only
    assert len(receiver.posts) == 1 and "critical" in receiver.bodies()[0]["text"]
    assert len((tmp_path / "audit.jsonl").read_text().splitlines()) == 2


@pytest.mark.parametrize("transition", ["escalated", "resolved"])
def test_file_channel_writes_one_json_line_per_alert(tmp_path: Path, transition: str) -> None:
    out = tmp_path / "sub" / "alerts.jsonl"
    config = config_with([{"name": "out", "kind": "file", "path": str(out)}], ["out"])
    dispatcher = Dispatcher(config, tmp_path / "outbox", None, retry_delays=())
    ev = event()
    ev.details["transition"] = transition
    dispatcher.enqueue([ev])
    dispatcher.flush()
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 1 and lines[0]["transition"] == transition and lines[0]["alert"]["observed"] == 40


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_email_login_from_environment_and_refusal_without_leaking(monkeypatch, tmp_path: Path, caplog) -> None:
    import socket

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
            received.append(envelope.content)
            return "250 OK"

    def authenticator(server: object, session: object, envelope: object, mechanism: str, auth_data: Any) -> AuthResult:
        ok = auth_data.login == b"care" and auth_data.password == b"right-password"
        return AuthResult(success=ok)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_required=True, auth_require_tls=False, auth_exclude_mechanism=["LOGIN"])
    controller.start()
    try:
        monkeypatch.setattr("alerts.channels.TIMEOUT", 2.0)  # aiosmtpd stalls after a refused login
        monkeypatch.setenv("TEST_SMTP_USER", "care")
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong-password")
        config = config_with([{"name": "mail", "kind": "email", "host": "127.0.0.1", "port": port,
                               "username_env": "TEST_SMTP_USER", "password_env": "TEST_SMTP_PASSWORD",
                               "to": ["care@example"]}], ["mail"])
        clock = [NOW]
        dispatcher = Dispatcher(config, tmp_path, None, retry_delays=(), clock=lambda: clock[0])
        dispatcher.enqueue([event()])
        with caplog.at_level(logging.DEBUG):
            assert dispatcher.flush().pending == 1
        ours = [r.getMessage() for r in caplog.records if r.name.startswith("alerts")]  # not the test server's
        assert ours and not any("wrong-password" in m for m in ours)
        assert all("wrong-password" not in str(item["last_error"]) for item in dispatcher.items())
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "right-password")
        clock[0] = NOW + timedelta(hours=2)
        assert dispatcher.flush().delivered == 1 and len(received) == 1
    finally:
        controller.stop()


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_over_tls(security: str, tmp_path: Path, monkeypatch) -> None:
    import socket
    import ssl

    from aiosmtpd.controller import Controller

    from tests.alerts.conftest import self_signed_cert

    cert, key = self_signed_cert(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts the test certificate, nothing else
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server: object, session: Any, envelope: Any) -> str:
            received.append(envelope.content)
            return "250 OK"

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    if security == "starttls":
        controller = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=server_tls,
                                require_starttls=True)
    else:
        controller = Controller(Handler(), hostname="127.0.0.1", port=port, ssl_context=server_tls)
    controller.start()
    try:
        config = config_with([{"name": "mail", "kind": "email", "host": "127.0.0.1", "port": port,
                               "security": security, "to": ["care@example"]}], ["mail"])
        dispatcher = Dispatcher(config, tmp_path / "outbox", None, retry_delays=())
        dispatcher.enqueue([event()])
        assert dispatcher.flush().delivered == 1
        assert len(received) == 1
    finally:
        controller.stop()


def test_a_delivery_claimed_by_a_crashed_flush_is_retried_after_its_lease(tmp_path: Path) -> None:
    out = tmp_path / "audit.jsonl"
    config = config_with([{"name": "out", "kind": "file", "path": str(out)}], ["out"])
    clock = [NOW]
    dispatcher = Dispatcher(config, tmp_path / "outbox", None, retry_delays=(), clock=lambda: clock[0])
    dispatcher.enqueue([event()])
    # another process claimed it and died mid-send
    dispatcher._db.execute("UPDATE outbox SET status = 'sending', next_attempt_at = ?",
                           ((NOW + timedelta(minutes=10)).timestamp(),))
    assert dispatcher.flush().delivered == 0 and not out.exists()
    clock[0] = NOW + timedelta(minutes=11)
    assert dispatcher.flush().delivered == 1 and len(out.read_text().splitlines()) == 1
    assert dispatcher.flush().delivered == 0  # delivered once
