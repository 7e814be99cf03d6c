"""The dashboard's analytics: derived questions answered generically from the MentionStore interface.

Backends may override them for speed (storage.sqlite_care, storage.es_care); the answers must stay the same.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from core.model import Mention
from core.terms import mention_terms, text_terms
from storage.base import MentionFilter, MentionStore
from storage.together import Together


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100) of ascending values; None when there are none."""
    if not sorted_values:
        return None
    rank = (len(sorted_values) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


@dataclass(frozen=True)
class ReplyFigures:
    """First-reply delays and the complaints still waiting, as figures (a store computes them without handing
    over every mention). Delays are seconds; 'over' counts are complaints published before now − limit."""

    answered: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None
    within_target: int = 0  # answered within the target (delay <= target)
    unanswered: int = 0
    over_target: int = 0
    over_24h: int = 0
    oldest_unanswered: datetime | None = None


def reply_figures(delays: Sequence[float], waiting: Sequence[datetime], now: datetime,
                  target_minutes: int) -> ReplyFigures:
    """The figures of ascending delays and ascending publication times of unanswered complaints."""
    return ReplyFigures(
        answered=len(delays), median_seconds=percentile(delays, 50), p90_seconds=percentile(delays, 90),
        within_target=sum(1 for d in delays if d <= target_minutes * 60), unanswered=len(waiting),
        over_target=bisect_left(waiting, now - timedelta(minutes=target_minutes)),
        over_24h=bisect_left(waiting, now - timedelta(days=1)), oldest_unanswered=waiting[0] if waiting else None,
    )


def snapshot_now(flt: MentionFilter, now: datetime | None) -> datetime:
    """The instant ages are measured at: given, else the window's end if it is past, else the present."""
    if now is not None:
        return now
    present = datetime.now(UTC)
    return min(flt.until, present) if flt.until is not None else present


@dataclass
class CareSnapshot:
    """What the care metrics and the overview need about one window, gathered in one go.

    `series` and everything else but `owned` are about inbound mentions (not the brand's own accounts).
    """

    series: dict[tuple[datetime, str | None], int]  # (bucket start, sentiment or None if unanalysed) -> mentions
    inbound: int
    owned: int
    complaints: int
    replies: ReplyFigures  # first-reply delays and unanswered complaints of the inbound mentions
    topics: list[tuple[str, int]]  # top topics, as facets() ranks them


@dataclass(frozen=True)
class ReachRow:
    """One author or source with its mentions and reach (author_reach summed and at its largest)."""

    value: str
    mentions: int
    reach_sum: int
    reach_max: int


@dataclass(frozen=True)
class TermCounts:
    """In how many mentions each term (core.terms) appears, over `mentions` mentions."""

    mentions: int
    counts: dict[str, int]


@dataclass(frozen=True)
class RateSpread:
    """Median and median absolute deviation of the engagement rates (engagement_rate) of `mentions` mentions."""

    mentions: int
    center: float | None = None
    deviation: float | None = None

    @classmethod
    def of(cls, rates: Sequence[float]) -> RateSpread:
        if not rates:
            return cls(0)
        center = statistics.median(rates)
        return cls(len(rates), center, statistics.median(abs(r - center) for r in rates))


@dataclass(frozen=True)
class ReplyTime:
    """When a mention was published and first answered (None: not yet): what a reply-queue forecast reads."""

    id: str
    published_at: datetime
    first_reply_at: datetime | None


def engagement_rate(mention: Mention, now: datetime) -> float:
    """viral_mention's measure of a mention at `now` (interaction_rate)."""
    return interaction_rate(mention.interactions, (now - mention.published_at).total_seconds())


def interaction_rate(total: float, age_seconds: float) -> float:
    """log1p(interactions per hour since publication), the hours at least a quarter."""
    return math.log1p(total / max(age_seconds / 3600, 0.25))


class QueryLanguage(Protocol):
    """A parsed brand query (nlp.query.Query; the store layer sits below nlp and sees only this)."""

    def matches(self, text: str) -> bool: ...

    def to_es(self, fields: tuple[str, ...] = ...) -> dict[str, Any]: ...


@dataclass
class QueryPage:
    """One page of the mentions a query-language search selects, with the exact total and facets."""

    total: int
    items: list[Mention]
    facets: dict[str, list[tuple[str, int]]]


class MentionAnalytics(MentionStore):
    """A MentionStore with the dashboard's questions: care snapshots, sentiment and brand counts, reach."""

    def together(self, pool: Executor | None = None) -> Together:
        """Several questions asked at once (storage/together.py): here each runs in `pool`, side by side."""
        return Together(pool)

    def reply_delays(self, flt: MentionFilter) -> list[float]:
        """Seconds from publication to the brand's first reply, ascending, for filtered mentions that got one."""
        answered = replace(flt, unanswered=False)
        delays = [
            (m.first_reply_at - m.published_at).total_seconds()
            for m in self.iter_mentions(answered)
            if m.first_reply_at is not None
        ]
        return sorted(max(0.0, d) for d in delays)

    def care_snapshot(self, flt: MentionFilter, interval: str, topic_size: int = 10, *, now: datetime | None = None,
                      target_minutes: int = 60) -> CareSnapshot:
        """Sentiment series, volumes, complaints, unanswered ones, reply delays and topics of `flt` (whose
        `is_owned` is ignored: inbound and owned are both counted, apart); ages are measured at `now`
        (snapshot_now) against a reply target of `target_minutes`."""
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
            complaints=complaint_count, topics=self.facets(inbound, "topics", topic_size),
            replies=reply_figures(self.reply_delays(inbound), waiting, snapshot_now(flt, now), target_minutes),
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

    def query_search(
        self, flt: MentionFilter, query: QueryLanguage, *, sort: str = "published_at_desc", limit: int = 50,
        offset: int = 0, facet_fields: Sequence[str] = (), facet_size: int = 10,
    ) -> QueryPage | None:
        """The query language evaluated by the store itself, or None when it cannot (the caller then evaluates
        `query.matches` over the candidates: ascolto.web.searching)."""
        return None

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

    # the alert detectors' questions (alerts/): figures of the newest mentions of a window, and a few samples
    def earliest(self, flt: MentionFilter) -> datetime | None:
        """published_at of the oldest filtered mention (None: there is none)."""
        items = self.search(flt, limit=1, sort="published_at_asc").items
        return items[0].published_at if items else None

    def sample(self, flt: MentionFilter, n: int, sort: str = "published_at_desc") -> list[Mention]:
        """The first `n` filtered mentions in `sort` order, as evidence (a store may fetch only the fields that an
        alert's samples show: alerts.state)."""
        return self.search(flt, limit=n, sort=sort).items

    def counts(self, flts: Sequence[MentionFilter]) -> list[int]:
        """count() of each filter (a store may ask them in one round trip)."""
        return [self.count(flt) for flt in flts]

    def reply_times(self, flt: MentionFilter, newest: int) -> list[ReplyTime]:
        """Publication and first-reply times of the newest `newest` filtered mentions, newest first."""
        return [ReplyTime(m.id, m.published_at, m.first_reply_at) for m in self.search(flt, limit=newest).items]

    def term_counts(self, flt: MentionFilter, newest: int, exclude: Collection[str] = (), *, min_count: int = 1,
                    only: Collection[str] | None = None, phrases: bool = False) -> TermCounts:
        """In how many of the newest `newest` filtered mentions (search order) each term appears, over how many
        mentions: terms whose bare form is in `exclude` left out, only those in `only` (when given), and only
        those in at least `min_count` mentions. `phrases`: the two-word phrases too (core.terms.mention_phrases;
        a phrase with an excluded word is left out)."""
        texts = self.newest_texts(flt, newest)  # 'title text', as mention_terms joins them
        excluded = frozenset(exclude)
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(text_terms(text, excluded, with_phrases=phrases))
        kept = {t: c for t, c in counts.items() if c >= min_count and (only is None or t in only)}
        return TermCounts(len(texts), kept)

    def emerging_counts(self, recent: MentionFilter, recent_n: int, baseline: MentionFilter, baseline_n: int,
                        exclude: Collection[str], min_count: int) -> tuple[TermCounts, TermCounts]:
        """The dashboard's emerging-terms question: term_counts with phrases of the newest `recent_n` mentions of
        `recent` (at least `min_count` each), and of the newest `baseline_n` of `baseline` for those terms only
        (a store may ask both at once)."""
        found = self.term_counts(recent, recent_n, exclude, min_count=min_count, phrases=True)
        return found, self.term_counts(baseline, baseline_n, exclude, only=set(found.counts), phrases=True)

    def with_term(self, flt: MentionFilter, newest: int, term: str, n: int = 3) -> list[Mention]:
        """The first `n` (newest first) of the newest `newest` filtered mentions whose terms include `term`."""
        items = self.search(flt, limit=newest).items
        return [m for m in items if term in mention_terms(m.title, m.text)][:n]

    def engagement_spread(self, flt: MentionFilter, newest: int, now: datetime) -> RateSpread:
        """Median and median absolute deviation of the engagement rates at `now` of those of the newest `newest`
        filtered mentions that carry engagement figures."""
        return RateSpread.of([engagement_rate(m, now) for m in self.search(flt, limit=newest).items if m.engagement])

    def fastest(self, flt: MentionFilter, newest: int, now: datetime, *, min_rate: float, min_total: int,
                n: int = 5) -> list[Mention]:
        """Of the newest `newest` filtered mentions, the first `n` by engagement rate at `now` (highest first;
        ties newest first) among those with engagement, a rate of at least `min_rate` and `min_total`
        interactions."""
        found = []
        for m in self.search(flt, limit=newest).items:
            if m.engagement and m.interactions >= min_total and (rate := engagement_rate(m, now)) >= min_rate:
                found.append((rate, m))
        found.sort(key=lambda pair: -pair[0])
        return [m for _, m in found[:n]]
