"""A local SMTP sink (aiosmtpd) for the demo: every message received is saved as an .eml file."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class _SaveToFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        (self.folder / f"{self.count:04d}.eml").write_bytes(envelope.content)
        return "250 OK"


class SmtpSink:
    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.handler = _SaveToFolder(folder)
        self.controller = Controller(self.handler, hostname=host, port=port or _free_port(host))

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    @property
    def host(self) -> str:
        return str(self.controller.hostname)

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def subjects(self) -> list[str]:
        return [str(message_from_bytes(p.read_bytes())["Subject"]) for p in sorted(self.folder.glob("*.eml"))]

    def stop(self) -> None:
        self.controller.stop()


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
