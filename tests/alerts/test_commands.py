"""`ascolto backtest` (and NAB scoring), `ascolto alerts list/ack`, and the `ascolto run` service."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from alerts import nab
from ascolto.cli import main
from tests.alerts.conftest import make_config, mention, steady_history

START = datetime(2026, 1, 5, tzinfo=UTC)


def write_series(path: Path, values: np.ndarray) -> list[str]:
    stamps = [(START + timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S") for i in range(len(values))]
    path.write_text("timestamp,value\n" + "".join(f"{t},{int(v)}\n" for t, v in zip(stamps, values, strict=True)))
    return stamps


def test_nab_scoring_rules() -> None:
    stamps = [str(i) for i in range(1000)]
    windows = [("500", "599")]
    none = [False] * 1000
    assert nab.score_file(stamps, none, windows, "standard").normalised == 0.0
    left = none.copy()
    left[500] = True
    assert nab.score_file(stamps, left, windows, "standard").normalised == pytest.approx(100.0)
    late = none.copy()
    late[599] = True  # the right edge is worth about nothing, but the window is no longer missed
    assert 49 < nab.score_file(stamps, late, windows, "standard").normalised < 52
    early_fp = none.copy()
    early_fp[300] = True
    assert nab.score_file(stamps, early_fp, windows, "standard").raw == pytest.approx(-1.11)
    assert nab.score_file(stamps, early_fp, windows, "reward_low_FP_rate").raw == pytest.approx(-1.22)
    probation = none.copy()
    probation[100] = True  # inside the first 15%: ignored
    assert nab.score_file(stamps, probation, windows, "standard").raw == pytest.approx(-1.0)
    just_after = none.copy()
    just_after[601] = True  # an FP just after a window costs less than one far away
    assert -1.11 < nab.score_file(stamps, just_after, windows, "standard").raw < -1.0
    assert nab.probation_length(100_000) == 750


def test_backtest_writes_alerts_and_nab_scores(tmp_path: Path, capsys) -> None:
    rng = np.random.default_rng(1)
    values = rng.poisson(4.0, 12 * 24 * 12).astype(float)
    onset = 12 * 24 * 9 + 50
    values[onset:onset + 24] += 40
    stamps = write_series(tmp_path / "a.csv", values)
    write_series(tmp_path / "b.csv", rng.poisson(4.0, 12 * 24 * 12).astype(float))
    windows = {"a.csv": [[stamps[onset - 100], stamps[onset + 100]]], "b.csv": []}
    (tmp_path / "w.json").write_text(json.dumps(windows))
    out = tmp_path / "alerts.jsonl"
    code = main(["backtest", "--series", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"),
                 "--windows", str(tmp_path / "w.json"), "--output", str(out)])
    assert code == 0
    alerts = [json.loads(x) for x in out.read_text().splitlines()]
    hits = [a for a in alerts if a["file"] == "a.csv" and a["index"] >= onset]
    assert hits and hits[0]["index"] - onset <= 3
    assert {"timestamp", "observed", "expected", "score"} <= set(hits[0])
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].startswith("NAB overall: standard") and "reward_low_FP_rate" in lines[-1]
    assert lines[0].startswith("a.csv:") and lines[1].startswith("b.csv:")
    # without --output the alerts go to stdout
    assert main(["backtest", "--series", str(tmp_path / "a.csv")]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["file"] == "a.csv"


def test_backtest_bad_file_is_a_clear_error(tmp_path: Path, capsys) -> None:
    (tmp_path / "bad.csv").write_text("timestamp,value\n2026-01-01 00:00:00,lots\n")
    assert main(["backtest", "--series", str(tmp_path / "bad.csv")]) == 2
    assert "bad.csv:2" in capsys.readouterr().err


def test_alerts_list_and_ack(tmp_path: Path, capsys) -> None:
    from alerts.engine import evaluate_rules
    from storage import open_store

    now = datetime(2026, 3, 10, 14, 50, tzinfo=UTC)
    db = tmp_path / "m.sqlite3"
    config = make_config([{"name": "care", "detector": "unanswered_complaint", "brand": "Velora"}])
    with open_store(db) as store:
        store.upsert([mention(now - timedelta(hours=2))])
        alert_id = evaluate_rules(store, config, now)[0].id
    assert main(["--store", str(db), "alerts", "list", "--status", "open", "--json"]) == 0
    listed = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [a["id"] for a in listed] == [alert_id]
    assert main(["--store", str(db), "alerts", "ack", alert_id, "--by", "marco"]) == 0
    assert "acknowledged by marco" in capsys.readouterr().out
    assert main(["--store", str(db), "alerts", "list", "--status", "open"]) == 0
    assert alert_id not in capsys.readouterr().out
    assert main(["--store", str(db), "alerts", "ack", "nope"]) == 1


def test_run_service_evaluates_and_delivers(tmp_path: Path) -> None:
    from ascolto.scheduler import JOB_DEFAULTS, Service
    from storage import open_store

    now = datetime(2026, 3, 10, 14, 50, tzinfo=UTC)
    db = tmp_path / "m.sqlite3"
    with open_store(db) as store:
        steady_history(store, now, days=2)
        store.upsert([mention(now - timedelta(hours=2))])
    out = tmp_path / "alerts.jsonl"
    config = make_config(
        [{"name": "care", "detector": "unanswered_complaint", "brand": "Velora", "channels": ["out"]}],
        channels=[{"name": "out", "kind": "file", "path": str(out)}],
        sources=[{"name": "feed", "kind": "feed", "urls": ["http://127.0.0.1:9/rss"], "interval": "15m"}],
    )
    service = Service(config, tmp_path / "config.yaml", str(db), tmp_path / "outbox")
    service.schedule(crawl=True)
    jobs = {job.id: job for job in service.scheduler.get_jobs()}
    assert set(jobs) == {"crawl:feed", "alerts"}
    assert JOB_DEFAULTS["max_instances"] == 1 and JOB_DEFAULTS["coalesce"] is True
    assert service.evaluate_alerts(now) == 1
    assert service.evaluate_alerts(now + timedelta(minutes=1)) == 0  # nothing twice
    service.deliver("out")  # (the channel's own thread does this in the running service)
    service.stop()
    assert len(out.read_text().splitlines()) == 1


def test_run_stops_cleanly_on_sigterm(tmp_path: Path, cli_env, ascolto_cmd) -> None:
    import signal
    import subprocess
    import time

    import yaml

    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"brands": [{"name": "Velora"}], "alerts": [
        {"name": "care", "detector": "unanswered_complaint"}]}))
    proc = subprocess.Popen([*ascolto_cmd, "--store", str(tmp_path / "m.sqlite3"), "run", "--config", str(cfg),
                             "--no-serve"], env=cli_env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (tmp_path / "m.sqlite3").exists():
            time.sleep(0.2)
        time.sleep(1.0)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in proc.stderr.read()
