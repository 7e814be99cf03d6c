"""`ascolto digest --config FILE --period 7d [--send]`: print (or send) a care digest of the period ending now."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ascolto.commands.options import interval
from ascolto.context import add_config_argument, load_config_or_exit, open_store_for

if TYPE_CHECKING:
    from alerts.digest import DigestReport
    from core.config import Config, Digest


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("--period", type=interval, default="7d", help="the period ending now, e.g. 1d or 7d")
    parser.add_argument("--name", help="a digest of the config's `digests` (its brands and channels); "
                        "default: the only one configured")
    parser.add_argument("--brand", action="append", help="only this brand (repeatable; default: the digest's, "
                        "else every brand)")
    parser.add_argument("--now", help="end of the period, ISO 8601 (default: now)")
    parser.add_argument("--language", choices=("en", "it"), help="language of the printed digest (default: the "
                        "digest's first channel's, else en)")
    parser.add_argument("--send", action="store_true", help="deliver it to the digest's channels now")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from alerts.channels import voice_of
    from alerts.digest import digest_text
    from ascolto.digests import build_digest, digest_named
    from core.dates import parse_date
    from core.timebuckets import parse_interval
    from core.wording import Voice

    config = load_config_or_exit(args)
    digest = digest_named(config, args.name)
    if args.name and digest is None:
        known = ", ".join(d.name for d in config.digests) or "none"
        print(f"ascolto digest: no digest named {args.name!r} in the config (digests: {known})", file=sys.stderr)
        return 2
    if args.send and digest is None:
        print("ascolto digest: --send needs a digest of the config's `digests` (pass --name)", file=sys.stderr)
        return 2
    until = parse_date(args.now) if args.now else datetime.now(UTC)
    if until is None:
        print(f"ascolto digest: --now: not a date: {args.now!r}", file=sys.stderr)
        return 2
    unknown = [b for b in args.brand or () if b not in {x.name for x in config.brands}]
    if unknown:
        print(f"ascolto digest: --brand: unknown brand {unknown[0]!r}", file=sys.stderr)
        return 2
    since = until - parse_interval(args.period)
    store = open_store_for(args, config)
    try:
        report = build_digest(store, config, digest.name if digest else "digest", since, until,
                              brands=args.brand or (digest.brands if digest else None) or None,
                              size=digest.topics if digest else 5, now=until)
    finally:
        store.close()
    sent = _send(config, digest, report) if args.send and digest is not None else None
    if args.json:
        print(json.dumps({**report.as_dict(), **({"sent": sent} if sent is not None else {})}, ensure_ascii=False))
        return 0 if sent is None or not (sent["failed"] or sent["dead"]) else 1
    voice = voice_of(config.channel(digest.channels[0])) if digest else Voice()
    if args.language:
        voice = Voice(args.language, voice.timezone)
    print(digest_text(report, voice), end="")
    if sent is not None:
        print(f"sent: {sent['delivered']} delivered, {sent['failed']} failed (retried later), {sent['dead']} "
              f"refused, {sent['pending']} pending in the outbox", file=sys.stderr)
        return 0 if not (sent["failed"] or sent["dead"]) else 1
    return 0


def _send(config: Config, digest: Digest, report: DigestReport) -> dict[str, int]:
    """Queue the digest on its channels and deliver it now (asked for now: quiet hours are the scheduler's);
    what fails stays in the outbox for `ascolto run` to retry."""
    from alerts.notify import Dispatcher
    from ascolto.paths import state_dir

    dispatcher = Dispatcher(config, state_dir("outbox"), retry_delays=())
    sent = {"delivered": 0, "failed": 0, "dead": 0, "pending": 0}
    try:
        dispatcher.enqueue_digest(report, digest.channels)
        for channel in digest.channels:
            outcome = dispatcher.flush(channel)
            sent["delivered"] += outcome.delivered
            sent["failed"] += outcome.failed
            sent["dead"] += outcome.dead
            sent["pending"] = outcome.pending
    finally:
        dispatcher.close()
    return sent
