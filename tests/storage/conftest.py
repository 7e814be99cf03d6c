"""Storage fixtures: a real single-node Elasticsearch for the session, and stores of both backends.

The node is started from the integ-test zip (`scripts/elasticsearch.sh fetch` caches it) by
tests/storage/es_server.py; each test gets its own index prefix so tests never see each other's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from storage.base import MentionStore
from storage.elasticsearch import ElasticsearchStore
from storage.sqlite import SQLiteStore
from tests.storage.es_server import ElasticsearchNode, running_node

BACKENDS = ("sqlite", "elasticsearch")


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


def drop_prefix(url: str, prefix: str) -> None:
    client = Elasticsearch(url, request_timeout=60)
    try:
        client.options(ignore_status=404).indices.delete(index=f"{prefix}-*", expand_wildcards="all")
        client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-*")
        for name in ("mentions-settings", "mentions-mappings"):
            client.options(ignore_status=404).cluster.delete_component_template(name=f"{prefix}-{name}")
    except Exception:
        pass
    finally:
        client.close()


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
