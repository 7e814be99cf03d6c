"""MentionFilter -> Elasticsearch DSL, with the same semantics as the embedded store (storage/sqlite.py)."""

from __future__ import annotations

from typing import Any

from elasticsearch.dsl import Q
from elasticsearch.dsl.query import Query

from core.text import tokens
from core.timebuckets import parse_interval
from storage.base import MentionFilter
from storage.es_schema import fold, iso_ms

_TERM_FIELDS = (
    ("sentiment", "sentiments"), ("intent", "intents"), ("source", "sources"), ("platform", "platforms"),
    ("lang", "langs"), ("id", "ids"), ("brands", "brands"), ("topics", "topics"),
)
SORTS: dict[str, list[Any]] = {
    "published_at_desc": [{"published_at": "desc"}, {"id": "asc"}],
    "published_at_asc": [{"published_at": "asc"}, {"id": "asc"}],
    "reach_desc": [{"author_reach": {"order": "desc", "missing": -1}}, {"published_at": "desc"}, {"id": "asc"}],
    "relevance": ["_score", {"published_at": "desc"}, {"id": "asc"}],
}


def text_query(text: str) -> Query:
    """Every word must appear (as a phrase of its folded tokens) in the title or the text."""
    clauses = []
    for word in tokens(text):  # the words of a free-text filter, split as the embedded store splits them
        folded = fold(word)
        if not folded:
            return Q("match_none")
        clauses.append(Q("match_phrase", search_terms={"query": " ".join(folded), "slop": 0}))
    if not clauses:
        return Q("match_none")
    return Q("bool", must=clauses)


def filter_query(flt: MentionFilter) -> Query:
    """The filter as a bool query: free text scores (for relevance), everything else filters."""
    must: list[Query] = []
    filters: list[Query] = []
    must_not: list[Query] = []
    if flt.text is not None and flt.text != "":
        must.append(text_query(flt.text))
    for field, attr in _TERM_FIELDS:
        values = getattr(flt, attr)
        if values:
            filters.append(Q("terms", **{field: list(values)}))
    if flt.since or flt.until:
        bounds = {}
        if flt.since:
            bounds["gte"] = iso_ms(flt.since)
        if flt.until:
            bounds["lt"] = iso_ms(flt.until)
        filters.append(Q("range", published_at=bounds))
    if flt.is_owned is not None:
        filters.append(Q("term", is_owned="true" if flt.is_owned else "false"))
    if flt.unanswered is True:
        must_not.append(Q("exists", field="first_reply_at"))
    elif flt.unanswered is False:
        filters.append(Q("exists", field="first_reply_at"))
    if not (must or filters or must_not):
        return Q("match_all")
    return Q("bool", must=must, filter=filters, must_not=must_not)


def histogram_interval(interval: str) -> dict[str, str]:
    """fixed_interval (+ offset) whose buckets are exactly core.timebuckets' (epoch-aligned; weeks from Monday)."""
    seconds = int(parse_interval(interval).total_seconds())
    spec = {"fixed_interval": f"{seconds}s"}
    if interval.strip().endswith("w"):
        spec["offset"] = "+4d"  # 1970-01-01 was a Thursday; the first Monday is four days later
    return spec
