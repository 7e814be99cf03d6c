"""`ascolto report`: the crisis report of an incident, or of a brand over a window, as PDF or HTML."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ascolto.context import add_config_argument, config_path, load_config_or_exit, open_store_for

if TYPE_CHECKING:
    from core.config import Config
    from core.model import Incident
    from storage.story import CrisisStory


def instant(value: str) -> datetime:
    """An ISO 8601 date-time (a bare date is its midnight UTC)."""
    from core.dates import parse_date

    moment = parse_date(value)
    if moment is None:
        raise argparse.ArgumentTypeError(f"not a date-time (ISO 8601, e.g. 2026-05-01T12:00:00Z): {value!r}")
    return moment


def zone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown time zone {value!r} (an IANA name such as Europe/Rome)") from None
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--incident", metavar="ID", help="the incident (see `ascolto incidents list`)")
    which.add_argument("--brand", help="a brand, with --since and --until")
    parser.add_argument("--since", type=instant, help="window start, ISO 8601 (with --brand)")
    parser.add_argument("--until", type=instant, help="window end, ISO 8601 (with --brand; default now)")
    parser.add_argument("--output", "-o", type=Path, required=True, help="FILE.pdf or FILE.html")
    parser.add_argument("--lang", choices=("en", "it"), default="en", help="the report's language (default en)")
    parser.add_argument("--tz", type=zone, default="UTC", help="time zone of the times shown (default UTC)")


def run(args: argparse.Namespace) -> int:
    from datetime import UTC

    from fastapi import HTTPException

    from ascolto.report import PdfUnavailable, render_html, render_pdf

    suffix = args.output.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        print(f"ascolto report: --output must end in .pdf or .html, not {args.output.name!r}", file=sys.stderr)
        return 2
    if args.brand and args.since is None:
        print("ascolto report: --brand needs --since (and optionally --until)", file=sys.stderr)
        return 2
    config = load_config_or_exit(args) if config_path(args) else None
    store = open_store_for(args, config, reading=True)
    now = datetime.now(UTC)
    try:
        story, incident = _story(args, store, config, now)
    except HTTPException as exc:  # the dashboard's window rules (ascolto.web.params): too many buckets
        print(f"ascolto report: {exc.detail}", file=sys.stderr)
        return 2
    finally:
        store.close()
    if story is None:
        return 1 if args.incident else 2
    if suffix == ".pdf":
        try:
            args.output.write_bytes(render_pdf(story, incident, args.lang, now))
        except PdfUnavailable as exc:
            print(f"ascolto report: {exc}; an .html output needs nothing more", file=sys.stderr)
            return 1
    else:
        args.output.write_text(render_html(story, incident, args.lang, now), encoding="utf-8")
    print(f"{args.output}: {story.brand}, {story.total} mentions, {story.complaints} complaints, "
          f"{len(story.alerts)} alerts", file=sys.stderr)
    return 0


def _story(args: argparse.Namespace, store: Any, config: Config | None,
           now: datetime) -> tuple[CrisisStory | None, Incident | None]:
    """The story asked for (None, said on stderr, when there is none to tell) and its incident."""
    from ascolto.story import find_incident, incident_story, window_story

    if args.incident:
        incident = find_incident(store, args.incident)
        if incident is None:
            print(f"ascolto report: no incident with id {args.incident!r}", file=sys.stderr)
            return None, None
        return incident_story(store, config, incident, now, args.tz), incident
    until = args.until or now
    if args.since >= until:
        print("ascolto report: --since must be before --until", file=sys.stderr)
        return None, None
    return window_story(store, config, args.brand, args.since, until, now, args.tz), None
