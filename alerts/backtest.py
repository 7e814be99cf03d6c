"""`ascolto backtest`: run the volume-spike detector over `timestamp,value` series as it would run live.

Each point sees only the points before it; the default settings are those of a default alert rule (window
1h, sensitivity 3, minimum count 5, cooldown 2h). One JSON line per alert; with --windows, NAB scores
(standard and reward_low_FP_rate) per file and overall, overall last.
With --rule NAME --days N instead, one configured rule is replayed over the store's own history through the
live code path (alerts.replay): one JSON line per message people would have received, then alerts per week.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from alerts import nab, replay, volume
from ascolto.config import AlertRule
from ascolto.context import add_config_argument, load_config_or_exit, open_store_for
from ascolto.timebuckets import parse_interval

DEFAULT_RULE = AlertRule(name="backtest", detector="volume_spike")


@dataclass
class Series:
    name: str
    timestamps: list[str]
    times: list[datetime]
    values: np.ndarray

    @property
    def bucket_seconds(self) -> float:
        if len(self.times) < 2:
            return 300.0
        steps = np.diff([t.timestamp() for t in self.times])
        return float(np.median(steps))


def read_series(path: Path) -> Series:
    """A CSV with a header and columns timestamp,value (extra columns ignored). Bad rows are a clear error."""
    timestamps, times, values = [], [], []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"timestamp", "value"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: expected a header with timestamp,value")
        for line, row in enumerate(reader, start=2):
            try:
                times.append(datetime.fromisoformat(row["timestamp"].strip()))
                values.append(float(row["value"]))
            except (ValueError, AttributeError) as exc:
                raise ValueError(f"{path}:{line}: bad row {row!r}: {exc}") from None
            timestamps.append(row["timestamp"].strip())
    return Series(path.name, timestamps, times, np.array(values, dtype=float))


def run_detector(series: Series, rule: AlertRule = DEFAULT_RULE) -> list[dict[str, Any]]:
    """The alerts the live volume-spike rule would have sent over this series."""
    settings = volume.VolumeSettings(sensitivity=rule.sensitivity, min_count=rule.min_count)
    shape = volume.Shape(series.bucket_seconds, parse_interval(rule.window).total_seconds())
    cooldown = round(parse_interval(rule.cooldown).total_seconds() / shape.bucket_seconds)
    opened, scored = volume.detect(series.values, shape, settings, cooldown)
    alerts = []
    for i in opened:
        low, high = volume.range_of(float(scored.expected[i]), float(scored.dispersion[i]))
        alerts.append({
            "file": series.name, "timestamp": series.timestamps[i], "index": i,
            "observed": float(scored.observed[i]), "expected": round(float(scored.expected[i]), 3),
            "expected_low": low, "expected_high": high, "score": round(float(scored.score[i]), 3),
            "window": rule.window,
        })
    return alerts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--series", nargs="+", type=Path, metavar="FILE.csv",
                        help="one or more timestamp,value files (one count per bucket)")
    parser.add_argument("--rule", metavar="NAME", help="instead of --series: replay this configured rule over the "
                                                       "store's own history, as `ascolto run` would have sent it")
    parser.add_argument("--days", type=float, default=90.0, help="with --rule: days of history to replay (90)")
    parser.add_argument("--now", type=datetime.fromisoformat, help="with --rule: replay up to this instant "
                                                                   "(ISO 8601; default now)")
    add_config_argument(parser)
    parser.add_argument("--output", type=Path, help="write the alerts as JSON lines here (default: stdout)")
    parser.add_argument("--windows", type=Path, help="NAB windows JSON ({file name: [[start, end], ...]}): "
                                                     "also print NAB scores, per file and overall (last)")
    parser.add_argument("--window", default=DEFAULT_RULE.window, help="alert window (default 1h)")
    parser.add_argument("--sensitivity", type=float, default=DEFAULT_RULE.sensitivity)
    parser.add_argument("--min-count", type=int, default=DEFAULT_RULE.min_count)
    parser.add_argument("--cooldown", default=DEFAULT_RULE.cooldown)


def run(args: argparse.Namespace) -> int:
    if args.rule:
        return _replay_rule(args)
    if not args.series:
        print("ascolto backtest: pass --series FILE.csv ... or --rule NAME", file=sys.stderr)
        return 2
    try:
        rule = AlertRule(name="backtest", detector="volume_spike", window=args.window,
                         sensitivity=args.sensitivity, min_count=args.min_count, cooldown=args.cooldown)
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
    config = load_config_or_exit(args)
    store = open_store_for(args, config)
    out: TextIO = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        sent = replay.replay(store, config, args.rule, args.days, args.now or datetime.now(UTC))
        replay.write_report(sent, out)
    except ValueError as exc:
        print(f"ascolto backtest: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
        if out is not sys.stdout:
            out.close()
    return 0
