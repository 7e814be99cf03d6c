"""NAB scoring (Lavin & Ahmad 2015, numenta/NAB sweeper) for binary detections over labelled windows.

Faithful to NAB's rules: within a window a detection scores the scaled sigmoid of its relative position
(1.0 at the left edge, about 0 at the right edge, only the earliest detection of a window counts); a missed
window costs `fn_weight`; a detection outside every window costs `fp_weight` times the scaled sigmoid of
its distance past the preceding window (full cost when there is none, or when it is more than three window
widths later); rows in the probationary period (15% of the file, at most 750 rows) count for nothing.
Totals are normalised so that 0 is the null detector (no detections) and 100 the perfect one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

PROFILES: dict[str, dict[str, float]] = {
    "standard": {"tp": 1.0, "fp": 0.11, "fn": 1.0},
    "reward_low_FP_rate": {"tp": 1.0, "fp": 0.22, "fn": 1.0},
    "reward_low_FN_rate": {"tp": 1.0, "fp": 0.11, "fn": 2.0},
}
PROBATION_PERCENT = 0.15


def scaled_sigmoid(position: float) -> float:
    """NAB's scoring curve: +0.987 well before the right edge of a window, -1 far after it."""
    if position > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def probation_length(rows: int) -> int:
    return int(min(math.floor(PROBATION_PERCENT * rows), PROBATION_PERCENT * 5000))


@dataclass
class FileScore:
    raw: float
    null: float
    perfect: float
    tp: int = 0
    fp: int = 0
    fn: int = 0
    hits: list[float] = field(default_factory=list)

    @property
    def normalised(self) -> float:
        return normalise(self.raw, self.null, self.perfect)


def normalise(raw: float, null: float, perfect: float) -> float:
    if perfect == null:
        return 0.0
    return 100.0 * (raw - null) / (perfect - null)


class FileScorer:
    """One file's NAB weights, computed once, so many detection sets can be scored cheaply (a parameter sweep)."""

    def __init__(self, timestamps: Sequence[str], windows: Sequence[tuple[str, str]], profile: str) -> None:
        weights = PROFILES[profile]
        self.weights = weights
        rows = len(timestamps)
        index = {t: i for i, t in enumerate(timestamps)}
        spans = sorted((index[_key(a, index)], index[_key(b, index)]) for a, b in windows)
        self.probation = probation_length(rows)
        self.counted = [s for s in spans if s[1] >= self.probation]
        max_tp = scaled_sigmoid(-1.0)
        # per row: the window it lies in (its left edge, or -1) and what a detection there is worth
        self.window_of = [-1] * rows
        self.worth = [0.0] * rows
        span_i, current, previous = 0, None, None
        for i in range(rows):
            if current is None and span_i < len(spans) and i == spans[span_i][0]:
                current = spans[span_i]
                span_i += 1
            if current is not None:
                width = current[1] - current[0] + 1
                self.window_of[i] = current[0]
                self.worth[i] = scaled_sigmoid(-(current[1] - i + 1) / width) * weights["tp"] / max_tp
            elif previous is None:
                self.worth[i] = -1.0 * weights["fp"]
            else:
                prev_width = previous[1] - previous[0] + 1
                past = abs(previous[1] - i) / float(max(prev_width - 1, 1))
                self.worth[i] = scaled_sigmoid(past) * weights["fp"]
            if current is not None and i == current[1]:
                previous, current = current, None

    def score(self, detected: Iterable[int]) -> FileScore:
        """Score the rows where the detector fired (indexes into the file)."""
        best: dict[int, float] = {}
        fp_total, fp_count = 0.0, 0
        for i in detected:
            if i < self.probation:
                continue
            window = self.window_of[i]
            if window >= 0:
                best[window] = max(best.get(window, -math.inf), self.worth[i])
            else:
                fp_total += self.worth[i]
                fp_count += 1
        misses = sum(1 for s in self.counted if s[0] not in best)
        raw = sum(best.values()) + fp_total - misses * self.weights["fn"]
        return FileScore(
            raw=raw, null=-len(self.counted) * self.weights["fn"], perfect=len(self.counted) * self.weights["tp"],
            tp=len(best), fp=fp_count, fn=misses, hits=[round(v, 3) for v in best.values()],
        )


def score_file(
    timestamps: Sequence[str], detections: Sequence[bool], windows: Sequence[tuple[str, str]], profile: str
) -> FileScore:
    """Score one file. `timestamps` and window edges are compared as strings in the same format."""
    return FileScorer(timestamps, windows, profile).score(i for i, hit in enumerate(detections) if hit)


def _key(edge: str, index: dict[str, int]) -> str:
    """Window edges in NAB files carry microseconds ('2015-03-03 04:37:53.000000'); data rows may not."""
    if edge in index:
        return edge
    trimmed = edge.split(".")[0]
    if trimmed in index:
        return trimmed
    raise ValueError(f"window edge {edge!r} is not a timestamp of the series")
