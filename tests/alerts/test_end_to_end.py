"""The demo's path: a complaint spike and an unanswered complaint -> AlertEvents persisted -> file outbox + email."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alerts.engine import evaluate_rules
from alerts.notify import Dispatcher
from ascolto.paths import data_dir
from tests.alerts.conftest import make_config, mention, steady_history

NOW = datetime(2026, 3, 10, 14, 50, tzinfo=UTC)


def test_spike_and_unanswered_are_persisted_and_delivered(store, smtp_server, tmp_path: Path) -> None:
    controller, mailbox = smtp_server
    steady_history(store, NOW)
    spike = [mention(NOW - timedelta(minutes=m), text="app down, rimborso negato #velorafail") for m in range(1, 41)]
    unanswered = mention(NOW - timedelta(hours=3), text="nessuno risponde <!channel> da ore")
    store.upsert([*spike, unanswered])
    config = make_config(
        rules=[
            {"name": "spike", "detector": "volume_spike", "brand": "Velora", "channels": ["out", "mail"]},
            {"name": "unanswered", "detector": "unanswered_complaint", "brand": "Velora", "channels": ["out"]},
        ],
        channels=[
            {"name": "out", "kind": "file", "path": "alerts.jsonl"},
            {"name": "mail", "kind": "email", "host": "127.0.0.1", "port": controller.port,
             "to": ["care@example"]},
        ],
    )
    events = evaluate_rules(store, config, NOW)
    by_rule = {e.rule: e for e in events}
    assert set(by_rule) == {"spike", "unanswered"}
    spike_event = by_rule["spike"]
    assert spike_event.observed and spike_event.expected is not None and spike_event.observed > spike_event.expected
    assert spike_event.expected_high is not None and spike_event.observed > spike_event.expected_high
    assert len(spike_event.sample_ids) == 3 and "#velorafail" in spike_event.top_terms
    assert store.get_alert(spike_event.id) is not None

    dispatcher = Dispatcher(config, tmp_path / "outbox", "http://127.0.0.1:8765/", retry_delays=(),
                            files_dir=data_dir())
    assert dispatcher.enqueue(events) == 3
    report = dispatcher.flush()
    assert (report.delivered, report.failed, report.pending) == (3, 0, 0)

    lines = [json.loads(x) for x in (data_dir() / "alerts.jsonl").read_text().splitlines()]
    assert {x["alert"]["rule"] for x in lines} == {"spike", "unanswered"}
    assert all(x["dashboard_url"].startswith("http://127.0.0.1:8765/") for x in lines)
    assert len(mailbox.messages) == 1
    mail = mailbox.messages[0]
    assert "times the usual" in mail["Subject"]  # what happened, in plain words
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in mail.walk() if not p.is_multipart()}
    assert "usually" in parts["text/plain"] and "https://forum.example/t/" in parts["text/plain"]
    assert "<!channel>" not in parts["text/html"] or "&lt;!channel&gt;" in parts["text/html"]

    # the same instant again (a restart, a second scheduler tick): nothing fires twice
    assert evaluate_rules(store, config, NOW) == []
    assert dispatcher.enqueue(events) == 0
