"""Shared fixtures: every test gets its own data directory ($ASCOLTO_HOME); nothing touches the user's."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def ascolto_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "ascolto-home"
    home.mkdir()
    monkeypatch.setenv("ASCOLTO_HOME", str(home))
    monkeypatch.delenv("ASCOLTO_STORE", raising=False)
    return home


@pytest.fixture
def cli_env(ascolto_home: Path) -> dict[str, str]:
    """Environment for running `python -m ascolto` in a subprocess."""
    return {**os.environ, "ASCOLTO_HOME": str(ascolto_home), "PYTHONPATH": str(REPO)}


@pytest.fixture
def ascolto_cmd() -> list[str]:
    return [sys.executable, "-m", "ascolto"]
