"""The detectors, as they run live on a brand's mentions in the store at a given `now` (past only); sla_risk is in
alerts/sla.py."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
from scipy import stats

from alerts import volume
from alerts.findings import (
    Finding,
    analytics,
    brand_words,
    dense_series,
    rule_filter,
    samples,
    window_terms,
)
from alerts.health import source_down
from alerts.sla import sla_risk
from core.config import AlertRule, Config
from core.timebuckets import bucket_start, parse_interval
from storage.analytics import engagement_rate
from storage.base import MentionFilter, MentionStore

HISTORY = timedelta(days=15)  # two weeks of same-time-of-week history, plus the current day
BASELINE = timedelta(days=7)  # term and share baselines
METRIC_LABEL = {"complaints": "complaints", "negative": "negative mentions", "all": "mentions"}


def settings_for(rule: AlertRule) -> volume.VolumeSettings:
    known = {k: v for k, v in rule.options.items() if k in volume.VolumeSettings.__dataclass_fields__}
    return replace(volume.VolumeSettings(**known), sensitivity=rule.sensitivity, min_count=rule.min_count)


def _series_findings(store: MentionStore, config: Config, rule: AlertRule, brand: str | None, now: datetime,
                     slow: bool) -> list[Finding]:
    flt = rule_filter(rule, brand)
    topics: list[str | None] = [None]
    if rule.options.get("per_topic"):  # one series per topic: the rule's topics, else the brand's busiest ones
        recent = replace(flt, since=now - BASELINE, until=now)
        topics = list(flt.topics) or [t for t, _ in store.facets(recent, "topics", int(rule.options.get("topics", 8)))]
    found = []
    for topic in topics:
        sub = replace(flt, topics=(topic,)) if topic else flt
        finding = _series_finding(store, config, rule, brand, now, sub, slow)
        if finding is not None:
            finding.key += f":{topic}" if topic else ""
            finding.details["topic"] = topic
            found.append(finding)
    return found


_NICE_BUCKETS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def live_shape(rule: AlertRule) -> tuple[str, volume.Shape]:
    """Fine buckets (about a twelfth of the window) so a rise is seen within minutes, not at the window's end."""
    window = parse_interval(rule.window).total_seconds()
    if "bucket" in rule.options:
        bucket = parse_interval(str(rule.options["bucket"])).total_seconds()
    else:
        bucket = max([b for b in _NICE_BUCKETS if b <= window / 12] or [min(60.0, window)])
    interval = _interval_text(int(bucket))
    return interval, volume.Shape(bucket_seconds=bucket, window_seconds=window)


