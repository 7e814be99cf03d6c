"""Emerging terms: words (and two-word phrases) far more frequent in the latest day than in the week before.

Counted over samples (the newest mentions of the day and of the week before, in search order) through the store's
term counts (storage.analytics: MentionAnalytics.term_counts with phrases), so both backends agree: SQLite counts
the sampled texts, Elasticsearch aggregates the `terms` and `phrases` it indexed with each mention, without
reading the texts. Samples are bounded to keep the overview fast; the result is a hint for the brand team, the
alert detectors do the careful statistics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, cast

from core.terms import brand_exclusions, text_terms
from storage.analytics import MentionAnalytics, TermCounts
from storage.base import MentionFilter, MentionStore
from storage.together import Together

RECENT_SAMPLE = 300
BASELINE_SAMPLE = 600
MIN_RECENT_DOCS = 3


def document_frequency(texts: Iterable[str], exclude: frozenset[str]) -> Counter[str]:
    """In how many of the texts each term and two-word phrase appears (core.terms.text_terms, as the stores count
    them; brand words and the phrases with them left out)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(text_terms(text, exclude))
    return counts


def emerging_terms(
    store: MentionStore, flt: MentionFilter, now: datetime, exclude: Iterable[str] = (), size: int = 10
) -> list[dict[str, Any]]:
    """Terms of the last 24 hours ranked by how much their document share grew against the 7 days before."""
    with cast(MentionAnalytics, store).together() as ask:
        counts = ask_emerging_counts(ask, store, flt, now, exclude)
    return ranked_emerging(counts.result(), size)


def ask_emerging_counts(ask: Together, store: MentionStore, flt: MentionFilter, now: datetime,
                        exclude: Iterable[str] = ()) -> Future[tuple[TermCounts, TermCounts]]:
    """emerging_terms' counts, asked with other questions (ranked_emerging ranks them)."""
    excluded = brand_exclusions(exclude)
    recent_flt = replace(flt, since=now - timedelta(days=1), until=now, is_owned=False)
    hour = now.replace(minute=0, second=0, microsecond=0)  # the week before yesterday, on the hour
    base_flt = replace(flt, since=hour - timedelta(days=8), until=hour - timedelta(days=1), is_owned=False)
    # the baseline is counted for the day's candidates only (Elasticsearch asks both samples at once)
    return ask(cast(MentionAnalytics, store).emerging_counts, recent_flt, RECENT_SAMPLE, base_flt, BASELINE_SAMPLE,
               excluded, MIN_RECENT_DOCS)


def ranked_emerging(counts: tuple[TermCounts, TermCounts], size: int = 10) -> list[dict[str, Any]]:
    recent, base = counts
    if recent.mentions < MIN_RECENT_DOCS:
        return []
    return rank_terms(Counter(recent.counts), recent.mentions, Counter(base.counts), base.mentions, size)


def emerging_between(recent: list[str], baseline: list[str], exclude: Iterable[str] = (),
                     size: int = 10) -> list[dict[str, Any]]:
    """Terms of the texts `recent` ranked by how much their document share grew against the texts `baseline`
    (the crisis story's periods against the week before it)."""
    if len(recent) < MIN_RECENT_DOCS:
        return []
    excluded = brand_exclusions(exclude)
    return rank_terms(document_frequency(recent, excluded), len(recent), document_frequency(baseline, excluded),
                      len(baseline), size)


def rank_terms(recent_df: Counter[str], n_recent: int, base_df: Counter[str], base_count: int,
               size: int) -> list[dict[str, Any]]:
    """The one ranking of emerging terms: share growth with add-one smoothing, at least MIN_RECENT_DOCS texts and
    a lift of 2; a phrase and its own words are said once."""
    n_base = max(base_count, 1)
    scored = []
    for term, count in recent_df.items():
        if count < MIN_RECENT_DOCS:
            continue
        recent_share = count / n_recent
        base_share = (base_df.get(term, 0) + 1) / (n_base + 1)  # add-one: a brand-new term is not infinite
        scored.append((recent_share / base_share, count, term))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    picked: list[dict[str, Any]] = []
    for ratio, count, term in scored:
        if ratio < 2:
            break
        if any(term in p["term"].split() or p["term"] in term.split() for p in picked):
            continue  # a phrase and its own words say the same thing once
        picked.append({"term": term, "recent": count, "baseline": base_df.get(term, 0), "lift": round(ratio, 2)})
        if len(picked) == size:
            break
    return picked
