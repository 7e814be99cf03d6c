"""The lease contract (storage.base.LeaseStore) on both backends: one holder at a time, renew, release, expiry,
a dead owner's lease taken over at once, and a race of many takers through separate connections."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from core.owners import owner_token
from storage.base import MentionStore
from storage.leases import hold
from tests.storage.conftest import make_store

TTL = timedelta(minutes=1)
ME = owner_token()
# another live process on another host: its liveness cannot be checked from here, only its lease's expiry
ELSEWHERE = "other-host:4242:777"


def test_one_holder_at_a_time_then_released(store: MentionStore) -> None:
    first = store.acquire_lease("source:feed", ELSEWHERE, TTL)
    assert first is not None and first.owner == ELSEWHERE
    assert store.acquire_lease("source:feed", ME, TTL) is None
    assert store.acquire_lease("rule:care", ME, TTL) is not None, "keys are independent"
    renewed = store.renew_lease(first, TTL)
    assert renewed is not None and renewed.expires_at >= first.expires_at
    assert store.renew_lease(first, TTL) is None, "a stale version cannot renew"
    store.release_lease(renewed)
    assert store.get_lease("source:feed") is None
    assert store.acquire_lease("source:feed", ME, TTL) is not None


def test_an_expired_lease_is_taken_over_and_its_old_holder_cannot_renew_it(store: MentionStore) -> None:
    old = store.acquire_lease("rule:spike", ELSEWHERE, timedelta(seconds=1))
    assert old is not None
    assert store.acquire_lease("rule:spike", ME, TTL) is None
    time.sleep(1.3)
    mine = store.acquire_lease("rule:spike", ME, TTL)
    assert mine is not None and store.get_lease("rule:spike").owner == ME  # type: ignore[union-attr]
    assert store.renew_lease(old, TTL) is None
    store.release_lease(old)  # a lost lease's release leaves the new holder alone
    assert store.get_lease("rule:spike").owner == ME  # type: ignore[union-attr]


def test_a_dead_process_lease_is_taken_over_before_it_expires(store: MentionStore) -> None:
    child = subprocess.run([sys.executable, "-c", "from core.owners import owner_token; print(owner_token())"],
                           capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2])
    dead = child.stdout.strip()
    assert store.acquire_lease("source:forum", dead, timedelta(hours=1)) is not None
    assert store.acquire_lease("source:forum", ME, TTL) is not None


def test_hold_renews_while_the_job_runs_and_keeps_a_marker_when_asked(store: MentionStore) -> None:
    with hold(store, "source:slow", ME, timedelta(seconds=1.5)) as held:
        assert held is not None
        time.sleep(2.5)  # longer than the ttl: renewed meanwhile
        assert store.acquire_lease("source:slow", ELSEWHERE, TTL) is None
        assert not held.lost.is_set()
    assert store.get_lease("source:slow") is None
    with hold(store, "source:slow", ME) as held:
        assert held is not None
        held.keep_until = held.lease.expires_at + timedelta(minutes=5)
    with hold(store, "source:slow", ELSEWHERE) as other:
        assert other is None, "just done: the others skip it until the marker ends"


def test_many_takers_through_separate_connections_get_one_lease(store: MentionStore, tmp_path: Path,
                                                                request: pytest.FixtureRequest) -> None:
    es_url = request.getfixturevalue("es_url") if not hasattr(store, "path") else None
    stores = [make_store("sqlite" if es_url is None else "elasticsearch", tmp_path, es_url) for _ in range(6)]
    winners: list[str] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(len(stores))

    def take(i: int) -> None:
        gate.wait()
        try:
            if stores[i].acquire_lease("rule:race", f"other-host:{i}:1", TTL) is not None:
                winners.append(str(i))
        except BaseException as exc:  # (a thread's exception would otherwise only warn)
            errors.append(exc)

    threads = [threading.Thread(target=take, args=(i,)) for i in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for opened in stores:
        opened.close()
    assert not errors and len(winners) == 1, errors
