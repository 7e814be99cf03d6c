"""Shared fixtures: every test gets its own data directory ($ASCOLTO_HOME); nothing touches the user's."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.storage.es_server import ElasticsearchNode, drop_prefix, running_node

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


# A real single-node Elasticsearch for the whole session (started from the integ-test zip that
# `scripts/elasticsearch.sh fetch` caches; see tests/storage/es_server.py), shared by every suite that needs it.
@pytest.fixture(scope="session")
def es_node() -> Iterator[ElasticsearchNode]:
    with running_node() as node:
        yield node


@pytest.fixture
def es_url(es_node: ElasticsearchNode) -> Iterator[str]:
    """The node's URL with a fresh index prefix; the prefix's indices and templates are removed afterwards."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    yield f"{es_node.url}/?index_prefix={prefix}"
    drop_prefix(es_node.url, prefix)
