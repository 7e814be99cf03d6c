"""The MentionStore interface: every backend (embedded SQLite, Elasticsearch) answers the same questions alike."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ascolto.model import AlertEvent, Mention

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


@dataclass
class SearchPage:
    total: int
    items: list[Mention]


class MentionStore(ABC):
    """Persistence and the questions the API, the alerts and the dashboard ask of it."""

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
    def search(
        self, flt: MentionFilter, *, limit: int = 50, offset: int = 0, sort: str = "published_at_desc"
    ) -> SearchPage: ...

    @abstractmethod
    def count(self, flt: MentionFilter) -> int: ...

    @abstractmethod
    def count_buckets(self, flt: MentionFilter, interval: str) -> list[tuple[datetime, int]]:
        """Non-empty buckets (ascolto.timebuckets) in time order: [(bucket_start, count)]."""

    @abstractmethod
    def facets(self, flt: MentionFilter, field: str, size: int = 10) -> list[tuple[str, int]]:
        """Top-`size` values of a facet field by count (ties by value), over the filtered mentions."""

    # alert events: persisted so a restart neither forgets an open alert nor fires it twice
    @abstractmethod
    def save_alert(self, event: AlertEvent) -> None:
        """Insert or replace an alert event by id."""

    @abstractmethod
    def get_alert(self, alert_id: str) -> AlertEvent | None: ...

    @abstractmethod
    def list_alerts(
        self, *, brand: str | None = None, status: Sequence[str] = (), rule: str | None = None, limit: int = 100
    ) -> list[AlertEvent]:
        """Newest first (by opened_at)."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> MentionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
