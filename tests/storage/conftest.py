"""Storage fixtures: a real single-node Elasticsearch for the session, and stores of both backends.

The session node (`es_node`, `es_url`) lives in tests/conftest.py so that every suite shares one server;
each test gets its own index prefix so tests never see each other's data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.base import MentionStore
from storage.elasticsearch import ElasticsearchStore
from storage.sqlite import SQLiteStore

BACKENDS = ("sqlite", "elasticsearch")


def make_store(backend: str, tmp_path: Path, es_url: str | None) -> MentionStore:
    if backend == "sqlite":
        return SQLiteStore(tmp_path / "mentions.sqlite3")
    assert es_url is not None
    return ElasticsearchStore(es_url)


@pytest.fixture(params=[pytest.param("sqlite"), pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MentionStore]:
    """One store per backend: every contract test runs on both."""
    es_url = request.getfixturevalue("es_url") if request.param == "elasticsearch" else None
    with make_store(request.param, tmp_path, es_url) as opened:
        yield opened


@pytest.fixture
def both_stores(tmp_path: Path, es_url: str) -> Iterator[tuple[MentionStore, MentionStore]]:
    """The embedded store and Elasticsearch side by side, for answers that must be identical."""
    with SQLiteStore(tmp_path / "mentions.sqlite3") as sqlite_store, ElasticsearchStore(es_url) as es_store:
        yield sqlite_store, es_store
