"""The crawl log on Elasticsearch: one document per crawl run of a source (storage.health), in its own index."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elasticsearch import BadRequestError, Elasticsearch, helpers

from core.model import CrawlRun
from storage.health import CrawlLog
from storage.sqlite_rollup import to_ms

_MAPPINGS = {"dynamic": "strict", "properties": {
    "source": {"type": "keyword"}, "finished_at_ms": {"type": "long"}, "ok": {"type": "boolean"},
    "run": {"type": "object", "enabled": False},  # the whole run, kept as it is, not indexed
}}


class ElasticsearchCrawlLog(CrawlLog):
    client: Elasticsearch
    _crawl_index_made = False

    @property
    def _crawl_index(self) -> str:
        return f"{self.layout.prefix}-crawl-runs"  # type: ignore[attr-defined]

    def _make_crawl_index(self) -> None:
        if self._crawl_index_made:
            return
        try:
            self.client.indices.create(index=self._crawl_index, mappings=_MAPPINGS)
        except BadRequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise
        self._crawl_index_made = True

    def record_crawl(self, runs: list[CrawlRun]) -> None:
        self._make_crawl_index()
        actions = [{"_index": self._crawl_index, "_source": {
            "source": r.source, "finished_at_ms": to_ms(r.finished_at), "ok": r.ok,
            "run": r.model_dump(mode="json")}} for r in runs]
        helpers.bulk(self.client, actions, refresh="wait_for")

    def crawl_runs(self, *, source: str | None = None, since: datetime | None = None,
                   until: datetime | None = None, limit: int = 1000, ok: bool | None = None) -> list[CrawlRun]:
        filters: list[dict[str, Any]] = []
        if source is not None:
            filters.append({"term": {"source": source}})
        if ok is not None:
            filters.append({"term": {"ok": ok}})
        bounds = {op: to_ms(v) for op, v in (("gte", since), ("lt", until)) if v is not None}
        if bounds:
            filters.append({"range": {"finished_at_ms": bounds}})
        response = self.client.search(index=self._crawl_index, query={"bool": {"filter": filters}}, size=limit,
                                      sort=[{"finished_at_ms": "desc"}], ignore_unavailable=True,
                                      allow_no_indices=True)
        return [CrawlRun.model_validate(hit["_source"]["run"]) for hit in response["hits"]["hits"]]
