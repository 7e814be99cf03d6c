"""Small time-period memos for the overview's slow-moving context (share of voice, the previous period, emerging
terms and their baseline week): a wall screen refreshing every few seconds asks the same questions; the live care
figures and the volume series are never memoised."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from datetime import datetime
from typing import Any, TypeVar

from storage.together import done

T = TypeVar("T")
_MISSING = object()  # not memoised (None may be a memoised value)


class PeriodMemo:
    """`compute()` at most once per period of `now` for a key; the least recently used entries beyond `kept` go."""

    def __init__(self, period_seconds: int, kept: int) -> None:
        self.period_seconds, self.kept = period_seconds, kept
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, now: datetime, compute: Callable[[], T]) -> T:
        full_key = self._period_key(key, now)
        found = self._lookup(full_key)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
        value = compute()
        self._keep(full_key, value)
        return value

    def asked(self, key: Hashable, now: datetime, ask: Callable[[], Future[T]]) -> Future[T]:
        """As get(), for a question asked together with others (storage.together): the memoised answer as a done
        future, or `ask()`'s future, whose answer is memoised once it comes."""
        full_key = self._period_key(key, now)
        found = self._lookup(full_key)
        if found is not _MISSING:
            return done(found)
        future = ask()

        def keep(answered: Future[T]) -> None:
            if answered.exception() is None:
                self._keep(full_key, answered.result())

        future.add_done_callback(keep)
        return future

    def _period_key(self, key: Hashable, now: datetime) -> Hashable:
        return key, int(now.timestamp() // self.period_seconds)

    def _lookup(self, full_key: Hashable) -> Any:
        """The memoised value (made the most recently used), or _MISSING."""
        with self._lock:
            if full_key not in self._entries:
                return _MISSING
            self._entries.move_to_end(full_key)
            return self._entries[full_key]

    def _keep(self, full_key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[full_key] = value
            while len(self._entries) > self.kept:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_per_minute = PeriodMemo(60, kept=256)


def per_minute(key: Hashable, now: datetime, compute: Callable[[], T]) -> T:
    """`compute()` at most once per minute of `now` for `key` (which names the store, the filter and the window)."""
    return _per_minute.get(key, now, compute)


def per_minute_asked(key: Hashable, now: datetime, ask: Callable[[], Future[T]]) -> Future[T]:
    """per_minute for a question asked together with others: its memoised answer, or `ask()`'s future."""
    return _per_minute.asked(key, now, ask)


def clear() -> None:
    _per_minute.clear()
