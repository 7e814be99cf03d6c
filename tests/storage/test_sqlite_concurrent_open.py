"""Several processes opening one fresh data directory at the same instant (six `ascolto run` started together):
every one migrates or finds the schema migrated, none dies ("table mentions already exists", "duplicate column
name", "database is locked")."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO

# each process sleeps until the same wall-clock instant, then opens the store and the alert outbox
_OPEN_AT_ONCE = """
import sys, time
start = float(sys.argv[1])
from alerts.notify import Dispatcher
from core.config import config_from_dict
from storage import open_store
time.sleep(max(0.0, start - time.time()))
store = open_store(sys.argv[2])
store.list_alerts()
Dispatcher(config_from_dict({"brands": [{"name": "Velora"}]}), sys.argv[3]).pending()
print("ok")
"""


def _open_together(folder: Path, processes: int) -> list[subprocess.CompletedProcess[str]]:
    start = time.time() + 4.0  # after every interpreter has imported what it needs
    procs = [subprocess.Popen([sys.executable, "-c", _OPEN_AT_ONCE, str(start), str(folder / "m.sqlite3"),
                               str(folder / "outbox")], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(processes)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def test_fresh_store_opened_by_six_processes_at_once(tmp_path: Path) -> None:
    for attempt in range(2):  # two fresh directories: a race that is lost now and then is still a race
        folder = tmp_path / f"home{attempt}"
        results = _open_together(folder, 6)
        failures = [r.stderr.strip().splitlines()[-1] for r in results if r.returncode != 0]
        assert not failures, failures
        assert all(r.stdout.strip() == "ok" for r in results)
