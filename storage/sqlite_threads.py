"""SQLite answers to the thread lookups of ingest (storage/base.py: ids_by_url, referring_to), by the partial
indexes on url and thread_id of schema 4 and the one on in_reply_to of schema 1."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from core.model import Mention

CHUNK = 400


class SQLiteThreads:
    """Mixed into SQLiteStore (which provides _conn and _mention)."""

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _mention(self, row: sqlite3.Row) -> Mention:
        raise NotImplementedError

    def ids_by_url(self, urls: Sequence[str]) -> dict[str, str]:
        wanted = [u for u in dict.fromkeys(urls) if u]
        found: dict[str, str] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            rows = self._conn().execute(  # forum posts share their page's URL: the earliest one stands for it
                f"SELECT url, id FROM (SELECT url, id, row_number() OVER (PARTITION BY url ORDER BY published_at, id) "
                f"AS n FROM mentions WHERE url IN ({_marks(chunk)})) WHERE n = 1", chunk,
            )
            found.update({url: mention_id for url, mention_id in rows})
        return found

    def referring_to(self, ids: Sequence[str]) -> list[Mention]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Mention] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            rows = self._conn().execute(
                f"SELECT * FROM mentions WHERE in_reply_to IN ({_marks(chunk)}) UNION "
                f"SELECT * FROM mentions WHERE thread_id IN ({_marks(chunk)})", [*chunk, *chunk],
            )
            found.update({r["id"]: self._mention(r) for r in rows})
        return sorted(found.values(), key=lambda m: (m.published_at, m.id))


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))
