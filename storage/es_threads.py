"""Elasticsearch answers to the thread lookups of ingest (storage/base.py: ids_by_url, referring_to).

During an outage both answer "nothing found" (logged): ingest keeps going and spools the batch, and a reference
left unresolved then is the one a URL-only parent would get.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from elasticsearch import Elasticsearch

from core.model import Mention
from storage.es_schema import Layout, mention_from_source
from storage.es_write import unavailable

log = logging.getLogger(__name__)

PAGE = 1000


class ElasticsearchThreads:
    client: Elasticsearch
    layout: Layout

    def _fresh(self) -> None: ...

    def _has_indices(self) -> bool: ...

    def ids_by_url(self, urls: Sequence[str]) -> dict[str, str]:
        wanted = [u for u in dict.fromkeys(urls) if u]
        found: dict[str, str] = {}
        try:
            if not wanted or not self._has_indices():
                return {}
            self._fresh()
            for start in range(0, len(wanted), PAGE):
                chunk = wanted[start:start + PAGE]
                response = self.client.search(  # one hit per URL: its earliest mention (forum posts share a page)
                    index=self.layout.mentions, query={"terms": {"url": chunk}}, collapse={"field": "url"},
                    sort=[{"published_at": "asc"}, {"id": "asc"}], size=len(chunk), source=["url", "id"],
                    ignore_unavailable=True, allow_no_indices=True, track_total_hits=False,
                )
                found.update({h["_source"]["url"]: h["_id"] for h in response["hits"]["hits"]})
        except Exception as exc:
            if not unavailable(exc):
                raise
            log.warning("Elasticsearch unavailable: thread references by URL are not matched to stored mentions")
        return found

    def referring_to(self, ids: Sequence[str]) -> list[Mention]:
        wanted = list(dict.fromkeys(ids))
        found: list[Mention] = []
        try:
            if not wanted or not self._has_indices():
                return []
            self._fresh()
            query = {"bool": {"should": [{"terms": {"in_reply_to": wanted}}, {"terms": {"thread_id": wanted}}],
                              "minimum_should_match": 1}}
            after: list[Any] | None = None
            while True:
                extra = {"search_after": after} if after else {}
                response = self.client.search(
                    index=self.layout.mentions, query=query, size=PAGE, sort=[{"published_at": "asc"}, {"id": "asc"}],
                    ignore_unavailable=True, allow_no_indices=True, track_total_hits=False, **extra,
                )
                hits = response["hits"]["hits"]
                found += [mention_from_source(h["_source"]) for h in hits]
                if len(hits) < PAGE:
                    return found
                after = hits[-1]["sort"]
        except Exception as exc:
            if not unavailable(exc):
                raise
            log.warning("Elasticsearch unavailable: replies stored before their parent are not re-linked now")
        return found