def _interval_text(seconds: int) -> str:
    """300 -> '5m', 3600 -> '1h': the plainest form (every store backend reads these)."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _series_finding(store: MentionStore, config: Config, rule: AlertRule, brand: str | None, now: datetime,
                    flt: MentionFilter, slow: bool) -> Finding | None:
    settings = settings_for(rule)
    interval, shape = live_shape(rule)
    current = bucket_start(now, interval)
    # before the brand's first stored mention the store simply had nothing yet: unknown, not quiet buckets
    first = analytics(store).earliest(MentionFilter(brands=flt.brands, since=now - HISTORY, until=current))
    if first is None:
        return None
    starts, values = dense_series(store, flt, interval, max(now - HISTORY, first), current)
    if len(values) < 2 or not values.any():
        return None
    series = volume.score_series(values, shape, settings)
    i = len(values) - 1
    step = timedelta(seconds=shape.bucket_seconds)
    label = METRIC_LABEL[rule.metric]
    window = _Window(starts, values, series, shape, i, starts[max(0, i - shape.width + 1)], starts[i] + step)
    finding = (_slow_finding if slow else _spike_finding)(window, settings, rule, brand, label)
    if finding is None:
        return None
    _explain(store, config, finding, flt, brand, now)
    return finding


@dataclass
class _Window:
    """The series of one rule at its latest bucket `i`, and the alert window ending there."""

    starts: list[datetime]
    values: np.ndarray
    series: volume.SpikeSeries
    shape: volume.Shape
    i: int
    start: datetime
    end: datetime


def _slow_finding(w: _Window, settings: volume.VolumeSettings, rule: AlertRule, brand: str | None,
                  label: str) -> Finding | None:
    starts, values, series, shape, i, w_end = w.starts, w.values, w.series, w.shape, w.i, w.end
    limit = settings.cusum_limit * settings.sensitivity / 3.0
    level = float(series.cusum[i])
    # the wave began with the first window after the CUSUM (one chain per window phase) last stood at zero
    first = i
    while first - shape.width >= 0 and series.cusum[first - shape.width] > 0:
        first -= shape.width
    start = max(0, first - shape.width + 1)
    observed = float(values[start: i + 1].sum())
    expected = float(series.seasonal_bucket[start: i + 1].sum())
    firing = level >= limit and observed >= settings.min_count
    if level <= limit / 2 and not firing:
        return None
    hours = (i + 1 - start) * shape.bucket_seconds / 3600
    low, high = volume.range_of(expected, float(series.dispersion[i]))
    finding = Finding(
        key="slow_build", firing=firing, severity="critical" if level >= 2 * limit else "warning",
        observed=observed, expected=round(expected, 2), expected_low=low, expected_high=high,
        score=round(level, 2), window_start=starts[start], window_end=w_end,
        title=f"{brand or 'All brands'}: {label} building up for {hours:.1f} h",
        summary=f"{observed:.0f} {label} in the last {hours:.1f} h against {expected:.0f} expected (usual range "
                f"{low:.0f}-{high:.0f}); the excess has accumulated to {level:.1f} (fires at {limit:.1f}).",
        details={"cusum": round(level, 2), "limit": limit},
    )
    return finding


def _spike_finding(w: _Window, settings: volume.VolumeSettings, rule: AlertRule, brand: str | None,
                   label: str) -> Finding | None:
    series, shape, i, w_start, w_end = w.series, w.shape, w.i, w.start, w.end
    threshold = float(volume.thresholds(series, settings, shape)[i])
    s = float(series.score[i])
    observed, expected = float(series.observed[i]), float(series.expected[i])
    firing = bool(volume.firing(series, settings, shape)[i])
    if not firing and not volume.still_elevated(series, settings, shape)[i]:
        return None
    low, high = volume.range_of(expected, float(series.dispersion[i]))
    busy = float(series.busy[i])
    finding = Finding(
        key="volume", firing=firing, severity="critical" if s >= 2 * threshold else "warning",
        observed=observed, expected=round(expected, 2), expected_low=low, expected_high=high,
        score=round(s, 2), window_start=w_start, window_end=w_end,
        title=f"{brand or 'All brands'}: spike in {label}",
        summary=f"{observed:.0f} {label} in {rule.window} against {expected:.1f} expected "
                f"(usual range {low:.0f}-{high:.0f}); chance of this under normal conditions about 1 in "
                f"{_odds(s)}; the busiest {rule.window} windows of the past week reached {busy:.0f}.",
        details={"threshold": round(threshold, 2), "busiest_past_week": busy},
    )
    return finding


def _odds(score: float) -> str:
    return f"{10 ** min(score, 15):,.0f}" if score < 15 else "10^15 or more"


def _explain(store: MentionStore, config: Config, finding: Finding, flt: MentionFilter, brand: str | None,
             now: datetime) -> None:
    """Attach the top terms of the window (by lift over the baseline week) and three sample mentions."""
    since = finding.window_start or now - timedelta(hours=1)
    until = finding.window_end or now
    finding.samples = samples(store, flt, since, until)
    exclude = brand_words(config.brand(brand)) if brand else set()
    recent = window_terms(store, flt, since, until, 500, exclude, min_count=2).counts
    base = window_terms(store, flt, since - BASELINE, since, 2000, exclude, only=recent).counts
    lift = {t: (c + 0.5) / (base.get(t, 0) + 1.0) for t, c in recent.items()}
    finding.top_terms = [t for t, _ in sorted(lift.items(), key=lambda kv: (-kv[1], kv[0]))[:5]]


def volume_spike(store: MentionStore, config: Config, rule: AlertRule, brand: str | None,
                 now: datetime) -> list[Finding]:
    return _series_findings(store, config, rule, brand, now, slow=False)


def slow_build(store: MentionStore, config: Config, rule: AlertRule, brand: str | None,
               now: datetime) -> list[Finding]:
    return _series_findings(store, config, rule, brand, now, slow=True)


def negative_share(store: MentionStore, config: Config, rule: AlertRule, brand: str | None,
                   now: datetime) -> list[Finding]:
    """Binomial test of the window's negative share against the share of the week before it."""
    flt = rule_filter(rule, brand, metric="all")
    neg = replace(flt, sentiments=("negative",))
    length = parse_interval(rule.window)
    since = now - length
    n, k, n0, k0 = analytics(store).counts([
        replace(flt, since=since, until=now), replace(neg, since=since, until=now),
        replace(flt, since=since - BASELINE, until=since), replace(neg, since=since - BASELINE, until=since)])
    p0 = (k0 + 1) / (n0 + 2)  # Laplace: a brand-new brand starts from an even prior, not from zero
    if n == 0 or k / n <= p0:
        return []
    score = float(-stats.binom.logsf(k - 1, n, p0) / math.log(10))
    min_shift = float(rule.options.get("min_shift", 0.15))
    firing = score >= rule.sensitivity and k >= rule.min_count and k / n - p0 >= min_shift
    if not firing and score < rule.sensitivity / 2:
        return []
    low, high = (float(x) for x in stats.binom.interval(0.99, n, p0))
    finding = Finding(
        key="negative_share", firing=firing, severity="critical" if score >= 2 * rule.sensitivity else "warning",
        observed=round(k / n, 3), expected=round(p0, 3), expected_low=round(low / n, 3),
        expected_high=round(high / n, 3), score=round(score, 2), window_start=since, window_end=now,
        title=f"{brand or 'All brands'}: negative share up to {k / n:.0%}",
        summary=f"{k} of {n} mentions negative in the last {rule.window} ({k / n:.0%}) against {p0:.0%} in the "
                f"week before ({k0} of {n0}); usual range {low / n:.0%}-{high / n:.0%}.",
        details={"negative": k, "total": n, "baseline_negative": k0, "baseline_total": n0},
    )
    _explain(store, config, finding, neg, brand, now)
    return [finding]


