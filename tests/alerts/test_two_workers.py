"""Two `ascolto run` workers on one store (SQLite file, or one real Elasticsearch node), each with its own data
directory as on two machines: a source is never crawled by both at once (its feed, slow to answer, never has
two requests in flight) and every alert transition reaches the file channel exactly once."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from tests.alerts.conftest import mention, steady_history
from tests.crawlers.conftest import FAST, FixtureServer, Hit, Reply, _serve, source
from tests.crawlers.feeds import rss2

FEED_DELAY = 2.0  # seconds each feed takes to answer: two crawls at once would overlap here


class SlowFeed:
    """A feed route that answers after FEED_DELAY and remembers the most requests it had in flight at once."""

    def __init__(self, body: str) -> None:
        self.body = body.encode()
        self.lock = threading.Lock()
        self.active = self.most = self.served = 0

    def __call__(self, hit: Hit) -> Reply:
        with self.lock:
            self.active += 1
            self.most = max(self.most, self.active)
        try:
            time.sleep(FEED_DELAY)
        finally:
            with self.lock:
                self.active -= 1
                self.served += 1
        return 200, {"Content-Type": "application/rss+xml; charset=utf-8"}, self.body


@pytest.fixture
def web() -> Iterator[tuple[FixtureServer, dict[str, SlowFeed]]]:
    for server in _serve(FixtureServer()):
        feeds = {}
        for name in ("news", "blog"):
            items = [(f"{name}-{i}", f"Velora notizia {i}", f"Velora apre il negozio numero {i} a {name}")
                     for i in range(3)]
            feeds[name] = SlowFeed(rss2(server.base_url, items))
            server.routes[f"/{name}.xml"] = feeds[name]
        yield server, feeds


def _worker(store: str, cfg: Path, home: Path, env: dict[str, str], cmd: list[str]) -> subprocess.Popen[str]:
    home.mkdir()
    log = (home / "stderr.log").open("w")
    return subprocess.Popen([*cmd, "--store", store, "run", "--config", str(cfg), "--no-serve", "--alert-interval",
                             "2s"], env={**env, "ASCOLTO_HOME": str(home), "ASCOLTO_CRAWL_SETTINGS": FAST},
                            stdout=subprocess.DEVNULL, stderr=log, text=True)


def _stopped(worker: subprocess.Popen[str]) -> int | None:
    """The exit code once the worker has stopped (it lets its running crawl finish); killed if it will not."""
    try:
        return worker.wait(timeout=300)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(30)
        return None


def _lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def test_two_workers_share_the_sources_and_notify_each_alert_once(
        backend: str, request: pytest.FixtureRequest, tmp_path: Path, web: tuple[FixtureServer, dict[str, SlowFeed]],
        cli_env: dict[str, str], ascolto_cmd: list[str]) -> None:
    from storage import MentionFilter, open_store

    server, feeds = web
    store_at = str(tmp_path / "m.sqlite3") if backend == "sqlite" else request.getfixturevalue("es_url")
    now = datetime.now(UTC)
    with open_store(store_at, spool_dir=tmp_path / "spool") as store:
        steady_history(store, now, days=2)
        store.upsert([mention(now - timedelta(hours=2))])  # a complaint unanswered for two hours: one alert
        seeded = store.count(MentionFilter())
    out = tmp_path / "alerts.jsonl"
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({
        "brands": [{"name": "Velora"}],
        "sources": [source(name, "feed", [f"{server.base_url}/{name}.xml"], interval="5s") for name in feeds],
        "alerts": [{"name": "care", "detector": "unanswered_complaint", "brand": "Velora", "channels": ["out"]}],
        "channels": [{"name": "out", "kind": "file", "path": str(out)}],
        "incidents": {"notify": "alerts"},  # each alert's own messages, counted below (incidents: test_incidents)
    }))
    workers = [_worker(store_at, cfg, tmp_path / f"worker{i}", cli_env, ascolto_cmd) for i in (1, 2)]
    try:
        deadline = time.monotonic() + 240  # a crawl (a child process) takes a minute or more on a loaded machine
        while time.monotonic() < deadline and not (_lines(out) and all(f.served >= 2 for f in feeds.values())):
            assert all(w.poll() is None for w in workers), "a worker stopped early"
            time.sleep(0.5)
        time.sleep(4.0)  # room for a second copy of an alert, or a second evaluation, to show up
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        codes = [_stopped(worker) for worker in workers]
    logs = {i: (tmp_path / f"worker{i}" / "stderr.log").read_text() for i in (1, 2)}
    assert codes == [0, 0], logs
    assert all("Traceback" not in text for text in logs.values()), logs
    assert all(f.served >= 1 for f in feeds.values()), {n: f.served for n, f in feeds.items()}
    assert {n: f.most for n, f in feeds.items()} == {"news": 1, "blog": 1}, "a source crawled by both at once"
    assert any("another worker has it" in text for text in logs.values()), "the leases kept them apart"
    lines = _lines(out)
    steps = Counter((line["alert"]["id"], line["alert"]["details"]["transition"]) for line in lines)
    assert steps and all(n == 1 for n in steps.values()), steps
    with open_store(store_at, spool_dir=tmp_path / "spool") as store:
        assert store.count(MentionFilter()) == seeded + 6, "each crawled item stored once"
        alerts = store.list_alerts(rule="care")
    assert {line["alert"]["id"] for line in lines} == {a.id for a in alerts}
