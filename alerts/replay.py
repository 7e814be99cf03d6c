"""Replay one configured alert rule over the store's own history, through the live code path.

At every step (the rule's bucket) from `days` ago until now, the rule is evaluated exactly as `ascolto run`
evaluates it (alerts.engine: detector, state machine, cooldown, escalation, resolve), seeing only what was in
the store before that instant. The alert state of the replay is kept apart in memory, so the store's real
alerts are neither read nor changed. What comes out is what people would have received.
"""

from __future__ import annotations

import copy
import json
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TextIO

import numpy as np

from alerts import volume
from alerts.detectors import HISTORY, live_shape, settings_for
from alerts.engine import evaluate_rules
from alerts.findings import dense_series, rule_filter
from alerts.state import transition_of
from core.config import AlertRule, Config
from core.model import AlertEvent, CrawlRun, Incident, Mention, utc
from core.timebuckets import bucket_start
from storage.base import MentionFilter, MentionStore, SearchPage, statuses
from storage.health import CrawlLog

RUNS_BEFORE = timedelta(days=30)  # crawl runs read before the first replayed instant (source health's look back)
RUN_PAGE = 10_000  # Elasticsearch's largest page


class ReplayState(CrawlLog):
    """Reads mentions from the real store; keeps the replay's alert state (and incidents) in memory.

    The store holds replies made after the replayed instant `at` too: a complaint answered later was still
    waiting at `at`. So every question about unanswered mentions (MentionFilter.unanswered) is answered as of
    `at`: first_reply_at null or after `at` is unanswered, and such a mention is handed over without its reply.
    The store's crawl log is read as of `at` too, so a window in which a source was blind is held open in the
    replay as it was live (alerts.health).
    """

    def __init__(self, store: MentionStore, start: datetime | None = None) -> None:
        self._store = store
        self._alerts: dict[str, AlertEvent] = {}
        self._incidents: dict[str, Incident] = {}
        self.at: datetime | None = None  # the instant replayed; None: the store as it is now
        self._start = start  # the first instant replayed: a reply before it is a reply at every instant
        # per filter (without its time bounds): the earliest publication read, and the mentions answered after
        # `start`, by publication time; read once, as the replay only moves forward
        self._later: dict[MentionFilter, tuple[datetime | None, list[Mention], list[datetime]]] = {}
        self._runs: dict[str | None, tuple[list[CrawlRun], list[datetime]]] = {}  # per source, oldest first

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _answered_later(self, flt: MentionFilter) -> list[Mention]:
        """The mentions of `flt` (unanswered or not) whose first reply came after `at` (with that reply)."""
        at = self.at
        assert at is not None
        key = replace(flt, since=None, until=None, unanswered=None)
        loaded = self._later.get(key)
        if loaded is None or (loaded[0] is not None and (flt.since is None or flt.since < loaded[0])):
            start = self._start or at
            rows = [m for m in self._store.iter_mentions(replace(key, since=flt.since, unanswered=False))
                    if m.first_reply_at is not None and m.first_reply_at > start]
            loaded = (flt.since, rows, [m.published_at for m in rows])  # iter_mentions: oldest first
            self._later[key] = loaded
        _, rows, published = loaded
        low = bisect_left(published, flt.since) if flt.since is not None else 0
        high = bisect_left(published, flt.until) if flt.until is not None else len(rows)
        return [m for m in rows[low:high] if m.first_reply_at is not None and m.first_reply_at > at]

    def _as_of(self, flt: MentionFilter) -> bool:
        return self.at is not None and flt.unanswered is not None

    def count(self, flt: MentionFilter) -> int:
        if not self._as_of(flt):
            return self._store.count(flt)
        later = len(self._answered_later(flt))
        return self._store.count(flt) + later if flt.unanswered else self._store.count(flt) - later

    def search(self, flt: MentionFilter, *, limit: int = 50, offset: int = 0,
               sort: str = "published_at_desc") -> SearchPage:
        if not self._as_of(flt):
            return self._store.search(flt, limit=limit, offset=offset, sort=sort)
        found = self.iter_mentions(flt)
        newest_first = sort != "published_at_asc"  # the replay's questions sort by time
        found.sort(key=lambda m: (m.published_at, m.id), reverse=newest_first)
        return SearchPage(total=len(found), items=found[offset:offset + limit])

    def iter_mentions(self, flt: MentionFilter, batch: int = 500) -> list[Mention]:  # type: ignore[override]
        if not self._as_of(flt):
            return list(self._store.iter_mentions(flt, batch))
        later = self._answered_later(flt)
        if flt.unanswered:  # as they stood at `at`: not answered yet
            found = [*self._store.iter_mentions(flt, batch), *(m.model_copy(update={"first_reply_at": None})
                                                               for m in later)]
        else:
            ids = {m.id for m in later}
            found = [m for m in self._store.iter_mentions(flt, batch) if m.id not in ids]
        return sorted(found, key=lambda m: (m.published_at, m.id))

    def record_crawl(self, runs: list[CrawlRun]) -> None:
        raise TypeError("a replay reads the crawl log; it records no crawls")

    def crawl_runs(self, *, source: str | None = None, since: datetime | None = None,
                   until: datetime | None = None, limit: int = 1000, ok: bool | None = None) -> list[CrawlRun]:
        """The store's crawl runs as they stood at `at` (none when the store keeps no crawl log)."""
        if not isinstance(self._store, CrawlLog):
            return []
        if source not in self._runs:  # the replay only moves forward: one read per source covers every instant
            runs = self._all_runs(self._store, source)[::-1]
            self._runs[source] = (runs, [r.finished_at for r in runs])
        runs, finished = self._runs[source]
        cut = min(until, self.at) if until is not None and self.at is not None else until or self.at
        low = bisect_left(finished, since) if since is not None else 0
        high = bisect_left(finished, cut) if cut is not None else len(runs)
        if ok is not None:
            return [r for r in runs[low:high] if r.ok is ok][-limit:][::-1]
        return runs[max(low, high - limit):high][::-1]

    def _all_runs(self, log: CrawlLog, source: str | None) -> list[CrawlRun]:
        """Every run of `source` since RUNS_BEFORE ahead of the replay, newest first, in pages going back."""
        first = self._start - RUNS_BEFORE if self._start is not None else None
        runs: list[CrawlRun] = []
        until = None
        while True:
            page = log.crawl_runs(source=source, since=first, until=until, limit=RUN_PAGE)
            runs.extend(page)
            if len(page) < RUN_PAGE:
                return runs
            until = page[-1].finished_at

    def save_alert(self, event: AlertEvent) -> None:
        self._alerts[event.id] = copy.deepcopy(event)

    def get_alert(self, alert_id: str) -> AlertEvent | None:
        event = self._alerts.get(alert_id)
        return copy.deepcopy(event) if event is not None else None

    def list_alerts(self, *, brand: str | None = None, status: Sequence[str] = (), rule: str | None = None,
                    limit: int = 100, opened_since: datetime | None = None,
                    opened_until: datetime | None = None) -> list[AlertEvent]:
        found = [e for e in self._alerts.values()
                 if (brand is None or e.brand == brand) and (not status or e.status in status)
                 and (rule is None or e.rule == rule) and (opened_since is None or e.opened_at >= opened_since)
                 and (opened_until is None or e.opened_at < opened_until)]
        found.sort(key=lambda e: e.opened_at, reverse=True)
        return [copy.deepcopy(e) for e in found[:limit]]

    # the replay groups its alerts into incidents too (alerts.engine), never touching the store's real ones
    def save_incident(self, incident: Incident) -> None:
        self._incidents[incident.id] = incident.model_copy(deep=True)

    def get_incident(self, incident_id: str) -> Incident | None:
        found = self._incidents.get(incident_id)
        return found.model_copy(deep=True) if found is not None else None

    def list_incidents(self, brand: str | None = None, status: str | Sequence[str] | None = None,
                       limit: int = 50) -> list[Incident]:
        wanted = statuses(status)
        found = [i for i in self._incidents.values()
                 if (brand is None or i.brand == brand) and (not wanted or i.status in wanted)]
        found.sort(key=lambda i: i.id)
        found.sort(key=lambda i: i.opened_at, reverse=True)
        return [i.model_copy(deep=True) for i in found[:limit]]

    def incident_of_alert(self, alert_id: str) -> Incident | None:
        holding = [i for i in self.list_incidents(limit=len(self._incidents)) if alert_id in i.alert_ids]
        return holding[0] if holding else None


