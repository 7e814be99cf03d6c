"""Crawl throughput: pages/s through the whole pipeline (spider -> ingest -> NLP -> SQLite store) against the same
Scrapy settings with a do-nothing item pipeline, both crawling the same local forum in the same run.

Each crawl runs in its own child process (the Twisted reactor cannot restart); the rate is fetched pages over the
crawl's own elapsed time (process start-up excluded). The last line prints the ratio full / baseline.

    .venv/bin/python benchmarks/bench_crawl.py [--threads 300] [--posts 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ascolto.commands.crawl import crawl_in_subprocess

PER_LIST = 50
WORDS = [
    "consegna", "ritardo", "rimborso", "bolletta", "app", "servizio", "clienti", "prezzo", "pacco", "rotto", "attesa",
    "operatore", "fattura", "delivery", "late", "refund", "bill", "support", "price", "parcel", "broken", "waiting",
]
SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "LOG_LEVEL": "WARNING"}


def make_site(threads: int, posts: int) -> dict[str, bytes]:
    now = datetime.now(UTC)
    pages: dict[str, bytes] = {"/robots.txt": b"User-agent: *\nAllow: /\n"}
    for start in range(0, threads, PER_LIST):
        links = "".join(f'<a href="/t/{i}">thread {i}</a> ' for i in range(start, min(threads, start + PER_LIST)))
        nxt = f'<a href="/list/{start // PER_LIST + 1}">next</a>' if start + PER_LIST < threads else ""
        pages[f"/list/{start // PER_LIST}"] = f"<html><body>{links}{nxt}</body></html>".encode()
    for i in range(threads):
        body = "".join(
            f'<div class="post" data-post-id="{i}-{j}"><span class="author">user{(i * 7 + j) % 97}</span>'
            f'<time datetime="{(now - timedelta(minutes=i * 5 + j)).isoformat()}"></time><div class="text">'
            f"{'Velora' if (i + j) % 2 else 'Pakko'} {' '.join(WORDS[(i * j + k) % len(WORDS)] for k in range(30))}"
            f" #{i}-{j}</div></div>" for j in range(posts))
        pages[f"/t/{i}"] = f"<html lang='it'><body><h1>Thread {i}</h1>{body}</body></html>".encode()
    return pages


def serve(pages: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8" if "robots" not in self.path else "text/plain")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def run_crawl(base: str, workdir: Path, name: str, pipeline: str) -> dict[str, Any]:
    home = workdir / name
    home.mkdir()
    config = {
        "brands": [{"name": "Velora"}, {"name": "Pakko"}],
        "sources": [{"name": "bench", "kind": "web", "urls": [f"{base}/list/0"], "allow_private": True,
                     "options": {"follow": [r"/list/\d+$", r"/t/\d+$"], "max_pages": 100_000, "max_depth": 100,
                                 "selectors": {"post": "div.post", "text": "div.text", "id": "::attr(data-post-id)"}}}],
    }
    config_path = home / "config.yaml"
    config_path.write_text(yaml.safe_dump(config))
    settings = {**SETTINGS, "ITEM_PIPELINES": {pipeline: 300}}
    summary = crawl_in_subprocess(config_path, str(home / "store.sqlite3"),
                                  env={"ASCOLTO_HOME": str(home), "ASCOLTO_CRAWL_SETTINGS": json.dumps(settings)})
    source = summary["sources"]["bench"]
    rate = source["fetched"] / max(summary["elapsed_s"], 1e-9)
    print(f"{name:>9}: {source['fetched']} pages, {source['new']} stored, {summary['elapsed_s']:.2f}s, "
          f"{rate:.1f} pages/s")
    return {"pages": source["fetched"], "rate": rate}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=300)
    parser.add_argument("--posts", type=int, default=5)
    args = parser.parse_args()
    httpd, base = serve(make_site(args.threads, args.posts))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            baseline = run_crawl(base, Path(tmp), "baseline", "crawlers.pipelines.DiscardPipeline")
            full = run_crawl(base, Path(tmp), "full", "crawlers.pipelines.IngestPipeline")
    finally:
        httpd.shutdown()
    assert full["pages"] == baseline["pages"], "both crawls must fetch the same pages"
    print(f"crawl throughput, full pipeline to the store / do-nothing pipeline: {full['rate'] / baseline['rate']:.2f}")


if __name__ == "__main__":
    main()
