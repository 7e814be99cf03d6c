"""`sla_risk`: replayed over a simulated care team's history, it warns before the first complaint passes the reply
target when the team falls behind, resolves once it catches up, and stays quiet while the team keeps up."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from alerts.replay import replay
from alerts.sla import Queue, Work, forecast, sla_risk
from ascolto.cli import main
from core.model import Mention
from storage import MentionStore, open_store
from tests.alerts.conftest import make_config, mention

NOW = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
LIMIT = 60
RULES = [{"name": "sla", "detector": "sla_risk", "brand": "Velora", "limit_minutes": LIMIT}]
SLOW_FROM = NOW - timedelta(hours=9)  # the team falls behind (a busy afternoon, one agent short) ...
BACK_FROM = NOW - timedelta(hours=5)  # ... and catches up


@dataclass
class Simulated:
    complaints: list[Mention]
    replied: dict[str, datetime]  # complaint id -> first reply (also those after NOW, not stored)


def simulate(seed: int, days: int, behind: bool) -> Simulated:
    """Complaints arriving at random (busier by day), answered oldest first by a team whose work per complaint is
    random; `behind`: from SLOW_FROM half as many complaints again arrive and each reply takes three times as long;
    from BACK_FROM a second agent halves the work until the backlog is gone."""
    rng = random.Random(seed)
    complaints, replied = [], {}
    at = free = NOW - timedelta(days=days)
    while True:
        slow = behind and SLOW_FROM <= at < BACK_FROM
        per_hour = (5.0 if 8 <= at.hour < 22 else 0.5) * (1.5 if slow else 1)
        at += timedelta(minutes=rng.expovariate(per_hour / 60))
        if at >= NOW:
            break
        start = max(at + timedelta(minutes=rng.uniform(3, 10)), free)
        pace = 3 if behind and SLOW_FROM <= start < BACK_FROM else 0.5 if behind and start >= BACK_FROM else 1
        free = start + timedelta(minutes=rng.uniform(2, 8) * pace)
        complaint = mention(at, text="la linea non funziona, nessuna risposta")
        complaints.append(complaint)
        replied[complaint.id] = free
    return Simulated(complaints, replied)


def store_of(sim: Simulated, store: MentionStore) -> MentionStore:
    replies = [mention(at, text="ci scusi, la contattiamo in privato", intent="other", sentiment="neutral",
                       is_owned=True, in_reply_to=cid)
               for cid, at in sim.replied.items() if at < NOW]  # what the store holds at NOW
    result = store.upsert([*sim.complaints, *replies])
    assert not result.failed
    return store


def first_breach(sim: Simulated) -> datetime:
    """When the first complaint passed the limit without a reply (computed from the simulation, not the store)."""
    late = [c.published_at + timedelta(minutes=LIMIT) for c in sim.complaints
            if sim.replied[c.id] > c.published_at + timedelta(minutes=LIMIT)]
    return min(late)


@pytest.mark.parametrize("backend", [pytest.param("sqlite"),
                                     pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def test_it_warns_before_the_first_breach_and_resolves_when_the_pace_catches_up(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    sim = simulate(seed=7, days=2, behind=True)
    breach = first_breach(sim)
    assert SLOW_FROM < breach < BACK_FROM  # the fixture does what it says
    location = str(tmp_path / "m.sqlite3") if backend == "sqlite" else request.getfixturevalue("es_url")
    with open_store(location) as store:
        sent = replay(store_of(sim, store), make_config(RULES), "sla", days=1, now=NOW)
    opened = [s for s in sent if s.transition == "opened"]
    assert len(opened) == 1, [(s.at.isoformat(), s.transition) for s in sent]
    warning = opened[0]
    assert SLOW_FROM < warning.at < breach, (warning.at, breach)
    details = warning.event.details
    assert details["backlog"] >= 2 and details["forecast_breaching"] >= 1
    assert warning.at < datetime.fromisoformat(details["forecast_breach_at"]) <= warning.at + timedelta(minutes=LIMIT)
    assert details["oldest_waiting_minutes"] < LIMIT and details["reply_pace_per_hour"] is not None
    assert {"incoming_per_hour", "median_first_reply_minutes", "oldest_waiting_at"} <= details.keys()
    resolved = [s for s in sent if s.transition == "resolved"]
    assert resolved and BACK_FROM < resolved[-1].at < NOW


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_stays_quiet_while_the_team_keeps_up(seed: int, tmp_path: Path) -> None:
    sim = simulate(seed=seed, days=3, behind=False)
    assert max((sim.replied[c.id] - c.published_at) for c in sim.complaints) < timedelta(minutes=LIMIT)
    with open_store(tmp_path / "m.sqlite3") as store:
        sent = replay(store_of(sim, store), make_config(RULES), "sla", days=2, now=NOW)
    assert sent == [], [(s.at.isoformat(), s.event.summary) for s in sent]


def test_the_forecast_of_a_queue() -> None:
    now = NOW
    waiting = [mention(now - timedelta(minutes=m)) for m in (40, 30, 20, 5)]  # oldest first
    queue = Queue(now=now, waiting=waiting, window=Work(2, 50), history=Work(30, 890), open_minutes=10,
                  busy_history=1200, replies_history=40, incoming_window=4, delays=[10, 20, 30])
    # pace: (2 + 30 / (890 + 10) * 30) / (50 + 10 + 30) = 1/30 a minute: number k is answered in k * 30 minutes
    assert queue.pace() == pytest.approx(1 / 30)
    outlook = forecast(queue, LIMIT, 60)
    # deadlines in 20, 30, 40, 55 minutes; answers in 30, 60, 90, 120: all four pass the limit, the first in 20
    assert (outlook.breaching, outlook.breach_at) == (4, now + timedelta(minutes=20))
    assert outlook.answered_within_limit == pytest.approx(2)
    assert outlook.arrival_breach_at == now + timedelta(minutes=LIMIT)  # 4 waiting take 120 minutes already
    fast = Queue(now=now, waiting=waiting[-1:], window=Work(6, 25), history=Work(60, 295), open_minutes=5,
                 busy_history=600, replies_history=80, incoming_window=4, delays=[10, 20, 30])
    assert queue.pace() < fast.pace() and forecast(fast, LIMIT, 60).breach_at is None
    # never two complaints at once: the pace of replies per minute of waiting, reaction time included
    alone = Queue(now=now, waiting=waiting[-1:], window=Work(), history=Work(1, 5), open_minutes=5,
                  busy_history=120, replies_history=6, incoming_window=1, delays=[10, 20, 30])
    assert alone.pace() == pytest.approx((0 + 6 / 120 * 30) / (0 + 5 + 30))


def test_nothing_waiting_nothing_forecast(store: MentionStore) -> None:
    config = make_config(RULES)
    assert sla_risk(store, config, config.alerts[0], "Velora", NOW) == []
    store.upsert([mention(NOW - timedelta(minutes=30), first_reply_at=NOW - timedelta(minutes=25))])
    assert sla_risk(store, config, config.alerts[0], "Velora", NOW) == []


def test_backtest_command_replays_it_and_judges_it_against_the_slow_hours(tmp_path: Path, capsys) -> None:
    sim = simulate(seed=7, days=2, behind=True)
    with open_store(tmp_path / "m.sqlite3") as store:
        store_of(sim, store)
    config, windows = tmp_path / "c.yaml", tmp_path / "w.json"
    config.write_text(yaml.safe_dump({"brands": [{"name": "Velora"}], "alerts": RULES,
                                      "store": str(tmp_path / "m.sqlite3")}))
    windows.write_text(json.dumps([[SLOW_FROM.isoformat(), first_breach(sim).isoformat()]]))
    code = main(["backtest", "--config", str(config), "--rule", "sla", "--days", "1", "--now", NOW.isoformat(),
                 "--windows", str(windows)])
    assert code == 0, capsys.readouterr().err
    lines = capsys.readouterr().out.strip().splitlines()
    sent = [json.loads(line) for line in lines if line.startswith("{")]
    assert [s["transition"] for s in sent if s["transition"] != "escalated"] == ["opened", "resolved"]
    assert "windows caught 1/1, false alarms 0" in lines
