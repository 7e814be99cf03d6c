"""Leave-one-series-out cross-validation of the volume-spike settings over the five NAB tweet series.

For each series, the settings are chosen on the other four and scored on it (NAB standard and
reward_low_FP_rate, windows found, false positives). The training side also holds the count-like series of
spikes_nab_other (taxi rides, load-balancer requests, key presses, artificial spikes) at half weight: four
tweet series alone give a noisy choice, and those series are never judged. A setting is judged by its mean
margin over the goal (standard 75, low-FP 65), pooled over the training series, averaged over the setting and
its neighbours on the grid one setting at a time, so a lone lucky value loses to a broad good region. A
false-alarm reducer (the one left is the re-arm after a resolve) is kept only if letting the folds use it
raises the held-out margin of the plain detector; the ones that did not were deleted, and README (Alerts)
says how to reproduce their rejection. A table gives the held-out score of the selection procedure's own
variants (neighbourhood, weight of the other series); another, for each setting and each value of its grid,
the pooled held-out score when that setting is pinned to the value and the others are chosen per fold: flat
rows mean the choice is safe. The shipped defaults (VolumeSettings) are the ones chosen on all five. Last,
they run over the count-like other series (alerts per week: nothing floods).

    .venv/bin/python benchmarks/cv_spikes.py [--tweets DIR] [--other DIR] [--cache FILE.npz]

Every setting is scored once per series (the baseline is computed once per structural setting and shared by
the decision settings), so the run takes about a minute on one core (half of it on the other series).
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

from alerts import backtest, nab, volume

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PROFILES = ("standard", "reward_low_FP_rate")
# the goal on unseen series (issue 13): standard >= 75 and low-FP >= 65. A setting is judged by its worse margin
# over these, so neither profile is bought with the other
TARGETS = (75.0, 65.0)
WINDOW_SECONDS = 3600.0  # the rule's window and cooldown (users' choices, not tuned here)
COOLDOWN_HOURS = 2.0
# settings that change the baseline: the scored series is recomputed for each combination
STRUCTURAL: dict[str, list[float]] = {
    "level_hours": [3.0, 6.0, 12.0],
    "spread_quantile": [0.98, 0.99, 0.995],
}
# settings that only change when a scored window fires: cheap
DECISION: dict[str, list[float]] = {
    "spike_scale": [0.5, 2 / 3, 5 / 6, 1.0, 7 / 6],  # x the rule's sensitivity 3: a score of 1.5 to 3.5
    "busiest_quantile": [0.97, 0.98, 0.99, 0.995],
    # the false-alarm reducers: the first value of each is "off" (the plain detector)
    "rearm_hours": [0.0, 6.0, 12.0],  # no second opening this long after a resolve (a day would hide the next one)
}
GRID = {**STRUCTURAL, **DECISION}
REDUCERS = {name: DECISION[name][0] for name in ("rearm_hours",)}
# before issue 13 (tuned in-sample on the five series)
PREVIOUS_DEFAULTS = {"level_hours": 6.0, "spread_quantile": 0.98, "spike_scale": 1.0, "busiest_quantile": 0.99,
                     "rearm_hours": 0.0}
# the count-like series of the other NAB files (the rest are gauges: CPU, latency, temperature, prices)
COUNT_LIKE = (
    "realKnownCause/nyc_taxi.csv",
    "realAWSCloudwatch/elb_request_count_8c0756.csv",
    "realKnownCause/rogue_agent_key_hold.csv",
    "realKnownCause/rogue_agent_key_updown.csv",
    "artificialWithAnomaly/art_load_balancer_spikes.csv",
    "artificialWithAnomaly/art_increase_spike_density.csv",
)


@dataclass
class Result:
    raw: float
    null: float
    perfect: float
    tp: int
    fp: int
    windows: int


def _settings(combo: dict[str, float]) -> volume.VolumeSettings:
    types = {f.name: f.type for f in fields(volume.VolumeSettings)}
    return volume.VolumeSettings(**{k: int(v) if types[k] in ("int", int) else v for k, v in combo.items()
                                    if k in types})


def grid_combos() -> list[dict[str, float]]:
    return [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]


def run_grid(all_series: list[backtest.Series], windows: dict) -> tuple[list[dict[str, float]], np.ndarray]:
    """Every grid combination on every series: results[combo, series, profile] as (raw, null, perfect, tp, fp,
    windows)."""
    names = list(GRID)
    combos = grid_combos()
    position = {tuple(c.values()): i for i, c in enumerate(combos)}
    results = np.zeros((len(combos), len(all_series), len(PROFILES), 6))
    for s_i, series in enumerate(all_series):
        shape = volume.Shape(series.bucket_seconds, max(WINDOW_SECONDS, series.bucket_seconds))
        scorers = [nab.FileScorer(series.timestamps, windows[series.name], p) for p in PROFILES]
        busy_cache: dict[float, np.ndarray] = {}
        for structural in itertools.product(*STRUCTURAL.values()):
            base = _settings(dict(zip(STRUCTURAL, structural, strict=True)))
            scored = volume.score_series(series.values, shape, base)
            for decision in itertools.product(*DECISION.values()):
                combo = dict(zip(names, structural + decision, strict=True))
                settings = _settings(combo)
                if settings.busiest_quantile not in busy_cache:
                    busy_cache[settings.busiest_quantile] = volume.past_busiest(scored.observed, shape.period, settings)
                view = replace(scored, busy=busy_cache[settings.busiest_quantile])
                cooldown = round(COOLDOWN_HOURS * 3600 / shape.bucket_seconds)
                opened = volume.alert_lifecycle(view, shape, settings, cooldown)
                for p_i, scorer in enumerate(scorers):
                    r = scorer.score(opened)
                    results[position[tuple(combo.values())], s_i, p_i] = (r.raw, r.null, r.perfect, r.tp, r.fp,
                                                                          len(scorer.counted))
    return combos, results


def normalised(block: np.ndarray, extra: np.ndarray | None = None, weight: float = 0.0) -> np.ndarray:
    """Pooled NAB score over the series axis (-3): sum raw, null and perfect, then normalise. Shape [..., profile].
    `extra` (series of another kind) joins the sums with `weight`."""
    total = block.sum(axis=-3)
    if extra is not None and weight > 0:
        total = total + weight * extra.sum(axis=-3)
    return 100.0 * (total[..., 0] - total[..., 1]) / (total[..., 2] - total[..., 1])


@dataclass(frozen=True)
class Procedure:
    """How the folds choose: the neighbourhood a setting's objective is averaged over, and the weight of the
    count-like series of other kinds on the training side."""

    neighbourhood: str = "neighbours"  # "alone", "neighbours" (one setting at a time) or "box" (all at once)
    other_weight: float = 0.5


# the shipped procedure. The box over every setting at once (the previous choice: 3^5 cells) averages over
# mostly distant settings and drifts to the grid's middle (72.1 / 62.2 held out); the other series steady the
# choice from four tweet series (README, Alerts, prints the variants)
PROCEDURE = Procedure()
OTHER_WEIGHTS = (0.0, 0.25, 0.5, 1.0)  # the variants cv_spikes prints beside the shipped procedure


def plateau(objective: np.ndarray, allowed: np.ndarray, neighbourhood: str) -> np.ndarray:
    """The mean of each combination's objective over its allowed neighbourhood on the grid: itself ("alone"),
    itself and its neighbours one setting at a time ("neighbours": the held-out score at each setting's
    neighbours, as the issue asks), or every combination within one step along every setting at once ("box")."""
    if neighbourhood == "alone":
        return objective
    dims = [len(v) for v in GRID.values()]
    values = np.where(allowed, objective, 0.0).reshape(dims)
    present = allowed.astype(float).reshape(dims)
    if neighbourhood == "box":
        total, count = values, present
        for axis in range(len(dims)):
            total, count = _box(total, axis), _box(count, axis)
    else:
        total = values + sum(_box(values, axis) - values for axis in range(len(dims)))
        count = present + sum(_box(present, axis) - present for axis in range(len(dims)))
    return (total / np.maximum(count, 1.0)).ravel()


def _box(values: np.ndarray, axis: int) -> np.ndarray:
    """Sum of each cell and its two neighbours along `axis` (missing neighbours count 0)."""
    padded = np.pad(values, [(1, 1) if a == axis else (0, 0) for a in range(values.ndim)])
    n = values.shape[axis]
    return sum(np.take(padded, range(k, k + n), axis=axis) for k in range(3))


@dataclass
class Sweep:
    combos: list[dict[str, float]]
    tweets: np.ndarray  # results[combo, series, profile, field] on the judged tweet series
    other: np.ndarray | None  # the same on the count-like series of other kinds (training side only)


def choose(data: Sweep, train: list[int], allowed: np.ndarray, procedure: Procedure = PROCEDURE) -> int:
    """The combination with the best plateau of the objective pooled over the training series: the mean margin
    over the goal (`TARGETS`) of standard and low-FP. The mean, not the worse of the two: the worse one jumps
    from one profile to the other between neighbouring settings."""
    scores = normalised(data.tweets[:, train], data.other, procedure.other_weight)
    objective = (scores - np.array(TARGETS)).mean(axis=-1)
    smooth = plateau(objective, allowed, procedure.neighbourhood)
    return int(np.flatnonzero(allowed)[np.argmax(smooth[allowed])])


def leave_one_out(data: Sweep, allowed: np.ndarray, procedure: Procedure = PROCEDURE) -> tuple[list[int], np.ndarray]:
    """Per held-out tweet series the combination chosen on the other four (and the other kinds), and the
    held-out results stacked."""
    n = data.tweets.shape[1]
    chosen = [choose(data, [j for j in range(n) if j != i], allowed, procedure) for i in range(n)]
    held = np.stack([data.tweets[c, i] for i, c in enumerate(chosen)])
    return chosen, held


def _describe(combo: dict[str, float]) -> str:
    short = {"level_hours": "lvl", "spread_quantile": "spread", "spike_scale": "scale", "busiest_quantile": "busy",
             "rearm_hours": "rearm"}
    return " ".join(f"{short[k]} {v:.3g}" for k, v in combo.items())


def _row(label: str, block: np.ndarray, combo: str = "") -> str:
    block = block[None] if block.ndim == 2 else block  # one series
    scores = normalised(block)
    tp, fp, windows = block[..., 0, 3].sum(), block[..., 0, 4].sum(), block[..., 0, 5].sum()
    return f"| {label} | {scores[0]:.1f} | {scores[1]:.1f} | {tp:.0f}/{windows:.0f} | {fp:.0f} | {combo} |"


def _space(combos: list[dict[str, float]], free: set[str]) -> np.ndarray:
    """The combinations where every reducer not in `free` is off (its first grid value)."""
    return np.array([all(c[k] == REDUCERS[k] for k in REDUCERS if k not in free) for c in combos])


def _pooled(held: np.ndarray) -> str:
    score = normalised(held)
    return f"{score[0]:.1f} / {score[1]:.1f}"


def _margin(held: np.ndarray) -> float:
    return float((normalised(held) - np.array(TARGETS)).mean())


def select_reducers(data: Sweep) -> np.ndarray:
    """Keep each false-alarm reducer whose freedom alone improves the held-out score of the plain detector."""
    print("Held-out score (standard / low-FP, pooled over the five folds) of each false-alarm reducer added alone")
    print("to the plain detector (its other settings chosen per fold as well):")
    print()
    plain = leave_one_out(data, _space(data.combos, set()))[1]
    print(f"- plain detector (reducers off): {_pooled(plain)}")
    kept: set[str] = set()
    for name in REDUCERS:
        held = leave_one_out(data, _space(data.combos, {name}))[1]
        better = _margin(held) > _margin(plain)
        kept |= {name} if better else set()
        print(f"- + {name}: {_pooled(held)} ({'kept' if better else 'dropped'})")
    together = leave_one_out(data, _space(data.combos, kept))[1]
    print(f"- + all kept ({', '.join(sorted(kept)) or 'none'}): {_pooled(together)}")
    print()
    return _space(data.combos, kept)


def compare_procedures(data: Sweep, space: np.ndarray) -> None:
    """The held-out score of the selection procedure's own variants: which neighbourhood, how much weight for
    the other kinds of series. The shipped one should sit in a flat region of this table too."""
    print("Held-out score (standard / low-FP) of the selection procedure's variants; [brackets] mark the shipped:")
    print()
    print("| neighbourhood | " + " | ".join(f"other series x{w:g}" for w in OTHER_WEIGHTS) + " |")
    print("|---|" + "---|" * len(OTHER_WEIGHTS))
    for neighbourhood in ("alone", "neighbours", "box"):
        cells = []
        for weight in OTHER_WEIGHTS if data.other is not None else OTHER_WEIGHTS[:1]:
            procedure = Procedure(neighbourhood, weight)
            text = _pooled(leave_one_out(data, space, procedure)[1])
            cells.append(f"[{text}]" if procedure == PROCEDURE else text)
        print(f"| {neighbourhood} | " + " | ".join(cells) + " |")
    print()


def report(names: list[str], data: Sweep) -> dict[str, float]:
    combos = data.combos
    space = select_reducers(data)
    compare_procedures(data, space)
    chosen, held = leave_one_out(data, space)
    now = [i for i, c in enumerate(combos) if all(np.isclose(c[k], PREVIOUS_DEFAULTS[k]) for k in GRID)]
    print("| held-out series | standard | low-FP | windows found | false positives | chosen on the other four |")
    print("|---|---|---|---|---|---|")
    for i, name in enumerate(names):
        print(_row(name.removeprefix("Twitter_volume_").removesuffix(".csv"), held[i], _describe(combos[chosen[i]])))
    print(_row("**all five, held out**", held))
    print(_row("plain detector (reducers off), held out", leave_one_out(data, _space(combos, set()))[1]))
    if now:
        print(_row("previous defaults, in-sample (tuned on all five)", data.tweets[now[0]],
                   _describe(PREVIOUS_DEFAULTS)))
    shipped = choose(data, list(range(len(names))), space)
    print(_row("shipped: chosen on all five, in-sample", data.tweets[shipped], _describe(combos[shipped])))
    defaults = volume.VolumeSettings()
    same = all(np.isclose(getattr(defaults, k), v) for k, v in combos[shipped].items())
    print(f"\nThe VolumeSettings defaults are {'the' if same else 'NOT the'} shipped choice.")
    print()
    print("Held-out score (standard / low-FP, pooled over the five folds) with one setting pinned to each value")
    print("and the others chosen per fold; [brackets] mark the shipped value:")
    print()
    for name, values in GRID.items():
        cells = []
        for value in values:
            pinned = space & np.array([np.isclose(c[name], value) for c in combos])
            if not pinned.any():
                continue
            text = f"{value:g}: {_pooled(leave_one_out(data, pinned)[1])}"
            cells.append(f"[{text}]" if np.isclose(combos[shipped][name], value) else text)
        print(f"- {name}: " + ", ".join(cells))
    return combos[shipped]


def check_other(other: Path, combo: dict[str, float]) -> None:
    """The shipped settings on the count-like series of other kinds: nothing breaks, nothing floods. They were
    on the training side (with a lower weight), so their scores are not a test."""
    windows = json.loads((other / "windows.json").read_text(encoding="utf-8"))
    settings = _settings(combo)
    print()
    print("| other NAB series (training side, not judged) | alerts | per week | standard | low-FP | windows found | "
          "false positives |")
    print("|---|---|---|---|---|---|---|")
    for key in COUNT_LIKE:
        series = backtest.read_series(other / key)
        shape = volume.Shape(series.bucket_seconds, max(WINDOW_SECONDS, series.bucket_seconds))
        cooldown = round(COOLDOWN_HOURS * 3600 / shape.bucket_seconds)
        opened, _ = volume.detect(series.values, shape, settings, cooldown)
        weeks = (series.times[-1] - series.times[0]).total_seconds() / (7 * 86400)
        scores = [nab.FileScorer(series.timestamps, windows[key], p).score(opened) for p in PROFILES]
        print(f"| {key} | {len(opened)} | {len(opened) / weeks:.1f} | {scores[0].normalised:.1f} | "
              f"{scores[1].normalised:.1f} | {scores[0].tp}/{len(windows[key])} | {scores[0].fp} |")


def load_sweep(tweets: Path, other: Path, cache: Path | None) -> tuple[list[str], Sweep]:
    """Run the grid over the tweet series and the count-like other series, or read it back from `cache`."""
    tweet_series = [backtest.read_series(p) for p in sorted(tweets.glob("Twitter_volume_*.csv"))]
    names = [s.name for s in tweet_series]
    if cache and cache.exists():
        with np.load(cache) as saved:
            return names, Sweep(grid_combos(), saved["tweets"], saved.get("other"))
    combos, results = run_grid(tweet_series, json.loads((tweets / "windows.json").read_text(encoding="utf-8")))
    extra = None
    if other.exists():
        other_series = []
        for key in COUNT_LIKE:
            series = backtest.read_series(other / key)
            series.name = key  # windows.json is keyed by category/file
            other_series.append(series)
        extra = run_grid(other_series, json.loads((other / "windows.json").read_text(encoding="utf-8")))[1]
    if cache:
        with cache.open("wb") as out:  # a file object, so numpy keeps the name as given
            np.savez(out, tweets=results, **({"other": extra} if extra is not None else {}))
    return names, Sweep(combos, results, extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tweets", type=Path, default=DATA / "spikes_nab_tweets")
    parser.add_argument("--other", type=Path, default=DATA / "spikes_nab_other")
    parser.add_argument("--cache", type=Path, help="keep the sweep in this .npz file and reuse it when it exists "
                                                   "(to re-print without re-running; delete it after changing code)")
    args = parser.parse_args()
    started = time.perf_counter()
    names, data = load_sweep(args.tweets, args.other, args.cache)
    shipped = report(names, data)
    if args.other.exists():
        check_other(args.other, shipped)
    series = data.tweets.shape[1] + (data.other.shape[1] if data.other is not None else 0)
    print(f"\n{len(data.combos)} settings x {series} series in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
