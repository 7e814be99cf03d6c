"""`ascolto demo`: the whole loop, offline, on the embedded store.

A demo web (news feeds, a forum, a review feed, a Reddit-style search, a Mastodon-style API) is served on
loopback; the real spiders crawl it; ingest analyses and stores; the alert rules run; alerts go to an outbox
file and to a local SMTP sink; then the dashboard is served until Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from core.config import Config

DEMO_RULES: list[dict[str, Any]] = [
    {"name": "complaint-spike", "detector": "volume_spike", "metric": "complaints", "window": "1h",
     "min_count": 5, "channels": ["outbox", "email"]},
    {"name": "negative-share", "detector": "negative_share", "metric": "negative", "window": "3h",
     "min_count": 10, "channels": ["outbox", "email"]},
    {"name": "complaint-wave", "detector": "slow_build", "metric": "complaints", "window": "1h",
     "channels": ["outbox", "email"]},
    {"name": "emerging-complaint-term", "detector": "emerging_term", "metric": "complaints", "window": "3h",
     "channels": ["outbox"]},
    {"name": "unanswered-complaint", "detector": "unanswered_complaint", "limit_minutes": 60,
     "channels": ["outbox"]},
]


def demo_home() -> Path:
    from ascolto.paths import data_dir

    return data_dir() / "demo"


def build_config(site_url: str, smtp_host: str, smtp_port: int, store: str, outbox: Path) -> Config:
    from ascolto.demo_site import demo_config_dict

    raw = demo_config_dict(site_url)
    raw["alerts"] = DEMO_RULES
    raw["channels"] = [
        {"name": "outbox", "kind": "file", "path": str(outbox)},
        {"name": "email", "kind": "email", "host": smtp_host, "port": smtp_port, "security": "plain",
         "sender": "ascolto-demo@localhost", "to": ["care-team@localhost"]},
    ]
    raw["store"] = store
    from ingest.brands import checked_config_from_dict

    return checked_config_from_dict(raw, "<demo config>")


def _alert(config: Config, store_location: str, home: Path, dashboard_url: str | None, now: datetime,
           say: Any) -> tuple[int, list[Any], Any, list[Any], int]:
    """Evaluate the rules over what was crawled and deliver: (mentions, events, delivery report, open alerts,
    incidents)."""
    from alerts.engine import evaluate
    from alerts.notify import Dispatcher
    from ascolto.context import open_store_at
    from storage import MentionFilter

    store = open_store_at(store_location)
    try:
        mentions = store.count(MentionFilter())
        say(f"stored {mentions} mentions; evaluating {len(config.alerts)} alert rules ...")
        evaluation = evaluate(store, config, now)
        dispatcher = Dispatcher(config, home / "outbox", dashboard_url)
        dispatcher.enqueue(evaluation.notifications)
        for notice in evaluation.incidents:
            say(f"  INCIDENT {notice.incident.id}: {notice.incident.title} (alerts: {len(notice.incident.alert_ids)})")
        incidents = len(store.list_incidents(limit=1000))
        return mentions, evaluation.alerts, dispatcher.flush(), store.list_alerts(status=("open",), limit=1000), \
            incidents
    finally:
        store.close()


def run_demo(args: argparse.Namespace) -> int:
    home = demo_home()
    if home.exists():
        shutil.rmtree(home)  # each demo starts from an empty data directory: same story every time
    home.mkdir(parents=True)
    os.environ["ASCOLTO_HOME"] = str(home)  # crawl state, outbox and rejects of the demo stay in its folder
    store_location = args.store or str(home / "mentions.sqlite3")
    say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print

    from ascolto.commands.crawl import crawl_in_subprocess
    from ascolto.demo_site import start_demo_site
    from ascolto.smtp_sink import SmtpSink

    now = datetime.now(UTC)
    sink = SmtpSink(home / "mail").start()
    site = start_demo_site(now=now)
    try:
        say(f"demo web serving on {site.base_url}; SMTP sink on {sink.host}:{sink.port}")
        outbox = home / "outbox.jsonl"
        config = build_config(site.base_url, sink.host, sink.port, store_location, outbox)
        config_file = home / "config.yaml"
        config_file.write_text(yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False, allow_unicode=True))
        dashboard_url = f"http://{args.host}:{args.port}/" if args.port else None
        say(f"crawling {len(config.sources)} sources with the real spiders ...")
        crawl = crawl_in_subprocess(config_file, store_location, env={**os.environ, "ASCOLTO_HOME": str(home)})
        mentions, events, delivery, open_alerts, incidents = _alert(config, store_location, home, dashboard_url,
                                                                    now, say)
        for event in events:
            say(f"  ALERT [{event.severity}] {event.title}")
        result = {
            "mentions": mentions, "alerts": len(events), "open_alerts": len(open_alerts),
            "store": store_location, "crawl": crawl, "delivered": delivery.delivered, "failed": delivery.failed,
            "outbox": str(outbox), "mail": str(sink.folder), "emails": len(sink.subjects()),
            "config": str(config_file), "demo_site": site.base_url, "incidents": incidents,
        }
        say(f"alerts: {len(events)} fired, {delivery.delivered} deliveries; outbox {outbox}; mail in {sink.folder}")
        if args.json:
            print(json.dumps(result, default=str))
        if args.no_serve:
            return 0
        from ascolto.web.server import serve_forever

        say(f"dashboard: http://{args.host}:{args.port}/  (Ctrl-C to stop)")
        serve_forever(store_location, config, args.host, args.port)
        return 0
    except KeyboardInterrupt:
        say("stopped")
        return 0
    finally:  # the demo's data directory stays for inspection until the next demo run
        site.stop()
        sink.stop()
