"""The MentionStore interface: every backend (embedded SQLite, Elasticsearch) answers the same questions alike."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from core.model import AlertEvent, Mention

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


@dataclass
class CareSnapshot:
    """What the care metrics and the overview need about one window, gathered in one go.

    `series` and everything else but `owned` are about inbound mentions (not the brand's own accounts).
    """

    series: dict[tuple[datetime, str | None], int]  # (bucket start, sentiment or None if unanalysed) -> mentions
    inbound: int
    owned: int
    complaints: int
    unanswered_complaints: list[datetime]  # publication times of complaints without a brand reply, ascending
    reply_delays: list[float]  # seconds to the brand's first reply, ascending
    topics: list[tuple[str, int]]  # top topics, as facets() ranks them


@dataclass(frozen=True)
class ReachRow:
    """One author or source with its mentions and reach (author_reach summed and at its largest)."""

    value: str
    mentions: int
    reach_sum: int
    reach_max: int


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
        """Non-empty buckets (core.timebuckets) in time order: [(bucket_start, count)]."""

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

    def reply_delays(self, flt: MentionFilter) -> list[float]:
        """Seconds from publication to the brand's first reply, ascending, for filtered mentions that got one."""
        answered = replace(flt, unanswered=False)
        delays = [
            (m.first_reply_at - m.published_at).total_seconds()
            for m in self.iter_mentions(answered)
            if m.first_reply_at is not None
        ]
        return sorted(max(0.0, d) for d in delays)

    def care_snapshot(self, flt: MentionFilter, interval: str, topic_size: int = 10) -> CareSnapshot:
        """Sentiment series, volumes, complaints, unanswered ones, reply delays and topics of `flt` (whose
        `is_owned` is ignored: inbound and owned are both counted, apart)."""
        inbound = replace(flt, is_owned=False)
        totals = dict(self.count_buckets(inbound, interval))
        series: dict[tuple[datetime, str | None], int] = {}
        unlabelled = dict(totals)
        for sentiment in ("negative", "neutral", "positive"):
            if flt.sentiments and sentiment not in flt.sentiments:
                continue
            for start, n in self.count_buckets(replace(inbound, sentiments=(sentiment,)), interval):
                series[(start, sentiment)] = n
                unlabelled[start] = unlabelled.get(start, 0) - n
        series.update({(start, None): n for start, n in unlabelled.items() if n > 0})
        complaint_count, waiting = 0, []
        if not flt.intents or "complaint" in flt.intents:
            complaints = replace(inbound, intents=("complaint",))
            complaint_count = self.count(complaints)
            waiting = [m.published_at for m in self.iter_mentions(replace(complaints, unanswered=True))]
        return CareSnapshot(
            series=series, inbound=sum(totals.values()), owned=self.count(replace(flt, is_owned=True)),
            complaints=complaint_count, unanswered_complaints=waiting,
            reply_delays=self.reply_delays(inbound), topics=self.facets(inbound, "topics", topic_size),
        )

    def sentiment_counts(self, flt: MentionFilter) -> dict[str | None, int]:
        """Mentions per sentiment (None: not analysed yet), zero counts left out."""
        counts: dict[str | None, int] = dict(self.facets(flt, "sentiment", size=10))
        rest = self.count(flt) - sum(counts.values())
        if rest > 0:
            counts[None] = rest
        return counts

    def brand_counts(self, flt: MentionFilter, brands: Sequence[str]) -> dict[str, int]:
        """Mentions of each brand under `flt` (whose own brand restriction is replaced)."""
        return {brand: self.count(replace(flt, brands=(brand,))) for brand in brands}

    def newest_texts(self, flt: MentionFilter, limit: int) -> list[str]:
        """'title text' of the first `limit` mentions search(flt) returns (newest first)."""
        return [f"{m.title or ''} {m.text}" for m in self.search(flt, limit=limit).items]

    def reach_by(self, flt: MentionFilter, field: str, size: int = 10) -> list[ReachRow]:
        """Top `size` authors or sources by summed author_reach (ties: more mentions, then value)."""
        if field not in ("author", "source"):
            raise ValueError(f"reach_by: field must be 'author' or 'source', not {field!r}")
        totals: dict[str, list[int]] = {}
        for m in self.iter_mentions(flt):
            value = getattr(m, field)
            if value is None:
                continue
            row = totals.setdefault(value, [0, 0, 0])
            reach = m.author_reach or 0
            row[0] += 1
            row[1] += reach
            row[2] = max(row[2], reach)
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:size]
        return [ReachRow(value, n, total, top) for value, (n, total, top) in ranked]

    def __enter__(self) -> MentionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
