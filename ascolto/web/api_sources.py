"""Source health: each source's last crawl, last success, error streak and usual yield (storage.health)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel

from ascolto.web.api import Conf, Store
from ascolto.web.params import PROBLEMS
from storage.health import CrawlLog, source_health

router = APIRouter(prefix="/api", responses=PROBLEMS)


class SourceHealthItem(BaseModel):
    source: str
    kind: str
    status: str  # ok | failing | never
    last_run_at: datetime | None
    last_success_at: datetime | None
    error_streak: int
    last_errors: dict[str, int]
    items_last_run: int
    items_usual: float


class SourceHealthList(BaseModel):
    sources: list[SourceHealthItem]


@router.get("/sources", response_model=SourceHealthList, summary="Health of each source: is any crawl failing?")
def sources(store: Store, config: Conf) -> SourceHealthList:
    if not isinstance(store, CrawlLog):
        return SourceHealthList(sources=[])
    now = datetime.now(UTC)
    names = [s.name for s in config.sources] if config is not None else \
        sorted({run.source for run in store.crawl_runs(until=now, limit=1000)})
    kinds = {s.name: s.kind for s in config.sources} if config is not None else {}
    items = []
    for health in source_health(store, names, now):
        item = SourceHealthItem(**health.__dict__)
        item.kind = item.kind or kinds.get(item.source, "")
        items.append(item)
    return SourceHealthList(sources=items)
