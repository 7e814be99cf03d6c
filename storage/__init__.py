"""Mention storage behind one interface; `open_store` picks the backend from a path or URL."""

from __future__ import annotations

from pathlib import Path

from storage.base import FACET_FIELDS, AlertStore, MentionFilter, MentionStore, SearchPage, UpsertResult

__all__ = ["FACET_FIELDS", "AlertStore", "MentionFilter", "MentionStore", "SearchPage", "UpsertResult", "open_store"]


def open_store(location: str | Path, *, spool_dir: Path | None = None) -> MentionStore:
    """A SQLite file path (or sqlite:///path), or an http(s):// Elasticsearch URL (which spools to `spool_dir`
    what it cannot write while the server is down)."""
    text = str(location)
    if text.startswith(("http://", "https://")):
        from storage.elasticsearch import ElasticsearchStore

        return ElasticsearchStore(text, spool_dir=spool_dir)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///"):]
    from storage.sqlite import SQLiteStore

    return SQLiteStore(Path(text))
