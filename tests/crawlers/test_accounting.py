"""The crawl summary tells the truth: every item a source offered is stored, merged, rejected (with its reason),
spooled or lost; errors that cost items make the exit status non-zero; each failure is counted once under its own
reason; and a quiet crawl prints nothing per item."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from tests.crawlers.conftest import FAST, CrawlEnv, FixtureServer, Hit, Reply, source

NOW = datetime.now(UTC).replace(microsecond=0)
ROOT = Path(__file__).resolve().parents[2]
LONG = "Velora mi ha addebitato due volte la bolletta di ottobre e nessuno risponde al telefono da giorni"


def _rss(base: str, entries: list[tuple[str, str, str, datetime]]) -> str:
    items = "".join(
        f"<item><title>{title}</title><link>{base}/n/{slug}</link><guid>{slug}</guid><description>{text}"
        f"</description><author>a@example.org (Ada)</author><pubDate>{format_datetime(when)}</pubDate></item>"
        for slug, title, text, when in entries)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>N</title><link>{base}/</link>'
            f"<description>d</description>{items}</channel></rss>")


def _statuses(base: str) -> list[dict[str, Any]]:
    def status(i: int, text: str) -> dict[str, Any]:
        return {"id": str(i), "created_at": (NOW - timedelta(minutes=i)).isoformat(), "url": f"{base}/@anna/{i}",
                "content": f"<p>{text}</p>", "account": {"acct": "anna"}, "reblog": None}

    broken = status(3, "Velora: this status has no id")
    del broken["id"]  # nothing identifies it: it cannot become a mention
    return [status(1, "Velora app down #velora"), status(2, "weather is nice #sunny"), broken]


def _run(env_home: Path, config: Path, store: str, *flags: str, settings: dict[str, Any] | None = None,
         ) -> subprocess.CompletedProcess[str]:
    """`ascolto [-q|-v] --store STORE crawl --config CONFIG [flags]`."""
    global_flags = [f for f in flags if f in ("-q", "-v")]
    flags = tuple(f for f in flags if f not in global_flags)
    env = {**os.environ, "ASCOLTO_HOME": str(env_home), "PYTHONPATH": str(ROOT),
           "ASCOLTO_CRAWL_SETTINGS": json.dumps(settings if settings is not None else json.loads(FAST))}
    return subprocess.run([sys.executable, "-m", "ascolto", *global_flags, "--store", store, "crawl", "--config",
                           str(config), *flags], capture_output=True, text=True, env=env, timeout=120, check=False)


def test_every_offered_item_is_accounted_for_and_lost_ones_fail_the_exit_status(
        http_server: FixtureServer, crawl_env: CrawlEnv) -> None:
    base = http_server.base_url
    http_server.add("/feed.xml", _rss(base, [
        ("a", "Velora bollette", "Velora aumenta le bollette.", NOW - timedelta(hours=1)),
        ("b", "Meteo", "Sole e pioggia, nessuna marca.", NOW - timedelta(hours=2)),
        ("c", "Velora doppia", LONG, NOW - timedelta(hours=3)),
        ("d", "Velora doppia", LONG, NOW - timedelta(hours=4)),  # the same text from the same author: merged
        ("e", "Velora futura", "Velora annuncia il futuro.", NOW + timedelta(days=30)),  # ingest rejects it
    ]), "application/rss+xml")
    http_server.routes["/m/api/v1/timelines/tag/velora"] = lambda hit: (
        200, {"Content-Type": "application/json"}, json.dumps(_statuses(base + "/m")).encode())
    crawl_env.write_config([source("news", "feed", [f"{base}/feed.xml"]),
                            source("toots", "mastodon", [f"{base}/m"], options={"tags": ["velora"]})])
    done = _run(crawl_env.home, crawl_env.config_path, crawl_env.store, "-q", "--json")
    assert done.returncode == 3, done.stderr[-2000:]  # a status was lost to an error
    assert "DEBUG" not in done.stderr and "INFO" not in done.stderr, done.stderr[-3000:]  # -q is quiet
    summary = json.loads(done.stdout)
    news, toots = summary["sources"]["news"]["items"], summary["sources"]["toots"]["items"]
    assert news == {"offered": 5, "stored": 2, "merged": 1, "rejected": 2, "spooled": 0, "lost": 0,
                    "rejected_reasons": {"no_brand_match": 1, "published_at": 1}, "lost_reasons": {}}, news
    assert toots == {"offered": 3, "stored": 1, "merged": 0, "rejected": 1, "spooled": 0, "lost": 1,
                     "rejected_reasons": {"no_brand_match": 1}, "lost_reasons": {"malformed_status": 1}}, toots
    assert summary["sources"]["toots"]["lost"] == 1 and summary["totals"]["lost"] == 1
    assert summary["totals"]["items"]["offered"] == 8
    for name in ("new", "duplicates", "rejected", "errors", "fetched", "no_brand_match"):  # the old fields stay
        assert name in summary["sources"]["news"]

    again = _run(crawl_env.home, crawl_env.config_path, crawl_env.store, "-q", "--json", "--source", "news")
    assert again.returncode == 0, again.stderr[-2000:]  # nothing lost: success
    items = json.loads(again.stdout)["sources"]["news"]["items"]
    assert items["lost"] == 0 and items["offered"] == items["merged"] + items["rejected"], items


def _gzip_bomb() -> bytes:
    return gzip.compress(b"<rss>" + b" " * 20_000_000, compresslevel=9)  # ~20 kB that inflate to 20 MB


def test_bombs_have_their_own_reason_and_429_is_counted_once(http_server: FixtureServer, crawl_env: CrawlEnv) -> None:
    base = http_server.base_url
    http_server.add("/bomb.xml", _gzip_bomb(), "application/rss+xml", headers={"Content-Encoding": "gzip"})
    always: list[int] = []

    def limited(hit: Hit) -> Reply:
        always.append(1)
        return 429, {"Content-Type": "text/plain", "Retry-After": "0"}, b"slow down"

    http_server.routes["/limited.xml"] = limited  # type: ignore[assignment]
    crawl_env.write_config([source("bomb", "feed", [f"{base}/bomb.xml"], options={"max_bytes": 1_000_000}),
                            source("limited", "feed", [f"{base}/limited.xml"])])
    summary = crawl_env.crawl()["sources"]
    bomb, limited_summary = summary["bomb"], summary["limited"]
    assert bomb["robots_disallowed"] == 0, bomb
    assert bomb["error_kinds"] == {"decompression_bomb": 1} and bomb["errors"] == 1, bomb
    assert len(always) == 4  # the first request and three retries
    assert limited_summary["error_kinds"] == {"http_429": 1} and limited_summary["errors"] == 1, limited_summary


def test_quiet_and_json_crawls_print_nothing_per_item(http_server: FixtureServer, crawl_env: CrawlEnv) -> None:
    base = http_server.base_url
    marker = "Velora segnaposto-unico-nel-testo"
    http_server.add("/feed.xml", _rss(base, [(f"q{i}", f"Velora {i}", f"{marker} {i}", NOW - timedelta(hours=i + 1))
                                             for i in range(5)]), "application/rss+xml")
    crawl_env.write_config([source("news", "feed", [f"{base}/feed.xml"])])
    quiet = {k: v for k, v in json.loads(FAST).items() if k != "LOG_LEVEL"}  # the command's own levels
    for n, flags in enumerate((("--json",), ("-v", "--json"))):  # -q: see the first test
        store = str(crawl_env.home / f"store{n}.sqlite3")
        (crawl_env.home / "crawl").mkdir(exist_ok=True)
        for state in (crawl_env.home / "crawl").glob("news.*"):
            state.unlink()
        done = _run(crawl_env.home, crawl_env.config_path, store, *flags, settings=quiet)
        assert done.returncode == 0, done.stderr[-2000:]
        assert json.loads(done.stdout)["sources"]["news"]["new"] == 5
        assert marker not in done.stderr, (flags, done.stderr[-3000:])  # no item text, even at DEBUG
        assert "Scraped from" not in done.stderr
        if flags[0] == "-v":
            assert f"scraped {base}/n/q0" in done.stderr  # one line per item at DEBUG, without its text
