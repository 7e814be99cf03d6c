"""Incidents: a surge that several detectors see is ONE incident, told once when it opens and once when it
resolves, on every channel (a real SMTP server and a real webhook receiver on loopback), on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from alerts.engine import evaluate
from alerts.incidents import reconcile
from alerts.notify import Dispatcher
from core.config import ConfigError
from core.model import AlertEvent
from storage import open_store
from tests.alerts.conftest import make_config, mention

NOW = datetime(2026, 3, 10, 14, 50, tzinfo=UTC)
RULES = [
    {"name": "spike", "detector": "volume_spike", "brand": "Velora", "channels": ["mail", "hook"]},
    {"name": "negative", "detector": "negative_share", "metric": "negative", "window": "3h", "min_count": 10,
     "brand": "Velora", "channels": ["mail", "hook"]},
    {"name": "term", "detector": "emerging_term", "window": "3h", "brand": "Velora", "channels": ["hook"]},
]


@pytest.fixture(params=[pytest.param("sqlite"), pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    location = request.getfixturevalue("es_url") if request.param == "elasticsearch" else tmp_path / "m.sqlite3"
    with open_store(location) as store:
        yield store


def surge(store: Any) -> None:
    """A week of 2 complaints and 6 calm mentions an hour, then 40 angry complaints in the last 40 minutes."""
    batch = []
    start = NOW - timedelta(days=8)
    for h in range(8 * 24):
        at = start + timedelta(hours=h)
        batch += [mention(at + timedelta(minutes=7 + 20 * k), text="ritardo consegna ordine",
                          first_reply_at=at + timedelta(minutes=40)) for k in range(2)]
        batch += [mention(at + timedelta(minutes=5 + 9 * k), intent="other", sentiment="neutral",
                          text="ho ricevuto il pacco oggi") for k in range(6)]
    batch += [mention(NOW - timedelta(minutes=m), text="app down, rimborso negato #velorafail blackout")
              for m in range(1, 41)]
    store.upsert(batch)


def config_for(smtp_port: int, hook_url: str, **incidents: Any) -> Any:
    channels = [{"name": "mail", "kind": "email", "host": "127.0.0.1", "port": smtp_port, "to": ["pr@example"]},
                {"name": "hook", "kind": "webhook", "url": hook_url}]
    return make_config(RULES, channels, incidents={"gap": "30m", **incidents})


def tick(store: Any, config: Any, dispatcher: Dispatcher, at: datetime) -> list[Any]:
    """One evaluation as the service runs it: staged before each save, released after, then delivered."""
    done = evaluate(store, config, at, stage=dispatcher.stage)
    dispatcher.release(done.notifications)
    report = dispatcher.flush()
    assert report.failed == report.dead == 0
    return done.incidents


def test_a_surge_seen_by_several_detectors_is_one_incident_told_twice(any_store: Any, smtp_server: Any,
                                                                      receiver: Any, tmp_path: Path) -> None:
    controller, mailbox = smtp_server
    surge(any_store)
    config = config_for(controller.port, receiver.url)
    dispatcher = Dispatcher(config, tmp_path / "outbox", "http://127.0.0.1:8765/", retry_delays=())
    opened = tick(any_store, config, dispatcher, NOW)
    assert [n.transition for n in opened] == ["opened"]
    incident = any_store.list_incidents()[0]
    assert len(incident.detectors) >= 2 and {"volume_spike", "negative_share"} <= set(incident.detectors)
    assert incident.id.startswith("inc-velora-20260310T") and incident.title == "Velora: complaints surge"
    assert any_store.incident_of_alert(incident.alert_ids[-1]).id == incident.id
    assert len(mailbox.messages) == 1 and len(receiver.posts) == 1  # not one per alert
    assert "INCIDENT" in mailbox.messages[0]["Subject"] and mailbox.messages[0]["X-Ascolto-Incident"] == incident.id
    body = receiver.bodies()[0]
    assert body["transition"] == "opened" and body["incident"]["id"] == incident.id
    assert {a["detector"] for a in body["alerts"]} == set(incident.detectors)
    assert body["dashboard_url"] == f"http://127.0.0.1:8765/incident?id={incident.id}"
    assert "Alerts in this incident" in body["text"] and "#velorafail" in body["text"]

    at = NOW
    while any_store.list_incidents(status=("open", "handling")) and at < NOW + timedelta(days=1):
        at += timedelta(minutes=30)
        assert [n.transition for n in tick(any_store, config, dispatcher, at)] in ([], ["resolved"])
    resolved = any_store.get_incident(incident.id)
    assert resolved.status == "resolved" and resolved.window_end is not None
    alerts = [any_store.get_alert(i) for i in resolved.alert_ids]
    assert all(a.status == "resolved" for a in alerts)
    assert resolved.resolved_at == max(a.resolved_at for a in alerts)  # its last alert's resolve, not the gap's
    assert at - resolved.resolved_at >= timedelta(minutes=30)  # it waited the gap for the crisis to come back
    assert len(mailbox.messages) == 2 and len(receiver.posts) == 2
    assert "INCIDENT RESOLVED" in mailbox.messages[1]["Subject"]
    assert receiver.bodies()[1]["transition"] == "resolved"
    assert len({h["Idempotency-Key"] for h, _ in receiver.posts}) == 2
    assert any_store.list_incidents(brand="Rimbors") == []
    assert tick(any_store, config, dispatcher, at) == []  # the same instant again: nothing twice


def test_alert_channels_keep_one_message_per_alert(store: Any, smtp_server: Any, receiver: Any,
                                                   tmp_path: Path) -> None:
    controller, mailbox = smtp_server
    surge(store)
    config = config_for(controller.port, receiver.url, channels={"hook": "alerts"})
    dispatcher = Dispatcher(config, tmp_path / "outbox", None, retry_delays=())
    tick(store, config, dispatcher, NOW)
    alerts = store.list_alerts()
    assert len(alerts) >= 2
    assert len(receiver.posts) == len(alerts) and all("alert" in b for b in receiver.bodies())  # per alert
    assert len(mailbox.messages) == 1  # the mail channel takes incidents


def alert(i: int, opened: datetime, detector: str = "volume_spike", **fields: Any) -> AlertEvent:
    return AlertEvent(id=f"a{i}", rule="spike", detector=detector, brand="Velora", opened_at=opened,
                      updated_at=opened, window_start=opened - timedelta(hours=1), window_end=opened, **fields)


def test_joining_updates_gap_and_reopen_rules(store: Any) -> None:
    config = make_config([{"name": "spike", "detector": "volume_spike"}],
                         incidents={"gap": "1h", "update_cooldown": "1h"})
    store.save_alert(alert(1, NOW))
    assert [n.transition for n in reconcile(store, config, NOW)] == ["opened"]
    store.save_alert(alert(2, NOW + timedelta(minutes=10), "negative_share"))
    assert reconcile(store, config, NOW + timedelta(minutes=10)) == []  # a new detector, within the cooldown
    incident = store.list_incidents()[0]
    assert incident.alert_ids == ["a1", "a2"] and incident.detectors == ["volume_spike", "negative_share"]
    assert [n.transition for n in reconcile(store, config, NOW + timedelta(hours=1))] == ["updated"]  # held, told
    for i in (1, 2):
        store.save_alert(alert(i, NOW, status="resolved", resolved_at=NOW + timedelta(hours=2)))
    assert reconcile(store, config, NOW + timedelta(hours=2, minutes=30)) == []  # quiet, within the gap
    store.save_alert(alert(3, NOW + timedelta(hours=2, minutes=40), "emerging_term", severity="critical"))
    joined = reconcile(store, config, NOW + timedelta(hours=2, minutes=40))
    assert [n.transition for n in joined] == ["updated"] and joined[0].incident.severity == "critical"
    store.save_alert(alert(3, NOW + timedelta(hours=2, minutes=40), "emerging_term", status="resolved",
                           resolved_at=NOW + timedelta(hours=3)))
    assert [n.transition for n in reconcile(store, config, NOW + timedelta(hours=4))] == ["resolved"]
    first = store.get_incident(incident.id)
    assert first.resolved_at == NOW + timedelta(hours=3) and first.alert_ids == ["a1", "a2", "a3"]
    # reopen rule: an alert opening soon after the incident resolved starts a NEW incident
    store.save_alert(alert(4, NOW + timedelta(hours=4, minutes=5)))
    again = reconcile(store, config, NOW + timedelta(hours=4, minutes=5))
    assert [n.transition for n in again] == ["opened"] and again[0].incident.id != incident.id
    assert store.get_incident(incident.id).status == "resolved"


def test_the_gap_is_validated() -> None:
    with pytest.raises(ConfigError, match=r"incidents\.gap"):
        make_config([], incidents={"gap": "soon"})
    with pytest.raises(ConfigError, match=r"incidents\.channels: unknown channel"):
        make_config([], incidents={"channels": {"nope": "alerts"}})
    assert make_config([], incidents={"gap": "0s"}).incidents.gap_delta() == timedelta(0)


def test_incident_messages_keep_crawled_text_inert() -> None:
    from alerts.incidents import IncidentNotice, incident_title
    from alerts.messages import html_body, json_payload, subject, text_body
    from alerts.slack_blocks import slack_payload
    from core.model import Incident
    from core.wording import Voice
    from tests.alerts.test_messages import FORGED, Links, forged_event

    hostile = forged_event().model_copy(update={"brand": "Velora", "detector": "emerging_term"})
    other = alert(2, NOW, "negative_share", title=f"<b>x</b>{FORGED}")
    incident = Incident(id="inc-velora-20260310T1450-abc123", brand="Velora", opened_at=NOW, updated_at=NOW,
                        window_start=NOW - timedelta(hours=1), alert_ids=[hostile.id, other.id],
                        detectors=["emerging_term", "negative_share"], severity="critical",
                        title=incident_title(hostile, "Velora"))
    notice = IncidentNotice(transition="opened", at=NOW, incident=incident, alerts=[hostile, other])
    lines = text_body(notice, "https://ascolto.example/").splitlines()
    assert not [line for line in lines if line.startswith(("Bcc", "https://evil", "- admin"))]
    assert [line for line in lines if line.startswith("Open the incident")] == [
        "Open the incident on the dashboard: https://ascolto.example/incident?id=inc-velora-20260310T1450-abc123"]
    parser = Links()
    parser.feed(html_body(notice, "https://ascolto.example/"))
    assert parser.hrefs == ["https://forum.example/t/1",
                            "https://ascolto.example/incident?id=inc-velora-20260310T1450-abc123"]
    assert "\n" not in subject(notice) and subject(notice).startswith("[Ascolto INCIDENT critical] Velora: ")
    blocks = slack_payload(notice, "https://ascolto.example/")["blocks"]
    mrkdwn = [b["text"]["text"] for b in blocks if b.get("text", {}).get("type") == "mrkdwn"]
    assert all("evil.example" not in m for m in mrkdwn)
    assert all("<a " not in str(b) and "<!" not in str(b) for b in blocks)
    italian = json_payload(notice, None, Voice("it"))
    assert italian["subject"].startswith("[Ascolto INCIDENTE critica] Velora: un termine nuovo")
    assert [a["id"] for a in italian["alerts"]] == [hostile.id, other.id] and "details" not in italian["incident"]


def test_an_incident_closed_by_a_person_stays_closed(store: Any) -> None:
    config = make_config([{"name": "spike", "detector": "volume_spike"}], incidents={"gap": "0s"})
    store.save_alert(alert(1, NOW))
    (opened,) = reconcile(store, config, NOW)
    closed = opened.incident.model_copy(update={"status": "resolved", "resolved_at": NOW + timedelta(minutes=5),
                                                "details": {**opened.incident.details, "closed_by": "Giulia"}})
    store.save_incident(closed)
    assert reconcile(store, config, NOW + timedelta(minutes=10)) == []  # its alert still runs: no new incident
    store.save_alert(alert(2, NOW + timedelta(minutes=20), "negative_share"))
    (again,) = reconcile(store, config, NOW + timedelta(minutes=20))  # a new alert is a new crisis
    assert again.transition == "opened" and again.incident.alert_ids == ["a2"]


def test_cli_lists_shows_and_takes_on_an_incident(tmp_path: Path, cli_env: dict[str, str],
                                                  ascolto_cmd: list[str]) -> None:
    import json
    import subprocess

    db = tmp_path / "m.sqlite3"
    with open_store(db) as store:
        store.save_alert(alert(1, NOW, title="Velora: spike"))
        (opened,) = reconcile(store, make_config([{"name": "spike", "detector": "volume_spike"}]), NOW)
    incident_id = opened.incident.id

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*ascolto_cmd, "--store", str(db), "incidents", *args], capture_output=True, text=True,
                              env=cli_env, timeout=120)

    listed = json.loads(cli("list", "--json").stdout)["incidents"]
    assert [i["id"] for i in listed] == [incident_id]
    shown = json.loads(cli("show", incident_id, "--json").stdout)
    assert shown["incident"]["alert_ids"] == ["a1"] and [a["id"] for a in shown["alerts"]] == ["a1"]
    taken = cli("ack", incident_id, "--by", "Marco", "--json")
    assert taken.returncode == 0, taken.stderr
    assert json.loads(taken.stdout)["status"] == "handling" and json.loads(taken.stdout)["owner"] == "Marco"
    assert "handling" in cli("list").stdout and "Marco" in cli("show", incident_id).stdout
    missing = cli("show", "nope")
    assert missing.returncode == 1 and "no incident with id 'nope'" in missing.stderr
