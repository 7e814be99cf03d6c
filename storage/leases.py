"""Holding a store lease (storage.base.LeaseStore) for the length of a job: taken before, renewed by a thread
while the job runs, then released or kept as a marker until a given time (so other workers skip a job just done).

Keys name the job: `source:NAME` for a source's crawl, `rule:NAME` for one alert rule's evaluation and staging.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from storage.base import Lease, LeaseStore

log = logging.getLogger(__name__)

LEASE_TTL = timedelta(minutes=2)  # a dead worker's job is taken over within this; renewed every third of it


def source_key(name: str) -> str:
    return f"source:{name}"


def rule_key(name: str) -> str:
    return f"rule:{name}"


INCIDENTS_KEY = "incidents"  # the grouping of every brand's alerts into incidents, once per tick by one worker


class HeldLease:
    """A lease taken by `hold`: renewed every ttl/3 until the block ends. `lost` is set when a renewal found it
    taken over (the holder was thought dead: its clock or its process stalled past the time to live)."""

    def __init__(self, store: LeaseStore, lease: Lease, ttl: timedelta) -> None:
        self.store, self.lease, self.ttl = store, lease, ttl
        self.keep_until: datetime | None = None  # set by the job: keep the lease as a marker until then
        self.lost = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._renew, name=f"lease {lease.key}", daemon=True)

    def _renew(self) -> None:
        while not self._done.wait(self.ttl.total_seconds() / 3):
            try:
                renewed = self.store.renew_lease(self.lease, self.ttl)
            except Exception as exc:  # the store away for a moment: the lease lasts its ttl, try again
                log.warning("lease %s: renewal failed (%s); retried", self.lease.key, exc)
                continue
            if renewed is None:
                log.warning("lease %s: lost to another worker while the job ran", self.lease.key)
                self.lost.set()
                return
            self.lease = renewed

    def _end(self) -> None:
        self._done.set()
        self._thread.join()
        if self.lost.is_set():
            return
        try:
            left = (self.keep_until - datetime.now(UTC)) if self.keep_until else timedelta(0)
            if left > timedelta(seconds=1):
                self.store.renew_lease(self.lease, left)
            else:
                self.store.release_lease(self.lease)
        except Exception as exc:  # it expires by itself
            log.warning("lease %s: could not release it (%s); it expires within %s", self.lease.key, exc, self.ttl)


@contextlib.contextmanager
def hold(store: LeaseStore, key: str, owner: str, ttl: timedelta = LEASE_TTL) -> Iterator[HeldLease | None]:
    """The lease on `key` for the block (None when another worker holds it: the caller skips the job).
    Errors of the store while taking it propagate: the caller decides whether the job may run unleased."""
    lease = store.acquire_lease(key, owner, ttl)
    if lease is None:
        yield None
        return
    held = HeldLease(store, lease, ttl)
    held._thread.start()
    try:
        yield held
    finally:
        held._end()
