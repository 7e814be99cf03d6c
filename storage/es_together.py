"""Elasticsearch questions as request bodies, so that several are sent in one multi-search (storage/together.py).

A question that can be asked this way has an `_ask_<name>` generator beside its method `<name>`: it yields the
searches of a round (a list of (index, body)), is sent their responses, and returns the answer; the method is
`self._answer(self._ask_<name>(...))`. `together()` runs the generators of every question asked in lockstep:
round one's searches of all of them in one `_msearch`, then round two's (the emerging terms' counts need the
cut points of round one), and so on. A page of seven questions costs two round trips instead of seven.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

from elasticsearch import Elasticsearch

from storage.together import Together

T = TypeVar("T")
Searches = list[tuple[str, dict[str, Any]]]  # (index, request body) of each search of a round
Asking = Generator[Searches, list[dict[str, Any]], T]


class SearchFailed(RuntimeError):
    """One search of a multi-search failed (the others were answered)."""


class ElasticsearchTogether:
    client: Elasticsearch

    def _fresh(self) -> None: ...

    def together(self, pool: Executor | None = None) -> Together:
        return _Asked(self, pool)

    def _answer(self, asking: Asking[T]) -> T:
        """One question's answer (its rounds one search request each when they have one search)."""
        future: Future[T] = Future()
        self._drive([(asking, future)])
        return future.result()

    def _drive(self, pending: Sequence[tuple[Asking[Any], Future[Any]]]) -> None:
        self._fresh()
        live: list[tuple[Asking[Any], Future[Any], Searches]] = []
        for asking, future in pending:
            _step(asking, future, None, live)
        while live:
            searches = [search for _, _, round_ in live for search in round_]
            responses = self._search_all(searches)
            now_live: list[tuple[Asking[Any], Future[Any], Searches]] = []
            start = 0
            for asking, future, round_ in live:
                _step(asking, future, responses[start:start + len(round_)], now_live)
                start += len(round_)
            live = now_live

    def _search_all(self, searches: Searches) -> list[dict[str, Any]]:
        common = {"ignore_unavailable": True, "allow_no_indices": True}
        if len(searches) == 1:  # a lone search fails as a search (ApiError), as it did before
            index, body = searches[0]
            return [dict(self.client.search(index=index, **common, **body).body)]
        lines: list[dict[str, Any]] = []
        for index, body in searches:
            lines += [{"index": index, **common}, body]
        return list(self.client.msearch(searches=lines)["responses"])


def _step(asking: Asking[Any], future: Future[Any], responses: list[dict[str, Any]] | None,
          live: list[tuple[Asking[Any], Future[Any], Searches]]) -> None:
    """Move one question on by a round: its next searches go to `live`, or its answer (or error) to `future`."""
    try:
        failed = next((r["error"] for r in responses or () if "error" in r), None)
        if failed is not None:
            asking.throw(SearchFailed(f"Elasticsearch search failed: {failed}"))
        round_ = next(asking) if responses is None else asking.send(responses)
    except StopIteration as stop:
        future.set_result(stop.value)
    except Exception as exc:
        future.set_exception(exc)
    else:
        live.append((asking, future, round_))


class _Asked(Together):
    """Questions with an `_ask_` form wait for the end of the block and go together; others run as Together's."""

    def __init__(self, store: ElasticsearchTogether, pool: Executor | None) -> None:
        super().__init__(pool)
        self.store = store
        self.pending: list[tuple[Asking[Any], Future[Any]]] = []

    def __call__(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        asking = getattr(self.store, f"_ask_{method.__name__}", None)
        if asking is None or getattr(method, "__self__", None) is not self.store:
            return super().__call__(method, *args, **kwargs)
        future: Future[T] = Future()
        self.pending.append((asking(*args, **kwargs), future))
        return future

    def answer(self) -> None:
        pending, self.pending = self.pending, []
        self._drive_or_fail(pending)

    def _drive_or_fail(self, pending: list[tuple[Asking[Any], Future[Any]]]) -> None:
        try:
            self.store._drive(pending)
        except Exception as exc:  # the multi-search itself failed: every question still open says so
            for _, future in pending:
                if not future.done():
                    future.set_exception(exc)
