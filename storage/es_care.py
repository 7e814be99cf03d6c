"""Elasticsearch fast paths for the derived care questions (storage/base.py has the generic answers):
aggregations and doc-value paging instead of reading whole mentions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from elasticsearch import Elasticsearch

from storage.analytics import ReachRow
from storage.base import MentionFilter
from storage.es_query import filter_query
from storage.es_schema import Layout

PAGE = 5000


class ElasticsearchCare:
    client: Elasticsearch
    layout: Layout

    def _fresh(self) -> None: ...

    def _has_indices(self) -> bool: ...

    def reply_delays(self, flt: MentionFilter) -> list[float]:
        """Seconds from publication to the first owned reply, ascending; only two doc values per mention read."""
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
        """Top authors or sources by summed author_reach (ties: more mentions, then value), exact over any number
        of shards: every value's totals are collected by composite paging, then ranked here."""
        if field not in ("author", "source"):
            raise ValueError(f"reach_by: field must be 'author' or 'source', not {field!r}")
        self._fresh()
        if size <= 0 or not self._has_indices():
            return []
        query = filter_query(flt).to_dict()
        rows: list[ReachRow] = []
        after: dict[str, Any] | None = None
        while True:
            composite: dict[str, Any] = {"sources": [{"v": {"terms": {"field": field}}}], "size": PAGE}
            if after:
                composite["after"] = after
            response = self.client.search(
                index=self.layout.mentions, query=query, size=0, ignore_unavailable=True, allow_no_indices=True,
                aggs={"values": {"composite": composite, "aggs": {
                    "total": {"sum": {"field": "author_reach", "missing": 0}},
                    "top": {"max": {"field": "author_reach", "missing": 0}},
                }}},
            )
            result = response["aggregations"]["values"]
            for bucket in result["buckets"]:
                rows.append(ReachRow(str(bucket["key"]["v"]), int(bucket["doc_count"]),
                                     int(bucket["total"]["value"]), int(bucket["top"]["value"])))
            after = result.get("after_key")
            if not result["buckets"] or after is None:
                break
        rows.sort(key=lambda r: (-r.reach_sum, -r.mentions, r.value.encode()))
        return rows[:size]
