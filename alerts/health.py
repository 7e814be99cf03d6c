"""Sources that have gone blind: the `source_down` detector, and the "incomplete" mark on alert windows.

A crawl that keeps failing makes a quiet hour look normal. So a rule's window in which a source that normally
brings the brand's mentions was failing is marked incomplete: its findings say which sources were blind, and no
open alert of the rule is resolved on it (no "back to normal" is declared on a window that could not see).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from alerts.findings import Finding
from core.config import AlertRule, Config, Source
from core.model import CrawlRun
from core.timebuckets import parse_interval
from storage.base import MentionFilter, MentionStore
from storage.health import CrawlLog, blind_during, read_health

log = logging.getLogger(__name__)

BASELINE = timedelta(days=7)  # a source "normally contributes" to a brand when it brought its mentions this recently
MIN_SHARE = 0.02  # ...at least this share of them (a source that brings one mention a month is not missed)
FAILURES = 3  # source_down: failed runs in a row before the alert


def _sources_of(config: Config, brand: str | None) -> list[Source]:
    return [s for s in config.sources if brand is None or not s.brands or brand in s.brands]


class BlindSources:
    """Which sources were blind in a rule's window, for one evaluation tick: each source's runs are read once per
    tick (not once per rule and brand), and a brand's usual sources only when one of them failed. A crawl log
    that cannot be read is logged and the tick goes on without source health: a missed spike costs more than a
    window wrongly judged complete."""

    def __init__(self, store: MentionStore, config: Config, now: datetime, lookback: timedelta) -> None:
        self.store, self.config = store, config
        self.since, self.now = now - lookback - timedelta(days=1), now
        self._runs: dict[str, list[CrawlRun]] | None = None

    @property
    def runs(self) -> dict[str, list[CrawlRun]]:
        if self._runs is None:
            self._runs = {}
            if isinstance(self.store, CrawlLog):
                try:
                    self._runs = {s.name: self.store.crawl_runs(source=s.name, since=self.since, until=self.now)
                                  for s in self.config.sources}
                except Exception:
                    log.exception("crawl log unreadable: this tick's alert windows are judged without source health")
        return self._runs

    def __call__(self, brand: str | None, start: datetime, end: datetime, only: Sequence[str] = ()) -> list[str]:
        """The sources that normally bring `brand`'s mentions and were blind at some point in [start, end);
        `only`: the rule's own sources filter (a rule about the forum does not go blind with the news feed)."""
        failing = [s.name for s in _sources_of(self.config, brand)
                   if (not only or s.name in only)
                   and (runs := [r for r in self.runs.get(s.name, ()) if r.finished_at < end])
                   and blind_during(runs, start, end)]
        if not failing:
            return []
        recent = MentionFilter(brands=(brand,) if brand else (), since=start - BASELINE, until=start)
        counts = dict(self.store.facets(replace(recent, sources=tuple(failing)), "source", len(failing)))
        total = self.store.count(recent)
        return sorted(name for name in failing if total and counts.get(name, 0) >= max(1.0, MIN_SHARE * total))


def source_down(store: MentionStore, config: Config, rule: AlertRule, brand: str | None,
                now: datetime) -> list[Finding]:
    """A source whose last `failures` crawls (option, default 3) all failed: it has gone blind."""
    if not isinstance(store, CrawlLog):
        return []
    failures = int(rule.options.get("failures", FAILURES))
    findings = []
    for source in _sources_of(config, brand):
        health = read_health(store, source.name, now)
        if health.error_streak < failures:
            continue
        interval = parse_interval(source.interval)
        blind_since = health.last_success_at or now - health.error_streak * interval
        hours = (now - blind_since).total_seconds() / 3600
        findings.append(Finding(
            key=f"source:{source.name}", firing=True,
            severity="critical" if health.error_streak >= 4 * failures else "warning",
            observed=float(health.error_streak), expected=0.0, window_start=blind_since, window_end=now,
            title=f"Source {source.name} is blind: {health.error_streak} failed crawls in a row",
            summary=f"The last {health.error_streak} crawls of {source.name} failed "
                    f"({', '.join(sorted(health.last_errors)) or 'errors'}); its mentions are missing for about "
                    f"{hours:.1f} h, so quiet windows of the brands it covers are incomplete. Usually it brings "
                    f"{health.items_usual:.0f} new mentions a run.",
            details={"source": source.name, "kind": source.kind, "error_streak": health.error_streak,
                     "last_success_at": health.last_success_at.isoformat() if health.last_success_at else None,
                     "last_errors": health.last_errors, "items_usual": health.items_usual,
                     "blind_hours": round(hours, 2)},
        ))
    return findings
