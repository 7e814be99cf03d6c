"""When and whether an alert is sent: a real loopback HTTP receiver answering 429 with Retry-After, 500, 400,
or hanging; the outbox's retry schedule, dead letters, per-alert ordering after a sender is SIGKILLed, and
channels flushed apart from detection."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from alerts.notify import Dispatcher
from core.model import AlertEvent
from tests.alerts.conftest import loopback_server, make_config
from tests.conftest import REPO

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@dataclass
class Scripted:
    """A loopback HTTP receiver whose answer to each POST comes from `answer(body)`: (status, headers), or
    None to hang until `release` is set."""

    server: ThreadingHTTPServer
    answer: Callable[[bytes], tuple[int, dict[str, str]] | None] = lambda body: (200, {})
    requests: list[tuple[float, bytes]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def alert_ids(self) -> list[tuple[str, str]]:
        return [(b["alert"]["id"], b["transition"]) for b in (json.loads(body) for _, body in self.requests)]


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    holder: dict[str, Scripted] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            rec = holder["s"]
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            rec.requests.append((time.monotonic(), body))
            answer = rec.answer(body)
            if answer is None:
                rec.release.wait(60)
                answer = (500, {})
            self.send_response(answer[0])
            for name, value in answer[1].items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    with loopback_server(Handler, daemon_threads=True) as server:
        holder["s"] = Scripted(server)
        try:
            yield holder["s"]
        finally:
            holder["s"].release.set()  # before the server's shutdown: a hung answer must end


def alert(alert_id: str = "a1", transition: str = "opened", at: datetime = NOW) -> AlertEvent:
    return AlertEvent(id=alert_id, rule="spike", detector="volume_spike", brand="Velora", severity="warning",
                      status="resolved" if transition == "resolved" else "open", opened_at=NOW, updated_at=at,
                      observed=40, expected=4.0, title="Velora: spike in complaints", summary="40 against 4",
                      details={"key": "volume", "transition": transition, "notified_at": at.isoformat()})


def webhook_dispatcher(url: str, outbox: Path, clock: list[datetime] | None = None,
                       retry_delays: tuple[float, ...] = (0.0, 0.0)) -> Dispatcher:
    config = make_config([{"name": "spike", "detector": "volume_spike", "channels": ["hook"]}],
                         channels=[{"name": "hook", "kind": "webhook", "url": url}])
    tick = (lambda: clock[0]) if clock is not None else None
    return Dispatcher(config, outbox, None, retry_delays=retry_delays, clock=tick)


def test_429_retry_after_is_never_retried_early(scripted: Scripted, tmp_path: Path) -> None:
    calls = iter([(429, {"Retry-After": "120"})])
    scripted.answer = lambda body: next(calls, (200, {}))
    clock = [NOW]
    dispatcher = webhook_dispatcher(scripted.url, tmp_path, clock)
    dispatcher.enqueue([alert()])
    report = dispatcher.flush()
    assert (report.delivered, report.failed) == (0, 1)
    assert len(scripted.requests) == 1, "no in-flush retry after a 429 (it asked for 120 s)"
    (next_at,) = dispatcher._db.execute("SELECT next_attempt_at FROM outbox").fetchone()
    assert next_at >= (NOW + timedelta(seconds=120)).timestamp()
    clock[0] = NOW + timedelta(seconds=119)
    assert dispatcher.flush().delivered == 0 and len(scripted.requests) == 1
    clock[0] = NOW + timedelta(seconds=121)
    assert dispatcher.flush().delivered == 1 and len(scripted.requests) == 2


def test_a_refused_message_is_dead_lettered_and_the_channel_goes_on(scripted: Scripted, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    scripted.answer = lambda body: (400, {}) if b'"bad"' in body else (200, {})
    dispatcher = webhook_dispatcher(scripted.url, tmp_path / "outbox")
    dispatcher.enqueue([alert("bad"), alert("ok1"), alert("ok2"), alert("ok3")])
    report = dispatcher.flush()
    assert report.delivered == 3, "the refused one does not hold up the others"
    assert (report.dead, report.pending) == (1, 0)
    assert sorted(a for a, _ in scripted.alert_ids()) == ["bad", "ok1", "ok2", "ok3"]  # each tried once
    assert dispatcher.flush().delivered == 0 and len(scripted.requests) == 4  # never retried
    status = {i["alert_id"]: (i["status"], i["last_error"]) for i in dispatcher.items()}
    assert status["bad"] == ("failed", "webhook hook: HTTP 400")

    # and `ascolto alerts list` says so
    from ascolto.cli import main
    from storage import open_store

    monkeypatch.setenv("ASCOLTO_HOME", str(tmp_path))
    with open_store(tmp_path / "m.sqlite3") as store:
        store.save_alert(alert("bad"))
    assert main(["--store", str(tmp_path / "m.sqlite3"), "alerts", "list"]) == 0
    assert "not delivered to hook: webhook hook: HTTP 400" in capsys.readouterr().out
    assert main(["--store", str(tmp_path / "m.sqlite3"), "alerts", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["undelivered"] == [{"channel": "hook", "error": "webhook hook: HTTP 400"}]


def test_after_an_outage_delivery_resumes_within_minutes(scripted: Scripted, tmp_path: Path) -> None:
    scripted.answer = lambda body: (500, {})
    clock = [NOW]
    dispatcher = webhook_dispatcher(scripted.url, tmp_path, clock, retry_delays=())
    dispatcher.enqueue([alert()])
    gaps = []
    while clock[0] < NOW + timedelta(hours=4):  # a four-hour outage, flushed whenever the item is due
        dispatcher.flush()
        (next_at,) = dispatcher._db.execute("SELECT next_attempt_at FROM outbox").fetchone()
        due = datetime.fromtimestamp(next_at, UTC)
        gaps.append((due - clock[0]).total_seconds())
        clock[0] = due
    assert max(gaps) <= 300, "the backoff is capped at five minutes"
    assert len(set(gaps[-10:])) > 1, "with jitter"
    scripted.answer = lambda body: (200, {})
    assert dispatcher.flush().delivered == 1


_SEND_AND_HANG = """
import sys
from pathlib import Path
from tests.alerts.test_delivery import alert, webhook_dispatcher
dispatcher = webhook_dispatcher(sys.argv[1], Path(sys.argv[2]), retry_delays=())
dispatcher.enqueue([alert("a1", "opened")])
dispatcher.flush()
"""


def test_after_a_crash_mid_send_the_alert_goes_at_once_and_before_its_resolved(scripted: Scripted,
                                                                               tmp_path: Path) -> None:
    first = threading.Event()

    def answer(body: bytes) -> tuple[int, dict[str, str]] | None:
        if not first.is_set():
            first.set()
            return None  # the first POST (the ALERT, from the process about to be killed) hangs
        return (200, {})

    scripted.answer = answer
    sender = subprocess.Popen([sys.executable, "-c", _SEND_AND_HANG, scripted.url, str(tmp_path)], cwd=REPO)
    try:
        assert first.wait(60), "the ALERT reached the receiver"
        sender.send_signal(signal.SIGKILL)  # killed mid-send: its claim is left in the outbox
        assert sender.wait(10) == -signal.SIGKILL
    finally:
        if sender.poll() is None:
            sender.kill()
    dispatcher = webhook_dispatcher(scripted.url, tmp_path, retry_delays=())  # the restarted service
    dispatcher.enqueue([alert("a1", "resolved", NOW + timedelta(minutes=5))])
    report = dispatcher.flush()
    assert report.delivered == 2, "the ALERT claimed by the dead sender is taken over at once, not after a lease"
    assert scripted.alert_ids()[1:] == [("a1", "opened"), ("a1", "resolved")]  # at least once, in order


def test_a_resolved_waits_for_its_alert_on_the_same_channel(scripted: Scripted, tmp_path: Path) -> None:
    answers = iter([(503, {})])
    scripted.answer = lambda body: next(answers, (200, {}))
    clock = [NOW]
    dispatcher = webhook_dispatcher(scripted.url, tmp_path, clock, retry_delays=())
    dispatcher.enqueue([alert("a1", "opened")])
    dispatcher.flush()  # the ALERT fails: 503
    clock[0] = NOW + timedelta(minutes=5)
    dispatcher.enqueue([alert("a1", "resolved", clock[0])])
    # the ALERT's retry is still an hour away (a long Retry-After, say)
    dispatcher._db.execute("UPDATE outbox SET next_attempt_at = ? WHERE id LIKE 'a1:opened:%'",
                           ((clock[0] + timedelta(hours=1)).timestamp(),))
    assert dispatcher.flush().delivered == 0, "the RESOLVED may not overtake its ALERT"
    clock[0] += timedelta(hours=2)
    assert dispatcher.flush().delivered == 2
    assert scripted.alert_ids()[1:] == [("a1", "opened"), ("a1", "resolved")]


def test_an_outbox_written_by_the_previous_version_is_upgraded_and_delivered(scripted: Scripted,
                                                                            tmp_path: Path) -> None:
    import sqlite3

    with sqlite3.connect(tmp_path / "outbox.sqlite3") as db:  # the table as the previous release left it
        db.executescript("""
            CREATE TABLE outbox (id TEXT PRIMARY KEY, channel TEXT NOT NULL, event TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL,
                next_attempt_at REAL NOT NULL, delivered_at REAL, last_error TEXT);
            CREATE INDEX outbox_due ON outbox(status, next_attempt_at);""")
        event = alert("old")
        db.execute("INSERT INTO outbox (id, channel, event, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)",
                   (f"old:opened:{NOW.isoformat()}:hook", "hook", event.model_dump_json(), NOW.timestamp(),
                    NOW.timestamp()))
    dispatcher = webhook_dispatcher(scripted.url, tmp_path, [NOW])
    assert dispatcher.flush().delivered == 1
    (item,) = dispatcher.items()
    assert item["alert_id"] == "old" and item["idempotency_key"] == f"old:opened:{NOW.isoformat()}"
    body = json.loads(scripted.requests[0][1])
    assert body["alert"]["details"]["idempotency_key"] == item["idempotency_key"]


def test_a_critical_step_in_quiet_hours_brings_its_held_alert_along(receiver, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TEST_SLACK_URL", receiver.url)
    config = make_config([{"name": "spike", "detector": "volume_spike", "channels": ["slack"],
                           "quiet_hours": {"start": "22:00", "end": "07:00", "timezone": "UTC"}}],
                         channels=[{"name": "slack", "kind": "slack", "webhook_url_env": "TEST_SLACK_URL"}])
    night = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    clock = [night]
    dispatcher = Dispatcher(config, tmp_path, None, retry_delays=(), clock=lambda: clock[0])
    dispatcher.enqueue([alert("a1", "opened", night)])  # a warning: held until 07:00
    assert dispatcher.flush().delivered == 0
    clock[0] = night + timedelta(minutes=20)
    escalated = alert("a1", "escalated", clock[0])
    escalated.severity = "critical"
    dispatcher.enqueue([escalated])
    assert dispatcher.flush().delivered == 2, "the critical goes now, and the warning before it"
    first, second = (b["text"] for b in receiver.bodies())
    assert "critical" not in first and "critical" in second, "in order"


def test_an_smtp_refusal_of_the_message_is_dead_lettered(tmp_path: Path) -> None:
    import socket

    from aiosmtpd.controller import Controller

    class Refuse:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            return "554 5.7.1 message content refused"

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(Refuse(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = make_config([{"name": "spike", "detector": "volume_spike", "channels": ["mail"]}],
                             channels=[{"name": "mail", "kind": "email", "host": "127.0.0.1", "port": port,
                                        "sender": "a@example.com", "to": ["b@example.com"]}])
        dispatcher = Dispatcher(config, tmp_path, None, retry_delays=(0.0,))
        dispatcher.enqueue([alert()])
        report = dispatcher.flush()
    finally:
        controller.stop()
    assert (report.dead, report.pending) == (1, 0)
    assert dispatcher.items()[0]["last_error"] == f"smtp 127.0.0.1:{port}: refused (554)"


def test_retry_after_reads_seconds_and_http_dates() -> None:
    from email.utils import format_datetime

    from alerts.channels import retry_after

    assert retry_after("120") == 120.0
    assert retry_after(None) is None and retry_after("soon") is None
    assert 50 < (retry_after(format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)) or 0) <= 60
    assert retry_after("9" * 30) == 86400.0
