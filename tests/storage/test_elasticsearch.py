"""Elasticsearch specifics: templates and monthly indices, bad documents, and ingest through an outage."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from core.model import Mention
from storage import open_store
from storage.base import MentionFilter
from storage.elasticsearch import ElasticsearchStore
from storage.es_write import MAX_DOC_BYTES
from tests.storage.es_server import ElasticsearchNode, drop_prefix, free_port

pytestmark = pytest.mark.elasticsearch

T0 = datetime(2026, 1, 31, 23, 0, tzinfo=UTC)


def mention(i: int, **fields: object) -> Mention:
    base: dict[str, object] = dict(id=f"m{i:05d}", brands=["Velora"], source="news", text=f"testo {i}",
                                   published_at=T0 + timedelta(minutes=i), fetched_at=T0)
    return Mention(**{**base, **fields})  # type: ignore[arg-type]


def test_templates_install_idempotently_with_monthly_indices_behind_the_alias(es_url: str) -> None:
    store = open_store(es_url)
    assert isinstance(store, ElasticsearchStore)
    with store, ElasticsearchStore(es_url) as again:  # a second open re-installs the same templates
        again.ensure_templates()
        store.upsert([mention(0), mention(120)])  # 23:00 on Jan 31 and 01:00 on Feb 1
        prefix = store.layout.prefix
        indices = store.client.indices.get_alias(name=f"{prefix}-mentions")
        assert sorted(indices) == [f"{prefix}-mentions-2026.01", f"{prefix}-mentions-2026.02"]
        mapping = store.client.indices.get_mapping(index=f"{prefix}-mentions-2026.01")
        props = mapping[f"{prefix}-mentions-2026.01"]["mappings"]["properties"]
        assert props["@timestamp"]["type"] == "date"
        for facet in ("brands", "source", "platform", "lang", "sentiment", "intent", "topics", "author", "is_owned"):
            assert props[facet]["type"] == "keyword", facet
        assert props["text"]["fields"]["it"]["analyzer"] == "ascolto_it"
        templates = store.client.indices.get_index_template(name=f"{prefix}-*")["index_templates"]
        assert {t["name"] for t in templates} == {f"{prefix}-mentions", f"{prefix}-alerts", f"{prefix}-reply-links",
                                                   f"{prefix}-incidents"}


def test_a_mention_whose_month_changes_moves_instead_of_doubling(es_url: str) -> None:
    with ElasticsearchStore(es_url) as store:
        store.upsert([mention(1)])
        moved = store.upsert([mention(1, published_at=T0 + timedelta(days=40))])
        assert (moved.inserted, moved.updated) == (0, 1)
        assert store.count(MentionFilter()) == 1
        assert store.get("m00001").published_at == T0 + timedelta(days=40)  # type: ignore[union-attr]


def test_bad_documents_fail_one_by_one_and_the_rest_is_indexed(es_url: str) -> None:
    with ElasticsearchStore(es_url) as store:
        batch = [mention(i) for i in range(10)]
        batch[3] = mention(3, engagement={"shares": 1})
        batch[4] = mention(4, engagement={"shares.total": 2})  # "shares" is a number: a mapping conflict
        batch[6] = mention(6, copies=[f"https://example.com/{'x' * 90}/{n}" for n in range(MAX_DOC_BYTES // 90)])
        result = store.upsert(batch)
        failed = dict(result.failed)
        assert sorted(failed) == ["m00004", "m00006"]
        assert "exceeds" in failed["m00006"]
        assert "shares" in failed["m00004"] or "parsing" in failed["m00004"]
        assert (result.inserted, result.spooled) == (8, 0)
        assert store.count(MentionFilter()) == 8


def test_a_write_of_several_bulk_parts_sent_side_by_side_accounts_for_every_mention(es_url: str) -> None:
    """More than BULK_PART mentions in one write: its parts go in parallel; a bad document fails alone, replies
    in one part reach parents in another (and a parent stored before), and writing it all again doubles nothing."""
    from storage.es_write import BULK_PART

    n = 2 * BULK_PART + 500
    with ElasticsearchStore(es_url) as store:
        # a parent stored before, answered from this write's last part; "shares" mapped a number
        store.upsert([mention(n + 1), mention(n + 2, engagement={"shares": 1})])
        batch = [mention(i) for i in range(n)]
        batch[n - 10] = mention(n - 10, engagement={"shares.total": 2})  # refused: a mapping conflict
        for reply, parent in ((BULK_PART + 5, 3), (n - 1, n + 1)):  # parents in another part, and stored
            batch[reply] = mention(reply, is_owned=True, in_reply_to=f"m{parent:05d}",
                                   published_at=T0 + timedelta(minutes=parent + 30))
        result = store.upsert(batch)
        assert [mention_id for mention_id, _ in result.failed] == [f"m{n - 10:05d}"]
        assert (result.inserted, result.updated, result.spooled) == (n - 1, 0, 0)
        assert store.count(MentionFilter()) == n + 1
        for parent in (3, n + 1):
            stored = store.get(f"m{parent:05d}")
            assert stored is not None and stored.first_reply_at == T0 + timedelta(minutes=parent + 30)
        again = store.upsert(batch)
        assert (again.inserted, again.updated) == (0, n - 1)
        assert store.count(MentionFilter()) == n + 1


def test_unreachable_server_spools_and_open_still_works(ascolto_home: object) -> None:
    url = f"http://127.0.0.1:{free_port()}/?index_prefix=down"
    with ElasticsearchStore(url, spool_dir=Path(str(ascolto_home)) / "spool") as store:
        result = store.upsert([mention(1), mention(2)])
        assert (result.inserted, result.spooled, result.failed) == (0, 2, [])
        assert len(store.spool) == 2 and store.flush_spool() == 2
        assert store.ids_by_content_hash(["h1"]) == {}  # ingest keeps going; de-duplication within batches only
        assert str(store.spool.path).startswith(str(ascolto_home))


def test_writes_refused_by_a_write_block_are_spooled_then_replayed(es_url: str) -> None:
    with ElasticsearchStore(es_url) as store:
        store.upsert([mention(1)])
        index = store.layout.month_index(T0)
        store.client.indices.put_settings(index=index, settings={"index.blocks.write": True})
        refused = store.upsert([mention(2), mention(3, published_at=T0 + timedelta(days=5))])  # 2nd: Feb
        assert (refused.inserted, refused.spooled, refused.failed) == (1, 1, [])
        assert len(store.spool) == 1
        store.client.indices.put_settings(index=index, settings={"index.blocks.write": False})
        later = store.upsert([mention(4)])
        assert (later.inserted, later.spooled) == (1, 0)
        assert len(store.spool) == 0
        assert store.count(MentionFilter()) == 4


def test_outage_mid_ingest_loses_and_doubles_nothing(es_node: ElasticsearchNode, es_url: str) -> None:
    batches = [[mention(b * 40 + i, published_at=T0 + timedelta(days=b * 9, minutes=i)) for i in range(40)]
               for b in range(16)]
    done: list[int] = []
    spooled: list[int] = []
    restarted = threading.Event()
    problems: list[object] = []

    def ingest() -> None:
        with ElasticsearchStore(es_url) as store:
            for number, batch in enumerate(batches):
                try:
                    result = store.upsert(batch)
                except Exception as exc:  # reported below: a thread's assertion would be lost
                    problems.append(exc)
                    raise
                problems.extend(result.failed)
                spooled.append(result.spooled)
                done.append(number)
                if number >= 12:
                    restarted.wait(300)  # the last batches arrive once the server is back
                time.sleep(0.05)

    worker = threading.Thread(target=ingest)
    worker.start()
    while len(done) < 3:
        time.sleep(0.05)
    es_node.stop()  # while batches keep coming
    while len(done) < 12 and worker.is_alive():
        time.sleep(0.05)
    es_node.start()
    restarted.set()
    worker.join(300)
    assert not worker.is_alive()
    assert problems == []
    assert sum(spooled) > 0  # some batches really went through the spool
    with ElasticsearchStore(es_url) as store:
        assert len(store.spool) == 0
        store.client.indices.refresh(index=store.layout.mentions)  # another store wrote them (near real time)
        assert store.count(MentionFilter()) == 16 * 40
        client: Elasticsearch = store.client
        twice = client.search(index=store.layout.mentions, size=0,
                              aggs={"ids": {"terms": {"field": "id", "min_doc_count": 2, "size": 10}}})
        assert twice["aggregations"]["ids"]["buckets"] == []
        total = sum(int(row["docs.count"]) for row in client.cat.indices(index=f"{store.layout.prefix}-mentions-*",
                                                                         format="json"))
        assert total == 16 * 40
    drop_prefix(es_node.url, store.layout.prefix)
