"""Leases (storage.base.LeaseStore) on Elasticsearch: one document per key in `{prefix}-leases`, written with
optimistic concurrency only, so two workers on one cluster never both hold a key.

A free key is taken with `op_type=create` (the second creator gets a conflict); a held one is taken over, renewed
or released with `if_seq_no` + `if_primary_term` of the version last read (whoever wrote in between makes that
write fail). Gets and conditional writes are realtime: no refresh is involved. Taking a lease also marks the
store for a refresh before its next search, so the job then reads the alert states its previous holder saved
(searches see other processes' writes only after a refresh).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from elasticsearch import ApiError, BadRequestError, ConflictError, Elasticsearch, NotFoundError

from core.owners import owner_dead
from storage.base import Lease, LeaseStore
from storage.es_schema import Layout

T = TypeVar("T")
LEASE_INDEX = {
    "settings": {"number_of_shards": 1, "auto_expand_replicas": "0-1"},
    "mappings": {"dynamic": "strict", "properties": {
        "key": {"type": "keyword"}, "owner": {"type": "keyword"}, "expires_at_ms": {"type": "long"},
    }},
}


SHARD_WAIT = (0.2, 0.5, 1.0, 2.0, 3.0)  # seconds between tries while the leases shard starts (or fails over)


def _patient(call: Callable[[], T]) -> T:
    """`call()`, tried again while the leases shard is not started yet (503: an index another worker has just
    created, whose primary is still recovering even once cluster health says yellow; or a primary moving to its
    replica after a node left): a worker starting beside another must not fall back to working unleased."""
    for pause in SHARD_WAIT:
        try:
            return call()
        except ApiError as exc:
            if exc.meta.status != 503:
                raise
            time.sleep(pause)
    return call()


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _version(response: Any) -> str:
    return f"{response['_seq_no']}:{response['_primary_term']}"


def _condition(version: str) -> dict[str, int]:
    seq_no, primary_term = version.split(":")
    return {"if_seq_no": int(seq_no), "if_primary_term": int(primary_term)}


class ElasticsearchLeases(LeaseStore):
    """Mixed into ElasticsearchStore (which provides client, layout and the refresh flag _dirty)."""

    client: Elasticsearch
    layout: Layout
    _dirty: bool

    @property
    def _lease_index(self) -> str:
        return f"{self.layout.prefix}-leases"

    def _ensure_lease_index(self) -> None:
        if getattr(self, "_leases_ready", False):
            return
        try:
            self.client.indices.create(index=self._lease_index, **LEASE_INDEX)
        except BadRequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise
        self.client.cluster.health(index=self._lease_index, wait_for_status="yellow", timeout="30s")
        self._leases_ready = True

    def _write_lease(self, key: str, owner: str, ttl: timedelta, condition: dict[str, Any]) -> Lease | None:
        expires = datetime.now(UTC) + ttl
        try:
            response = _patient(lambda: self.client.index(
                index=self._lease_index, id=key, refresh=False, **condition,
                document={"key": key, "owner": owner, "expires_at_ms": _ms(expires)}))
        except ConflictError:
            return None  # another process wrote first: it holds the lease
        return Lease(key=key, owner=owner, expires_at=datetime.fromtimestamp(_ms(expires) / 1000, UTC),
                     version=_version(response))

    def acquire_lease(self, key: str, owner: str, ttl: timedelta) -> Lease | None:
        self._ensure_lease_index()
        held = self.get_lease(key)
        if held is None:
            lease = self._write_lease(key, owner, ttl, {"op_type": "create"})
        elif held.owner == owner or held.expires_at <= datetime.now(UTC) or owner_dead(held.owner):
            lease = self._write_lease(key, owner, ttl, _condition(held.version))
        else:
            return None
        if lease is not None:
            self._dirty = True
        return lease

    def renew_lease(self, lease: Lease, ttl: timedelta) -> Lease | None:
        self._ensure_lease_index()
        return self._write_lease(lease.key, lease.owner, ttl, _condition(lease.version))

    def release_lease(self, lease: Lease) -> None:
        with contextlib.suppress(ConflictError, NotFoundError):  # lost meanwhile: the new holder's lease stays
            _patient(lambda: self.client.delete(index=self._lease_index, id=lease.key, refresh=False,
                                                **_condition(lease.version)))

    def get_lease(self, key: str) -> Lease | None:
        self._ensure_lease_index()
        response = _patient(lambda: self.client.options(ignore_status=404).get(index=self._lease_index, id=key))
        if not response.get("found"):
            return None
        source = response["_source"]
        return Lease(key=key, owner=source["owner"], version=_version(response),
                     expires_at=datetime.fromtimestamp(source["expires_at_ms"] / 1000, UTC))
