"""What a detector reports, and the helpers detectors share to read series, samples and terms from the store."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

import numpy as np

from core.config import AlertRule
from core.model import Mention
from core.terms import brand_exclusions
from core.timebuckets import bucket_starts
from storage.analytics import MentionAnalytics, TermCounts
from storage.base import MentionFilter, MentionStore

log = logging.getLogger(__name__)

SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}
_FILTER_KEYS = {"topics": "topics", "sources": "sources", "platforms": "platforms", "langs": "langs"}


@dataclass
class Finding:
    """One abnormal condition. `firing` opens (or keeps) an alert; not firing but `elevated` only keeps one open."""

    key: str  # what is abnormal (groups repeats): e.g. 'volume', 'unanswered', 'viral:<mention id>'
    firing: bool
    severity: str = "warning"
    observed: float | None = None
    expected: float | None = None
    expected_low: float | None = None
    expected_high: float | None = None
    score: float | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    title: str = ""
    summary: str = ""
    top_terms: list[str] = field(default_factory=list)
    samples: list[Mention] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def rule_filter(rule: AlertRule, brand: str | None, metric: str | None = None) -> MentionFilter:
    """The mentions a rule is about: the brand, the metric (complaints / negative / all) and the rule's filters."""
    metric = metric or rule.metric
    flt = MentionFilter(brands=(brand,) if brand else ())
    if metric == "complaints":
        flt = replace(flt, intents=("complaint",))
    elif metric == "negative":
        flt = replace(flt, sentiments=("negative",))
    extra: dict[str, tuple[str, ...]] = {}
    for key, values in rule.filters.items():
        if key in _FILTER_KEYS:
            extra[_FILTER_KEYS[key]] = tuple(values)
        else:
            log.warning("alert rule %s: ignoring unknown filter %r (use topics, sources, platforms, langs)",
                        rule.name, key)
    return replace(flt, **extra)


def dense_series(
    store: MentionStore, flt: MentionFilter, interval: str, since: datetime, until: datetime
) -> tuple[list[datetime], np.ndarray]:
    """Counts for every bucket in [since, until), zeros included (the store only returns non-empty ones)."""
    starts = bucket_starts(since, until, interval)
    counts = dict(store.count_buckets(replace(flt, since=starts[0] if starts else since, until=until), interval))
    return starts, np.array([counts.get(s, 0) for s in starts], dtype=float)


def analytics(store: MentionStore) -> MentionAnalytics:
    """The store's analytics: every backend has them (and replay's proxy passes them through)."""
    return cast(MentionAnalytics, store)


def samples(store: MentionStore, flt: MentionFilter, since: datetime, until: datetime, n: int = 3) -> list[Mention]:
    """The most visible mentions of a window (by author reach, then newest)."""
    return analytics(store).sample(replace(flt, since=since, until=until), n, sort="reach_desc")


def window_terms(store: MentionStore, flt: MentionFilter, since: datetime, until: datetime, newest: int,
                 exclude: Collection[str], *, min_count: int = 1, only: Collection[str] | None = None) -> TermCounts:
    """Term counts (core.terms, once per mention) of the newest `newest` mentions of a window, the brand's own
    words left out: counted by the store (an aggregation on Elasticsearch)."""
    return analytics(store).term_counts(replace(flt, since=since, until=until), newest, exclude,
                                        min_count=min_count, only=only)


def brand_words(config_brand: Any) -> frozenset[str]:
    """The brand's own names are in every mention: never an 'emerging term'."""
    return brand_exclusions(config_brand.words())
