"""The crisis story of one brand over a window: what happened, where it started, how it spread, who amplified
it, the stories inside it, the terms that emerged and what the brand answered. The incident page, its API and the
PDF report all show this one object.

Every figure comes from the store's own questions, so SQLite and Elasticsearch answer alike and Elasticsearch is
asked for aggregations, never paged through: the timeline and the replies are the care snapshot
(storage.analytics.CareSnapshot), the spread is count_buckets per platform, the top authors by reach are
reach_by. Only what needs the texts (stories, engagement, emerging terms) reads mentions, and at most
MAX_READ of them, oldest first (the `read_complete` flag says whether that was all of the window).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from pydantic import BaseModel, Field

from core.model import Mention
from core.timebuckets import bucket_starts, parse_interval
from storage.analytics import MentionAnalytics
from storage.base import MentionFilter
from storage.story_clusters import StoryCluster, cluster_mentions

MAX_READ = 5_000  # mentions read for the stories and engagement: a crisis window of a few thousand, bounded
FIRST_N = 10
TOP_N = 10
SPREAD_PLATFORMS = 8
TERM_BUCKETS = 8  # emerging terms per bucket: a handful of periods, each with enough texts to say something
TERM_INTERVALS = ("1h", "3h", "6h", "12h", "1d", "2d", "7d", "30d")
TERM_SAMPLE = 200  # texts per term bucket (newest first), and BASELINE_SAMPLE from the week before the window
BASELINE_SAMPLE = 600
BASELINE = timedelta(days=7)
TEXT_CHARS = 500
# (texts of a period, texts of the week before the window) -> [{term, recent, baseline, lift}]; the term
# definition lives above the store layer (nlp.terms), so the caller hands it in
TermRanker = Callable[[list[str], list[str]], list[dict[str, Any]]]


class TimelineBucket(BaseModel):
    start: datetime
    volume: int  # inbound mentions (not the brand's own posts)
    negative: int
    negative_share: float | None
    complaints: int


class StoryAlert(BaseModel):
    """An alert marked on the timeline (added by the caller: the incident's alerts, or the brand's in the window)."""

    id: str
    opened_at: datetime
    resolved_at: datetime | None = None
    severity: str
    status: str
    rule: str
    detector: str
    title: str


class FirstMention(BaseModel):
    id: str
    published_at: datetime
    source: str
    platform: str
    author: str | None
    author_reach: int | None
    url: str | None
    title: str | None
    text: str  # cut to TEXT_CHARS; untrusted


class FirstSeen(BaseModel):
    """When a platform or source first carried the story, and how many mentions it carried in the window."""

    value: str
    first_at: datetime | None
    mentions: int


class PlatformSpread(BaseModel):
    platform: str
    total: int
    first_at: datetime | None
    counts: list[int]  # per timeline bucket


class Amplifier(BaseModel):
    author: str
    mentions: int
    reach: int  # summed author_reach
    reach_max: int
    engagement: int  # summed engagement (likes, shares, comments, score) of the mentions read


class EmergingTerm(BaseModel):
    term: str
    recent: int
    baseline: int
    lift: float


class TermsBucket(BaseModel):
    start: datetime
    documents: int
    terms: list[EmergingTerm]


class Replies(BaseModel):
    brand_posts: int  # posts from the brand's own accounts in the window
    answered: int  # inbound mentions with a reply from the brand
    first_reply_median_seconds: float | None
    first_reply_p90_seconds: float | None
    complaints: int
    unanswered: int  # complaints still without a reply
    unanswered_share: float | None


class CrisisStory(BaseModel):
    brand: str
    since: datetime
    until: datetime
    now: datetime
    tz: str
    interval: str
    total: int
    negative: int
    negative_share: float | None
    complaints: int
    timeline: list[TimelineBucket]
    alerts: list[StoryAlert] = Field(default_factory=list)
    first_mentions: list[FirstMention]
    first_by_platform: list[FirstSeen]
    first_by_source: list[FirstSeen]
    spread: list[PlatformSpread]
    amplifiers_by_reach: list[Amplifier]
    amplifiers_by_engagement: list[Amplifier]
    stories: list[StoryCluster]
    emerging_terms: list[TermsBucket]
    replies: Replies
    read: int  # mentions read for stories and engagement
    read_limit: int = MAX_READ
    read_complete: bool


def engagement_total(m: Mention) -> int:
    return int(m.interactions)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def crisis_story(store: MentionAnalytics, brand: str, since: datetime, until: datetime, now: datetime,
                 tz: str = "UTC", *, interval: str = "1h", terms: TermRanker | None = None) -> CrisisStory:
    """The story of `brand` over [since, until), ages measured at `now`. Buckets are UTC (core.timebuckets);
    `tz` is the reader's zone, carried for display."""
    window = MentionFilter(brands=(brand,), since=since, until=until)
    inbound = replace(window, is_owned=False)
    snapshot = store.care_snapshot(window, interval, topic_size=1, now=min(now, until))
    axis = bucket_starts(since, until, interval)
    timeline = _timeline(store, inbound, snapshot.series, axis, interval)
    read = list(islice(store.iter_mentions(inbound), MAX_READ))
    first = store.search(inbound, limit=FIRST_N, sort="published_at_asc").items
    spread = _spread(store, inbound, axis, interval)
    negative = sum(b.negative for b in timeline)
    r = snapshot.replies
    return CrisisStory(
        brand=brand, since=since, until=until, now=now, tz=tz, interval=interval, total=snapshot.inbound,
        negative=negative, negative_share=_share(negative, snapshot.inbound), complaints=snapshot.complaints,
        timeline=timeline, first_mentions=[_first(m) for m in first],
        first_by_platform=_in_order([FirstSeen(value=p.platform, first_at=p.first_at, mentions=p.total)
                                     for p in spread]),
        first_by_source=_first_by_source(store, inbound),
        spread=spread, amplifiers_by_reach=_by_reach(store, inbound, read),
        amplifiers_by_engagement=_by_engagement(read), stories=cluster_mentions(read, TOP_N),
        emerging_terms=_terms(store, inbound, since, until, terms) if terms else [],
        replies=Replies(brand_posts=snapshot.owned, answered=r.answered, first_reply_median_seconds=r.median_seconds,
                        first_reply_p90_seconds=r.p90_seconds, complaints=snapshot.complaints,
                        unanswered=r.unanswered, unanswered_share=_share(r.unanswered, snapshot.complaints)),
        read=len(read), read_complete=len(read) == snapshot.inbound,
    )


