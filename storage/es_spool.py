"""A file spool for mentions that Elasticsearch could not take (unreachable, or refusing writes).

Ingest must keep crawling and analysing through an outage: the store appends the batch to a JSON-lines file
in the directory the store is given (the shell passes `$ASCOLTO_HOME/spool`) and reports it as spooled; the next
write that reaches the server replays the spool first, oldest first, then removes it. Replays are plain upserts by
deterministic id, so a batch that was half-indexed before the outage is simply indexed again: nothing is
lost and nothing is doubled. One spool file per cluster URL and index prefix.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from core.model import Mention

log = logging.getLogger(__name__)


class Spool:
    def __init__(self, key: str, directory: Path | None = None) -> None:
        digest = hashlib.sha1(key.encode()).hexdigest()[:12]
        # without a directory (a store opened by hand) the spool is in the system's temporary folder
        self._directory = directory or Path(tempfile.gettempdir()) / "ascolto-spool"
        self._name = f"elasticsearch-{digest}.jsonl"
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        self._directory.mkdir(parents=True, exist_ok=True)
        return self._directory / self._name

    def __len__(self) -> int:
        path = self.path
        if not path.exists():
            return 0
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())

    def append(self, mentions: Sequence[Mention]) -> None:
        """Durably add mentions (fsync'd: the spool is the only copy while the server is down)."""
        if not mentions:
            return
        data = "".join(m.model_dump_json() + "\n" for m in mentions).encode()
        with self._lock, self.path.open("ab") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        log.warning("Elasticsearch unavailable: spooled %d mention(s) to %s", len(mentions), self.path)

    def batches(self, size: int) -> Iterator[list[Mention]]:
        """The spooled mentions in order, `size` at a time (unreadable lines are logged and set aside)."""
        path = self.path
        if not path.exists():
            return
        batch: list[Mention] = []
        with path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    batch.append(Mention.model_validate_json(line))
                except ValueError as exc:
                    self.set_aside(line, f"line {number}: {exc}")
                    continue
                if len(batch) >= size:
                    yield batch
                    batch = []
        if batch:
            yield batch

    def keep_from(self, remaining: list[Mention]) -> None:
        """Replace the spool with what is still to replay (atomically), or remove it when nothing is."""
        path = self.path
        with self._lock:
            if not remaining:
                path.unlink(missing_ok=True)
                return
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes("".join(m.model_dump_json() + "\n" for m in remaining).encode())
            os.replace(tmp, path)

    def set_aside(self, line: bytes, reason: str) -> None:
        """Keep what cannot be replayed in spool/rejected.jsonl (with the reason logged): never dropped."""
        log.error("spool entry set aside in %s (%s)", self.path.parent / "rejected.jsonl", reason)
        with (self.path.parent / "rejected.jsonl").open("ab") as handle:
            handle.write(line if line.endswith(b"\n") else line + b"\n")
