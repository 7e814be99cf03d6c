"""`ascolto backtest --rule NAME --days N --windows W.json`: the replay judged against labelled windows."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from alerts.replay_windows import parse_windows
from ascolto.cli import main
from storage import open_store
from tests.alerts.conftest import mention
from tests.alerts.test_replay import NOW, RULES, SURGE, fill

UNLABELLED_SURGE = NOW - timedelta(hours=50)  # a real surge, but outside every window: a false alarm
CAUGHT = (SURGE - timedelta(hours=1), SURGE + timedelta(hours=3))
QUIET = (NOW - timedelta(hours=30), NOW - timedelta(hours=26))  # nothing happens here: missed
AROUND_UNLABELLED = (UNLABELLED_SURGE - timedelta(minutes=30), UNLABELLED_SURGE + timedelta(hours=2))
BEFORE = (NOW - timedelta(days=30), NOW - timedelta(days=29))  # not within the replayed days: not counted


def iso(pair: tuple[datetime, datetime]) -> list[str]:
    return [t.isoformat() for t in pair]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    with open_store(tmp_path / "m.sqlite3") as store:
        fill(store)
        store.upsert([mention(UNLABELLED_SURGE + timedelta(minutes=k), text=f"addebito sbagliato {k}")
                      for k in range(45)])
    path = tmp_path / "c.yaml"
    raw = {"brands": [{"name": "Velora"}, {"name": "Rimbors"}], "alerts": RULES, "store": str(tmp_path / "m.sqlite3")}
    path.write_text(yaml.safe_dump(raw))
    return path


def backtest(config: Path, windows: object, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    path = config.parent / "w.json"
    path.write_text(windows if isinstance(windows, str) else json.dumps(windows))
    code = main(["backtest", "--config", str(config), "--rule", "spike", "--days", "3", "--now", NOW.isoformat(),
                 "--windows", str(path)])
    captured = capsys.readouterr()
    return code, captured.out.strip().splitlines(), captured.err


def fields(line: str) -> dict[str, str]:
    return dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line))


def test_windows_caught_with_their_delay_missed_and_false_alarms(config: Path, capsys) -> None:
    windows = {"Velora": [iso(CAUGHT), iso(QUIET), iso(BEFORE)], "Rimbors": [iso(QUIET)], "other-rule": []}
    code, lines, err = backtest(config, windows, capsys)
    assert code == 0, err
    opened = [json.loads(line) for line in lines if line.startswith("{") and '"opened"' in line]
    assert len(opened) == 2, lines  # the labelled surge and the unlabelled one; the JSON lines are unchanged
    in_window, outside = sorted(opened, key=lambda s: s["at"], reverse=True)
    assert lines.index("alerts per week: 2026-W11 2") < min(i for i, s in enumerate(lines) if s.startswith("window"))

    by_start = {fields(s)["start"]: (s.split()[1], fields(s)) for s in lines if s.startswith("window ")}
    status, caught = by_start[CAUGHT[0].isoformat()]
    assert status == "caught" and caught["first_alert"] == in_window["at"]
    delay = datetime.fromisoformat(in_window["at"]) - CAUGHT[0]
    assert caught["after_minutes"] == f"{delay.total_seconds() / 60:.0f}"
    assert caught["share_of_window"] == f"{delay / (CAUGHT[1] - CAUGHT[0]):.0%}"
    assert by_start[QUIET[0].isoformat()][0] == "missed"
    assert not [s for s in lines if "Rimbors" in s]  # the rule watches Velora only: other keys are left alone
    assert by_start[BEFORE[0].isoformat()][0] == "outside"

    false_alarms = [fields(s) for s in lines if s.startswith("false_alarm ")]
    assert false_alarms == [{"series": '"Velora"', "at": outside["at"], "alert": outside["alert"],
                             "title": json.dumps(outside["title"])}]
    assert lines[-1] == "windows caught 1/2, false alarms 1"


def test_a_plain_list_judges_every_alert_of_the_rule(config: Path, capsys) -> None:
    code, lines, err = backtest(config, [iso(CAUGHT), iso(AROUND_UNLABELLED)], capsys)
    assert code == 0, err
    assert [s.split()[1] for s in lines if s.startswith("window ")] == ["caught", "caught"]
    assert all('series="spike"' in s for s in lines if s.startswith("window "))
    assert lines[-1] == "windows caught 2/2, false alarms 0"


@pytest.mark.parametrize(("windows", "says"), [
    ("[[", "not JSON"),
    ({"spike": "2026-03-01"}, "a list of [start, end] pairs"),
    ([["2026-03-01T00:00"]], "two ISO 8601 strings"),
    ([["yesterday", "today"]], "not an ISO 8601 time"),
    ([["2026-03-02T00:00", "2026-03-01T00:00"]], "the end is not after the start"),
    ([["2026-03-01T00:00", "2026-03-01T06:00"], ["2026-03-01T05:00", "2026-03-01T08:00"]], "overlap"),
    ({"Nobody": [["2026-03-01T00:00", "2026-03-01T06:00"]]}, "no windows for rule 'spike'"),
    (7, "expected [[start, end], ...]"),
])
def test_a_bad_windows_file_is_a_usage_error(config: Path, capsys, windows: object, says: str) -> None:
    code, lines, err = backtest(config, windows, capsys)
    assert code == 2 and says in err and "w.json" in err and lines == []


def test_window_times_are_iso_8601_and_naive_ones_utc() -> None:
    parsed = parse_windows('{"Velora": [["2026-03-11 12:00:00.000000", "2026-03-11T16:00:00+02:00"]]}')
    start, end = parsed["Velora"][0]
    assert start.isoformat() == "2026-03-11T12:00:00+00:00" and end.isoformat() == "2026-03-11T14:00:00+00:00"
