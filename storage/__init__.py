"""Mention storage behind one interface; `open_store` picks the backend from a path or URL."""

from __future__ import annotations

from pathlib import Path

from storage.base import FACET_FIELDS, MentionFilter, MentionStore, SearchPage, UpsertResult

__all__ = ["FACET_FIELDS", "MentionFilter", "MentionStore", "SearchPage", "UpsertResult", "open_store"]


def open_store(location: str | Path) -> MentionStore:
    """A SQLite file path (or sqlite:///path), or an http(s):// Elasticsearch URL."""
    text = str(location)
    if text.startswith(("http://", "https://")):
        from storage.elasticsearch import ElasticsearchStore

        return ElasticsearchStore(text)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///"):]
    from storage.sqlite import SQLiteStore

    return SQLiteStore(Path(text))
