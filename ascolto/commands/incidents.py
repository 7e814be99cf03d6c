"""`ascolto incidents`: list incidents, show one with its alerts, take one on (acknowledge)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from ascolto.commands.options import positive_int
from ascolto.context import add_config_argument, config_path, load_config_or_exit, open_store_for


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    sub = parser.add_subparsers(dest="incidents_command", metavar="ACTION")
    listing = sub.add_parser("list", help="list incidents, newest opened first")
    listing.add_argument("--status", choices=("open", "handling", "resolved"), help="only incidents with this status")
    listing.add_argument("--brand", help="only incidents of this brand")
    listing.add_argument("--limit", type=positive_int, default=50)
    listing.add_argument("--json", action="store_true", help='one JSON object: {"incidents": [...]}')
    show = sub.add_parser("show", help="one incident with its alerts")
    show.add_argument("id", help="incident id (see `ascolto incidents list`)")
    show.add_argument("--json", action="store_true", help='one JSON object: {"incident": ..., "alerts": [...]}')
    ack = sub.add_parser("ack", help="take an incident on: status handling, owner NAME when it has none")
    ack.add_argument("id", help="incident id")
    ack.add_argument("--by", help="who takes it on")
    ack.add_argument("--json", action="store_true")


def _line(inc: Any) -> str:
    """One incident on one line (its title is ours; brand and owner come from the config and from people)."""
    owner = f"  owner {' '.join(inc.owner.split())}" if inc.owner else ""
    return (f"{inc.id}  {inc.opened_at:%Y-%m-%d %H:%M}  {inc.status:<9} {inc.severity:<8} "
            f"{len(inc.alert_ids):>2} alerts  {' '.join(inc.title.split())}{owner}")


def run(args: argparse.Namespace) -> int:
    from alerts.incidents import acknowledge

    config = load_config_or_exit(args) if config_path(args) else None
    store = open_store_for(args, config, reading=True)
    try:
        command = args.incidents_command or "list"
        as_json = getattr(args, "json", False)
        if command in ("show", "ack"):
            incident = (acknowledge(store, args.id, args.by, datetime.now(UTC)) if command == "ack"
                        else store.get_incident(args.id))
            if incident is None:
                print(f"ascolto incidents {command}: no incident with id {args.id!r}", file=sys.stderr)
                return 1
            if command == "ack":
                print(incident.model_dump_json() if as_json else
                      f"{incident.id} {incident.status} owner {incident.owner or '-'} at {incident.acknowledged_at}")
                return 0
            alerts = [a for a in (store.get_alert(i) for i in incident.alert_ids) if a is not None]
            if as_json:
                print(json.dumps({"incident": incident.model_dump(mode="json"),
                                  "alerts": [a.model_dump(mode="json") for a in alerts]}))
                return 0
            print(_line(incident))
            for alert in alerts:
                print(f"  {alert.id}  {alert.opened_at:%Y-%m-%d %H:%M}  {alert.status:<12} {alert.severity:<8} "
                      f"{alert.detector:<20} {' '.join(alert.title.split())}")
            for note in incident.notes:
                print(f"  note {note.at:%Y-%m-%d %H:%M} {note.by or '-'}: {' '.join(note.text.split())}")
            return 0
        found = store.list_incidents(brand=getattr(args, "brand", None), status=getattr(args, "status", None),
                                     limit=getattr(args, "limit", 50))
        if as_json:
            print(json.dumps({"incidents": [i.model_dump(mode="json") for i in found]}))
        else:
            for incident in found:
                print(_line(incident))
            if not found:
                print("no incidents", file=sys.stderr)
        return 0
    finally:
        store.close()
