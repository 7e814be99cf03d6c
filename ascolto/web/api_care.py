"""Care endpoints: the care metrics, the queue of complaints awaiting a reply, and the per-brand overview."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, cast

from fastapi import APIRouter, Query

from ascolto.story import brand_words
from ascolto.web.api import MAX_PAGE, Conf, Filter, Store, Win, configured_brands
from ascolto.web.cache import per_minute_asked
from ascolto.web.metrics import (
    ask_share_of_voice,
    care_metrics,
    happiness_trend,
    previous_window,
    sentiment_series,
    target_minutes,
    voice_rows,
)
from ascolto.web.params import PROBLEMS, Interval, choose_interval, with_window
from ascolto.web.schemas import AlertMarker, CareQueue, CareResponse, FacetCount, Overview, QueueItem
from ascolto.web.terms import ask_emerging_counts, ranked_emerging
from storage.analytics import MentionAnalytics
from storage.base import MentionStore

router = APIRouter(prefix="/api", responses=PROBLEMS)
QUEUE_WINDOW = timedelta(days=30)  # complaints older than this are history, not the queue
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ascolto-overview")


def _analytics(store: MentionStore) -> MentionAnalytics:
    return cast(MentionAnalytics, store)


@router.get("/care", response_model=CareResponse, summary="Care metrics of one brand over a window")
def care(store: Store, config: Conf, flt: Filter, window: Win) -> CareResponse:
    brand = flt.brands[0] if flt.brands else None
    scoped = replace(with_window(flt, window), is_owned=None)
    interval = "1d" if window.until - window.since > timedelta(days=2) else "1h"
    now = min(window.until, datetime.now(UTC))
    target = target_minutes(config, brand)
    # asked together: side by side on SQLite, one multi-search on Elasticsearch
    with _analytics(store).together(_POOL) as ask:
        before = (ask(_analytics(store).sentiment_counts, previous_window(scoped))
                  if scoped.since is not None and scoped.until is not None else None)
        asked = ask(_analytics(store).care_snapshot, scoped, interval, topic_size=1, now=now, target_minutes=target)
    snapshot = asked.result()
    metrics = care_metrics(store, scoped, snapshot, now, target, before=before.result() if before else None)
    axis, series = sentiment_series(snapshot, window.since, window.until, interval)
    return CareResponse(
        brand=brand, since=window.since, until=window.until, care=metrics,  # type: ignore[arg-type]
        trend=happiness_trend(axis, series, interval),  # type: ignore[arg-type]
    )


@router.get("/care/queue", response_model=CareQueue, summary="Complaints awaiting a reply, oldest first")
def care_queue(
    store: Store, config: Conf, flt: Filter,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    days: Annotated[int, Query(ge=1, le=365, description="how far back the queue reaches")] = QUEUE_WINDOW.days,
) -> CareQueue:
    now = datetime.now(UTC)
    brand = flt.brands[0] if flt.brands else None
    target = target_minutes(config, brand)
    queue = replace(flt, intents=("complaint",), is_owned=False, unanswered=True,
                    since=now - timedelta(days=days), until=None)
    page = store.search(queue, limit=limit, offset=offset, sort="published_at_asc")
    items = []
    for m in page.items:
        age = max(0.0, (now - m.published_at).total_seconds())
        items.append(QueueItem(mention=m, age_seconds=round(age, 1), over_target=age > target * 60))
    return CareQueue(brand=brand, target_minutes=target, total=page.total, offset=offset, items=items)


@router.get("/overview", response_model=Overview, summary="Everything the brand overview shows, in one call")
def overview(
    store: Store, config: Conf, flt: Filter, window: Win,
    interval: Interval = None,
) -> Overview:
    brand = flt.brands[0] if flt.brands else None
    step = choose_interval(window, interval)
    scoped = replace(with_window(flt, window), is_owned=None)
    now = min(window.until, datetime.now(UTC))
    inbound = replace(scoped, is_owned=False)
    # independent questions asked together: side by side on SQLite (WAL), in one multi-search per round on
    # Elasticsearch (two round trips); the comparative context moves slowly: memoised per minute (see
    # ascolto.web.cache); care figures stay live
    key = (store.url, replace(inbound, since=None, until=None), window.until - window.since)
    names = configured_brands(store, config)
    target = target_minutes(config, brand)
    analytics, words = _analytics(store), brand_words(config, brand)
    with analytics.together(_POOL) as ask:
        asked = {
            "snapshot": ask(analytics.care_snapshot, scoped, step, 8, now=now, target_minutes=target),
            "before": per_minute_asked(("before", key), now,
                                       lambda: ask(analytics.sentiment_counts, previous_window(scoped))),
            "voice": per_minute_asked(("voice", key, tuple(names)), now,
                                      lambda: ask_share_of_voice(ask, store, inbound, names)),
            "terms": per_minute_asked(("terms", key), now,
                                      lambda: ask_emerging_counts(ask, store, inbound, now, words)),
            "alerts": ask(store.list_alerts, brand=brand, limit=200, opened_since=window.since,
                          opened_until=window.until),
            "open": ask(store.list_alerts, brand=brand, status=("open",), limit=500),
        }
    alerts = asked["alerts"].result()
    open_alerts = len(asked["open"].result())
    snapshot = asked["snapshot"].result()
    axis, series = sentiment_series(snapshot, window.since, window.until, step)
    metrics = care_metrics(store, scoped, snapshot, now, target, before=asked["before"].result())
    return Overview(
        brand=brand, since=window.since, until=window.until, interval=step, buckets=axis, series=series,
        alerts=[AlertMarker(id=a.id, opened_at=a.opened_at, severity=a.severity, status=a.status, title=a.title,
                            rule=a.rule) for a in alerts],
        total=snapshot.inbound, complaints=snapshot.complaints,
        complaint_share=round(snapshot.complaints / snapshot.inbound, 4) if snapshot.inbound else None,
        share_of_voice=voice_rows(asked["voice"].result()),
        topics=[FacetCount(value=v, count=n) for v, n in snapshot.topics],
        emerging_terms=ranked_emerging(asked["terms"].result(), 8),
        care=metrics,  # type: ignore[arg-type]
        happiness_trend=happiness_trend(axis, series, step),  # type: ignore[arg-type]
        open_alerts=open_alerts,
    )

