"""Per-source crawl state in the data directory: HTTP validators, keys already ingested, whether the last run ended.

Written atomically (temp file + rename). Keys are marked seen only after ingest has stored them, and validators
(ETag / Last-Modified) are kept only when the crawl ends normally, so an interrupted crawl re-fetches what it had
not finished (no gaps) and skips what it had already stored (no duplicates).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAX_SEEN = 200_000  # oldest keys are forgotten first; ingest still de-duplicates by id behind us
VERSION = 1


class SourceState:
    def __init__(self, source_name: str, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{source_name}.json"
        self.validators: dict[str, dict[str, str]] = {}
        self.pending_validators: dict[str, dict[str, str]] = {}
        self.seen: OrderedDict[str, None] = OrderedDict()
        self.complete = False  # did the previous run end normally?
        self.complete_before = False
        self.extra: dict[str, Any] = {}
        self._lock_file: Any = None
        self._load()

    def lock(self) -> bool:
        """Take the source's lock for this run; False when another process is crawling it right now."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.with_suffix(".lock").open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._lock_file = handle
        return True

    @property
    def locked(self) -> bool:
        return self._lock_file is not None

    def unlock(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing the file releases the lock
            self._lock_file = None

    def _load(self) -> None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:  # a damaged state file costs a full re-crawl, never a crash
            log.warning("crawl state %s unreadable (%s); starting afresh", self.path, exc)
            return
        if not isinstance(raw, dict) or raw.get("version") != VERSION:
            return
        self.validators = {k: v for k, v in raw.get("validators", {}).items() if isinstance(v, dict)}
        self.seen = OrderedDict((k, None) for k in raw.get("seen", []) if isinstance(k, str))
        self.complete = bool(raw.get("complete"))
        self.extra = raw.get("extra", {}) if isinstance(raw.get("extra"), dict) else {}

    def is_seen(self, key: str) -> bool:
        return key in self.seen

    def mark_seen(self, keys: list[str]) -> None:
        for key in keys:
            self.seen[key] = None
            self.seen.move_to_end(key)
        while len(self.seen) > MAX_SEEN:
            self.seen.popitem(last=False)

    def validators_for(self, url: str) -> dict[str, str]:
        return self.validators.get(url, {})

    def remember_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        entry = {k: v for k, v in (("etag", etag), ("last_modified", last_modified)) if v}
        if entry:
            self.pending_validators[url] = entry

    def forget_validators(self, url: str) -> None:
        """A response we could not use must be fetched in full next time."""
        self.pending_validators.pop(url, None)
        self.validators.pop(url, None)

    def start_run(self) -> None:
        self.complete_before = self.complete
        self.complete = False
        self.save()

    def finish_run(self, ok: bool) -> None:
        if ok:
            self.validators.update(self.pending_validators)
            self.complete = True
        self.pending_validators = {}
        self.save()

    def save(self) -> None:
        data = {"version": VERSION, "complete": self.complete, "validators": self.validators,
                "seen": list(self.seen), "extra": self.extra}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