@dataclass
class Sent:
    """One message the rule would have sent."""

    at: datetime
    transition: str  # opened, escalated, resolved
    event: AlertEvent

    def as_dict(self) -> dict[str, Any]:
        samples = self.event.details.get("samples") or []
        first = samples[0] if samples else None
        return {
            "at": self.at.isoformat(), "transition": self.transition, "alert": self.event.id,
            "rule": self.event.rule, "brand": self.event.brand, "severity": self.event.severity,
            "title": self.event.title, "observed": self.event.observed, "expected": self.event.expected,
            "expected_low": self.event.expected_low, "expected_high": self.event.expected_high,
            "first_sample": {"text": first.get("text"), "url": first.get("url")} if first else None,
        }


def replay_step(rule: AlertRule) -> timedelta:
    """How often the replay evaluates: the rule's bucket (a new bucket is when a series rule can change)."""
    if rule.detector in ("volume_spike", "slow_build"):
        return timedelta(seconds=live_shape(rule)[1].bucket_seconds)
    return timedelta(minutes=5)


def replay(store: MentionStore, config: Config, rule_name: str, days: float, now: datetime,
           step: timedelta | None = None) -> list[Sent]:
    """Every message `rule_name` would have sent over the `days` before `now`, oldest first."""
    rule = rule_named(config, rule_name)
    only = config.model_copy(update={"alerts": [rule]})
    step = step or replay_step(rule)
    steps = replay_instants(step, days, now)
    state = ReplayState(store, steps[0] if steps else None)
    worth = _worth_evaluating(store, only, rule, steps[0], utc(now), step) if steps else (lambda at: False)
    sent: list[Sent] = []
    for at in steps:
        # a skipped step is one where the rule has nothing open and its series is far from any threshold: the
        # live evaluation there finds nothing and changes nothing
        if worth(at) or state.list_alerts(status=("open", "acknowledged"), limit=1):
            state.at = at
            for event in evaluate_rules(state, only, at):  # type: ignore[arg-type]  # a store with replay state
                sent.append(Sent(at=at, transition=transition_of(event), event=copy.deepcopy(event)))
    return sent


