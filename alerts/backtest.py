"""`ascolto backtest`: run the volume-spike detector over `timestamp,value` series as it would run live.

Each point sees only the points before it; the default settings are those of a default alert rule (window
1h, sensitivity 3, minimum count 5, cooldown 2h). One JSON line per alert; with --windows, NAB scores
(standard and reward_low_FP_rate) per file and overall, overall last.
With --rule NAME --days N instead, one configured rule is replayed over the store's own history through the
live code path (alerts.replay): one JSON line per message people would have received, then alerts per week.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from alerts import volume
from core.config import AlertRule
from core.timebuckets import parse_interval

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


