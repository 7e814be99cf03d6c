"""`ascolto crawl`: crawl the configured sources once (crawlers.runner) and print per-source progress (stderr) and a
summary. `crawl_in_subprocess` runs this command in a child process, for callers that crawl more than once per
process (the demo, the scheduler): the Twisted reactor cannot be restarted."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ascolto.context import EXIT_CONFIG, add_config_argument, load_config_or_exit, open_store_at, store_location
from ascolto.paths import data_dir

EXIT_LOST = 3  # the crawl ran but errors cost items (its summary is printed all the same); 1 is a crash, 2 a bad config
EXIT_ORPHANED = 4  # the process that started this crawl died (crawl_in_subprocess): stopped
PARENT_ENV = "ASCOLTO_CRAWL_PARENT"  # pid of the process that started this crawl with crawl_in_subprocess
log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("--source", action="append", metavar="NAME", help="crawl only this source (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object on stdout")


def run(args: argparse.Namespace) -> int:
    from core.config import ConfigError
    from crawlers.runner import crawl, items_lost, print_table, select_sources, validate_sources

    config = load_config_or_exit(args)
    try:
        sources = select_sources(config, args.source)
        validate_sources(sources)
    except ConfigError as exc:
        print(f"ascolto: invalid configuration\n{exc}", file=sys.stderr)
        return EXIT_CONFIG
    if not sources:
        print("ascolto crawl: no sources configured", file=sys.stderr)
    level = "DEBUG" if args.verbose else "WARNING" if args.quiet or args.json else "INFO"
    _end_with_parent()
    summary = crawl(config, sources, store_location(args, config), data_dir(), level)
    log_runs(store_location(args, config), summary)
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        print_table(summary)
    if items_lost(summary):
        print("ascolto crawl: items were lost to errors (see `lost` and `error_kinds`)", file=sys.stderr)
        return EXIT_LOST
    return 0


def log_runs(location: str, summary: dict[str, Any]) -> None:
    """Keep each source's run in the store's crawl log (source health). A store that cannot take it now is said and
    skipped: the mentions themselves are already stored or spooled."""
    from crawlers.runner import crawl_runs

    runs = crawl_runs(summary)
    if not runs:
        return
    try:
        with open_store_at(location) as store:
            store.record_crawl(runs)
    except Exception as exc:  # a store that is down must not turn a finished crawl into a failed one
        print(f"ascolto crawl: source health not recorded: {exc}", file=sys.stderr)


def _end_with_parent() -> None:
    """A crawl started by a worker stops soon after that worker dies (a SIGKILL leaves its children running): the
    worker's source leases pass to another worker at once (storage.leases, core.owners), whose crawl of the same
    source must not overlap this one. SIGTERM stops Scrapy gracefully (what was ingested stays; the unfinished
    run is crawled again later); a crawl that will not stop is ended a little later."""
    parent = os.environ.get(PARENT_ENV, "")
    if not parent.isdigit():
        return

    def watch() -> None:
        while os.getppid() == int(parent):
            time.sleep(1.0)
        log.warning("crawl: the process that started it (pid %s) is gone; stopping", parent)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(15.0)
        os._exit(EXIT_ORPHANED)

    threading.Thread(target=watch, name="end with parent", daemon=True).start()


def crawl_in_subprocess(config_path: str | Path, store: str, sources: Sequence[str] | None = None,
                        env: dict[str, str] | None = None, timeout: float | None = None) -> dict[str, Any]:
    """Run `ascolto crawl --json` in a child process; return its summary, also when errors cost items (exit 3: the
    summary's `lost` says how many). RuntimeError when it fails."""
    command = [sys.executable, "-m", "ascolto", "--store", str(store), "crawl", "--config", str(config_path), "--json"]
    for name in sources or ():
        command += ["--source", name]
    child_env = {**os.environ, **(env or {})}
    root = str(Path(__file__).resolve().parents[2])
    child_env["PYTHONPATH"] = os.pathsep.join(p for p in (root, child_env.get("PYTHONPATH")) if p)
    child_env[PARENT_ENV] = str(os.getpid())
    done = subprocess.run(command, capture_output=True, text=True, env=child_env, timeout=timeout, check=False)
    if done.returncode not in (0, EXIT_LOST):
        raise RuntimeError(f"crawl exited with status {done.returncode}: {done.stderr[-2000:]}")
    lines = [line for line in done.stdout.splitlines() if line.strip().startswith("{")]
    if not lines:
        raise RuntimeError(f"crawl printed no summary: {done.stderr[-2000:]}")
    return json.loads(lines[-1])