def rule_named(config: Config, rule_name: str) -> AlertRule:
    """The configured rule called `rule_name` (ValueError naming the known ones when there is none)."""
    for rule in config.alerts:
        if rule.name == rule_name:
            return rule
    known = ", ".join(r.name for r in config.alerts) or "none"
    raise ValueError(f"no alert rule named {rule_name!r} in the config (rules: {known})")


def replay_instants(step: timedelta, days: float, now: datetime) -> list[datetime]:
    """The instants the replay evaluates at, oldest first: every bucket end over the `days` before `now`."""
    now = utc(now)
    at = bucket_start(now - timedelta(days=days), f"{int(step.total_seconds())}s") + step
    instants = []
    while at <= now:
        instants.append(at)
        at += step
    return instants


def _worth_evaluating(store: MentionStore, config: Config, rule: AlertRule, since: datetime, until: datetime,
                      step: timedelta) -> Callable[[datetime], bool]:
    """For a volume rule on whole series, the steps where the series, scored once over the whole history, is
    within a wide margin of the threshold (an open alert is followed step by step anyway); every step for
    other rules."""
    if rule.detector != "volume_spike" or rule.options.get("per_topic"):
        return lambda at: True
    settings = settings_for(rule)
    interval, shape = live_shape(rule)
    near: set[datetime] = set()
    brands = [rule.brand] if rule.brand else [b.name for b in config.brands]
    for brand in brands:
        starts, values = dense_series(store, rule_filter(rule, brand), interval, since - HISTORY, until)
        if len(values) < 2 or not values.any():
            continue
        scored = volume.score_series(values, shape, settings)
        margin = scored.score >= NEAR_SHARE * settings.resolve_fraction * volume.spike_threshold(settings, shape)
        near |= {starts[i] + step for i in np.flatnonzero(margin)}  # evaluated once bucket i is complete
    return lambda at: at in near


NEAR_SHARE = 0.5  # of the score at which an open alert stays open: below it nothing can open or stay open


def per_week(sent: Sequence[Sent]) -> dict[str, int]:
    """New alerts (openings) per ISO week, e.g. {'2026-W02': 3}."""
    weeks = Counter(f"{s.at.isocalendar().year}-W{s.at.isocalendar().week:02d}" for s in sent
                    if s.transition == "opened")
    return dict(sorted(weeks.items()))


def write_report(sent: Sequence[Sent], out: TextIO) -> None:
    """One JSON line per message (time, transition, observed vs expected, first sample), then the weeks."""
    for item in sent:
        out.write(json.dumps(item.as_dict(), ensure_ascii=False) + "\n")
    weeks = per_week(sent)
    summary = ", ".join(f"{week} {count}" for week, count in weeks.items()) or "none"
    out.write(f"alerts per week: {summary}\n")
