"""A real three-node Elasticsearch cluster on loopback (one replica of every mention index): `ascolto ingest`
keeps writing while one node is killed with SIGKILL mid-ingest; afterwards every mention is there exactly once
(count and ids) and the dashboard API, on the store URL naming all three hosts, answers with the right totals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import ApiError, Elasticsearch
from fastapi.testclient import TestClient

from core.config import config_from_dict
from core.model import mention_id
from tests.storage.es_server import ElasticsearchNode, running_cluster

pytestmark = pytest.mark.elasticsearch

N = 6000  # enough that the ingest spans the kill under load; small enough for a two-minute test
COMPLAINT_EVERY = 4
NOW = datetime.now(UTC).replace(microsecond=0)
SINCE, UNTIL = NOW - timedelta(days=3), NOW + timedelta(minutes=1)


def _items() -> list[dict[str, Any]]:
    """Pre-analysed mentions of one brand over two days (distinct texts: nothing is a syndicated copy)."""
    return [{
        "platform": "forum", "platform_id": f"p{i}", "source": "forum.example", "brands": ["Velora"],
        "author": f"user{i % 97}", "text": f"Messaggio numero {i} su Velora, parola{i} e ancora{i % 13}",
        "published_at": (NOW - timedelta(minutes=i % 2880)).isoformat(), "lang": "it",
        "sentiment": "negative" if i % COMPLAINT_EVERY == 0 else "neutral",
        "intent": "complaint" if i % COMPLAINT_EVERY == 0 else "other",
    } for i in range(N)]


def _expected_ids() -> set[str]:
    return {mention_id("forum", f"p{i}", None) for i in range(N)}


def _stored_ids(client: Elasticsearch, index: str) -> list[str]:
    ids: list[str] = []
    response = client.search(index=index, size=5000, source=False, sort=["_doc"], scroll="1m")
    while response["hits"]["hits"]:
        ids.extend(hit["_id"] for hit in response["hits"]["hits"])
        response = client.scroll(scroll_id=response["_scroll_id"], scroll="1m")
    client.clear_scroll(scroll_id=response["_scroll_id"])
    return ids


def _victim(client: Elasticsearch, nodes: list[ElasticsearchNode]) -> ElasticsearchNode:
    """A node that is not the elected master (its loss then costs no election), holding a mention shard if one
    does (its primaries are then promoted from their replicas while the ingest goes on)."""
    master = client.cat.master(format="json")[0]["node"]
    holding = {row["node"] for row in client.cat.shards(index="cluster-mentions-*", format="json")}
    others = [n for n in nodes if n.cluster and n.cluster["node.name"] != master]
    return next((n for n in others if n.cluster and n.cluster["node.name"] in holding), others[0])


def _kill(node: ElasticsearchNode) -> None:
    assert node.proc is not None
    os.killpg(node.proc.pid, signal.SIGKILL)
    node.proc.wait(30)
    node.proc = None


def _api(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    from ascolto.web.app import create_app

    config = config_from_dict({"brands": [{"name": "Velora"}]})
    window = {"brand": "Velora", "since": SINCE.isoformat(), "until": UNTIL.isoformat()}
    with TestClient(create_app(url, config)) as client:
        overview = client.get("/api/overview", params=window)
        care = client.get("/api/care", params=window)
    assert overview.status_code == 200, overview.text
    assert care.status_code == 200, care.text
    return overview.json(), care.json()["care"]


def test_ingest_survives_a_killed_node_and_keeps_every_mention_once(tmp_path: Path, cli_env: dict[str, str],
                                                                     ascolto_cmd: list[str]) -> None:
    data = tmp_path / "mentions.jsonl"
    data.write_text("".join(json.dumps(item) + "\n" for item in _items()))
    with running_cluster(3, heap="256m") as nodes:
        hosts = ",".join(f"127.0.0.1:{n.port}" for n in nodes)
        url = f"http://{hosts}/?index_prefix=cluster&replicas=1"
        client = Elasticsearch([n.url for n in nodes], request_timeout=60, max_retries=3, retry_on_timeout=True)
        ingest = subprocess.Popen([*ascolto_cmd, "--store", url, "ingest", "--input", str(data), "--json",
                                   "--batch-size", "100"], env=cli_env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            victim, stored_at_kill = _wait_then_kill(client, nodes, ingest)
            out, err = ingest.communicate(timeout=300)
        finally:
            if ingest.poll() is None:
                ingest.kill()
        assert ingest.returncode == 0, err[-3000:]
        summary = json.loads(out.strip().splitlines()[-1])
        print(f"killed {victim.cluster and victim.cluster['node.name']} with {stored_at_kill}/{N} stored; {summary}")
        assert summary["accepted"] == N and summary["rejected"] == 0, summary
        alive = [n for n in nodes if n is not victim]
        client.close()
        client = Elasticsearch([n.url for n in alive], request_timeout=60, max_retries=3, retry_on_timeout=True)
        if summary["spooled"]:  # written when the store is next opened (the spool is replayed first)
            from storage import open_store

            open_store(url, spool_dir=Path(cli_env["ASCOLTO_HOME"]) / "spool").close()
        health = client.cluster.health(index="cluster-mentions", wait_for_status="yellow", timeout="60s")
        assert health["number_of_nodes"] == 2 and health["status"] in ("yellow", "green")
        client.indices.refresh(index="cluster-mentions")
        ids = _stored_ids(client, "cluster-mentions")
        assert len(ids) == N and set(ids) == _expected_ids(), "every mention stored exactly once"
        overview, care = _api(url)  # the URL still names the dead node: the client goes on with the others
        assert overview["total"] == N and overview["complaints"] == N // COMPLAINT_EVERY
        assert care["complaints"] == N // COMPLAINT_EVERY and care["complaints_unanswered"] == N // COMPLAINT_EVERY
        client.close()


def _wait_then_kill(client: Elasticsearch, nodes: list[ElasticsearchNode],
                    ingest: subprocess.Popen[str]) -> tuple[ElasticsearchNode, int]:
    """Kill a non-master node once a fifth of the mentions are stored, while the ingest still runs."""
    deadline = time.monotonic() + 240
    stored = 0
    while time.monotonic() < deadline and ingest.poll() is None:
        try:
            stored = int(client.count(index="cluster-mentions")["count"])
            if stored >= N // 5:
                break
        except ApiError as exc:  # the first monthly index not made yet (or not yet known to the node asked),
            if exc.meta.status not in (404, 503):  # or its shards not searchable yet
                raise
        time.sleep(0.2)
    assert ingest.poll() is None, f"the ingest ended before the kill ({stored} stored): make N larger"
    victim = _victim(client, nodes)
    _kill(victim)
    return victim, stored
