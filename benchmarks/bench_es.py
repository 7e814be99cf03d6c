"""Indexing throughput of the Elasticsearch store against the client's own `helpers.bulk`, same documents,
same server, same run. The last line is the ratio (store / helpers.bulk); the target is >= 0.8.

    .venv/bin/python benchmarks/bench_es.py [--url http://127.0.0.1:9200] [--mentions 20000] [--rounds 3]

Without --url a private single-node server is started from the cached integ-test zip (scripts/elasticsearch.sh).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from elasticsearch import Elasticsearch, helpers

from core.model import Mention
from storage.elasticsearch import BATCH, ElasticsearchStore
from storage.es_schema import Layout, mention_doc
from tests.storage.dataset import T0, mentions
from tests.storage.es_server import drop_prefix, running_node


@contextlib.contextmanager
def server(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    with running_node(heap="1g") as node:
        yield node.url


def bench_store(url: str, data: list[Mention]) -> float:
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    with ElasticsearchStore(f"{url}/?index_prefix={prefix}") as store:
        start = time.perf_counter()
        result = store.upsert(data)
        elapsed = time.perf_counter() - start
        assert result.inserted == len(data) and not result.failed and not result.spooled, result
    drop_prefix(url, prefix)
    return len(data) / elapsed


def bench_helpers(url: str, data: list[Mention]) -> float:
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    client = Elasticsearch(url, request_timeout=60)
    layout = Layout(prefix)
    layout.install(client)
    start = time.perf_counter()
    actions = ({"_index": layout.month_index(m.published_at), "_id": m.id, "_source": mention_doc(m)} for m in data)
    ok, errors = helpers.bulk(client, actions, chunk_size=BATCH, max_chunk_bytes=100 * 1024 * 1024)
    elapsed = time.perf_counter() - start
    assert ok == len(data) and not errors
    client.close()
    drop_prefix(url, prefix)
    return len(data) / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an Elasticsearch to use instead of starting one")
    parser.add_argument("--mentions", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("ASCOLTO_HOME", tempfile.mkdtemp(prefix="ascolto-bench-"))
    # a realistic spread: the mentions of about two months (so two or three monthly indices), newest last
    step = timedelta(days=60) / max(args.mentions, 1)
    data = [m.model_copy(update={"published_at": T0 + step * i, "fetched_at": T0 + step * i})
            for i, m in enumerate(mentions(args.mentions, seed=11))]
    with server(args.url) as url:
        bench_store(url, data[:2000])  # warm up the JIT and the caches on both paths
        bench_helpers(url, data[:2000])
        ours, theirs = [], []
        for _ in range(args.rounds):  # alternate, so a busy neighbour hurts both alike
            theirs.append(bench_helpers(url, data))
            ours.append(bench_store(url, data))
    store_rate, bulk_rate = statistics.median(ours), statistics.median(theirs)
    print(f"{args.mentions} mentions, median of {args.rounds} rounds: store {store_rate:.0f}/s, "
          f"helpers.bulk {bulk_rate:.0f}/s")
    print(f"indexing throughput ratio (store / helpers.bulk): {store_rate / bulk_rate:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
