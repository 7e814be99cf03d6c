"""Mention search: the store's filters and free text, then (optionally) the brand query language.

The store narrows by brand, time, labels and free text on either backend. The query language (`nlp.query`) is run
by Elasticsearch itself (`Query.to_es`, the differences are in README); on SQLite it is evaluated on each candidate
with `Query.matches`, the one definition of what a query means. At most MAX_SCANNED candidates are examined there;
past that the total is a lower bound and says so.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from core.model import Mention
from storage.analytics import MentionAnalytics
from storage.base import MentionFilter, MentionStore

MAX_SCANNED = 10_000  # also Elasticsearch's default result window: deep offsets beyond it are refused there
SCAN_BATCH = 2000  # few round trips (each also counts its total); offset + size stays within 10,000
SEARCH_FACETS = ("sentiment", "intent", "topics", "source", "platform", "lang", "brands")


def facet_value(mention: Mention, field: str) -> list[str]:
    """The facet values one mention contributes, as the store's facets count them."""
    value = getattr(mention, field)
    if field == "is_owned":
        return ["true" if value else "false"]
    if isinstance(value, list):
        return list(dict.fromkeys(value))
    return [] if value is None else [value]


def count_facets(mentions: list[Mention], fields: tuple[str, ...], size: int) -> dict[str, list[tuple[str, int]]]:
    out = {}
    for field in fields:
        counts: Counter[str] = Counter()
        for m in mentions:
            counts.update(facet_value(m, field))
        out[field] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    return out


def search_mentions(
    store: MentionStore, flt: MentionFilter, *, query: Any = None, sort: str = "published_at_desc",
    limit: int = 50, offset: int = 0, facet_fields: tuple[str, ...] = SEARCH_FACETS, facet_size: int = 10,
) -> dict[str, Any]:
    """One page of mentions with totals and facets. `query` is a parsed `nlp.query.Query` or None."""
    if query is None:
        page = store.search(flt, limit=limit, offset=offset, sort=sort)
        facets = {field: store.facets(flt, field, facet_size) for field in facet_fields}
        return {"total": page.total, "total_exact": True, "items": page.items, "facets": facets}
    if sort == "relevance" and not flt.text:
        sort = "published_at_desc"  # relevance ranks free text; the query language only selects
    served = store.query_search(flt, query, sort=sort, limit=limit, offset=offset, facet_fields=facet_fields,
                                facet_size=facet_size) if isinstance(store, MentionAnalytics) else None
    if served is not None:  # the store runs the query itself (Elasticsearch)
        return {"total": served.total, "total_exact": True, "items": served.items, "facets": served.facets}
    matched: list[Mention] = []
    scanned = 0
    exhausted = False
    while scanned < MAX_SCANNED:
        batch = store.search(flt, limit=min(SCAN_BATCH, MAX_SCANNED - scanned), offset=scanned, sort=sort).items
        scanned += len(batch)
        matched += [m for m in batch if query.matches(f"{m.title or ''}\n{m.text}")]
        if len(batch) < SCAN_BATCH:
            exhausted = True
            break
    if not exhausted:
        exhausted = store.count(flt) <= scanned
    return {
        "total": len(matched),
        "total_exact": exhausted,
        "items": matched[offset:offset + limit],
        "facets": count_facets(matched, facet_fields, facet_size),
    }
