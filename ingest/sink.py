"""Ingest sinks: where a crawl hands its items. The crawler names one in its Scrapy settings
(`ASCOLTO_INGEST_SINK`, a dotted path) and knows nothing else of ingest or storage.

A sink is built with `from_settings(settings, config)` and offers `ingest(items) -> IngestReport`. StoreSink, the
default, ingests into the store at `ASCOLTO_STORE` (default: `mentions.sqlite3` in `ASCOLTO_DATA_DIR`); one store
per location per process, shared by the crawls of one run and closed by `close_shared_stores()`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from core.config import Config
from ingest.ingestor import Ingestor, IngestReport
from storage import MentionStore, open_store

log = logging.getLogger(__name__)

_STORES: dict[str, MentionStore] = {}


def shared_store(location: str, data_dir: Path) -> MentionStore:
    if location not in _STORES:
        _STORES[location] = open_store(location, spool_dir=data_dir / "spool")
    return _STORES[location]


def close_shared_stores() -> None:
    while _STORES:
        _, store = _STORES.popitem()
        try:
            store.close()
        except Exception:  # closing is best effort at exit
            log.exception("closing store")


class StoreSink:
    """Normalise, de-duplicate, analyse and store a crawl's items (ingest.Ingestor over a shared store)."""

    def __init__(self, store_location: str, config: Config, data_dir: Path) -> None:
        self.store_location, self.config, self.data_dir = store_location, config, data_dir
        self._ingestor: Ingestor | None = None

    @classmethod
    def from_settings(cls, settings: Any, config: Config) -> StoreSink:
        data_dir = Path(settings.get("ASCOLTO_DATA_DIR")).expanduser()
        location = settings.get("ASCOLTO_STORE") or str(data_dir / "mentions.sqlite3")
        return cls(location, config, data_dir)

    def ingest(self, items: Iterable[dict[str, Any]]) -> IngestReport:
        if self._ingestor is None:  # opened on first use: a store down at start costs a retry, not the crawl
            store = shared_store(self.store_location, self.data_dir)
            self._ingestor = Ingestor(store, self.config, rejects_dir=self.data_dir / "rejects")
        return self._ingestor.ingest(items)
