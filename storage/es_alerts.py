"""Elasticsearch answers to the alert detectors' questions (storage/analytics.py has the generic ones): figures
as aggregations, samples as a handful of documents with only the fields an alert shows.

"The newest N mentions of a window" (the detectors read a window's latest mentions) is the filter narrowed by
the mention at rank N in search order (published_at descending, id ascending), which is read without its
source: the same mentions as the embedded store's first page of N, ties included.

Term counts are a terms aggregation on `terms` (each mention's distinct terms, core.terms, indexed with it).
Engagement rates (viral_mention) depend on two fields at once, interactions over hours since publication at
`now`: an aggregation would need a script, and the integ-test distribution (and any minimal server) ships no
painless; so they are computed here from two doc values per mention (`engagement_total`, `published_at`), no
source, and only the fastest few mentions are read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch

from core.model import Mention
from core.terms import has_excluded
from storage.analytics import RateSpread, ReplyTime, TermCounts, interaction_rate
from storage.base import MentionFilter
from storage.es_query import SORTS, filter_query
from storage.es_schema import Layout, mention_from_source
from storage.es_together import Asking

log = logging.getLogger(__name__)

TERMS_SIZE = 10_000  # distinct terms one count returns at most (a window's, or the few a baseline is asked for)
# what an alert's samples show (alerts.state._sample), and what a Mention needs to be one
SAMPLE_FIELDS = ["id", "url", "author", "author_reach", "platform", "source", "published_at", "fetched_at",
                 "title", "text", "sentiment", "intent", "brands", "lang", "is_owned", "engagement"]
def _from_ms(value: str | float) -> datetime:
    return datetime.fromtimestamp(float(value) / 1000, tz=UTC)


def _responses(answer: Any) -> list[dict[str, Any]]:
    """A multi-search's responses, failing as one search would if any failed."""
    responses = list(answer["responses"])
    for response in responses:
        if "error" in response:
            raise RuntimeError(f"Elasticsearch search failed: {response['error']}")
    return responses


def _terms_body(query: dict[str, Any], exclude: Collection[str], min_count: int, only: Collection[str] | None,
                phrases: bool) -> dict[str, Any]:
    """A search of the mentions' terms (and phrases) counts: term_counts' question as one request body."""
    spec: dict[str, Any] = {"field": "terms", "size": TERMS_SIZE, "shard_size": TERMS_SIZE,
                            "min_doc_count": max(min_count, 1), "order": [{"_count": "desc"}, {"_key": "asc"}]}
    if only is not None:
        spec["include"] = sorted(only)
    aggs = {"t": dict(spec), **({"p": {**spec, "field": "phrases"}} if phrases else {})}
    if exclude:  # a word's forms, excluded exactly; phrases with it are dropped by _term_counts
        aggs["t"]["exclude"] = sorted({form for word in exclude for form in (word, f"#{word}", f"@{word}")})
    return {"query": query, "size": 0, "track_total_hits": True,
            "aggs": {name: {"terms": body} for name, body in aggs.items()}}


def _term_counts(got: dict[str, Any], newest: int, exclude: Collection[str]) -> TermCounts:
    excluded = frozenset(exclude)
    counts: dict[str, int] = {}
    for name, result in got["aggregations"].items():
        if result.get("sum_other_doc_count"):
            log.warning("term counts: more than %d distinct %s; the rarest are left out", TERMS_SIZE,
                        "terms" if name == "t" else "phrases")
        counts.update((str(b["key"]), int(b["doc_count"])) for b in result["buckets"]
                      if name == "t" or not has_excluded(str(b["key"]), excluded))
    return TermCounts(min(int(got["hits"]["total"]["value"]), newest), counts)


