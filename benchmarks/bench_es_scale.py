"""Elasticsearch at scale, beside SQLite over the same mentions: import rate and the dashboard's cold latencies.

Builds once (cached under ~/.cache/ascolto/es-scale, the node's data under /var/tmp/ascolto-es-scale) N
pre-analysed mentions of five brands over 90 days as a JSONL file, imports it with `ascolto ingest` itself (a
subprocess, the command a user runs) into one Elasticsearch node and into a SQLite file, and indexes the same
documents with the client's `helpers.bulk` into a scratch prefix of the same node for the baseline (then drops
it). Then, on each backend in turn, served by the real server on loopback: p95 of a cold brand overview (30
days, hourly; every memo cleared first), of `/api/care`, of a query-language search, and of one evaluation of
ten alert rules in process.

Heap: 4 GiB by default (`--heap`): a node on a 2-core, 24 GiB machine shared with other work keeps half of the
memory for the page cache that Lucene reads through. The build's duration is printed (1M mentions: tens of
minutes; run it nice'd). The last line is the verdict against the targets (ES overview, care and search p95 <=
300 ms, ten rules <= 2 s, ingest / helpers.bulk >= 0.7, no figure > 1.5x SQLite).

    nice .venv/bin/python benchmarks/bench_es_scale.py [--mentions 1000000] [--requests 30] [--heap 4g]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from elasticsearch import Elasticsearch, helpers

from ascolto.web import cache
from ascolto.web.server import serve_in_thread
from core.config import Config, config_from_dict
from core.model import Mention
from storage.es_schema import Layout, mention_doc
from tests.storage.es_server import ElasticsearchNode

REPO = Path(__file__).resolve().parents[1]
GENERATOR_VERSION = 2  # 2: replies name their parent by URL (1 named an id no mention had: none linked)
CACHE = Path.home() / ".cache" / "ascolto" / "es-scale"  # the JSONL, the SQLite file, the build's figures
# the node's own directory: it runs as an unprivileged user (tests/storage/es_server.py), who cannot enter ~root
NODE_CACHE = Path(os.environ.get("ASCOLTO_BENCH_NODE_DIR", "/var/tmp/ascolto-es-scale"))
BRANDS = [("Acme", 0.35), ("Globex", 0.25), ("Initech", 0.2), ("Umbrella", 0.12), ("Hooli", 0.08)]
TOPICS = ["delivery", "billing", "app", "support", "price", "quality", "returns", "account"]
_VOCABULARY = (
    "pacco consegna ritardo rimborso bolletta app crash login prezzo qualità reso account assistenza corriere "
    "ordine servizio ottimo pessimo grazie problema risposta negozio sconto offerta rotto bloccato lento veloce "
    "delivery refund late broken great thanks support price order store slow fast"
)
WORDS = _VOCABULARY.split()
SENTIMENTS = ["negative"] * 30 + ["neutral"] * 45 + ["positive"] * 25
SPAN = timedelta(days=90)
SEARCH = "(ritardo NEAR/3 pacco) OR rimbors* OR \"servizio pessimo\""
TARGETS = {"overview": 300.0, "care": 300.0, "search": 300.0, "ten rules": 2000.0}


def items(count: int, anchor: datetime) -> Iterator[dict[str, Any]]:
    """`count` mentions (JSON objects as `ascolto ingest` reads them) over the 90 days before `anchor`; 60% of
    complaints get an owned reply some minutes later."""
    rng = random.Random(14)
    names, weights = [b for b, _ in BRANDS], [w for _, w in BRANDS]
    made = 0
    while made < count:
        published = anchor - SPAN * rng.random()
        brand = rng.choices(names, weights)[0]
        sentiment = rng.choice(SENTIMENTS)
        intent = "complaint" if sentiment == "negative" and rng.random() < 0.7 else rng.choice(["question", "other"])
        mid = f"m{made:07d}"
        source = f"source-{rng.randrange(40)}"
        yield {"id": mid, "brands": [brand], "source": source, "platform": rng.choice(["forum", "news", "reviews"]),
               "url": f"https://example.org/{mid}", "author": f"author{rng.randrange(50_000)}",
               "author_reach": rng.randrange(10, 100_000), "text": f"{brand} " + " ".join(rng.choices(WORDS, k=12)),
               "lang": "it", "published_at": published.isoformat(), "fetched_at": published.isoformat(),
               "sentiment": sentiment, "sentiment_score": 0.0,
               "intent": intent, "complaint_score": 0.8 if intent == "complaint" else 0.1,
               "engagement": {"likes": rng.randrange(0, 40)}, "topics": rng.sample(TOPICS, rng.randrange(0, 3))}
        made += 1
        if intent == "complaint" and rng.random() < 0.6 and made < count:
            at = published + timedelta(minutes=rng.expovariate(1 / 90))
            rid = f"r{made:07d}"
            yield {"id": rid, "brands": [brand], "source": source, "platform": "forum",
                   "url": f"https://example.org/{rid}", "author": f"{brand} Care", "author_reach": 5000,
                   "text": "Ci scusi per il disagio, le scriviamo in privato", "lang": "it", "is_owned": True,
                   "in_reply_to": f"https://example.org/{mid}", "published_at": at.isoformat(),
                   "fetched_at": at.isoformat(), "sentiment": "neutral", "intent": "other", "topics": []}
            made += 1


def config_dict() -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    for brand in ("Acme", "Globex"):
        rules += [
            {"name": f"{brand}-complaints", "detector": "volume_spike", "brand": brand, "metric": "complaints"},
            {"name": f"{brand}-volume", "detector": "volume_spike", "brand": brand, "metric": "all", "window": "1d"},
            {"name": f"{brand}-negative", "detector": "negative_share", "brand": brand},
            {"name": f"{brand}-terms", "detector": "emerging_term", "brand": brand},
            {"name": f"{brand}-unanswered", "detector": "unanswered_complaint", "brand": brand},
        ]
    return {"brands": [{"name": b, "owned_accounts": [f"{b} Care"]} for b, _ in BRANDS], "alerts": rules}


def build(args: argparse.Namespace, es_url: str, paths: dict[str, Path]) -> dict[str, Any]:
    """Make the JSONL file, import it into both stores with `ascolto ingest`, time helpers.bulk: once."""
    anchor = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    started = time.perf_counter()
    with paths["jsonl"].open("w", encoding="utf-8") as out:
        for item in items(args.mentions, anchor):
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    paths["config"].write_text(json.dumps(config_dict()))
    meta: dict[str, Any] = {"anchor": anchor.isoformat(), "count": args.mentions}
    for name, store in (("elasticsearch", paths["es_store"]), ("sqlite", str(paths["sqlite"]))):
        meta[f"ingest_s_{name}"] = ingest(str(store), paths)
        print(f"  ascolto ingest into {name}: {meta[f'ingest_s_{name}']:.0f} s", file=sys.stderr, flush=True)
    meta["bulk_s"] = bulk_baseline(es_url, paths["jsonl"], f"{paths['prefix']}bulk")
    meta["build_s"] = time.perf_counter() - started
    paths["meta"].write_text(json.dumps(meta))
    return meta


def ingest(store: str, paths: dict[str, Path]) -> float:
    home = Path(tempfile.mkdtemp(prefix="ascolto-bench-"))
    command = [str(REPO / ".venv" / "bin" / "ascolto"), "--store", store, "-q", "ingest", "--input",
               str(paths["jsonl"]), "--config", str(paths["config"]), "--json", "--batch-size", "2000"]
    start = time.perf_counter()
    done = subprocess.run(command, env={**os.environ, "ASCOLTO_HOME": str(home)}, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"ascolto ingest failed ({done.returncode}): {done.stderr[-2000:]}")
    return took


def bulk_baseline(es_url: str, jsonl: Path, prefix: str) -> float:
    """Seconds for helpers.bulk of the same documents (built beforehand, per chunk, untimed) into a scratch
    prefix with the same templates; the prefix is dropped afterwards."""
    client = Elasticsearch(es_url, request_timeout=120)
    layout = Layout(prefix)
    layout.install(client)
    took, chunk = 0.0, []
    try:
        with jsonl.open(encoding="utf-8") as lines:
            for line in lines:
                chunk.append(Mention.model_validate(json.loads(line)))
                if len(chunk) == 20_000:
                    took += _bulk(client, layout, chunk)
                    chunk = []
        took += _bulk(client, layout, chunk)
    finally:
        client.options(ignore_status=404).indices.delete(index=f"{prefix}-*", expand_wildcards="all")
        client.close()
    return took


def _bulk(client: Elasticsearch, layout: Layout, mentions: list[Mention]) -> float:
    actions = [{"_index": layout.month_index(m.published_at), "_id": m.id, "_source": mention_doc(m)}
               for m in mentions]
    start = time.perf_counter()
    helpers.bulk(client.options(request_timeout=120), actions, chunk_size=1000)
    return time.perf_counter() - start


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        cache.clear()  # cold: what the first screen of the minute pays
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def measure(store: str, config: Config, anchor: datetime, requests: int, rounds: int) -> dict[str, float]:
    from alerts.engine import evaluate_rules
    from storage import open_store

    window = {"brand": "Acme", "since": (anchor - timedelta(days=30)).isoformat(), "until": anchor.isoformat()}
    url, stop = serve_in_thread(store, config, "127.0.0.1", 0)
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            def get(path: str, **extra: str) -> None:
                client.get(path, params={**window, **extra}).raise_for_status()

            get("/api/overview", interval="1h")  # opens the store, warms the server's own start-up
            figures = {
                "overview": p95(timed(lambda: get("/api/overview", interval="1h"), requests)),
                "care": p95(timed(lambda: get("/api/care"), requests)),
                "search": p95(timed(lambda: get("/api/mentions", q=SEARCH), requests)),
            }
    finally:
        stop()
    opened = open_store(store)
    try:
        evaluate_rules(opened, config, anchor)  # first evaluation opens alerts; the timed ones update them
        figures["ten rules"] = p95(timed(lambda: evaluate_rules(opened, config, anchor), rounds))
    finally:
        opened.close()
    return figures


def node_for(args: argparse.Namespace) -> ElasticsearchNode:
    """The cached node (its data directory survives between runs); started here, stopped by the caller."""
    root = NODE_CACHE
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    node = ElasticsearchNode(root, heap=args.heap)
    if node.home.exists():  # installed by an earlier run: today's heap and a port free today
        (node.home / "config" / "jvm.options.d" / "heap.options").write_text(f"-Xms{args.heap}\n-Xmx{args.heap}\n")
        config = node.home / "config" / "elasticsearch.yml"
        lines = [f"http.port: {node.port}" if line.startswith("http.port:") else line
                 for line in config.read_text().splitlines()]
        config.write_text("\n".join(lines) + "\n")
    return node


def report(meta: dict[str, Any], es: dict[str, float], sqlite: dict[str, float]) -> bool:
    count = meta["count"]
    ingest_rate = {name: count / meta[f"ingest_s_{name}"] for name in ("elasticsearch", "sqlite")}
    bulk_rate = count / meta["bulk_s"]
    ratio = ingest_rate["elasticsearch"] / bulk_rate
    print(f"store: {count:,} mentions of {len(BRANDS)} brands over 90 days; build {meta['build_s'] / 60:.1f} min "
          f"(JSONL, ascolto ingest into both, helpers.bulk baseline); load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"{'figure':<34}{'Elasticsearch':>16}{'SQLite':>12}{'ES/SQLite':>11}  target (ES)")
    print(f"{'ascolto ingest, mentions/s':<34}{ingest_rate['elasticsearch']:>16,.0f}{ingest_rate['sqlite']:>12,.0f}"
          f"{ingest_rate['elasticsearch'] / ingest_rate['sqlite']:>11.2f}")
    print(f"{'helpers.bulk same docs, docs/s':<34}{bulk_rate:>16,.0f}{'':>12}{'':>11}")
    ok = ratio >= 0.7
    print(f"{'ingest / helpers.bulk':<34}{ratio:>16.2f}{'':>12}{'':>11}  >= 0.7 {'OK' if ok else 'MISSED'}")
    for name, target in TARGETS.items():
        within = es[name] <= target and es[name] <= 1.5 * sqlite[name]
        ok = ok and within
        label = f"p95 {name}, ms"
        print(f"{label:<34}{es[name]:>16.0f}{sqlite[name]:>12.0f}{es[name] / sqlite[name]:>11.2f}"
              f"  <= {target:.0f} and <= 1.5x SQLite {'OK' if within else 'MISSED'}")
    print(f"es_scale {count:,} mentions: ES p95 overview {es['overview']:.0f} ms, care {es['care']:.0f} ms, search "
          f"{es['search']:.0f} ms, ten rules {es['ten rules']:.0f} ms; ingest/bulk {ratio:.2f}: "
          f"{'all targets met' if ok else 'targets missed'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--rule-rounds", type=int, default=5)
    parser.add_argument("--heap", default="4g")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    prefix = f"scale{args.mentions}g{GENERATOR_VERSION}"
    paths: dict[str, Any] = {"prefix": prefix, "jsonl": CACHE / f"{prefix}.jsonl", "config": CACHE / "config.yaml",
                             "sqlite": CACHE / f"{prefix}.sqlite3", "meta": CACHE / f"{prefix}.json"}
    node = node_for(args)
    started = time.perf_counter()
    node.start(timeout=900)  # a loaded shared machine can take minutes
    print(f"Elasticsearch node up in {time.perf_counter() - started:.0f} s (heap {args.heap})", file=sys.stderr)
    paths["es_store"] = f"{node.url}/?index_prefix={prefix}"
    try:
        if paths["meta"].exists():
            meta = json.loads(paths["meta"].read_text())
        else:
            print(f"building {args.mentions:,} mentions (once; cached in {CACHE})", file=sys.stderr, flush=True)
            for stale in (paths["sqlite"], Path(f"{paths['sqlite']}-wal"), Path(f"{paths['sqlite']}-shm")):
                stale.unlink(missing_ok=True)
            Elasticsearch(node.url).options(ignore_status=404).indices.delete(index=f"{prefix}-*",
                                                                             expand_wildcards="all")
            meta = build(args, node.url, paths)
        anchor = datetime.fromisoformat(meta["anchor"])
        config = config_from_dict(config_dict())
        es = measure(paths["es_store"], config, anchor, args.requests, args.rule_rounds)
        sqlite = measure(str(paths["sqlite"]), config, anchor, args.requests, args.rule_rounds)
    finally:
        node.stop()
    return 0 if report(meta, es, sqlite) else 1


if __name__ == "__main__":
    sys.exit(main())