def _timeline(store: MentionAnalytics, inbound: MentionFilter, series: dict[tuple[datetime, str | None], int],
              axis: Sequence[datetime], interval: str) -> list[TimelineBucket]:
    volume: dict[datetime, int] = {}
    for (start, _), n in series.items():
        volume[start] = volume.get(start, 0) + n
    complaints = dict(store.count_buckets(replace(inbound, intents=("complaint",)), interval))
    rows = []
    for start in axis:
        neg = series.get((start, "negative"), 0)
        rows.append(TimelineBucket(start=start, volume=volume.get(start, 0), negative=neg,
                                   negative_share=_share(neg, volume.get(start, 0)),
                                   complaints=complaints.get(start, 0)))
    return rows


def _first(m: Mention) -> FirstMention:
    return FirstMention(id=m.id, published_at=m.published_at, source=m.source, platform=m.platform, author=m.author,
                        author_reach=m.author_reach, url=m.url, title=m.title, text=m.text[:TEXT_CHARS])


def _earliest(store: MentionAnalytics, flt: MentionFilter) -> datetime | None:
    page = store.search(flt, limit=1, sort="published_at_asc")
    return page.items[0].published_at if page.items else None


def _first_by_source(store: MentionAnalytics, inbound: MentionFilter) -> list[FirstSeen]:
    """The top sources by mentions, each with its first mention, in the order they joined."""
    return _in_order([FirstSeen(value=value, mentions=n, first_at=_earliest(store, replace(inbound, sources=(value,))))
                      for value, n in store.facets(inbound, "source", SPREAD_PLATFORMS)])


def _in_order(rows: list[FirstSeen]) -> list[FirstSeen]:
    return sorted(rows, key=lambda r: (r.first_at is None, r.first_at or datetime.max, r.value))


def _spread(store: MentionAnalytics, inbound: MentionFilter, axis: Sequence[datetime],
            interval: str) -> list[PlatformSpread]:
    position = {start: i for i, start in enumerate(axis)}
    rows = []
    for platform, total in store.facets(inbound, "platform", SPREAD_PLATFORMS):
        scoped = replace(inbound, platforms=(platform,))
        counts = [0] * len(axis)
        for start, n in store.count_buckets(scoped, interval):
            if start in position:
                counts[position[start]] = n
        rows.append(PlatformSpread(platform=platform, total=total, first_at=_earliest(store, scoped), counts=counts))
    return rows


def _engagement_by_author(read: Sequence[Mention]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for m in read:
        if m.author is not None:
            totals[m.author] = totals.get(m.author, 0) + engagement_total(m)
    return totals


def _by_reach(store: MentionAnalytics, inbound: MentionFilter, read: Sequence[Mention]) -> list[Amplifier]:
    engagement = _engagement_by_author(read)
    return [Amplifier(author=r.value, mentions=r.mentions, reach=r.reach_sum, reach_max=r.reach_max,
                      engagement=engagement.get(r.value, 0)) for r in store.reach_by(inbound, "author", TOP_N)]


def _by_engagement(read: Sequence[Mention]) -> list[Amplifier]:
    rows: dict[str, list[int]] = {}
    for m in read:
        if m.author is None:
            continue
        row = rows.setdefault(m.author, [0, 0, 0, 0])
        row[0] += 1
        row[1] += m.author_reach or 0
        row[2] = max(row[2], m.author_reach or 0)
        row[3] += engagement_total(m)
    ranked = sorted((kv for kv in rows.items() if kv[1][3] > 0), key=lambda kv: (-kv[1][3], -kv[1][1], kv[0]))
    return [Amplifier(author=a, mentions=n, reach=s, reach_max=top, engagement=e)
            for a, (n, s, top, e) in ranked[:TOP_N]]


def term_interval(since: datetime, until: datetime) -> str:
    """The shortest of TERM_INTERVALS that cuts the window into at most TERM_BUCKETS periods."""
    for interval in TERM_INTERVALS:
        if (until - since) / parse_interval(interval) <= TERM_BUCKETS:
            return interval
    return TERM_INTERVALS[-1]


def _terms(store: MentionAnalytics, inbound: MentionFilter, since: datetime, until: datetime,
           rank: TermRanker) -> list[TermsBucket]:
    try:
        before = since - BASELINE
    except OverflowError:  # a window starting in the calendar's first week has no week before it
        before = since
    baseline = store.newest_texts(replace(inbound, since=before, until=since), BASELINE_SAMPLE)
    step_name = term_interval(since, until)
    step = parse_interval(step_name)
    rows = []
    for start in bucket_starts(since, until, step_name):
        period = replace(inbound, since=max(start, since), until=min(start + step, until))
        texts = store.newest_texts(period, TERM_SAMPLE)
        found = [EmergingTerm(**t) for t in rank(texts, baseline)] if texts else []
        rows.append(TermsBucket(start=start, documents=len(texts), terms=found))
    return rows
