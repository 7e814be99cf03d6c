"""The store interfaces: MentionStore for mentions, AlertStore for alert events. Every backend (embedded SQLite,
Elasticsearch) answers the same questions alike; the dashboard's analytics are apart, in storage.analytics."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from core.model import AlertEvent, Incident, Mention

FACET_FIELDS: tuple[str, ...] = (
    "brands", "source", "platform", "lang", "sentiment", "intent", "topics", "author", "is_owned",
)
SORTS: tuple[str, ...] = ("published_at_desc", "published_at_asc", "relevance", "reach_desc")


@dataclass(frozen=True)
class MentionFilter:
    """Which mentions a question is about. Empty tuples and None mean 'no restriction'.

    Lists are OR within a field and AND across fields; `since` is inclusive, `until` exclusive.
    `text` is free text (words must all appear, full-text, case- and accent-insensitive).
    """

    text: str | None = None
    brands: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    sentiments: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    is_owned: bool | None = None
    unanswered: bool | None = None  # True: no reply from the brand yet (first_reply_at is null)
    ids: tuple[str, ...] = ()


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (mention id, reason), never dropped silently
    spooled: int = 0  # accepted but buffered on disk while the server is unreachable; written on a later call


@dataclass
class SearchPage:
    total: int
    items: list[Mention]


class MentionStore(ABC):
    """Mention persistence and the questions ingest, the alerts and the API ask of it."""

    url: str

    @abstractmethod
    def upsert(self, mentions: Sequence[Mention]) -> UpsertResult:
        """Insert or replace by id; idempotent. Links owned replies to what they answer (first_reply_at)."""

    @abstractmethod
    def get(self, mention_id: str) -> Mention | None: ...

    @abstractmethod
    def get_many(self, mention_ids: Sequence[str]) -> list[Mention]: ...

    @abstractmethod
    def ids_by_content_hash(self, hashes: Sequence[str]) -> dict[str, str]:
        """content_hash -> id of the stored mention carrying it (for syndication de-duplication)."""

    @abstractmethod
    def add_copies(self, mention_id: str, urls: Sequence[str]) -> None:
        """Link syndicated copies to the one mention they duplicate."""

    @abstractmethod
    def ids_by_url(self, urls: Sequence[str]) -> dict[str, str]:
        """canonical url -> id of the earliest published stored mention at it (a thread reference by URL)."""

    @abstractmethod
    def referring_to(self, ids: Sequence[str]) -> list[Mention]:
        """Stored mentions whose in_reply_to or thread_id is one of `ids` (a parent that arrives late)."""

    @abstractmethod
    def search(
        self, flt: MentionFilter, *, limit: int = 50, offset: int = 0, sort: str = "published_at_desc"
    ) -> SearchPage: ...

    @abstractmethod
    def count(self, flt: MentionFilter) -> int: ...

    @abstractmethod
    def count_buckets(self, flt: MentionFilter, interval: str) -> list[tuple[datetime, int]]:
        """Non-empty buckets (core.timebuckets) in time order: [(bucket_start, count)]."""

    @abstractmethod
    def facets(self, flt: MentionFilter, field: str, size: int = 10) -> list[tuple[str, int]]:
        """Top-`size` values of a facet field by count (ties by value), over the filtered mentions."""

    @abstractmethod
    def close(self) -> None: ...

    # derived questions: generic answers in terms of the methods above; backends may override them for speed
    def iter_mentions(self, flt: MentionFilter, batch: int = 500) -> Iterator[Mention]:
        """Every filtered mention, oldest first, by keyset paging on published_at (no deep offsets).

        Ties in published_at are ordered by id by every backend; the ids already seen at the cursor's instant
        are skipped, so no mention is returned twice or missed.
        """
        since = flt.since
        seen_at_cursor: set[str] = set()
        while True:
            limit = batch + len(seen_at_cursor)
            page = self.search(replace(flt, since=since), limit=limit, sort="published_at_asc")
            fresh = [m for m in page.items if m.id not in seen_at_cursor]
            yield from fresh
            if len(page.items) < limit or not fresh:
                return
            last = fresh[-1].published_at
            if last == since:
                seen_at_cursor |= {m.id for m in fresh}
            else:
                seen_at_cursor = {m.id for m in page.items if m.published_at == last}
            since = last

    def __enter__(self) -> MentionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AlertStore(ABC):
    """Alert events, persisted so that a restart neither forgets an open alert nor fires it twice."""

    @abstractmethod
    def save_alert(self, event: AlertEvent) -> None:
        """Insert or replace an alert event by id."""

    @abstractmethod
    def get_alert(self, alert_id: str) -> AlertEvent | None: ...

    @abstractmethod
    def list_alerts(
        self, *, brand: str | None = None, status: Sequence[str] = (), rule: str | None = None, limit: int = 100,
        opened_since: datetime | None = None, opened_until: datetime | None = None,
    ) -> list[AlertEvent]:
        """Newest first (by opened_at); those opened in [opened_since, opened_until) when given."""

    # incidents (alerts/incidents.py groups the alerts of one brand that overlap in time into one)
    @abstractmethod
    def save_incident(self, incident: Incident) -> None:
        """Insert or replace an incident by id."""

    @abstractmethod
    def get_incident(self, incident_id: str) -> Incident | None: ...

    @abstractmethod
    def list_incidents(
        self, brand: str | None = None, status: str | Sequence[str] | None = None, limit: int = 50
    ) -> list[Incident]:
        """Newest opened first (ties by id); `status` one status or several."""

    @abstractmethod
    def incident_of_alert(self, alert_id: str) -> Incident | None:
        """The newest opened incident holding the alert (an alert reopened after its incident resolved joins a
        newer one)."""


def statuses(status: str | Sequence[str] | None) -> list[str]:
    """list_incidents' `status` argument as a list (empty: any status)."""
    if status is None:
        return []
    return [status] if isinstance(status, str) else list(status)


@dataclass(frozen=True)
class Lease:
    """A claim kept in the store on one named job (`source:NAME` crawl, `rule:NAME` evaluation and staging) by
    one process (core.owners.owner_token) until `expires_at`; `version` is the backend's concurrency token."""

    key: str
    owner: str
    expires_at: datetime
    version: str = ""


class LeaseStore(ABC):
    """Leases shared by every Ascolto process on one store, so that two workers never run the same job at once.

    A lease is taken when it is free, expired, or held by a process that is certainly dead
    (core.owners.owner_dead); its holder renews it while the job runs and releases it after. Expiry compares the
    wall clocks of the hosts involved: they must agree to well within the lease's time to live (NTP).
    One process uses a key from one thread at a time (the scheduler's jobs never overlap themselves); taking a
    lease it already holds renews it.
    """

    @abstractmethod
    def acquire_lease(self, key: str, owner: str, ttl: timedelta) -> Lease | None:
        """The lease on `key` for `owner` until now + ttl, or None when another live holder has it."""

    @abstractmethod
    def renew_lease(self, lease: Lease, ttl: timedelta) -> Lease | None:
        """The lease extended to now + ttl, or None when it was lost meanwhile (expired and taken over)."""

    @abstractmethod
    def release_lease(self, lease: Lease) -> None:
        """Give the lease up; a lease lost meanwhile is left to its new holder."""

    @abstractmethod
    def get_lease(self, key: str) -> Lease | None:
        """The lease on `key` as stored (expired or not), or None."""