def viral_mention(store: MentionStore, config: Config, rule: AlertRule, brand: str | None,
                  now: datetime) -> list[Finding]:
    """Engagement per hour since publication, far above the brand's usual (robust z in log space)."""
    flt = rule_filter(rule, brand, metric=rule.metric)
    recent = replace(flt, since=now - timedelta(hours=float(rule.options.get("recent_hours", 48))), until=now)
    history = replace(rule_filter(rule, brand, metric="all"), since=now - timedelta(days=30), until=now)
    spread_of = analytics(store).engagement_spread(history, 5000, now)
    if spread_of.mentions < 10 or spread_of.center is None or spread_of.deviation is None:
        center, spread = 0.0, 1.0
    else:
        center, spread = spread_of.center, max(1.4826 * spread_of.deviation, 0.5)
    min_total = int(rule.options.get("min_engagement", max(rule.min_count, 20)))
    # the store hands over the fastest few only; the test below is the exact one (the margin is rounding's)
    candidates = analytics(store).fastest(recent, 500, now, min_rate=center + rule.sensitivity * spread - 1e-9,
                                          min_total=min_total, n=5)
    found = []
    for mention in candidates:
        total = mention.interactions
        rate = engagement_rate(mention, now)
        z = (rate - center) / spread
        if z < rule.sensitivity or total < min_total:
            continue
        per_hour = math.expm1(rate)
        found.append(Finding(
            key=f"viral:{mention.id}", firing=True, severity="critical" if z >= 2 * rule.sensitivity else "warning",
            observed=round(per_hour, 1), expected=round(math.expm1(center), 1),
            expected_high=round(math.expm1(center + 2.5 * spread), 1), score=round(z, 2),
            window_start=mention.published_at, window_end=now,
            title=f"{brand or 'All brands'}: a mention is going viral ({total} interactions)",
            summary=f"{per_hour:.0f} interactions per hour since it was published, against {math.expm1(center):.1f} "
                    f"for a typical mention of the brand.",
            samples=[mention], details={"mention_id": mention.id, "engagement": mention.engagement},
        ))
    return sorted(found, key=lambda f: -(f.score or 0))[:5]


