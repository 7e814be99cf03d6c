"""The server: loopback by default, a token beyond it, strict headers, a clean stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from fastapi.testclient import TestClient

from ascolto.cli import main as cli_main
from ascolto.web.app import create_app
from ascolto.web.server import TokenRequired, serve_in_thread, token_for

TOKEN = "s3cret-token-for-tests-0123456789"
ROOT = Path(__file__).resolve().parents[2]


def test_serve_in_thread_answers_on_loopback_with_security_headers(
    seeded_sqlite_url: str, seed: SimpleNamespace
) -> None:
    url, stop = serve_in_thread(seeded_sqlite_url, seed.config, "127.0.0.1", 0)
    try:
        assert url.startswith("http://127.0.0.1:")
        page = httpx.get(url + "/")
        assert page.status_code == 200
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert page.headers["x-content-type-options"] == "nosniff"
        api = httpx.get(url + "/api/brands")
        assert api.status_code == 200 and api.headers["cache-control"] == "no-store"
        rebound = httpx.get(url + "/api/brands", headers={"host": "evil.example"})
        assert rebound.status_code == 421  # DNS rebinding: a foreign name pointing at loopback
    finally:
        stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/healthz", timeout=2)


def test_a_token_guards_the_api_and_the_dashboard(seeded_sqlite_url: str, seed: SimpleNamespace) -> None:
    with TestClient(create_app(seeded_sqlite_url, seed.config, token=TOKEN), follow_redirects=False) as client:
        assert client.get("/api/brands").status_code == 401
        assert client.get("/").status_code == 401
        assert client.get("/api/brands", headers={"authorization": "Bearer nope"}).status_code == 401
        assert client.get("/api/brands", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert client.get("/care?token=wrong").status_code == 401
        login = client.get(f"/care?brand=Acme&token={TOKEN}")
        assert login.status_code == 303 and login.headers["location"] == "/care?brand=Acme"
        cookie = login.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert client.get("/care").status_code == 200  # the cookie now rides along
        assert client.get("/api/care/queue", params={"brand": "Acme"}).status_code == 200


def test_binding_beyond_loopback_needs_the_token(monkeypatch: pytest.MonkeyPatch, seed: SimpleNamespace) -> None:
    monkeypatch.delenv("ASCOLTO_TEST_TOKEN", raising=False)
    assert token_for("127.0.0.1", seed.config) is None and token_for("::1", seed.config) is None
    with pytest.raises(TokenRequired, match="ASCOLTO_TEST_TOKEN"):
        token_for("0.0.0.0", seed.config)
    monkeypatch.setenv("ASCOLTO_TEST_TOKEN", "short")
    with pytest.raises(TokenRequired):
        token_for("192.0.2.1", seed.config)
    monkeypatch.setenv("ASCOLTO_TEST_TOKEN", TOKEN)
    assert token_for("0.0.0.0", seed.config) == TOKEN


def test_serve_command_refuses_a_public_bind_without_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ASCOLTO_TOKEN", raising=False)
    monkeypatch.setenv("ASCOLTO_HOME", str(tmp_path))
    status = cli_main(["--store", str(tmp_path / "m.sqlite3"), "serve", "--host", "0.0.0.0", "--port", "0"])
    assert status == 2 and "ASCOLTO_TOKEN" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_forever_stops_cleanly_on_ctrl_c(tmp_path: Path, seeded_sqlite_url: str) -> None:
    port = free_port()
    env = dict(os.environ, ASCOLTO_HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "ascolto", "--store", seeded_sqlite_url, "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.communicate()[1]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
