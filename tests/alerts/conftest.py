"""Fixtures for the alert tests: a real SQLite store, a real SMTP server and a real HTTP receiver on loopback."""

from __future__ import annotations

import itertools
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from core.config import Config, config_from_dict
from core.model import Mention
from storage import MentionStore, open_store

_ids = itertools.count()


def mention(at: datetime, *, brand: str = "Velora", intent: str = "complaint", sentiment: str = "negative",
            text: str = "servizio pessimo, nessuna risposta", **extra: Any) -> Mention:
    n = next(_ids)
    return Mention(
        id=f"m{n}", brands=[brand], source="test", platform="forum", url=f"https://forum.example/t/{n}",
        author=f"user{n % 7}", text=text, published_at=at, fetched_at=at, intent=intent, sentiment=sentiment,
        lang="it", **extra,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MentionStore]:
    with open_store(tmp_path / "m.sqlite3") as s:
        yield s


def make_config(rules: list[dict[str, Any]], channels: list[dict[str, Any]] | None = None,
                **extra: Any) -> Config:
    # the alert tests are about messages per alert: their channels keep them (incidents: tests/alerts/test_incidents.py)
    extra.setdefault("incidents", {"notify": "alerts"})
    raw: dict[str, Any] = {
        "brands": [{"name": "Velora", "aliases": ["Velora Mobile"]}, {"name": "Rimbors"}],
        "alerts": rules, "channels": channels or [], **extra,
    }
    return config_from_dict(raw)


class _Collect:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, _Collect]]:
    handler = _Collect()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@dataclass
class Receiver:
    """A local HTTP endpoint recording JSON posts; `status` makes it fail on purpose (channel down)."""

    server: ThreadingHTTPServer
    posts: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def bodies(self) -> list[Any]:
        return [json.loads(b) for _, b in self.posts]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            rec = holder["r"]
            if rec.status == 200:
                rec.posts.append((dict(self.headers.items()), body))
            self.send_response(rec.status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    with loopback_server(Handler) as server:
        holder["r"] = Receiver(server)
        yield holder["r"]


@contextmanager
def loopback_server(handler: type[BaseHTTPRequestHandler], daemon_threads: bool = False,
                    ) -> Iterator[ThreadingHTTPServer]:
    """A real HTTP server on a free loopback port, served from a thread until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = daemon_threads
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def steady_history(store: MentionStore, now: datetime, days: int = 8, per_hour: int = 2,
                   brand: str = "Velora") -> None:
    """A quiet series: `per_hour` complaints every hour for `days` days before `now`."""
    batch = []
    start = now - timedelta(days=days)
    for h in range(days * 24):
        for k in range(per_hour):
            batch.append(mention(start + timedelta(hours=h, minutes=7 + 20 * k), brand=brand,
                                 text="ritardo consegna ordine", first_reply_at=start + timedelta(hours=h, minutes=40)))
    store.upsert(batch)


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (trusted by pointing SSL_CERT_FILE at it), and its key."""
    import ipaddress
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
