"""What a detector reports, and the helpers detectors share to read series, samples and terms from the store."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from core.config import AlertRule
from core.model import Mention
from core.timebuckets import bucket_starts
from nlp.terms import words
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


def samples(store: MentionStore, flt: MentionFilter, since: datetime, until: datetime, n: int = 3) -> list[Mention]:
    """The most visible mentions of a window (by author reach, then newest)."""
    return store.search(replace(flt, since=since, until=until), limit=n, sort="reach_desc").items


def terms(text: str) -> set[str]:
    """Distinct terms of a text (nlp.terms: folded words and #hashtags, no stop words or numbers)."""
    return set(words(text))


def term_counts(mentions: list[Mention], exclude: set[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for mention in mentions:
        counts.update(t for t in terms(f"{mention.title or ''} {mention.text}") if t.lstrip("#@") not in exclude)
    return counts


def brand_words(config_brand: Any) -> set[str]:
    """The brand's own names are in every mention: never an 'emerging term'."""
    words: set[str] = set()
    for name in config_brand.words():
        words.update(w.lstrip("#@") for w in name.casefold().split())
    return words


def fetch(store: MentionStore, flt: MentionFilter, since: datetime, until: datetime, limit: int) -> list[Mention]:
    return store.search(replace(flt, since=since, until=until), limit=limit, sort="published_at_desc").items


def window_bounds(now: datetime, length: timedelta) -> tuple[datetime, datetime]:
    return now - length, now
