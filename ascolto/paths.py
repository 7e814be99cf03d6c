"""Where Ascolto keeps its data: $ASCOLTO_HOME, else ~/.local/share/ascolto."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    home = os.environ.get("ASCOLTO_HOME")
    path = Path(home).expanduser() if home else Path.home() / ".local" / "share" / "ascolto"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_store() -> str:
    return str(data_dir() / "mentions.sqlite3")


def state_dir(name: str) -> Path:
    """A sub-folder of the data directory for one component's state (crawl state, outbox, spool, rejects)."""
    path = data_dir() / name
    path.mkdir(parents=True, exist_ok=True)
    return path
