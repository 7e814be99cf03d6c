"""`ascolto backtest --series FILE.csv [--windows W.json]`: the volume-spike detector, with its default settings,
over timestamp,value series (alerts.backtest), with NAB scores when windows are given.
`ascolto backtest --rule NAME --days N`: one configured rule replayed over the store's own history through the live
code path (alerts.replay): the messages people would have received, then alerts per week."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from ascolto.commands.options import interval, non_negative_int, positive_float
from ascolto.context import add_config_argument, load_config_or_exit, open_store_for


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--series", nargs="+", type=Path, metavar="FILE.csv",
                        help="one or more timestamp,value files (one count per bucket)")
    parser.add_argument("--rule", metavar="NAME", help="instead of --series: replay this configured rule over the "
                                                       "store's own history, as `ascolto run` would have sent it")
    parser.add_argument("--days", type=positive_float, default=90.0,
                        help="with --rule: days of history to replay (90)")
    parser.add_argument("--now", type=datetime.fromisoformat, help="with --rule: replay up to this instant "
                                                                   "(ISO 8601; default now)")
    add_config_argument(parser)
    parser.add_argument("--output", type=Path, help="write the alerts as JSON lines here (default: stdout)")
    parser.add_argument("--windows", type=Path, metavar="W.json",
                        help="labelled windows, JSON. With --series: {file name: [[start, end], ...]} (NAB's "
                             "windows.json); also print NAB scores, per file and overall (last). With --rule: "
                             "[[start, end], ...] or {rule or brand name: [[start, end], ...]} (ISO 8601 times, "
                             "naive = UTC); after the replay print, per window, caught or missed and how early, "
                             "every false alarm with its time, and 'windows caught n/m, false alarms k'")
    parser.add_argument("--window", type=interval, default=None, help="alert window (default 1h)")
    parser.add_argument("--sensitivity", type=positive_float, default=None)
    parser.add_argument("--min-count", type=non_negative_int, default=None)
    parser.add_argument("--cooldown", type=interval, default=None)


def run(args: argparse.Namespace) -> int:
    if args.rule:
        return _replay_rule(args)
    if not args.series:
        print("ascolto backtest: pass --series FILE.csv ... or --rule NAME", file=sys.stderr)
        return 2
    from alerts import nab
    from alerts.backtest import DEFAULT_RULE, read_series, run_detector

    given = {"window": args.window, "sensitivity": args.sensitivity, "min_count": args.min_count,
             "cooldown": args.cooldown}
    try:
        rule = type(DEFAULT_RULE)(name="backtest", detector="volume_spike",
                                  **{k: v for k, v in given.items() if v is not None})
        windows = json.loads(args.windows.read_text(encoding="utf-8")) if args.windows else None
        all_series = [read_series(p) for p in args.series]
    except (OSError, ValueError) as exc:
        print(f"ascolto backtest: {exc}", file=sys.stderr)
        return 2
    out: TextIO = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    report = sys.stdout  # scores on stdout, the overall score on its last line
    totals = {p: [0.0, 0.0, 0.0] for p in ("standard", "reward_low_FP_rate")}
    try:
        for series in all_series:
            alerts = run_detector(series, rule)
            for alert in alerts:
                out.write(json.dumps(alert) + "\n")
            if windows is None:
                continue
            if series.name not in windows:
                print(f"ascolto backtest: {series.name}: no windows in {args.windows}; not scored", file=sys.stderr)
                continue
            detections = [False] * len(series.values)
            for alert in alerts:
                detections[alert["index"]] = True
            line = [f"{series.name}: {len(alerts)} alerts"]
            for profile, total in totals.items():
                score = nab.score_file(series.timestamps, detections, windows[series.name], profile)
                total[0] += score.raw
                total[1] += score.null
                total[2] += score.perfect
                line.append(f"{profile} {score.normalised:.1f} (tp {score.tp}, fp {score.fp}, fn {score.fn})")
            print("  ".join(line), file=report)
        if windows is not None:
            overall = "  ".join(f"{p} {nab.normalise(*t):.1f}" for p, t in totals.items())
            print(f"NAB overall: {overall}", file=report)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def _replay_rule(args: argparse.Namespace) -> int:
    from alerts import replay, replay_windows

    config = load_config_or_exit(args)
    try:  # a bad rule name or windows file is told before the replay, which can take a while
        rule = replay.rule_named(config, args.rule)
    except ValueError as exc:
        print(f"ascolto backtest: {exc}", file=sys.stderr)
        return 2
    labelled = None
    if args.windows:
        try:
            windows = replay_windows.parse_windows(args.windows.read_text(encoding="utf-8"))
            labelled = replay_windows.labelled_for(windows, rule, config)
        except (OSError, ValueError) as exc:
            print(f"ascolto backtest: --windows {args.windows}: {exc}", file=sys.stderr)
            return 2
    now = args.now or datetime.now(UTC)
    store = open_store_for(args, config)
    out: TextIO = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        sent = replay.replay(store, config, args.rule, args.days, now)
        replay.write_report(sent, out)
        if labelled is not None:
            instants = replay.replay_instants(replay.replay_step(rule), args.days, now)
            replay_windows.write_window_report(replay_windows.judge(sent, labelled, instants), out)
    except ValueError as exc:
        print(f"ascolto backtest: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
        if out is not sys.stdout:
            out.close()
    return 0
