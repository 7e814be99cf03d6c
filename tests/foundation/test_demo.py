"""The whole loop, end to end, as a new user runs it: `ascolto demo`."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def test_demo_no_serve_json_crawls_stores_and_alerts(ascolto_home: Path, cli_env, ascolto_cmd) -> None:
    proc = subprocess.run([*ascolto_cmd, "demo", "--no-serve", "--json"], capture_output=True, text=True,
                          env=cli_env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["mentions"] >= 100
    assert result["alerts"] >= 1
    assert result["store"].endswith(".sqlite3") and Path(result["store"]).exists()
    outbox = [json.loads(line) for line in Path(result["outbox"]).read_text().splitlines()]
    assert outbox, "the incident is delivered to the outbox file"
    assert {line["transition"] for line in outbox} == {"opened"}  # one message per incident, not per alert
    kinds = {alert["detector"] for line in outbox for alert in line["alerts"]}
    assert kinds & {"volume_spike", "slow_build", "negative_share"}, kinds  # the complaint surge alerts
    assert result["emails"] >= 1, "and to the local SMTP sink"
    assert list(Path(result["mail"]).glob("*.eml"))
    # the surge is one incident of the demo brand, holding its alerts
    assert result["incidents"] >= 1
    listed = subprocess.run([*ascolto_cmd, "--store", result["store"], "incidents", "list", "--json"],
                            capture_output=True, text=True, env=cli_env, timeout=120)
    assert listed.returncode == 0, listed.stderr[-2000:]
    incidents = json.loads(listed.stdout)["incidents"]
    assert len(incidents) == result["incidents"]
    surge = next(i for i in incidents if set(i["detectors"]) & {"volume_spike", "slow_build", "negative_share"})
    assert surge["status"] == "open" and len(surge["alert_ids"]) >= 2
    assert {line["incident"]["id"] for line in outbox} >= {surge["id"]}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_serves_the_dashboard_until_ctrl_c(ascolto_home: Path, cli_env, ascolto_cmd) -> None:
    port = _free_port()
    proc = subprocess.Popen([*ascolto_cmd, "demo", "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=cli_env)
    try:
        deadline = time.monotonic() + 540
        body = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode()
                break
            except OSError:
                time.sleep(1)
        assert body is not None, "the dashboard never answered"
        assert "<html" in body.lower()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/alerts", timeout=10) as response:
            alerts = json.loads(response.read())
        assert alerts, "the demo's alerts are on the dashboard's API"
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out[-3000:]
    assert f"http://127.0.0.1:{port}/" in out
