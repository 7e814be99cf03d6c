"""A crawl started by a worker (crawl_in_subprocess) stops soon after that worker is killed with SIGKILL, so the
worker that takes over its source lease at once never crawls beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.crawlers.conftest import FAST, CrawlEnv, FixtureServer, Hit, Reply, source


def _crawls_of(config: Path) -> list[int]:
    """pids of the running `ascolto crawl` processes on this config."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"crawl" in args and str(config).encode() in args:
                found.append(int(entry.name))
    return found


def test_a_crawl_ends_soon_after_the_worker_that_started_it_is_killed(http_server: FixtureServer,
                                                                      crawl_env: CrawlEnv) -> None:
    def hang(hit: Hit) -> Reply:
        time.sleep(120)
        return 200, {"Content-Type": "application/rss+xml"}, b""

    http_server.routes["/slow.xml"] = hang
    config = crawl_env.write_config([source("slow", "feed", [f"{http_server.base_url}/slow.xml"])])
    worker = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        from ascolto.commands.crawl import crawl_in_subprocess
        crawl_in_subprocess({str(config)!r}, {crawl_env.store!r}, ["slow"])
    """)], env={**os.environ, "ASCOLTO_HOME": str(crawl_env.home), "ASCOLTO_CRAWL_SETTINGS": FAST,
                "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not http_server.count("/slow.xml"):
            time.sleep(0.2)
        crawls = _crawls_of(config)
        assert http_server.count("/slow.xml") and crawls, "the crawl is running, waiting on the feed"
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _crawls_of(config):
            time.sleep(0.5)
        assert not _crawls_of(config), "the orphaned crawl stopped"
    finally:
        if worker.poll() is None:
            worker.kill()
        for pid in _crawls_of(config):
            os.kill(pid, signal.SIGKILL)
