"""MentionStore on Elasticsearch (official client 8.19 and its DSL; server 8.19): the store that scales.

Mentions live in monthly indices `{prefix}-mentions-YYYY.MM` (by published month) behind the alias
`{prefix}-mentions`; alert events in `{prefix}-alerts`. Templates are installed idempotently on open (or on
the first write, if the server was down at open). Answers agree with the embedded store (storage/sqlite.py):
same filters, orderings, buckets (core.timebuckets) and facets.

Outage safety: a write that cannot reach the server (or that it refuses for load or a write block) is spooled
to `$ASCOLTO_HOME/spool/` (storage/es_spool.py) and counted in `UpsertResult.spooled`; every later write
replays the spool first. Reads are not spooled: they raise while the server is away.

Freshness: writes do not force a refresh (bulk speed); this process refreshes lazily before its next read, so
it always reads its own writes, and once before its first read or write, so it sees all that was written before
it was opened (the writer's reply links included). Other processes see them within `refresh_interval` (1 s).

URL: `http(s)://[user:password@]host:port[,host:port...][/?index_prefix=NAME&shards=N&replicas=N]` (the prefix
defaults to "ascolto"; shards and replicas of new monthly indices default to 1 and 0-1, auto-expanded);
credentials and the CA file may instead come from the environment (credentials_from_env).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.dsl import Q, Search

from core.model import AlertEvent, Mention
from storage.analytics import MentionAnalytics, QueryLanguage, QueryPage
from storage.base import FACET_FIELDS, AlertStore, MentionFilter, SearchPage, UpsertResult
from storage.es_alerts import ElasticsearchDetectorQueries
from storage.es_care import ElasticsearchCare, top_terms
from storage.es_connect import credentials_from_env, hosts_of, layout_of, parse_url
from storage.es_health import ElasticsearchCrawlLog
from storage.es_incidents import ElasticsearchIncidents
from storage.es_leases import ElasticsearchLeases
from storage.es_query import SORTS, filter_query, histogram_interval
from storage.es_schema import DERIVED_FIELDS, alert_doc, alert_from_source, mention_from_source, ms
from storage.es_spool import Spool
from storage.es_threads import ElasticsearchThreads
from storage.es_together import Asking, ElasticsearchTogether
from storage.es_write import MentionWriter, Prepared, Unavailable, backfill_derived_fields, unavailable

log = logging.getLogger(__name__)

BATCH = 1000  # mentions per read by id
# mentions per write: one lookup of what is stored (the ids, their parents: at most 2 x 4,000 hits, within the
# reply-links index's default window of 10,000), then bulk requests of es_write.BULK_PART sent side by side
WRITE_BATCH = 2000
# what a read of mentions leaves out of each _source: the derived fields (the search ones are twice the text again)
MENTION_SOURCE = {"excludes": list(DERIVED_FIELDS)}


class ElasticsearchStore(ElasticsearchThreads, ElasticsearchCare, ElasticsearchDetectorQueries, ElasticsearchIncidents,
                         ElasticsearchCrawlLog, ElasticsearchTogether, MentionAnalytics, ElasticsearchLeases,
                         AlertStore):
    def __init__(self, url: str, *, prefix: str | None = None, client: Elasticsearch | None = None,
                 request_timeout: float = 30.0, spool_dir: Path | None = None) -> None:
        base, url_prefix, shown = parse_url(url)
        self.url = shown
        self.layout = layout_of(url, prefix or url_prefix)
        # with several hosts, a request that fails on one is retried once on the next
        self.client = client or Elasticsearch(hosts_of(base), request_timeout=request_timeout, max_retries=1,
                                              retry_on_timeout=False, **credentials_from_env())
        self.writer = MentionWriter(self.client, self.layout)
        self.spool = Spool(f"{base}|{self.layout.prefix}", spool_dir)
        self._lock = threading.RLock()
        # indices to refresh before the next read (this process reads its own writes): all of them before the first
        # read, so that a store opened later sees all written before it; then only those written to
        self._stale = set(self._read_indices())
        self._refreshing = threading.Lock()
        self._ready = False
        self._indexed = False  # a mention index exists (checked until true)
        try:
            self.ensure_templates()
            if self.spool.path.exists():  # left over from an outage before a restart
                self.flush_spool()
        except Exception as exc:
            if not unavailable(exc):
                raise
            log.warning("Elasticsearch at %s unreachable (%s): writes will be spooled until it is back", shown, exc)

    def ensure_templates(self) -> None:
        """Install templates and the small indices (idempotent)."""
        self.layout.install(self.client)
        if self._has_indices():
            rewritten = backfill_derived_fields(self.client, self.layout)
            if rewritten:
                log.info("derived fields added to %d mention(s) stored by an older version", rewritten)
        self._ready = True

    def close(self) -> None:
        self.client.close()

    # writes
    def upsert(self, mentions: Sequence[Mention]) -> UpsertResult:
        result = UpsertResult()
        unique = list({m.id: m for m in mentions}.values())  # last copy of an id in a batch wins
        start = 0
        with self._lock:
            try:
                if not self._ready:
                    self.ensure_templates()
                    self._fresh()  # the writer's lookups by search (stored parents, reply links) see earlier runs'
                self._replay_spool()
                chunks = [unique[i:i + WRITE_BATCH] for i in range(0, len(unique), WRITE_BATCH)]
                with ThreadPoolExecutor(max_workers=1) as pool:  # build chunk n+1 while chunk n is sent
                    ahead = [pool.submit(self.writer.prepare, chunk) for chunk in chunks[:1]]
                    for number in range(len(chunks)):
                        start = number * WRITE_BATCH
                        prepared = ahead.pop().result()
                        if number + 1 < len(chunks):
                            ahead.append(pool.submit(self.writer.prepare, chunks[number + 1]))
                        self._merge(result, self._write(prepared))
            except Exception as exc:
                if not (isinstance(exc, Unavailable) or unavailable(exc)):
                    raise
                log.warning("Elasticsearch unavailable (%s)", exc)
                self.spool.append(unique[start:])  # a half-written chunk is simply written again on replay
                result.spooled += len(unique) - start
        return result

    def _write(self, batch: Sequence[Mention] | Prepared) -> UpsertResult:
        outcome = self.writer.write(batch)
        self._stale |= {self.layout.mentions, self.layout.reply_links}
        if outcome.to_spool:
            self.spool.append(outcome.to_spool)
            outcome.result.spooled += len(outcome.to_spool)
        return outcome.result

    @staticmethod
    def _merge(total: UpsertResult, part: UpsertResult) -> None:
        total.inserted += part.inserted
        total.updated += part.updated
        total.failed += part.failed
        total.spooled += part.spooled

    def _replay_spool(self) -> None:
        """Write what was spooled during an outage, oldest first; stop (keeping the rest) if it fails again."""
        if not self.spool.path.exists():
            return
        batches = self.spool.batches(WRITE_BATCH)
        replayed = 0
        for batch in batches:
            try:
                outcome = self.writer.write(batch)
            except Unavailable:
                self.spool.keep_from(batch + [m for rest in batches for m in rest])
                raise
            self._stale |= {self.layout.mentions, self.layout.reply_links}
            replayed += len(batch)
            by_id = {m.id: m for m in batch}
            for mention_id, reason in outcome.result.failed:
                self.spool.set_aside(by_id[mention_id].model_dump_json().encode(), f"{mention_id}: {reason}")
            if outcome.to_spool:  # refused again for load: keep them for the next call, in order
                self.spool.keep_from(outcome.to_spool + [m for rest in batches for m in rest])
                raise Unavailable("Elasticsearch still refuses writes")
        self.spool.keep_from([])
        log.info("replayed %d spooled mention(s) into Elasticsearch", replayed)

    def flush_spool(self) -> int:
        """Replay the spool now (e.g. at start-up); returns how many mentions are still spooled."""
        with self._lock:
            try:
                if not self._ready:
                    self.ensure_templates()
                self._replay_spool()
            except Exception as exc:
                if not (isinstance(exc, Unavailable) or unavailable(exc)):
                    raise
        return len(self.spool)

    def add_copies(self, mention_id: str, urls: Sequence[str]) -> None:
        self._fresh()
        hit = self._hits(Q("ids", values=[mention_id]), size=1, source=["copies"])
        if not hit:
            return
        current = hit[0]["_source"].get("copies") or []
        merged = sorted(set(current) | set(urls))
        if merged != current:
            self.client.update(index=hit[0]["_index"], id=mention_id, doc={"copies": merged})
            self._stale.add(self.layout.mentions)

    def _read_indices(self) -> tuple[str, ...]:
        """The indices this store searches (and so refreshes before a read)."""
        return self.layout.mentions, self.layout.alerts, self.layout.reply_links, self.layout.incidents

    def _mark_stale(self, *indices: str) -> None:
        """Refresh these indices before the next read (all of them when none is named)."""
        self._stale |= set(indices or self._read_indices())

    # reads
    def _fresh(self) -> None:
        """Refresh what this process wrote to since its last read (an alert saved does not refresh the mentions:
        the detectors read mentions between the saves of a tick)."""
        if not self._stale:
            return
        with self._refreshing:  # a reader in another thread waits for the refresh rather than reading past it
            stale = set(self._stale)
            if stale:
                self.client.indices.refresh(index=",".join(sorted(stale)), ignore_unavailable=True,
                                            allow_no_indices=True)
                self._stale -= stale  # what was written meanwhile stays to refresh

    def _search(self, index: str | None = None) -> Search:
        return Search(using=self.client, index=index or self.layout.mentions).params(
            ignore_unavailable=True, allow_no_indices=True)

    def _hits(self, query: Any, size: int, source: Any = MENTION_SOURCE) -> list[dict[str, Any]]:
        response = self.client.search(index=self.layout.mentions, query=query.to_dict(), size=size,
                                      source=source, ignore_unavailable=True, allow_no_indices=True)
        return list(response["hits"]["hits"])

    def get(self, mention_id: str) -> Mention | None:
        found = self.get_many([mention_id])
        return found[0] if found else None

    def get_many(self, mention_ids: Sequence[str]) -> list[Mention]:
        self._fresh()
        by_id: dict[str, Mention] = {}
        ids = list(dict.fromkeys(mention_ids))
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            for hit in self._hits(Q("ids", values=chunk), size=len(chunk)):
                by_id[hit["_id"]] = mention_from_source(hit["_source"])
        return [by_id[i] for i in mention_ids if i in by_id]

    def ids_by_content_hash(self, hashes: Sequence[str]) -> dict[str, str]:
        """As the interface says; during an outage {} (ingest then de-duplicates within its batch only, and
        keeps going: the mentions are spooled)."""
        try:
            return self._ids_by_content_hash(hashes)
        except Exception as exc:
            if not unavailable(exc):
                raise
            log.warning("Elasticsearch unavailable: syndicated copies are not matched against stored mentions")
            return {}

    def _ids_by_content_hash(self, hashes: Sequence[str]) -> dict[str, str]:
        wanted = [h for h in dict.fromkeys(hashes) if h]
        if not wanted or not self._has_indices():
            return {}
        # no forced refresh (ingest asks this before every batch, and a refresh per batch halves bulk speed):
        # what this process wrote in the last seconds, which search may not see yet, is overlaid instead
        found: dict[str, str] = self.writer.recent_hashes(wanted)
        for start in range(0, len(wanted), WRITE_BATCH):  # one search for a batch of ingest
            chunk = wanted[start:start + WRITE_BATCH]
            s = self._search().filter("terms", content_hash=chunk).extra(size=0)
            s.aggs.bucket("hash", "terms", field="content_hash", size=len(chunk)).bucket(
                "first", "terms", field="id", size=1, order={"_key": "asc"})
            for bucket in s.execute().aggregations.hash.buckets:
                first = bucket.first.buckets[0].key
                found[bucket.key] = min(first, found.get(bucket.key, first))
        return found

    def search(
        self, flt: MentionFilter, *, limit: int = 50, offset: int = 0, sort: str = "published_at_desc"
    ) -> SearchPage:
        self._fresh()
        if sort not in SORTS or (sort == "relevance" and not flt.text):
            sort = "published_at_desc"
        s = self._search().query(filter_query(flt)).sort(*SORTS[sort]).source(**MENTION_SOURCE).extra(
            from_=offset, size=limit, track_total_hits=True)
        response = s.execute()
        items = [mention_from_source(hit.to_dict()) for hit in response.hits]
        return SearchPage(total=response.hits.total.value, items=items)

    def count(self, flt: MentionFilter) -> int:
        self._fresh()
        response = self.client.count(index=self.layout.mentions, query=filter_query(flt).to_dict(),
                                     ignore_unavailable=True, allow_no_indices=True)
        return int(response["count"])

    def count_buckets(self, flt: MentionFilter, interval: str) -> list[tuple[datetime, int]]:
        self._fresh()
        s = self._search().query(filter_query(flt)).extra(size=0)
        s.aggs.bucket("buckets", "date_histogram", field="published_at", min_doc_count=1,
                      **histogram_interval(interval))
        buckets = s.execute().aggregations.buckets.buckets if self._has_indices() else []
        return [(datetime.fromtimestamp(b.key / 1000, tz=UTC), b.doc_count) for b in buckets]

    def _has_indices(self) -> bool:
        """Whether any mention index exists yet (aggregations over no index come back without results)."""
        if not self._indexed:
            self._indexed = bool(self.client.indices.exists_alias(name=self.layout.mentions))
        return self._indexed

    def facets(self, flt: MentionFilter, field: str, size: int = 10) -> list[tuple[str, int]]:
        """A terms aggregation (exact on one shard; over several, each proposes shard_size candidates, and a
        ranking the shards could have got wrong is asked once more with ten times as many)."""
        if field not in FACET_FIELDS:
            raise ValueError(f"unknown facet {field!r}; one of {', '.join(FACET_FIELDS)}")
        self._fresh()
        if size <= 0 or not self._has_indices():
            return []
        query = filter_query(flt).to_dict()
        spec = top_terms(field, size)
        result = self._aggregate(query, {"values": spec})["aggregations"]["values"]
        if result.get("doc_count_error_upper_bound", 0):
            spec["terms"]["shard_size"] *= 10
            result = self._aggregate(query, {"values": spec})["aggregations"]["values"]
        return [(str(b["key"]), int(b["doc_count"])) for b in result["buckets"]]

    def newest_texts(self, flt: MentionFilter, limit: int) -> list[str]:
        """'title text' of the first `limit` mentions search(flt) returns (newest first): a sample, so only
        those two fields of each are fetched."""
        self._fresh()
        if limit <= 0 or not self._has_indices():
            return []
        response = self.client.search(index=self.layout.mentions, query=filter_query(flt).to_dict(), size=limit,
                                      sort=SORTS["published_at_desc"], source=["title", "text"],
                                      track_total_hits=False, ignore_unavailable=True, allow_no_indices=True)
        return [f"{hit['_source'].get('title') or ''} {hit['_source'].get('text', '')}"
                for hit in response["hits"]["hits"]]

    def query_search(
        self, flt: MentionFilter, query: QueryLanguage, *, sort: str = "published_at_desc", limit: int = 50,
        offset: int = 0, facet_fields: Sequence[str] = (), facet_size: int = 10,
    ) -> QueryPage | None:
        """The query language run by the server (`query.to_es` on `query_terms`, the words `Query.matches`
        sees): one request for the page, the exact total and the facets. Differences: README."""
        self._fresh()
        if sort not in SORTS or sort == "relevance":
            sort = "published_at_desc"  # relevance ranks free text; the query language only selects
        if not self._has_indices():
            return QueryPage(total=0, items=[], facets={f: [] for f in facet_fields})
        selected = {"bool": {"must": [filter_query(flt).to_dict()], "filter": [query.to_es(("query_terms",))]}}
        aggs = {field: top_terms(field, max(facet_size, 1)) for field in facet_fields}
        response = self.client.search(index=self.layout.mentions, query=selected, sort=SORTS[sort], from_=offset,
                                      size=limit, track_total_hits=True, aggs=aggs or None, source=MENTION_SOURCE,
                                      ignore_unavailable=True, allow_no_indices=True)
        got = response.get("aggregations", {})
        facets = {field: [(str(b["key"]), int(b["doc_count"])) for b in got[field]["buckets"]][:facet_size]
                  for field in facet_fields}
        return QueryPage(total=int(response["hits"]["total"]["value"]),
                         items=[mention_from_source(hit["_source"]) for hit in response["hits"]["hits"]],
                         facets=facets)

    # alert events
    def save_alert(self, event: AlertEvent) -> None:
        self.client.index(index=self.layout.alerts, id=event.id, document=alert_doc(event))
        self._stale.add(self.layout.alerts)

    def get_alert(self, alert_id: str) -> AlertEvent | None:
        response = self.client.options(ignore_status=404).get(index=self.layout.alerts, id=alert_id)
        return alert_from_source(response["_source"]) if response.get("found") else None

    def list_alerts(
        self, *, brand: str | None = None, status: Sequence[str] = (), rule: str | None = None, limit: int = 100,
        opened_since: datetime | None = None, opened_until: datetime | None = None,
    ) -> list[AlertEvent]:
        return self._answer(self._ask_list_alerts(brand=brand, status=status, rule=rule, limit=limit,
                                                  opened_since=opened_since, opened_until=opened_until))

    def _ask_list_alerts(
        self, *, brand: str | None = None, status: Sequence[str] = (), rule: str | None = None, limit: int = 100,
        opened_since: datetime | None = None, opened_until: datetime | None = None,
    ) -> Asking[list[AlertEvent]]:
        s = self._search(self.layout.alerts)
        if brand is not None:
            s = s.filter("term", brand=brand)
        if status:
            s = s.filter("terms", status=list(status))
        if rule is not None:
            s = s.filter("term", rule=rule)
        bounds = {op: ms(at) for op, at in (("gte", opened_since), ("lt", opened_until)) if at is not None}
        if bounds:
            s = s.filter("range", opened_at_ms=bounds)
        body = s.sort({"opened_at_ms": "desc"}, {"id": "asc"}).extra(size=limit).to_dict()
        [response] = yield [(self.layout.alerts, body)]
        return [alert_from_source(hit["_source"]) for hit in response["hits"]["hits"]]
