"""Emerging terms: words (and two-word phrases) far more frequent in the latest day than in the week before.

Computed from samples of mention texts fetched through the store interface (search order, newest first), so both
backends agree. Samples are bounded to keep the overview fast; the result is a hint for the brand team, the alert
detectors do the careful statistics.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ascolto.web.cache import PeriodMemo
from core.text import fold
from nlp.terms import STOPWORDS, words
from storage.base import MentionFilter, MentionStore

RECENT_SAMPLE = 300
BASELINE_SAMPLE = 600
MIN_RECENT_DOCS = 3
def doc_terms(text: str, exclude: frozenset[str] = frozenset()) -> set[str]:
    """The distinct words and adjacent word pairs of one text (stopwords and brand names left out)."""
    return _terms(text, STOPWORDS | exclude)


def _terms(text: str, skip: frozenset[str]) -> set[str]:
    found = words(text, skip)
    return set(found) | {f"{a} {b}" for a, b in itertools.pairwise(found)}


def document_frequency(texts: Iterable[str], exclude: frozenset[str]) -> Counter[str]:
    skip = STOPWORDS | exclude
    return Counter(itertools.chain.from_iterable(_terms(text, skip) for text in texts))


_BASELINES = PeriodMemo(3600, kept=64)  # the baseline week is read once an hour per brand and filter


def baseline_frequency(
    store: MentionStore, flt: MentionFilter, now: datetime, exclude: frozenset[str]
) -> tuple[Counter[str], int]:
    """Document frequencies of the 7 days before yesterday, kept for the hour: that week does not change while
    the dashboard refreshes every few seconds, so it is read once an hour per brand and filter."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    key = (str(getattr(store, "url", id(store))), repr((replace(flt, since=None, until=None), sorted(exclude))), hour)

    def compute() -> tuple[Counter[str], int]:
        base_flt = replace(flt, since=hour - timedelta(days=8), until=hour - timedelta(days=1), is_owned=False)
        baseline = store.newest_texts(base_flt, BASELINE_SAMPLE)
        return document_frequency(baseline, exclude), len(baseline)

    return _BASELINES.get(key, hour, compute)


def clear_baselines() -> None:
    _BASELINES.clear()


def emerging_terms(
    store: MentionStore, flt: MentionFilter, now: datetime, exclude: Iterable[str] = (), size: int = 10
) -> list[dict[str, Any]]:
    """Terms of the last 24 hours ranked by how much their document share grew against the 7 days before."""
    excluded = frozenset(w for e in exclude for w in fold(e).lstrip("@#").split())
    recent_flt = replace(flt, since=now - timedelta(days=1), until=now, is_owned=False)
    recent = store.newest_texts(recent_flt, RECENT_SAMPLE)
    if len(recent) < MIN_RECENT_DOCS:
        return []
    base_df, base_count = baseline_frequency(store, flt, now, excluded)
    return rank_terms(document_frequency(recent, excluded), len(recent), base_df, base_count, size)


def emerging_between(recent: list[str], baseline: list[str], exclude: Iterable[str] = (),
                     size: int = 10) -> list[dict[str, Any]]:
    """Terms of the texts `recent` ranked by how much their document share grew against the texts `baseline`
    (the crisis story's periods against the week before it)."""
    if len(recent) < MIN_RECENT_DOCS:
        return []
    excluded = frozenset(w for e in exclude for w in fold(e).lstrip("@#").split())
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