def emerging_term(store: MentionStore, config: Config, rule: AlertRule, brand: str | None,
                  now: datetime) -> list[Finding]:
    """Words or hashtags far more frequent in the window's mentions than in the week before (Poisson tail)."""
    flt = rule_filter(rule, brand)
    length = parse_interval(rule.window)
    since = now - length
    exclude = brand_words(config.brand(brand)) if brand else set()
    min_term = int(rule.options.get("min_term_count", 3))
    window = window_terms(store, flt, since, now, 1000, exclude, min_count=min_term)
    if not window.counts:
        return []
    base_counts = window_terms(store, flt, since - BASELINE, since, 5000, exclude, only=window.counts)
    recent, base = window.counts, base_counts.counts
    n, n0 = window.mentions, base_counts.mentions
    emerging = []
    for term, count in recent.items():
        expected = n * (base.get(term, 0) + 0.5) / (n0 + 1.0)
        score = float(-stats.poisson.logsf(count - 1, expected) / math.log(10))
        if score >= rule.sensitivity:
            emerging.append((score, term, count, expected))
    if not emerging:
        return []
    emerging.sort(key=lambda e: (-e[0], e[1]))
    score, term, count, expected = emerging[0]
    tops = [e[1] for e in emerging[:5]]
    hits = analytics(store).with_term(replace(flt, since=since, until=now), 1000, term, 3)
    low, high = (float(x) for x in stats.poisson.interval(0.99, expected))
    return [Finding(
        key="emerging_term", firing=True, severity="critical" if score >= 2 * rule.sensitivity else "warning",
        observed=float(count), expected=round(expected, 2), expected_low=low, expected_high=high,
        score=round(score, 2), window_start=since, window_end=now, top_terms=tops, samples=hits,
        title=f"{brand or 'All brands'}: new term in {METRIC_LABEL[rule.metric]}: {term}",
        summary=f"'{term}' appears in {count} of {n} {METRIC_LABEL[rule.metric]} in the last {rule.window}, against "
                f"{expected:.1f} expected from the week before; other emerging terms: {', '.join(tops[1:]) or '-'}.",
        details={"terms": [{"term": e[1], "count": e[2], "expected": round(e[3], 2)} for e in emerging[:10]]},
    )]


def unanswered_complaint(store: MentionStore, config: Config, rule: AlertRule, brand: str | None,
                         now: datetime) -> list[Finding]:
    """Complaints with no reply from the brand's own accounts after `limit_minutes`, grouped per brand."""
    limit = timedelta(minutes=rule.limit_minutes)
    max_age = timedelta(hours=float(rule.options.get("max_age_hours", 72)))
    flt = replace(rule_filter(rule, brand, metric="complaints"), unanswered=True, is_owned=False,
                  since=now - max_age, until=now - limit)
    total = store.count(flt)
    if total == 0:
        return []
    oldest = analytics(store).sample(flt, 3, sort="published_at_asc")
    age_min = (now - oldest[0].published_at).total_seconds() / 60 if oldest else 0.0
    critical = total >= 10 or age_min >= 4 * rule.limit_minutes
    return [Finding(
        key="unanswered", firing=True, severity="critical" if critical else "warning",
        observed=float(total), expected=0.0, score=round(age_min, 1),
        window_start=now - max_age, window_end=now - limit, samples=oldest,
        title=f"{brand or 'All brands'}: {total} complaint{'s' if total != 1 else ''} unanswered for more than "
              f"{rule.limit_minutes} min",
        summary=f"{total} complaint{'s' if total != 1 else ''} without a reply from the brand's own accounts after "
                f"{rule.limit_minutes} minutes; the oldest has waited {age_min:.0f} minutes.",
        details={"oldest_minutes": round(age_min, 1), "limit_minutes": rule.limit_minutes},
    )]


DETECTORS: dict[str, Callable[[MentionStore, Config, AlertRule, str | None, datetime], list[Finding]]] = {
    "volume_spike": volume_spike,
    "slow_build": slow_build,
    "negative_share": negative_share,
    "viral_mention": viral_mention,
    "emerging_term": emerging_term,
    "unanswered_complaint": unanswered_complaint,
    "sla_risk": sla_risk,
    "source_down": source_down,
}
