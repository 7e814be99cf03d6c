"""`ascolto backtest --rule NAME --days N`: one configured rule replayed over the store's own history."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from alerts.replay import per_week, replay
from ascolto.cli import main
from storage import MentionStore, open_store
from tests.alerts.conftest import make_config, mention, steady_history

NOW = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
SURGE = NOW - timedelta(hours=20)
RULES = [{"name": "spike", "detector": "volume_spike", "brand": "Velora"}]


def fill(store: MentionStore) -> None:
    steady_history(store, NOW, days=9)
    store.upsert([mention(SURGE + timedelta(minutes=k), text=f"app down again, order {k} lost")
                  for k in range(45)])


@pytest.mark.parametrize("backend", [pytest.param("sqlite"),
                                     pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def test_replay_sends_the_surge_once_at_the_right_time_then_resolves(backend: str, tmp_path: Path,
                                                                     request: pytest.FixtureRequest) -> None:
    location = str(tmp_path / "m.sqlite3") if backend == "sqlite" else request.getfixturevalue("es_url")
    with open_store(location) as store:
        fill(store)
        sent = replay(store, make_config(RULES), "spike", days=2, now=NOW)
        assert store.list_alerts(limit=10) == []  # the store's own alerts are untouched
    opened = [s for s in sent if s.transition == "opened"]
    assert len(opened) == 1, [(s.at, s.transition) for s in sent]
    assert SURGE <= opened[0].at <= SURGE + timedelta(minutes=30)
    first = opened[0].as_dict()
    assert first["observed"] > first["expected_high"] and "order" in first["first_sample"]["text"]
    resolved = [s for s in sent if s.transition == "resolved"]
    assert resolved and resolved[0].at > opened[0].at
    assert sum(per_week(sent).values()) == 1


def test_backtest_rule_command_prints_alerts_and_weeks(tmp_path: Path, capsys) -> None:
    with open_store(tmp_path / "m.sqlite3") as store:
        fill(store)
    config = tmp_path / "c.yaml"
    raw = {"brands": [{"name": "Velora"}], "alerts": RULES, "store": str(tmp_path / "m.sqlite3")}
    config.write_text(yaml.safe_dump(raw))
    code = main(["backtest", "--config", str(config), "--rule", "spike", "--days", "2", "--now", NOW.isoformat()])
    assert code == 0, capsys.readouterr().err
    lines = capsys.readouterr().out.strip().splitlines()
    sent = [json.loads(line) for line in lines if line.startswith("{")]
    assert [s["transition"] for s in sent][:1] == ["opened"]
    assert lines[-1].startswith("alerts per week:")
    assert main(["backtest", "--config", str(config), "--rule", "nope", "--days", "2"]) == 2


def test_replay_judges_answered_as_of_the_replayed_instant(store: MentionStore) -> None:
    """A complaint answered three hours late was waiting at every instant before its reply: the replay alerts
    after the limit and resolves at the reply, though the store now holds the reply."""
    asked = NOW - timedelta(hours=6)
    replied = asked + timedelta(hours=3)
    store.upsert([mention(asked, first_reply_at=replied),
                  mention(asked + timedelta(minutes=5), first_reply_at=asked + timedelta(minutes=20))])
    rules = [{"name": "late", "detector": "unanswered_complaint", "brand": "Velora", "limit_minutes": 60}]
    sent = replay(store, make_config(rules), "late", days=0.5, now=NOW)
    moves = [(s.transition, s.at) for s in sent]
    assert [t for t, _ in moves] == ["opened", "resolved"], moves
    opened, resolved = sent[0], sent[1]
    assert asked + timedelta(minutes=60) < opened.at <= asked + timedelta(minutes=70)
    assert opened.event.observed == 1  # the one answered in 15 minutes never counted
    assert opened.event.details["facts"]["unanswered"] == 1
    assert replied <= resolved.at <= replied + timedelta(minutes=5)
