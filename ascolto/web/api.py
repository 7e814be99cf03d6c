"""The read API: mentions search, time series, breakdowns, share of voice, top authors and sources by reach."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from ascolto.web.metrics import share_of_voice, target_minutes
from ascolto.web.params import (
    MAX_LIST,
    NOT_FOUND,
    PROBLEMS,
    Interval,
    Window,
    choose_interval,
    config_of,
    dense_axis,
    filter_params,
    store_of,
    window_params,
    with_window,
)
from ascolto.web.schemas import (
    BrandInfo,
    BrandList,
    Breakdown,
    FacetCount,
    ReachItem,
    SearchResult,
    ShareOfVoice,
    TimeSeries,
    TopReach,
)
from ascolto.web.searching import MAX_SCANNED, SEARCH_FACETS, search_mentions
from core.config import Config
from core.model import Mention
from storage.base import MentionFilter, MentionStore

router = APIRouter(prefix="/api", responses=PROBLEMS)
MAX_PAGE = 200
BREAKDOWN_FIELDS = ("sentiment", "intent", "topics", "source", "platform", "lang", "brands", "author", "is_owned")
SortName = Literal["published_at_desc", "published_at_asc", "relevance", "reach_desc"]
Store = Annotated[MentionStore, Depends(store_of)]
Conf = Annotated[Config | None, Depends(config_of)]
Filter = Annotated[MentionFilter, Depends(filter_params)]
Win = Annotated[Window, Depends(window_params)]


def configured_brands(store: MentionStore, config: Config | None) -> list[str]:
    if config is not None:
        return [b.name for b in config.brands]
    return [name for name, _ in store.facets(MentionFilter(), "brands", size=50)]


def parse_or_400(q: str) -> object:
    from nlp.query import QuerySyntaxError, parse_query

    try:
        return parse_query(q)
    except QuerySyntaxError as exc:
        raise HTTPException(400, f"query syntax: {exc}") from None


@router.get("/brands", response_model=BrandList, summary="Brands watched, with their care target")
def brands(store: Store, config: Conf) -> BrandList:
    names = configured_brands(store, config)
    return BrandList(brands=[BrandInfo(name=n, target_minutes=target_minutes(config, n)) for n in names])


@router.get("/mentions", response_model=SearchResult, summary="Search mentions (query language, filters, facets)")
def mentions(
    store: Store, flt: Filter, window: Win,
    q: Annotated[str | None, Query(max_length=1000, description="brand query language (nlp.query)")] = None,
    sort: SortName = "published_at_desc",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_SCANNED)] = 0,
    facets: Annotated[bool, Query(description="include facet counts")] = True,
) -> SearchResult:
    query = parse_or_400(q) if q and q.strip() else None
    result = search_mentions(
        store, with_window(flt, window), query=query, sort=sort, limit=limit, offset=offset,
        facet_fields=SEARCH_FACETS if facets else (),
    )
    return SearchResult(
        total=result["total"], total_exact=result["total_exact"], offset=offset, limit=limit, items=result["items"],
        facets={f: [FacetCount(value=v, count=n) for v, n in rows] for f, rows in result["facets"].items()},
    )


@router.get("/mentions/{mention_id}", response_model=Mention, summary="One mention", responses=NOT_FOUND)
def mention(store: Store, mention_id: Annotated[str, Path(max_length=100)]) -> Mention:
    found = store.get(mention_id)
    if found is None:
        raise HTTPException(404, "no such mention")
    return found


@router.get("/timeseries", response_model=TimeSeries, summary="Mention counts per time bucket, optionally split")
def timeseries(
    store: Store, flt: Filter, window: Win,
    interval: Interval = None,
    split: Literal["none", "sentiment", "intent"] = "none",
) -> TimeSeries:
    step = choose_interval(window, interval)
    axis = dense_axis(window, step)
    position = {start: i for i, start in enumerate(axis)}
    base = with_window(flt, window)
    if split == "none":
        groups: dict[str, MentionFilter] = {"total": base}
    elif split == "sentiment":
        groups = {s: replace(base, sentiments=(s,)) for s in ("negative", "neutral", "positive")}
    else:
        groups = {i: replace(base, intents=(i,)) for i in ("complaint", "question", "praise", "other")}
    series = {}
    for name, group in groups.items():
        counts = [0] * len(axis)
        for start, n in store.count_buckets(group, step):
            if start in position:
                counts[position[start]] = n
        series[name] = counts
    return TimeSeries(interval=step, since=window.since, until=window.until, buckets=axis, series=series)


@router.get("/breakdown/{field}", response_model=Breakdown, summary="Top values of one field by mention count")
def breakdown(
    store: Store, flt: Filter, window: Win, field: Literal[BREAKDOWN_FIELDS],  # type: ignore[valid-type]
    size: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Breakdown:
    scoped = with_window(flt, window)
    rows = store.facets(scoped, field, size)
    return Breakdown(field=field, total=store.count(scoped), values=[FacetCount(value=v, count=n) for v, n in rows])


@router.get("/share-of-voice", response_model=ShareOfVoice, summary="Mentions per brand and each brand's share")
def share_of_voice_endpoint(
    store: Store, config: Conf, flt: Filter, window: Win,
    brand_list: Annotated[list[str], Query(alias="brands", max_length=MAX_LIST)] = [],  # noqa: B006
) -> ShareOfVoice:
    names = brand_list or configured_brands(store, config)
    rows = share_of_voice(store, with_window(flt, window), names)
    return ShareOfVoice(since=window.since, until=window.until, brands=rows)  # type: ignore[arg-type]


@router.get("/top/{field}", response_model=TopReach, summary="Top authors or sources by reach")
def top_by_reach(
    store: Store, flt: Filter, window: Win, field: Literal["authors", "sources"],
    size: Annotated[int, Query(ge=1, le=50)] = 10,
) -> TopReach:
    rows = store.reach_by(with_window(flt, window), field.removesuffix("s"), size)
    return TopReach(field=field, items=[ReachItem(**r.__dict__) for r in rows])