class ElasticsearchDetectorQueries:
    client: Elasticsearch
    layout: Layout

    def _fresh(self) -> None: ...

    def _has_indices(self) -> bool: ...

    _answer: Callable[[Asking[Any]], Any]  # ElasticsearchTogether's (a stub here would shadow it)

    def _request(self, **body: Any) -> dict[str, Any]:
        response = self.client.search(index=self.layout.mentions, ignore_unavailable=True, allow_no_indices=True,
                                      **body)
        return dict(response.body)

    def _newest(self, flt: MentionFilter, newest: int) -> dict[str, Any]:
        """The filter as a query, narrowed to its newest `newest` mentions in search order (module docstring)."""
        return self._newest_many([(flt, newest)])[0]

    def _newest_many(self, asks: Sequence[tuple[MentionFilter, int]]) -> list[dict[str, Any]]:
        """_newest of several filters, their cut points found in one multi-search."""
        return self._answer(self._ask_newest_many(asks))

    def _ask_newest_many(self, asks: Sequence[tuple[MentionFilter, int]]) -> Asking[list[dict[str, Any]]]:
        queries = [filter_query(flt).to_dict() for flt, _ in asks]
        responses = yield [(self.layout.mentions, {
            "query": query, "from": max(newest - 1, 0), "size": 1, "sort": SORTS["published_at_desc"],
            "_source": False, "track_total_hits": False}) for query, (_, newest) in zip(queries, asks, strict=True)]
        narrowed = []
        for query, response in zip(queries, responses, strict=True):
            hits = response["hits"]["hits"]
            if not hits:
                narrowed.append(query)  # fewer than `newest`: all of them
                continue
            at, last_id = hits[0]["sort"]
            later = {"range": {"published_at": {"gt": at, "format": "epoch_millis"}}}
            same = {"bool": {"filter": [
                {"range": {"published_at": {"gte": at, "lte": at, "format": "epoch_millis"}}},
                {"range": {"id": {"lte": last_id}}}]}}
            narrowed.append({"bool": {"filter": [query, {"bool": {"should": [later, same],
                                                                   "minimum_should_match": 1}}]}})
        return narrowed

    def _mentions(self, response: dict[str, Any]) -> list[Mention]:
        return [mention_from_source(hit["_source"]) for hit in response["hits"]["hits"]]

    def earliest(self, flt: MentionFilter) -> datetime | None:
        """published_at of the oldest filtered mention: a min aggregation."""
        self._fresh()
        if not self._has_indices():
            return None
        got = self._request(query=filter_query(flt).to_dict(), size=0, track_total_hits=False,
                            aggs={"first": {"min": {"field": "published_at"}}})
        value = got["aggregations"]["first"]["value"]
        return None if value is None else datetime.fromtimestamp(value / 1000, tz=UTC)

    def sample(self, flt: MentionFilter, n: int, sort: str = "published_at_desc") -> list[Mention]:
        self._fresh()
        if n <= 0 or not self._has_indices():
            return []
        if sort not in SORTS or (sort == "relevance" and not flt.text):
            sort = "published_at_desc"
        return self._mentions(self._request(query=filter_query(flt).to_dict(), size=n, sort=SORTS[sort],
                                            source=SAMPLE_FIELDS, track_total_hits=False))

    def counts(self, flts: Sequence[MentionFilter]) -> list[int]:
        """One multi-search of exact totals (no hit read)."""
        self._fresh()
        if not flts or not self._has_indices():
            return [0] * len(flts)
        searches: list[dict[str, Any]] = []
        for flt in flts:
            searches += [{"index": self.layout.mentions, "ignore_unavailable": True, "allow_no_indices": True},
                         {"query": filter_query(flt).to_dict(), "size": 0, "track_total_hits": True}]
        return [int(r["hits"]["total"]["value"]) for r in _responses(self.client.msearch(searches=searches))]

    def reply_times(self, flt: MentionFilter, newest: int) -> list[ReplyTime]:
        """Two doc values per mention (and its id), no source: a queue forecast needs each one's times."""
        self._fresh()
        if newest <= 0 or not self._has_indices():
            return []
        millis = {"format": "epoch_millis"}
        hits = self._request(query=filter_query(flt).to_dict(), size=newest, sort=SORTS["published_at_desc"],
                             source=False, track_total_hits=False, docvalue_fields=[
                                 {"field": "published_at", **millis}, {"field": "first_reply_at", **millis}],
                             )["hits"]["hits"]
        return [ReplyTime(hit["_id"], _from_ms(hit["fields"]["published_at"][0]),
                          _from_ms(hit["fields"]["first_reply_at"][0]) if "first_reply_at" in hit["fields"] else None)
                for hit in hits]

    def term_counts(self, flt: MentionFilter, newest: int, exclude: Collection[str] = (), *, min_count: int = 1,
                    only: Collection[str] | None = None, phrases: bool = False) -> TermCounts:
        """As MentionAnalytics.term_counts says: one terms aggregation over the newest mentions (and one on
        `phrases` beside it; a phrase with an excluded word is dropped here, as the generic count drops it)."""
        self._fresh()
        if newest <= 0 or not self._has_indices():
            return TermCounts(0, {})
        if only is not None and not only:  # no term asked for: how many mentions only
            return TermCounts(min(self.counts([flt])[0], newest), {})
        got = self._request(**_terms_body(self._newest(flt, newest), exclude, min_count, only, phrases))
        return _term_counts(got, newest, exclude)

    def emerging_counts(self, recent: MentionFilter, recent_n: int, baseline: MentionFilter, baseline_n: int,
                        exclude: Collection[str], min_count: int) -> tuple[TermCounts, TermCounts]:
        """As MentionAnalytics.emerging_counts says, in two round trips: both cut points in one multi-search,
        then both counts in another (the baseline's whole list, cut to the day's candidates here; asked again
        for the candidates only if that list was too long to come back whole)."""
        return self._answer(self._ask_emerging_counts(recent, recent_n, baseline, baseline_n, exclude, min_count))

    def _ask_emerging_counts(self, recent: MentionFilter, recent_n: int, baseline: MentionFilter, baseline_n: int,
                             exclude: Collection[str], min_count: int) -> Asking[tuple[TermCounts, TermCounts]]:
        if recent_n <= 0 or not self._has_indices():
            return TermCounts(0, {}), TermCounts(0, {})
        queries = yield from self._ask_newest_many([(recent, recent_n), (baseline, baseline_n)])
        day, week = yield [(self.layout.mentions, _terms_body(query, exclude, least, None, True))
                           for query, least in zip(queries, (min_count, 1), strict=True)]
        found = _term_counts(day, recent_n, exclude)
        if any(week["aggregations"][name].get("sum_other_doc_count") for name in ("t", "p")):
            return found, self.term_counts(baseline, baseline_n, exclude, only=set(found.counts), phrases=True)
        before = _term_counts(week, baseline_n, exclude)
        return found, TermCounts(before.mentions, {t: n for t, n in before.counts.items() if t in found.counts})

    def with_term(self, flt: MentionFilter, newest: int, term: str, n: int = 3) -> list[Mention]:
        self._fresh()
        if n <= 0 or newest <= 0 or not self._has_indices():
            return []
        query = {"bool": {"filter": [self._newest(flt, newest), {"term": {"terms": term}}]}}
        return self._mentions(self._request(query=query, size=n, sort=SORTS["published_at_desc"],
                                            source=SAMPLE_FIELDS, track_total_hits=False))

    def _rates(self, flt: MentionFilter, newest: int, now: datetime) -> list[tuple[float, str, int]]:
        """(engagement rate at `now`, id, interactions) of those of the newest `newest` filtered mentions that
        carry engagement figures, newest first: two doc values each, no source (module docstring: why not an
        aggregation)."""
        query = {"bool": {"filter": [self._newest(flt, newest), {"exists": {"field": "engagement_total"}}]}}
        hits = self._request(query=query, size=newest, sort=SORTS["published_at_desc"], source=False,
                             track_total_hits=False, docvalue_fields=[
                                 {"field": "published_at", "format": "epoch_millis"}, "engagement_total"],
                             )["hits"]["hits"]
        now_ms = now.timestamp() * 1000
        rates = []
        for hit in hits:
            total = int(hit["fields"]["engagement_total"][0])
            age_seconds = (now_ms - float(hit["fields"]["published_at"][0])) / 1000
            rates.append((interaction_rate(total, age_seconds), hit["_id"], total))
        return rates

    def engagement_spread(self, flt: MentionFilter, newest: int, now: datetime) -> RateSpread:
        self._fresh()
        if newest <= 0 or not self._has_indices():
            return RateSpread(0)
        return RateSpread.of([rate for rate, _, _ in self._rates(flt, newest, now)])

    def fastest(self, flt: MentionFilter, newest: int, now: datetime, *, min_rate: float, min_total: int,
                n: int = 5) -> list[Mention]:
        """The rates from doc values; only the `n` fastest mentions are read, with the fields samples show."""
        self._fresh()
        if n <= 0 or newest <= 0 or not self._has_indices():
            return []
        ranked = sorted(((rate, mention_id) for rate, mention_id, total in self._rates(flt, newest, now)
                         if total >= min_total and rate >= min_rate), key=lambda pair: -pair[0])[:n]
        if not ranked:
            return []
        found = {m.id: m for m in self._mentions(self._request(query={"ids": {"values": [i for _, i in ranked]}},
                                                               size=n, source=SAMPLE_FIELDS))}
        return [found[i] for _, i in ranked if i in found]
