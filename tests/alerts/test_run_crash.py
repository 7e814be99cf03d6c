"""`ascolto run` killed with SIGKILL at a named step of the alert path (ASCOLTO_CRASH_AT, alerts/faults.py),
then started again: no notification is lost; one is sent twice only when the crash came after sending it, and
then both copies carry the same idempotency key."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from tests.alerts.conftest import mention, steady_history


def _setup(tmp_path: Path, notify: str = "alerts") -> tuple[Path, Path, Path]:
    from storage import open_store

    now = datetime.now(UTC)
    db = tmp_path / "m.sqlite3"
    with open_store(db) as store:
        steady_history(store, now, days=2)
        store.upsert([mention(now - timedelta(hours=2))])  # a complaint unanswered for two hours: one alert
    out = tmp_path / "alerts.jsonl"
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({
        "brands": [{"name": "Velora"}],
        "alerts": [{"name": "care", "detector": "unanswered_complaint", "brand": "Velora", "channels": ["out"]}],
        "channels": [{"name": "out", "kind": "file", "path": str(out)}],
        "incidents": {"notify": notify},  # alerts: one message per alert; incidents: one per incident transition
    }))
    return db, cfg, out


def _run(cmd: list[str], env: dict[str, str], db: Path, cfg: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*cmd, "--store", str(db), "run", "--config", str(cfg), "--no-serve", "--no-crawl"],
                            env=env, stderr=subprocess.PIPE, text=True)


def _lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []


def _crash_then_restart(tmp_path: Path, cli_env: dict[str, str], ascolto_cmd: list[str], point: str,
                        notify: str = "alerts") -> list[dict]:
    """Run until the crash point kills the process, then run again until the alert is delivered (or 60 s)."""
    db, cfg, out = _setup(tmp_path, notify)
    first = _run(ascolto_cmd, {**cli_env, "ASCOLTO_CRASH_AT": point}, db, cfg)
    try:
        assert first.wait(timeout=120) == -signal.SIGKILL, f"killed at {point}"
    finally:
        if first.poll() is None:
            first.kill()
    delivered_before = len(_lines(out))
    second = _run(ascolto_cmd, cli_env, db, cfg)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(_lines(out)) <= delivered_before:
            time.sleep(0.2)
        time.sleep(1.0)  # (room for a duplicate to show up)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0
    finally:
        if second.poll() is None:
            second.kill()
    assert "Traceback" not in (second.stderr.read() if second.stderr else "")
    return _lines(out)


def test_sigkill_between_saving_the_alert_and_its_outbox_loses_nothing(tmp_path: Path, cli_env, ascolto_cmd) -> None:
    lines = _crash_then_restart(tmp_path, cli_env, ascolto_cmd, "alert-saved")
    assert len(lines) == 1, "the alert saved just before the crash is delivered once after the restart"
    from storage import open_store

    with open_store(tmp_path / "m.sqlite3") as store:
        (stored,) = store.list_alerts()
    assert lines[0]["alert"]["id"] == stored.id


def test_sigkill_mid_delivery_is_redelivered_at_once(tmp_path: Path, cli_env, ascolto_cmd) -> None:
    started = time.monotonic()
    lines = _crash_then_restart(tmp_path, cli_env, ascolto_cmd, "delivery-claimed")
    assert len(lines) == 1, "claimed by the killed process, delivered by the next (no lease to wait out)"
    assert time.monotonic() - started < 120


def test_sigkill_after_sending_duplicates_with_one_idempotency_key(tmp_path: Path, cli_env, ascolto_cmd) -> None:
    lines = _crash_then_restart(tmp_path, cli_env, ascolto_cmd, "delivery-sent")
    assert len(lines) == 2, "at least once: sent, killed before it was recorded, sent again"
    assert lines[0]["delivery_id"] == lines[1]["delivery_id"]
    keys = {line["alert"]["details"]["idempotency_key"] for line in lines}
    assert len(keys) == 1 and lines[0]["delivery_id"].startswith(keys.pop())


def test_sigkill_around_saving_an_incident_loses_nothing_and_sends_it_once(tmp_path: Path, cli_env,
                                                                           ascolto_cmd) -> None:
    from storage import open_store

    for point in ("alert-saved", "incident-saved"):  # before the incident is saved; after, before its release
        folder = tmp_path / point
        folder.mkdir()
        lines = _crash_then_restart(folder, {**cli_env, "ASCOLTO_HOME": str(folder / "home")}, ascolto_cmd, point,
                                    notify="incidents")
        assert [line["transition"] for line in lines] == ["opened"], point
        with open_store(folder / "m.sqlite3") as store:
            (stored,) = store.list_incidents()
            (alert,) = store.list_alerts()
        assert lines[0]["incident"]["id"] == stored.id and stored.alert_ids == [alert.id]
        assert [a["id"] for a in lines[0]["alerts"]] == [alert.id]
