"""`ascolto alerts`: list alerts and acknowledge them."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from ascolto.commands.options import positive_int
from ascolto.context import add_config_argument, config_path, load_config_or_exit, open_store_for


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    sub = parser.add_subparsers(dest="alerts_command", metavar="ACTION")
    listing = sub.add_parser("list", help="list alerts, newest first")
    listing.add_argument("--status", choices=("open", "acknowledged", "resolved"), action="append",
                         help="only alerts with this status (repeatable)")
    listing.add_argument("--brand", help="only alerts of this brand")
    listing.add_argument("--rule", help="only alerts of this rule")
    listing.add_argument("--limit", type=positive_int, default=100)
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    ack = sub.add_parser("ack", help="acknowledge an alert (it still resolves when things are back to normal)")
    ack.add_argument("id", help="alert id (see `ascolto alerts list`)")
    ack.add_argument("--by", help="who acknowledges it")
    ack.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from alerts.outbox import undelivered
    from alerts.state import acknowledge
    from ascolto.paths import state_dir

    config = load_config_or_exit(args) if config_path(args) else None
    store = open_store_for(args, config)
    try:
        if args.alerts_command == "ack":
            event = acknowledge(store, args.id, args.by, datetime.now(UTC))
            if event is None:
                print(f"ascolto alerts ack: no alert with id {args.id!r}", file=sys.stderr)
                return 1
            if args.json:
                print(event.model_dump_json())
            else:
                print(f"{event.id} {event.status} by {event.acknowledged_by or '-'} at {event.acknowledged_at}")
            return 0
        events = store.list_alerts(brand=args.brand if args.alerts_command == "list" else None,
                                   status=tuple(getattr(args, "status", None) or ()),
                                   rule=getattr(args, "rule", None), limit=getattr(args, "limit", 100))
        dead = undelivered(state_dir("outbox"), [e.id for e in events])  # dead-lettered deliveries
        for event in events:
            if getattr(args, "json", False):
                print(json.dumps({**event.model_dump(mode="json"), "undelivered": dead.get(event.id, [])}))
            else:
                refused = "".join(f"  [not delivered to {d['channel']}: {d['error']}]" for d in dead.get(event.id, []))
                print(f"{event.id}  {event.opened_at:%Y-%m-%d %H:%M}  {event.status:<12} {event.severity:<8} "
                      f"{event.rule:<20} {' '.join(event.title.split())}{refused}")
        if not events and not getattr(args, "json", False):
            print("no alerts", file=sys.stderr)
        return 0
    finally:
        store.close()
