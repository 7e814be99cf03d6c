"""The `ascolto run` service's alert path: a surge still inside the current bucket fires at the next tick, and a
hung channel delays neither detection nor the other channels."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.alerts.conftest import make_config, mention, steady_history

BOUNDARY = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # a 5-minute bucket (the 1h window's) begins here


def service_for(tmp_path: Path, rules: list[dict], channels: list[dict]):  # type: ignore[no-untyped-def]
    from ascolto.scheduler import Service

    config = make_config(rules, channels=channels)
    return Service(config, tmp_path / "config.yaml", str(tmp_path / "m.sqlite3"), tmp_path / "outbox")


def test_a_surge_in_the_bucket_still_filling_fires_at_the_next_tick(tmp_path: Path) -> None:
    from storage import open_store

    with open_store(tmp_path / "m.sqlite3") as store:
        steady_history(store, BOUNDARY)
        # 30 complaints in the 50 seconds after the bucket began: the bucket closes only at 15:05
        store.upsert([mention(BOUNDARY + timedelta(seconds=10 + k * 4 // 3)) for k in range(30)])
    out = tmp_path / "alerts.jsonl"
    service = service_for(tmp_path, [{"name": "spike", "detector": "volume_spike", "brand": "Velora",
                                      "channels": ["out"]}], [{"name": "out", "kind": "file", "path": str(out)}])
    try:
        tick = BOUNDARY + timedelta(seconds=60)
        assert service.evaluate_alerts(tick) == 1, "the first tick after the surge was stored opens the alert"
        service.deliver("out")
        assert len(out.read_text().splitlines()) == 1
        store, _ = service._open()
        (event,) = store.list_alerts()
        assert event.opened_at == tick and event.window_end is not None and event.window_end <= tick
        # when the bucket has closed the same alert stays open: nothing twice
        assert service.evaluate_alerts(BOUNDARY + timedelta(minutes=5, seconds=30)) == 0
        # a bucket just begun (nearly empty) does not resolve it either
        assert service.evaluate_alerts(BOUNDARY + timedelta(minutes=10, seconds=1)) == 0
    finally:
        service.stop()


class HungSMTP:
    """An SMTP server that accepts connections and never says a word (a blackholed relay) until `close`."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.address = self.server.getsockname()[:2]
        self._accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                self._accepted.append(self.server.accept()[0])
            except OSError:
                continue

    def close(self) -> None:  # from now on connections are refused: the sender gives up quickly
        self._stop.set()
        self._thread.join(2)
        self.server.close()
        for conn in self._accepted:
            conn.close()


@pytest.fixture
def hung_smtp() -> Iterator[HungSMTP]:
    server = HungSMTP()
    try:
        yield server
    finally:
        server.close()


def test_a_hung_channel_delays_neither_detection_nor_the_other_channels(tmp_path: Path, hung_smtp) -> None:
    from storage import open_store

    now = datetime.now(UTC)
    with open_store(tmp_path / "m.sqlite3") as store:
        steady_history(store, now, days=2)
        store.upsert([mention(now - timedelta(hours=2))])  # a complaint unanswered for two hours
    out = tmp_path / "alerts.jsonl"
    host, port = hung_smtp.address
    rule = {"name": "care", "detector": "unanswered_complaint", "brand": "Velora", "channels": ["mail", "out"]}
    service = service_for(
        tmp_path, [rule],
        [{"name": "mail", "kind": "email", "host": host, "port": port, "sender": "a@example.com",
          "to": ["b@example.com"]}, {"name": "out", "kind": "file", "path": str(out)}])
    try:
        service.start()  # (no jobs scheduled: the ticks are driven here; the channels' threads run)
        started = time.monotonic()
        assert service.evaluate_alerts(now) == 1
        assert time.monotonic() - started < 5, "the tick does not wait for the channels"
        while not out.exists() and time.monotonic() - started < 10:
            time.sleep(0.1)
        assert out.exists(), "the file channel is not held up by the hung SMTP server"
        started = time.monotonic()
        assert service.evaluate_alerts(now + timedelta(minutes=1)) == 0
        assert time.monotonic() - started < 5, "nor is the next tick (the SMTP send is still hanging)"
    finally:
        hung_smtp.close()
        service.stop()
