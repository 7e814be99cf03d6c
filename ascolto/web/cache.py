"""A small per-minute memo for the overview's slow-moving context (share of voice, the previous period, emerging
terms): a wall screen refreshing every few seconds asks the same questions; the live care figures and the volume
series are never memoised."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

T = TypeVar("T")
KEPT = 256
_entries: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()


def per_minute(key: Hashable, now: datetime, compute: Callable[[], T]) -> T:
    """`compute()` at most once per minute of `now` for `key` (which names the store, the filter and the window)."""
    full_key = (key, int(now.timestamp() // 60))
    with _lock:
        if full_key in _entries:
            _entries.move_to_end(full_key)
            return _entries[full_key]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        _entries[full_key] = value
        while len(_entries) > KEPT:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
