"""Elasticsearch answers to the dashboard's derived questions (storage/analytics.py has the generic ones), each
one search request of aggregations: no document is read to compute a figure.

Where the answers may differ from the embedded store (README, "Elasticsearch"): percentiles of first-reply
delays come from the `percentiles` aggregation (t-digest: exact on small sets, within a fraction of a percent on
large ones), and rankings by summed reach (`reach_by`) and facet tops are exact on one shard; over several shards
(the monthly indices) each shard proposes its top `shard_size` values, which is exact unless a value that is
outside every shard's top list would make the overall top.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from storage.analytics import CareSnapshot, ReachRow, ReplyFigures, snapshot_now
from storage.base import MentionFilter
from storage.es_query import filter_query, histogram_interval
from storage.es_schema import Layout
from storage.es_together import Asking

PAGE = 5000
SENTIMENTS = ("negative", "neutral", "positive")
_NONE = "\u0000none"  # the `missing` bucket key: no stored value can be this


def shard_size(size: int) -> int:
    """How many candidates each shard proposes for a top-`size` terms aggregation."""
    return max(size * 10, 1000)


def top_terms(field: str, size: int, **extra: Any) -> dict[str, Any]:
    """A terms aggregation ordered as facets() order: count descending, then value (byte order)."""
    return {"terms": {"field": field, "size": size, "shard_size": shard_size(size),
                      "order": [{"_count": "desc"}, {"_key": "asc"}], **extra}}


def _bool(**clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {k: v for k, v in clauses.items() if v}}


def _unanswered_clause(flt: MentionFilter) -> dict[str, list[dict[str, Any]]]:
    exists = {"exists": {"field": "first_reply_at"}}
    if flt.unanswered is True:
        return {"must_not": [exists]}
    if flt.unanswered is False:
        return {"filter": [exists]}
    return {}


def _ceil_ms(at: datetime) -> int:
    """The smallest whole millisecond not before `at` (stored times are whole milliseconds)."""
    return math.ceil(at.timestamp() * 1000)


def _from_ms(value: float) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


class ElasticsearchCare:
    client: Elasticsearch
    layout: Layout

    def _fresh(self) -> None: ...

    def _has_indices(self) -> bool: ...

    def facets(self, flt: MentionFilter, field: str, size: int = 10) -> list[tuple[str, int]]: ...

    def _aggregate(self, query: dict[str, Any], aggs: dict[str, Any], **extra: Any) -> dict[str, Any]:
        response = self.client.search(index=self.layout.mentions, query=query, size=0, aggs=aggs,
                                      ignore_unavailable=True, allow_no_indices=True, **extra)
        return dict(response.body)

    _answer: Callable[[Asking[Any]], Any]  # ElasticsearchTogether's (a stub here would shadow it)

    def care_snapshot(self, flt: MentionFilter, interval: str, topic_size: int = 10, *, now: datetime | None = None,
                      target_minutes: int = 60) -> CareSnapshot:
        """As MentionAnalytics.care_snapshot says, in one request. As there, the reply delays and the waiting
        complaints ignore `flt.unanswered` (they are about answered and unanswered mentions by definition)."""
        return self._answer(self._ask_care_snapshot(flt, interval, topic_size, now=now, target_minutes=target_minutes))

    def _ask_care_snapshot(self, flt: MentionFilter, interval: str, topic_size: int = 10, *,
                           now: datetime | None = None, target_minutes: int = 60) -> Asking[CareSnapshot]:
        if not self._has_indices():
            return CareSnapshot(series={}, inbound=0, owned=0, complaints=0, replies=ReplyFigures(), topics=[])
        at = snapshot_now(flt, now)
        base = filter_query(replace(flt, is_owned=None, unanswered=None)).to_dict()
        owned, inbound = {"term": {"is_owned": "true"}}, {"term": {"is_owned": "false"}}
        scope = _unanswered_clause(flt)
        complaint = {"term": {"intent": "complaint"}}
        aggs = {
            "owned": {"filter": _bool(filter=[owned, *scope.get("filter", [])], must_not=scope.get("must_not", []))},
            "inbound": {
                "filter": _bool(filter=[inbound, *scope.get("filter", [])], must_not=scope.get("must_not", [])),
                "aggs": {
                    # by sentiment, then in time: one histogram per sentiment costs about half of a
                    # sentiment breakdown in every bucket (hundreds of buckets for 30 days hourly)
                    "series": {"terms": {"field": "sentiment", "size": 10, "missing": _NONE},
                               "aggs": {"in_time": {"date_histogram": {"field": "published_at", "min_doc_count": 1,
                                                                       **histogram_interval(interval)}}}},
                    "complaints": {"filter": complaint},
                    "topics": top_terms("topics", max(topic_size, 1)),
                },
            },
            "answered": {
                "filter": _bool(filter=[inbound, {"exists": {"field": "first_reply_at"}}]),
                "aggs": {
                    "delay": {"percentiles": {"field": "reply_delay_ms", "percents": [50, 90]}},
                    "within": {"range": {"field": "reply_delay_ms",
                                         "ranges": [{"to": target_minutes * 60_000 + 1}]}},
                },
            },
            "waiting": {
                "filter": _bool(filter=[inbound, complaint], must_not=[{"exists": {"field": "first_reply_at"}}]),
                "aggs": {
                    "oldest": {"min": {"field": "published_at"}},
                    "over": {"range": {"field": "published_at", "keyed": True, "ranges": [
                        {"key": "target", "to": _ceil_ms(at - timedelta(minutes=target_minutes))},
                        {"key": "day", "to": _ceil_ms(at - timedelta(days=1))},
                    ]}},
                },
            },
        }
        [response] = yield [(self.layout.mentions, {"query": base, "size": 0, "aggs": aggs})]
        result = response["aggregations"]
        got = result["inbound"]
        topics = [(str(b["key"]), int(b["doc_count"])) for b in got["topics"]["buckets"]][:topic_size]
        if got["topics"].get("doc_count_error_upper_bound", 0) and topic_size > 0:
            topics = self.facets(replace(flt, is_owned=False), "topics", topic_size)
        return CareSnapshot(
            series=self._series(got["series"]["buckets"]), inbound=int(got["doc_count"]),
            owned=int(result["owned"]["doc_count"]), complaints=int(got["complaints"]["doc_count"]),
            replies=self._replies(result["answered"], result["waiting"]), topics=topics if topic_size > 0 else [],
        )

    @staticmethod
    def _series(buckets: list[dict[str, Any]]) -> dict[tuple[datetime, str | None], int]:
        series: dict[tuple[datetime, str | None], int] = {}
        for by_sentiment in buckets:
            key = by_sentiment["key"] if by_sentiment["key"] in SENTIMENTS else None
            for bucket in by_sentiment["in_time"]["buckets"]:
                start = _from_ms(bucket["key"])
                series[(start, key)] = series.get((start, key), 0) + int(bucket["doc_count"])
        return series

    @staticmethod
    def _replies(answered: dict[str, Any], waiting: dict[str, Any]) -> ReplyFigures:
        n = int(answered["doc_count"])
        values = answered["delay"]["values"]
        median, p90 = (values.get("50.0"), values.get("90.0")) if n else (None, None)
        over = waiting["over"]["buckets"]
        oldest = waiting["oldest"]["value"]
        return ReplyFigures(
            answered=n, median_seconds=None if median is None else median / 1000,
            p90_seconds=None if p90 is None else p90 / 1000,
            within_target=int(answered["within"]["buckets"][0]["doc_count"]),
            unanswered=int(waiting["doc_count"]), over_target=int(over["target"]["doc_count"]),
            over_24h=int(over["day"]["doc_count"]), oldest_unanswered=None if oldest is None else _from_ms(oldest),
        )

    def sentiment_counts(self, flt: MentionFilter) -> dict[str | None, int]:
        """Mentions per sentiment (None: not analysed yet), zero counts left out; one request."""
        return self._answer(self._ask_sentiment_counts(flt))

    def _ask_sentiment_counts(self, flt: MentionFilter) -> Asking[dict[str | None, int]]:
        if not self._has_indices():
            return {}
        [got] = yield [(self.layout.mentions, {"query": filter_query(flt).to_dict(), "size": 0, "aggs": {
            "s": {"terms": {"field": "sentiment", "size": 10, "missing": _NONE}}}})]
        counts: dict[str | None, int] = {}
        for bucket in got["aggregations"]["s"]["buckets"]:
            key = None if bucket["key"] == _NONE else str(bucket["key"])
            counts[key] = counts.get(key, 0) + int(bucket["doc_count"])
        return counts

    def brand_counts(self, flt: MentionFilter, brands: Sequence[str]) -> dict[str, int]:
        """Mentions of each brand under `flt` (whose own brand restriction is replaced): one terms aggregation
        restricted to these brands, so every count is exact on any number of shards."""
        return self._answer(self._ask_brand_counts(flt, brands))

    def _ask_brand_counts(self, flt: MentionFilter, brands: Sequence[str]) -> Asking[dict[str, int]]:
        wanted = list(dict.fromkeys(brands))
        if not wanted or not self._has_indices():
            return dict.fromkeys(brands, 0)
        [got] = yield [(self.layout.mentions, {"query": filter_query(replace(flt, brands=())).to_dict(), "size": 0,
                                               "aggs": {"b": {"terms": {"field": "brands", "size": len(wanted),
                                                                        "include": wanted}}}})]
        found = {str(b["key"]): int(b["doc_count"]) for b in got["aggregations"]["b"]["buckets"]}
        return {brand: found.get(brand, 0) for brand in brands}

    def reply_delays(self, flt: MentionFilter) -> list[float]:
        """Every delay (an export, not a figure: care_snapshot aggregates them); two doc values per mention."""
        self._fresh()
        if not self._has_indices():
            return []
        query = filter_query(replace(flt, unanswered=False)).to_dict()
        delays: list[float] = []
        after: list[Any] | None = None
        while True:
            extra = {"search_after": after} if after else {}
            response = self.client.search(
                index=self.layout.mentions, query=query, size=PAGE, source=False,
                docvalue_fields=[{"field": "published_at", "format": "epoch_millis"},
                                 {"field": "first_reply_at", "format": "epoch_millis"}],
                sort=[{"published_at": "asc"}, {"id": "asc"}], ignore_unavailable=True, allow_no_indices=True,
                track_total_hits=False, **extra,
            )
            hits = response["hits"]["hits"]
            for hit in hits:
                fields = hit["fields"]
                published = float(fields["published_at"][0])
                replied = float(fields["first_reply_at"][0])
                delays.append(max(0.0, (replied - published) / 1000))
            if len(hits) < PAGE:
                return sorted(delays)
            after = hits[-1]["sort"]

    def reach_by(self, flt: MentionFilter, field: str, size: int = 10) -> list[ReachRow]:
        """Top authors or sources by summed author_reach (ties: more mentions, then value): a terms aggregation
        ordered by a sum sub-aggregation (exactness over several shards: module docstring)."""
        if field not in ("author", "source"):
            raise ValueError(f"reach_by: field must be 'author' or 'source', not {field!r}")
        self._fresh()
        if size <= 0 or not self._has_indices():
            return []
        got = self._aggregate(filter_query(flt).to_dict(), {"values": {
            "terms": {"field": field, "size": size, "shard_size": shard_size(size),
                      "order": [{"total": "desc"}, {"_count": "desc"}, {"_key": "asc"}]},
            "aggs": {"total": {"sum": {"field": "author_reach", "missing": 0}},
                     "top": {"max": {"field": "author_reach", "missing": 0}}},
        }})
        return [ReachRow(str(b["key"]), int(b["doc_count"]), int(b["total"]["value"]), int(b["top"]["value"]))
                for b in got["aggregations"]["values"]["buckets"]]
