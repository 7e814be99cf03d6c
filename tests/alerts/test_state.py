"""Alert state in the real SQLite store: open, escalate, resolve, cooldown, restart without duplicates, ack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from alerts.engine import evaluate_rules
from alerts.findings import Finding
from alerts.state import acknowledge, apply_findings, transition_of
from core.config import AlertRule
from storage import open_store
from tests.alerts.conftest import make_config, mention, steady_history

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
RULE = AlertRule(name="spike", detector="volume_spike", brand="Velora", cooldown="2h")


def firing(severity: str = "warning", score: float = 5.0) -> list[Finding]:
    return [Finding(key="volume", firing=True, severity=severity, observed=40, expected=4, score=score,
                    title="Velora: spike in complaints", summary="40 complaints in 1h against 4.0 expected")]


def elevated() -> list[Finding]:
    return [Finding(key="volume", firing=False, score=2.5, title="Velora: spike in complaints")]


def test_open_escalate_resolve_and_cooldown(store) -> None:
    opened = apply_findings(store, RULE, "Velora", firing(), T0)
    assert [transition_of(e) for e in opened] == ["opened"]
    alert_id = opened[0].id
    # still firing a minute later: updated silently
    assert apply_findings(store, RULE, "Velora", firing(), T0 + timedelta(minutes=1)) == []
    # worse: escalated once
    escalated = apply_findings(store, RULE, "Velora", firing("critical", 12.0), T0 + timedelta(minutes=2))
    assert [(e.id, transition_of(e), e.severity) for e in escalated] == [(alert_id, "escalated", "critical")]
    assert apply_findings(store, RULE, "Velora", firing("critical", 12.0), T0 + timedelta(minutes=3)) == []
    # calmer but not yet normal: stays open (hysteresis)
    assert apply_findings(store, RULE, "Velora", elevated(), T0 + timedelta(minutes=4)) == []
    assert store.get_alert(alert_id).status == "open"
    # back to normal: a resolved message
    resolved = apply_findings(store, RULE, "Velora", [], T0 + timedelta(minutes=5))
    assert [(e.id, transition_of(e)) for e in resolved] == [(alert_id, "resolved")]
    assert store.get_alert(alert_id).status == "resolved"
    # firing again within the cooldown: the same alert reopened, no repeat message
    assert apply_findings(store, RULE, "Velora", firing(), T0 + timedelta(minutes=30)) == []
    assert store.get_alert(alert_id).status == "open"
    assert len(store.list_alerts(rule="spike")) == 1
    apply_findings(store, RULE, "Velora", [], T0 + timedelta(minutes=40))
    # after the cooldown a new episode is a new alert
    again = apply_findings(store, RULE, "Velora", firing(), T0 + timedelta(hours=4))
    assert [transition_of(e) for e in again] == ["opened"] and again[0].id != alert_id


def test_a_spike_that_goes_on_escalates(store) -> None:
    apply_findings(store, RULE, "Velora", firing(), T0)
    assert apply_findings(store, RULE, "Velora", firing(), T0 + timedelta(hours=1)) == []
    later = apply_findings(store, RULE, "Velora", firing(), T0 + timedelta(hours=2))
    assert [(transition_of(e), e.severity) for e in later] == [("escalated", "critical")]


def test_restart_neither_forgets_nor_repeats(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    with open_store(path) as first:
        assert len(apply_findings(first, RULE, "Velora", firing(), T0)) == 1
    with open_store(path) as second:  # a new process over the same store
        assert apply_findings(second, RULE, "Velora", firing(), T0) == []  # same instant: nothing twice
        assert apply_findings(second, RULE, "Velora", firing(), T0 + timedelta(minutes=1)) == []
        assert [transition_of(e) for e in apply_findings(second, RULE, "Velora", [], T0 + timedelta(minutes=2))] \
            == ["resolved"]
        assert apply_findings(second, RULE, "Velora", [], T0 + timedelta(minutes=2)) == []


def test_acknowledge_keeps_the_alert_until_it_resolves(store) -> None:
    event = apply_findings(store, RULE, "Velora", firing(), T0)[0]
    acked = acknowledge(store, event.id, "giulia", T0 + timedelta(minutes=3))
    assert acked is not None and acked.status == "acknowledged" and acked.acknowledged_by == "giulia"
    assert acknowledge(store, "no-such-alert", None, T0) is None
    assert apply_findings(store, RULE, "Velora", firing(), T0 + timedelta(minutes=4)) == []
    resolved = apply_findings(store, RULE, "Velora", [], T0 + timedelta(minutes=5))
    assert resolved[0].status == "resolved" and resolved[0].acknowledged_by == "giulia"


def test_engine_restart_and_resolve_on_real_series(tmp_path: Path) -> None:
    now = datetime(2026, 3, 10, 14, 50, tzinfo=UTC)
    config = make_config([{"name": "spike", "detector": "volume_spike", "brand": "Velora"}])
    path = tmp_path / "m.sqlite3"
    with open_store(path) as store:
        steady_history(store, now)
        store.upsert([mention(now - timedelta(minutes=m), text="app down") for m in range(1, 41)])
        assert [e.rule for e in evaluate_rules(store, config, now)] == ["spike"]
    with open_store(path) as store:
        assert evaluate_rules(store, config, now) == []
        assert evaluate_rules(store, config, now + timedelta(minutes=1)) == []
        later = evaluate_rules(store, config, now + timedelta(hours=3))  # the spike has passed
        assert [transition_of(e) for e in later] == ["resolved"]
        assert store.list_alerts(status=("open",)) == []
