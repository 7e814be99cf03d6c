"""Source health: every crawl of a source is logged in the store, so the dashboard, the `source_down` detector
and the alert windows know when a source has gone blind (a quiet hour from a failing crawl is not a normal hour)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from datetime import datetime
from statistics import median
from typing import Any

from core.model import CrawlRun


class CrawlLog(ABC):
    """The crawl runs of every source, newest first."""

    @abstractmethod
    def record_crawl(self, runs: list[CrawlRun]) -> None: ...

    @abstractmethod
    def crawl_runs(self, *, source: str | None = None, since: datetime | None = None,
                   until: datetime | None = None, limit: int = 1000, ok: bool | None = None) -> list[CrawlRun]:
        """Runs finished in [since, until), newest first; only the successful (or failed) ones when `ok` is given."""


@dataclass
class SourceHealth:
    source: str
    kind: str
    status: str  # "ok", "failing" (the latest run failed) or "never" (no successful run logged)
    last_run_at: datetime | None
    last_success_at: datetime | None
    error_streak: int  # failed runs since the last successful one
    last_errors: dict[str, int]
    items_last_run: int
    items_usual: float  # median stored per successful run, over the runs read

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("last_run_at", "last_success_at"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


def health_of(source: str, runs: list[CrawlRun], last_success: CrawlRun | None = None) -> SourceHealth:
    """A source's health from its runs, newest first; `last_success` is the newest successful run when it is
    older than every run read (then the error streak is at least the runs read, and is counted as that)."""
    streak = next((i for i, run in enumerate(runs) if run.ok), len(runs))
    success = runs[streak] if streak < len(runs) else last_success
    good = [run.stored for run in runs if run.ok]
    return SourceHealth(
        source=source, kind=runs[0].kind if runs else "",
        status="ok" if streak == 0 and runs else "failing" if success else "never",
        last_run_at=runs[0].finished_at if runs else None,
        last_success_at=success.finished_at if success else None,
        error_streak=streak, last_errors=dict(runs[0].error_kinds) if runs and not runs[0].ok else {},
        items_last_run=runs[0].stored if runs else 0, items_usual=float(median(good)) if good else 0.0)


def read_health(log: CrawlLog, source: str, now: datetime, runs: int = 50) -> SourceHealth:
    """A source's health as of `now` from its newest `runs` runs; when all of them failed, its last successful run
    is looked up apart (a source failing for days is 'failing' since then, not 'never' crawled)."""
    found = log.crawl_runs(source=source, until=now, limit=runs)
    success = None
    if len(found) == runs and not any(run.ok for run in found):
        success = next(iter(log.crawl_runs(source=source, until=now, limit=1, ok=True)), None)
    return health_of(source, found, success)


def source_health(log: CrawlLog, sources: list[str], now: datetime, runs_per_source: int = 50) -> list[SourceHealth]:
    """The health of each named source (configured ones, also those never crawled) as of `now`."""
    return [read_health(log, name, now, runs_per_source) for name in sources]


def blind_during(runs: list[CrawlRun], start: datetime, end: datetime) -> bool:
    """Was the source blind at some point in [start, end)? Its runs newest first, reaching back before `start`:
    blind from a failed run until the next successful one."""
    chronological = sorted(runs, key=lambda r: r.finished_at)
    before = [r for r in chronological if r.finished_at < start]
    if before and not before[-1].ok:
        return True
    return any(not r.ok for r in chronological if start <= r.finished_at < end)
