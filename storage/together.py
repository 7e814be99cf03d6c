"""Several of a store's questions asked together, as a dashboard page asks them:

    with store.together(pool) as ask:
        snapshot = ask(store.care_snapshot, flt, "1h")
        before = ask(store.sentiment_counts, previous)
    snapshot.result(), before.result()

Each `ask` gives a Future, answered by the end of the block. Here (the embedded store) each question runs in
the pool, side by side (SQLite reads in parallel), or at once without one. Elasticsearch sends the questions it
can ask as request bodies in one multi-search per round, instead of a round trip each (storage/es_together.py).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")


class Together:
    def __init__(self, pool: Executor | None = None) -> None:
        self.pool = pool

    def __call__(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        if self.pool is not None:
            return self.pool.submit(method, *args, **kwargs)
        future: Future[T] = Future()
        try:
            future.set_result(method(*args, **kwargs))
        except Exception as exc:  # given back by result(), as a pool's future would
            future.set_exception(exc)
        return future

    def __enter__(self) -> Together:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.answer()

    def answer(self) -> None:
        """Answer what was asked and is not answered yet (here: all of it already is, or is in the pool)."""


def done(value: T) -> Future[T]:
    """A future already answered (a memoised figure beside asked ones)."""
    future: Future[T] = Future()
    future.set_result(value)
    return future
