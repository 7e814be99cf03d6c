"""Count-aware volume-spike and slow-build detection over one series of bucket counts.

The same code runs live (over a brand's series from the store) and in `ascolto backtest`; every point is
scored against a baseline built only from the points before it.

Baseline: the seasonal level at the same time of day on the previous days (median over up to a week, each
lag smoothed over its neighbouring buckets), blended with the same time of the week one and two weeks back
when those exist, then scaled by how the recent level compares with what the seasonal view expected for it.
So an ordinary Monday-morning peak is expected, and a day that is busier all along is not a spike.

Score: each bucket is scored by the window (e.g. the last hour) that ends with it. Counts are overdispersed
Poisson, so the tail probability of the window's count comes from a negative binomial whose dispersion is
fitted to the upper tail of the series' own past residuals (heavy tails count); the score is -log10 of that
probability (3 = one in a thousand); a spike needs 2 at the default sensitivity. It fires only when it is
also material: at least the minimum count, and above the busiest 1% of the past week's windows (a night-time
blip that is merely unusual stays quiet); and not within 12 hours of the end of the previous episode (its
aftershocks are the same event). Alerts open, stay open while elevated, resolve, and respect the cooldown
exactly as the live state machine does (`alert_lifecycle`), so backtests measure what people would have
received. The defaults are chosen by leave-one-series-out over NAB's tweet-volume series
(benchmarks/cv_spikes.py). Persistence, a seasonal upper quantile, a warm-up, a margin over the busiest
windows, a sudden-rise condition, a minimum excess over Poisson noise and a confirmation of marginal windows
were tried there and removed: none raised the held-out score (README, Alerts).
Slow build: a one-sided CUSUM over consecutive windows of the log excess against the same time of the week,
for waves that grow over hours without any single alarming hour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class VolumeSettings:
    sensitivity: float = 3.0  # the rule's sensitivity (higher: fewer, surer alerts)
    spike_scale: float = 2 / 3  # a spike's window must reach a score (-log10 tail probability) of sensitivity x
    # this: 2 at the default sensitivity 3, one in 100 (the busiest-windows condition carries the rest)
    min_count: int = 5  # observations below this never fire
    history_days: int = 7  # days of same-time-of-day history in the seasonal baseline
    level_hours: float = 6.0  # recent hours that set the level correction
    min_history_buckets: int = 12  # no alert until this much history exists
    cusum_drift: float = 0.5  # slow build: residual (in sd) that a normal series stays under
    cusum_limit: float = 8.0  # slow build: accumulated excess (in window sds) that fires; ~months between false alarms
    level_clip: float = 2.0  # the recent level may move the seasonal baseline by at most this factor
    spread_quantile: float = 0.98  # quantile of |log residual| that sets the dispersion: heavy tails count
    busiest_quantile: float = 0.99  # ...and the window must be among the busiest 1% of the past days' windows
    busiest_days: float = 7.0
    resolve_fraction: float = 0.5  # an open alert stays open while the score is above this share of the threshold
    rearm_hours: float = 12.0  # after an episode ends, no new one opens for this long (its aftershocks)


@dataclass(frozen=True)
class Shape:
    """How a series is cut: bucket length, and the alert window (a whole number of buckets) summed at each one."""

    bucket_seconds: float
    window_seconds: float = 3600.0

    @property
    def period(self) -> int:
        return period_buckets(self.bucket_seconds)

    @property
    def width(self) -> int:
        return max(1, round(self.window_seconds / self.bucket_seconds))


@dataclass
class Baseline:
    expected: np.ndarray  # expected count of each bucket from its past only
    dispersion: np.ndarray  # negative-binomial 1/k (0 = Poisson) from past residuals
    seasonal: np.ndarray  # the seasonal expectation without the recent-level correction


def period_buckets(bucket_seconds: float) -> int:
    """Buckets in a day (seasonal period); at least 1."""
    return max(1, round(86400 / bucket_seconds))


def _smoothed(values: np.ndarray, half: int) -> np.ndarray:
    if half <= 0:
        return values.astype(float)
    kernel = np.ones(2 * half + 1) / (2 * half + 1)
    padded = np.pad(values.astype(float), half, mode="edge")
    return np.convolve(padded, kernel, mode="valid")


def _lagged(values: np.ndarray, lag: int) -> np.ndarray:
    out = np.full(len(values), np.nan)
    if lag < len(values):
        out[lag:] = values[: len(values) - lag]
    return out


def _trailing_sum(values: np.ndarray, length: int) -> np.ndarray:
    """Sum of the `length` values before each index (exclusive), NaN-safe (NaN counts as 0)."""
    clean = np.nan_to_num(values)
    cumulative = np.concatenate([[0.0], np.cumsum(clean)])
    idx = np.arange(len(values))
    return cumulative[idx] - cumulative[np.maximum(idx - length, 0)]


def compute_baseline(values: np.ndarray, period: int, settings: VolumeSettings = VolumeSettings()) -> Baseline:
    values = np.asarray(values, dtype=float)
    n = len(values)
    # neighbours of the same time of day; smoothing spans at most a quarter of each lag, so it stays in the past
    half = max(0, min(period // 48, period // 4))
    smooth = _smoothed(values, half)
    daily = np.vstack([_lagged(smooth, k * period) for k in range(1, settings.history_days + 1)]) if period > 1 \
        else np.full((1, n), np.nan)
    with np.errstate(all="ignore"), _quiet():
        seasonal = np.nanmedian(daily, axis=0)
        weekly = np.nanmean(np.vstack([_lagged(smooth, k * 7 * period) for k in (1, 2)]), axis=0)
    # recent level: the last hours, as observed against what the seasonal view expected for them
    level_len = max(2, round(settings.level_hours * period / 24)) if period > 1 else 12
    # the weekly view joins once it also covers the level window (one model on both sides of the ratio)
    weekly[: min(n, 7 * period + level_len)] = np.nan
    same_time_of_week = np.where(np.isnan(weekly), seasonal, weekly)
    seasonal = np.where(np.isnan(weekly), seasonal, 0.5 * seasonal + 0.5 * weekly)
    recent = _trailing_sum(values, level_len) / np.maximum(np.minimum(np.arange(n), level_len), 1)
    seasonal_recent = _trailing_sum(np.where(np.isnan(seasonal), np.nan, seasonal), level_len)
    observed_recent = _trailing_sum(np.where(np.isnan(seasonal), np.nan, values), level_len)
    ratio = (observed_recent + 1.0) / (seasonal_recent + 1.0)
    ratio = np.clip(ratio, 1.0 / settings.level_clip, settings.level_clip)
    expected = np.where(np.isnan(seasonal), recent, seasonal * ratio)
    expected = np.maximum(expected, 0.1)
    expected[0] = max(values[0], 0.1) if n else 0.1
    dispersion = _dispersion(values, expected, period, settings.spread_quantile)
    # the slow-build view: the same time of the week (else of the day) alone, without the recent-level
    # correction, so a wave does not become the new normal as it grows
    plain = np.maximum(np.where(np.isnan(same_time_of_week), recent, same_time_of_week), 0.1)
    plain[0] = expected[0]
    return Baseline(expected=expected, dispersion=dispersion, seasonal=plain)


def _dispersion(values: np.ndarray, expected: np.ndarray, period: int, quantile: float) -> np.ndarray:
    """Causal robust estimate of 1/k: the spread of log residuals beyond Poisson noise, over the last days."""
    resid = np.log((values + 1.0) / (expected + 1.0))
    window = max(48, 3 * period)
    out = np.zeros(len(values))
    # a quantile of absolute deviations is robust to the spikes we look for; recomputed in blocks for speed
    step = max(1, period // 24)
    as_sd = float(stats.norm.ppf(0.5 + quantile / 2))  # that quantile of |normal| in standard deviations
    for start in range(0, len(values), step):
        past = resid[max(0, start - window): start]
        if len(past) >= 12:
            deviation = np.abs(past - np.median(past))
            k = int(quantile * (len(deviation) - 1))
            mad = float(np.partition(deviation, k)[k]) / as_sd
            mu = float(np.mean(expected[max(0, start - window): start]))
            out[start: start + step] = max(0.0, mad * mad - 1.0 / (mu + 1.0))
        else:
            out[start: start + step] = 0.25
    return out


MAX_SCORE = 300.0  # one in 10^300, about the smallest probability a float holds


def tail_score(observed: np.ndarray, expected: np.ndarray, dispersion: np.ndarray) -> np.ndarray:
    """-log10 P(X >= observed) under a negative binomial with mean `expected` and 1/k = `dispersion`, at most
    `MAX_SCORE`: a surge from almost nothing has a tail below the smallest float, and an infinite score would
    reach alert messages and stores as a number JSON cannot carry."""
    observed = np.asarray(observed, dtype=float)
    expected = np.asarray(expected, dtype=float)
    dispersion = np.maximum(np.asarray(dispersion, dtype=float), 1e-6)
    k = 1.0 / dispersion
    p = k / (k + expected)
    tail = stats.nbinom.logsf(np.maximum(observed - 1, -1), k, p)
    return np.where(observed > expected, np.minimum(-tail / np.log(10), MAX_SCORE), 0.0)



def range_of(expected: float, dispersion: float, coverage: float = 0.99) -> tuple[float, float]:
    """The central `coverage` range of counts the baseline expects."""
    k = 1.0 / max(dispersion, 1e-6)
    p = k / (k + max(expected, 1e-6))
    low, high = stats.nbinom.interval(coverage, k, p)
    return float(low), float(high)


class _quiet:
    def __enter__(self) -> None:
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc: object) -> None:
        self._w.__exit__(*exc)


@dataclass
class SpikeSeries:
    observed: np.ndarray  # the count in the window ending at each bucket
    expected_bucket: np.ndarray  # what each single bucket was expected to hold
    seasonal_bucket: np.ndarray  # the same from the seasonal view alone (the slow-build reference)
    expected: np.ndarray
    dispersion: np.ndarray
    score: np.ndarray
    cusum: np.ndarray
    busy: np.ndarray  # the busiest-windows level of the past days a window must also reach


def _past_quantile(values: np.ndarray, length: int, quantile: float, step: int) -> np.ndarray:
    """The `quantile` of the `length` values before each index (recomputed every `step` for speed)."""
    out = np.zeros(len(values))
    for start in range(0, len(values), step):
        past = values[max(0, start - length): start]
        out[start: start + step] = np.quantile(past, quantile) if len(past) else 0.0
    return out


def rolling_sum(values: np.ndarray, width: int) -> np.ndarray:
    """Sum of each value and the `width - 1` before it (the window ending at each bucket)."""
    if width <= 1:
        return np.asarray(values, dtype=float)
    cumulative = np.concatenate([[0.0], np.cumsum(values, dtype=float)])
    idx = np.arange(1, len(values) + 1)
    return cumulative[idx] - cumulative[np.maximum(idx - width, 0)]


def score_series(values: np.ndarray, shape: Shape, settings: VolumeSettings = VolumeSettings()) -> SpikeSeries:
    """Score the window of `shape.width` buckets ending at each bucket against the baseline built before it."""
    values = np.asarray(values, dtype=float)
    period, width = shape.period, shape.width
    base = compute_baseline(values, period, settings)
    observed = rolling_sum(values, width)
    expected = rolling_sum(base.expected, width)
    dispersion = _dispersion(observed, expected, period, settings.spread_quantile) if width > 1 else base.dispersion
    score = tail_score(observed, expected, dispersion)
    score[: max(settings.min_history_buckets, width)] = 0.0
    busy = past_busiest(observed, period, settings)
    # slow build: CUSUM over consecutive windows (each step adds one window's log excess in units of its
    # spread), so the statistic means the same whatever the bucket size
    seasonal_window = rolling_sum(base.seasonal, width)
    seasonal_dispersion = _dispersion(observed, seasonal_window, period, 0.5)
    spread = np.sqrt(seasonal_dispersion + 1.0 / (seasonal_window + 1.0))
    z = np.clip(np.log((observed + 1.0) / (seasonal_window + 1.0)) / spread, -4.0, 4.0)
    cusum = np.zeros(len(values))
    for i in range(max(settings.min_history_buckets, width), len(values)):
        cusum[i] = max(0.0, cusum[i - width] + z[i] - settings.cusum_drift)
    return SpikeSeries(observed=observed, expected_bucket=base.expected, seasonal_bucket=base.seasonal,
                       expected=expected, dispersion=dispersion,
                       score=score, cusum=cusum, busy=busy)


def past_busiest(observed: np.ndarray, period: int, settings: VolumeSettings) -> np.ndarray:
    """The `busiest_quantile` of all the windows of the past `busiest_days`."""
    return _past_quantile(observed, round(settings.busiest_days * period), settings.busiest_quantile,
                          max(1, period // 24))


def spike_threshold(settings: VolumeSettings, shape: Shape) -> float:
    """The score a window must reach once the history is long enough (see `thresholds`)."""
    return settings.sensitivity * settings.spike_scale


def thresholds(series: SpikeSeries, settings: VolumeSettings, shape: Shape) -> np.ndarray:
    """The score each window must reach (the same everywhere: a raised threshold while the history is short
    lowered the held-out score; see README, Alerts)."""
    return np.full(len(series.score), spike_threshold(settings, shape))


def firing(series: SpikeSeries, settings: VolumeSettings, shape: Shape) -> np.ndarray:
    """A spike is both surprising for its time of day and week, and material: one of the busiest windows
    of the past days, and at least the minimum count. A night-time blip that is merely unusual stays quiet.
    Within `rearm_hours` after an episode ended, a window does not fire again (an aftershock of the same
    event is not a new alert)."""
    surprising = series.score >= thresholds(series, settings, shape)
    material = (series.observed >= settings.min_count) & (series.observed > series.busy)
    fires = surprising & material
    if settings.rearm_hours <= 0:
        return fires
    rearm = max(1, round(settings.rearm_hours * 3600 / shape.bucket_seconds))
    resting = np.zeros(len(fires), dtype=bool)
    for _, resolved in episodes(fires, fires | still_elevated(series, settings, shape)):
        resting[resolved: resolved + rearm] = True
    return fires & ~resting


def detect(
    values: np.ndarray, shape: Shape, settings: VolumeSettings = VolumeSettings(), cooldown: int = 0
) -> tuple[list[int], SpikeSeries]:
    """Indexes where a spike alert would be sent live (alert lifecycle and cooldown included)."""
    values = np.asarray(values, dtype=float)
    series = score_series(values, shape, settings)
    return alert_lifecycle(series, shape, settings, cooldown), series


def still_elevated(series: SpikeSeries, settings: VolumeSettings, shape: Shape) -> np.ndarray:
    """Where an open alert stays open (hysteresis): the score is above `resolve_fraction` of the threshold."""
    return series.score >= settings.resolve_fraction * thresholds(series, settings, shape)


def episodes(fires: np.ndarray, staying: np.ndarray) -> list[tuple[int, int]]:
    """(opened, resolved) of each episode: it opens at a fire when none is open, and resolves at the first
    bucket that no longer stays open (the series' length when it is still open at the end)."""
    quiet = np.flatnonzero(~staying)
    fire_at = np.flatnonzero(fires)
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(fire_at):  # jump from an opening to its resolve, then to the next fire
        start = int(fire_at[i])
        later = quiet[np.searchsorted(quiet, start, side="right"):]
        resolved = int(later[0]) if len(later) else len(fires)
        found.append((start, resolved))
        i = int(np.searchsorted(fire_at, resolved, side="right"))
    return found


def alert_lifecycle(series: SpikeSeries, shape: Shape, settings: VolumeSettings, cooldown: int) -> list[int]:
    """Where alerts open, as the live state machine (alerts.state) does it.

    An alert opens when a window fires and none is open; it stays open while it fires or is still elevated
    and resolves below that; firing again within `cooldown` buckets of the resolve reopens the same alert
    quietly instead of sending a new one.
    """
    fires = firing(series, settings, shape)
    opened: list[int] = []
    resolved_at = -(10**9)
    for start, resolved in episodes(fires, fires | still_elevated(series, settings, shape)):
        if start - resolved_at >= cooldown:
            opened.append(start)
        resolved_at = resolved
    return opened
