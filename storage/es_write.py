"""Bulk writes of mentions to Elasticsearch: deterministic ids, reply linking, per-document outcomes.

One `write()` call indexes a batch into the monthly indices, keeping `first_reply_at` the minimum of what the
mention carries, what was stored before and the owned replies seen so far (in this batch, or earlier: those
recorded in the reply-links index). Lookups by id search the alias (every month); a mention whose
published month changed is re-indexed into its new month and deleted from the old one, so an id never lives
twice.

Speed: lookups are searches, not real-time gets (a real-time get of a document not yet refreshed forces a
refresh, which costs bulk throughput dearly). Instead the writer remembers what it wrote in the last seconds
(longer than the refresh interval) and overlays that on what search returns. Parents are updated by
re-indexing their whole document (no `update`, which is a real-time get too). A write asks its lookups in one
search, then sends its bulk requests side by side (`_bulk`). Several processes writing the same mentions within
a second of each other is not supported (one ingest per store, as with SQLite).
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, Elasticsearch
from elasticsearch.helpers import streaming_bulk

from core.model import Mention
from storage.base import UpsertResult
from storage.es_schema import DERIVED_VERSION, Layout, iso_ms, mention_doc, with_reply_delay

log = logging.getLogger(__name__)

MAX_DOC_BYTES = 8 * 1024 * 1024  # larger documents are refused one by one, before they can fail a whole bulk
_RETRY_STATUS = {429, 502, 503, 504}
_RETRY_TYPES = {  # refusals that pass: load, write blocks, shards moving or closing
    "cluster_block_exception", "es_rejected_execution_exception", "unavailable_shards_exception",
    "node_closed_exception", "no_shard_available_action_exception", "already_closed_exception",
    "circuit_breaking_exception", "process_cluster_event_timeout_exception",
}
BULK_RETRIES = 3  # per document refused for load, after the first try
BULK_INITIAL_BACKOFF = 0.5  # seconds, doubled on each retry: 0.5, 1, 2
BULK_PART = 1000  # actions per bulk request
BULK_PARALLEL = 3  # bulk requests in flight at once (with the reply links'): bounded, a 2-core node is the target
RECENT_S = 10.0  # writes older than this are visible to search and gets (refresh_interval is 1 s)
Action = tuple[dict[str, Any], dict[str, Any] | None, str]  # (bulk header, body, mention id or '')


class Unavailable(Exception):
    """The server cannot be reached or refuses writes for now: buffer and retry later."""


@dataclass
class WriteOutcome:
    result: UpsertResult = field(default_factory=UpsertResult)
    to_spool: list[Mention] = field(default_factory=list)  # refused for availability reasons after retries


@dataclass
class Prepared:
    unique: list[Mention]
    docs: dict[str, dict[str, Any]]
    outcome: WriteOutcome


def unavailable(exc: BaseException) -> bool:
    if isinstance(exc, TransportConnectionError | ConnectionTimeout):
        return True
    if isinstance(exc, ApiError):
        return exc.meta.status in _RETRY_STATUS or exc.error in _RETRY_TYPES
    return False  # anything else (a bug, a serialisation error) must surface, not sit in the spool forever


def _rough_size(m: Mention) -> int:
    """Characters in the variable-size fields: cheap, and within a small factor of the JSON size."""
    return (2 * (len(m.text) + len(m.title or "")) + sum(len(u) for u in m.copies) + 24 * len(m.engagement)
            + sum(len(t) for t in (*m.brands, *m.topics)) + 1024)


def _earliest(*values: str | None) -> str | None:
    present = [v for v in values if v]
    return min(present) if present else None  # ISO 8601 UTC millisecond strings sort as times


class MentionWriter:
    def __init__(self, client: Elasticsearch, layout: Layout) -> None:
        self.client = client
        self.layout = layout
        # what this writer wrote lately and search may not see yet: id -> (written at, index, document)
        self._recent: OrderedDict[str, tuple[float, str, dict[str, Any]]] = OrderedDict()
        self._recent_links: OrderedDict[str, tuple[float, str]] = OrderedDict()  # parent id -> (at, reply)

    @staticmethod
    def prepare(mentions: Sequence[Mention]) -> Prepared:
        """Documents for a batch (pure CPU, no I/O: can run while the previous batch is being written)."""
        outcome = WriteOutcome()
        unique = list({m.id: m for m in mentions}.values())  # last copy of an id in a batch wins
        docs: dict[str, dict[str, Any]] = {}
        for mention in unique:
            doc = mention_doc(mention)
            size = _rough_size(mention)
            if size > MAX_DOC_BYTES // 4:  # only a big document pays for an exact measure
                size = len(json.dumps(doc, ensure_ascii=False).encode())
            if size > MAX_DOC_BYTES:
                outcome.result.failed.append((mention.id, f"document of {size} bytes exceeds {MAX_DOC_BYTES}"))
                continue
            docs[mention.id] = doc
        return Prepared(unique, docs, outcome)

    def write(self, mentions: Sequence[Mention] | Prepared) -> WriteOutcome:
        prepared = mentions if isinstance(mentions, Prepared) else self.prepare(mentions)
        unique, docs, outcome = prepared.unique, prepared.docs, prepared.outcome
        if not docs:
            return outcome
        by_id = {m.id: m for m in unique if m.id in docs}
        try:
            self._forget_old()
            replies = self._batch_replies(by_id.values())
            existing, links = self._existing(by_id, replies)
            actions: list[Action] = []
            for mention_id, doc in docs.items():
                stored_index, stored_reply = existing.get(mention_id, (None, None))
                doc["first_reply_at"] = _earliest(doc["first_reply_at"], stored_reply, links.get(mention_id),
                                                  replies.get(mention_id))
                with_reply_delay(doc)
                index = self.layout.month_index(by_id[mention_id].published_at)
                actions.append(({"index": {"_index": index, "_id": mention_id}}, doc, mention_id))
                if stored_index and stored_index != index:
                    actions.append(({"delete": {"_index": stored_index, "_id": mention_id}}, None, ""))
            actions += self._parent_updates(replies, set(docs))
            failed, retry_later = self._bulk(actions, self._link_operations(replies, links))
            for parent in (failed.keys() | retry_later) - docs.keys():  # the reply link still has it
                log.warning("first_reply_at of stored mention %s not updated: %s", parent,
                            failed.get(parent, "server busy"))
            now = time.monotonic()
            for header, doc_or_none, mention_id in actions:
                target = header.get("index")
                if target and doc_or_none is not None and mention_id not in failed and mention_id not in retry_later:
                    self._recent.pop(target["_id"], None)
                    self._recent[target["_id"]] = (now, target["_index"], doc_or_none)
        except Exception as exc:
            if unavailable(exc):
                raise Unavailable(str(exc)) from exc
            raise
        for mention_id in docs:
            if mention_id in failed:
                outcome.result.failed.append((mention_id, failed[mention_id]))
            elif mention_id in retry_later:
                outcome.to_spool.append(by_id[mention_id])
            elif mention_id in existing:
                outcome.result.updated += 1
            else:
                outcome.result.inserted += 1
        return outcome

    def _forget_old(self) -> None:
        horizon = time.monotonic() - RECENT_S
        for recent in (self._recent, self._recent_links):
            while recent and next(iter(recent.values()))[0] < horizon:
                recent.popitem(last=False)

    def _existing(self, by_id: dict[str, Mention], replies: dict[str, str]
                  ) -> tuple[dict[str, tuple[str, str | None]], dict[str, str]]:
        """(id -> (index holding it, its first_reply_at), id -> earliest recorded owned reply, for the batch's
        mentions and the parents its owned replies answer).

        One search by id over every monthly index (a mention whose published month changed is found too) and
        the reply links; what this writer stored lately, which search may not see yet, is overlaid."""
        found: dict[str, tuple[str, str | None]] = {}
        links: dict[str, str] = {}
        ids = list(dict.fromkeys([*by_id, *replies]))
        response = self.client.search(
            index=f"{self.layout.mentions},{self.layout.reply_links}", query={"ids": {"values": ids}},
            size=2 * len(ids), source=["first_reply_at"], ignore_unavailable=True, allow_no_indices=True,
            track_total_hits=False,
        )
        for hit in response["hits"]["hits"]:
            if hit["_index"] == self.layout.reply_links:
                links[hit["_id"]] = hit["_source"]["first_reply_at"]
            elif hit["_id"] in by_id:
                found[hit["_id"]] = (hit["_index"], hit["_source"].get("first_reply_at"))
        for mention_id in ids:
            if mention_id in self._recent and mention_id in by_id:
                _, index, doc = self._recent[mention_id]
                found[mention_id] = (index, doc.get("first_reply_at"))
            if mention_id in self._recent_links:
                links[mention_id] = _earliest(links.get(mention_id), self._recent_links[mention_id][1]) or ""
        return found, links

    def recent_hashes(self, hashes: Sequence[str]) -> dict[str, str]:
        """content_hash -> smallest id among the mentions this writer wrote lately (search may not see them)."""
        wanted, found = set(hashes), {}
        for mention_id, (_, _, doc) in self._recent.items():
            digest = doc.get("content_hash")
            if digest in wanted and (digest not in found or mention_id < found[digest]):
                found[digest] = mention_id
        return found

    def find(self, ids: Sequence[str], source: Any = True) -> dict[str, tuple[str, dict[str, Any]]]:
        response = self.client.search(
            index=self.layout.mentions, query={"ids": {"values": list(ids)}}, size=len(ids),
            source=source, ignore_unavailable=True, allow_no_indices=True,
        )
        return {h["_id"]: (h["_index"], h["_source"]) for h in response["hits"]["hits"]}

    @staticmethod
    def _batch_replies(mentions: Any) -> dict[str, str]:
        """parent id -> earliest owned reply in this batch."""
        earliest: dict[str, str] = {}
        for m in mentions:
            if m.is_owned and m.in_reply_to:
                at = iso_ms(m.published_at) or ""
                earliest[m.in_reply_to] = _earliest(earliest.get(m.in_reply_to), at) or at
        return earliest

    def _link_operations(self, replies: dict[str, str], stored: dict[str, str]) -> list[dict[str, Any]]:
        """Bulk operations that record each parent's earliest owned reply, for a parent that arrives (or is
        re-ingested) later; remembered at once, as search may not see them for a second."""
        operations: list[dict[str, Any]] = []
        now = time.monotonic()
        for parent, at in replies.items():
            earliest = _earliest(at, stored.get(parent)) or at
            if earliest != stored.get(parent):
                operations += [{"index": {"_index": self.layout.reply_links, "_id": parent}},
                               {"first_reply_at": earliest}]
            self._recent_links.pop(parent, None)
            self._recent_links[parent] = (now, earliest)
        return operations

    def _parent_updates(self, replies: dict[str, str], in_batch: set[str]) -> list[Action]:
        """Re-index stored parents (outside the batch) whose earliest owned reply moved earlier."""
        outside = [p for p in replies if p not in in_batch]
        if not outside:
            return []
        found = {p: self._recent[p][1:] for p in outside if p in self._recent}
        rest = [p for p in outside if p not in found]
        if rest:
            found.update(self.find(rest))
        actions: list[Action] = []
        for parent, (index, source) in found.items():
            earliest = _earliest(source.get("first_reply_at"), replies[parent])
            if earliest != source.get("first_reply_at"):
                actions.append(({"index": {"_index": index, "_id": parent}},
                                with_reply_delay({**source, "first_reply_at": earliest}), parent))
        return actions

    def _bulk(self, actions: list[Action], links: list[dict[str, Any]]) -> tuple[dict[str, str], set[str]]:
        """Run the actions (and the reply links' operations); return (failed id -> reason, ids to spool).

        The actions go in parts of BULK_PART, up to BULK_PARALLEL at a time, beside the links' request: they are
        independent (one action per id; a delete is in another index than its id's new document), and the node
        indexes concurrent requests on more threads while this process waits for none of them in turn. Every
        part is waited for, and its outcome kept, before the batch is reported; a part that cannot reach the
        server raises, and the whole batch is spooled (written again on replay: ids are deterministic)."""
        parts = [actions[i:i + BULK_PART] for i in range(0, len(actions), BULK_PART)]
        with ThreadPoolExecutor(max_workers=BULK_PARALLEL, thread_name_prefix="es-bulk") as pool:
            linked = pool.submit(self.client.bulk, operations=links) if links else None
            outcomes = [pool.submit(self._bulk_part, part) for part in parts]
            failed: dict[str, str] = {}
            retry_later: set[str] = set()
            for outcome in outcomes:
                part_failed, part_retry = outcome.result()
                failed.update(part_failed)
                retry_later |= part_retry
            if linked is not None and linked.result()["errors"]:
                raise Unavailable("reply links could not be recorded")
        return failed, retry_later

    def _bulk_part(self, actions: list[Action]) -> tuple[dict[str, str], set[str]]:
        """One bulk request: `streaming_bulk` retries the documents (and whole requests) refused with a load
        status, backing off 0.5, 1 and 2 s; what it still gives back refused for availability (a status above,
        or a write block, shards moving...) is spooled and replayed by a later write, anything else fails that
        one document."""
        failed: dict[str, str] = {}
        retry_later: set[str] = set()
        results = streaming_bulk(
            self.client, ((header, body) for header, body, _ in actions), expand_action_callback=lambda a: a,
            chunk_size=max(1, len(actions)), max_retries=BULK_RETRIES, initial_backoff=BULK_INITIAL_BACKOFF,
            retry_on_status=tuple(_RETRY_STATUS), raise_on_error=False, yield_ok=False,
        )
        for _, item in results:
            op_type, result = next(iter(item.items()))
            if op_type == "delete" and result.get("status") == 404:
                continue  # already gone from its old month
            error = result.get("error")
            mention_id = result.get("_id", "") if op_type == "index" else ""
            if result.get("status") in _RETRY_STATUS or (isinstance(error, dict) and error.get("type") in _RETRY_TYPES):
                if mention_id:
                    retry_later.add(mention_id)
            elif mention_id:
                failed[mention_id] = (f"{error.get('type')}: {error.get('reason')}" if isinstance(error, dict)
                                      else str(error))
            if not mention_id:
                log.warning("Elasticsearch refused a linked update: %s", error)
        return failed, retry_later


def backfill_derived_fields(client: Elasticsearch, layout: Layout, page: int = 1000) -> int:
    """Re-derive the computed fields (es_schema.DERIVED_FIELDS) of mentions written by an older version, from
    their own stored source: a one-time migration (afterwards the query finds none, and a store without such
    mentions pays one empty search per open). Returns how many were rewritten."""
    stale = {"bool": {"must_not": [{"range": {"derived": {"gte": DERIVED_VERSION}}}]}}
    client.indices.refresh(index=layout.mentions, ignore_unavailable=True, allow_no_indices=True)
    rewritten, after = 0, None
    while True:  # forward by id (each is passed once)
        extra = {"search_after": after} if after else {}
        hits = client.search(index=layout.mentions, query=stale, size=page, sort=[{"id": "asc"}],
                             ignore_unavailable=True, allow_no_indices=True, **extra)["hits"]["hits"]
        if not hits:
            break
        operations: list[dict[str, Any]] = []
        for hit in hits:
            operations += [{"index": {"_index": hit["_index"], "_id": hit["_id"]}},
                           mention_doc(Mention.model_validate(hit["_source"]))]
        if client.bulk(operations=operations)["errors"]:
            raise Unavailable("derived fields could not be rewritten")
        rewritten += len(hits)
        after = hits[-1]["sort"]
    if rewritten:
        client.indices.refresh(index=layout.mentions, ignore_unavailable=True, allow_no_indices=True)
    return rewritten
