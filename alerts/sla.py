"""The `sla_risk` detector: a warning before complaints pass the reply target, not after.

At `now` it reads the brand's inbound complaints of the last `history_hours` as they stood at that instant (a
reply stored with a later time had not been written yet, so a replay sees only the past) and forecasts, as a
queue answered oldest first:

- the backlog: complaints still waiting, oldest first; those under `limit_minutes` are still at risk;
- the reply pace: first replies per minute while complaints wait (replies made back to back, and the minutes
  since the last reply while one waits), over the rule's `window`, shrunk towards the pace of the whole
  history so that one quiet window is not a stopped team;
- the brand's first-reply delays over the history: hardly anyone is answered sooner than the quickest quarter;
- the incoming rate over the `window`, for the complaints still to come.

Waiting complaint number k (oldest first) is forecast to be answered at max(now + k / pace, its publication +
the quickest quarter's delay). It fires when a complaint still under the limit is forecast to pass it; it stays
open (without firing) while a complaint yet to come would pass it (the backlog and the incoming rate against the
pace) or a waiting one would pass `resolve_fraction` (0.5) of it; it resolves when the pace has caught up.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Protocol

from alerts.findings import Finding, analytics, rule_filter
from core.config import AlertRule, Config
from core.timebuckets import parse_interval
from storage.base import MentionFilter, MentionStore

HISTORY_HOURS = 24.0  # first-reply delays and the long-run pace
PRIOR_MINUTES = 30.0  # weight of the long-run pace in the window's, in minutes of work
MIN_BACK_TO_BACK = 3  # back-to-back replies in the history before their pace is trusted
RESOLVE_FRACTION = 0.5  # an open alert resolves when nothing would pass this share of the limit
MAX_COMPLAINTS = 5000  # read per evaluation; a brand with more in a day is read in its latest ones


@dataclass
class Work:
    """Replies made back to back (a complaint already waited when the previous one went out): how many, and the
    minutes since their previous reply. That is the team's pace while it has work, free of the minutes it
    waited for work to come."""

    replies: int = 0
    minutes: float = 0.0


class Timed(Protocol):
    """A complaint as the queue sees it (storage.analytics.ReplyTime, or a Mention)."""

    @property
    def id(self) -> str: ...

    @property
    def published_at(self) -> datetime: ...

    @property
    def first_reply_at(self) -> datetime | None: ...


@dataclass
class Queue:
    """A brand's complaints as they stood at `now`."""

    now: datetime
    waiting: Sequence[Timed]  # unanswered at `now`, oldest first
    window: Work  # back-to-back replies of the rule's window
    history: Work  # and of the history
    open_minutes: float  # since the last reply (or the oldest waiting complaint, if later), while one waits
    busy_history: float  # minutes of the history in which at least one complaint waited
    replies_history: int  # first replies in the history
    incoming_window: int
    delays: list[float]  # minutes to the first reply, of complaints answered by `now`

    def pace(self) -> float | None:
        """First replies per minute while complaints wait (None: none has waited, so nothing is known). From
        back-to-back replies; a team that has never had two at once is judged by replies per minute of waiting,
        reaction time included (slower, so on the safe side)."""
        if self.history.replies >= MIN_BACK_TO_BACK:
            long_run = self.history.replies / (self.history.minutes + self.open_minutes)
        elif self.busy_history > 0:
            long_run = self.replies_history / self.busy_history
        else:
            return None
        return (self.window.replies + long_run * PRIOR_MINUTES) / (
            self.window.minutes + self.open_minutes + PRIOR_MINUTES)


def _replied_at(m: Timed, now: datetime) -> datetime | None:
    return m.first_reply_at if m.first_reply_at is not None and m.first_reply_at <= now else None


def _busy_minutes(complaints: Sequence[Timed], since: datetime, now: datetime) -> float:
    """Minutes of [since, now) covered by at least one complaint waiting for its first reply."""
    spans = sorted((max(m.published_at, since), _replied_at(m, now) or now) for m in complaints)
    total, reach = 0.0, since
    for start, end in spans:
        start = max(start, reach)
        if end > start:
            total += (end - start).total_seconds() / 60
        reach = max(reach, end)
    return total


def _back_to_back(published: list[datetime], replies: list[datetime], since: datetime) -> Work:
    """Replies (ascending) after `since` whose previous reply left a complaint (published, ascending) waiting."""
    work = Work()
    for before, at in pairwise(replies):
        if at >= since and bisect_left(published, before) - bisect_right(replies, before) > 0:
            work.replies += 1
            work.minutes += (at - before).total_seconds() / 60
    return work


def read_queue(store: MentionStore, rule: AlertRule, brand: str | None, now: datetime) -> Queue:
    history = timedelta(hours=float(rule.options.get("history_hours", HISTORY_HOURS)))
    since = now - parse_interval(rule.window)
    flt = replace(rule_filter(rule, brand, metric="complaints"), is_owned=False, since=now - history, until=now)
    # each complaint's two times, not the complaint (the store reads doc values): samples are fetched apart
    complaints = analytics(store).reply_times(flt, MAX_COMPLAINTS)[::-1]
    replied = [(m, at) for m in complaints if (at := _replied_at(m, now)) is not None]
    waiting = [m for m in complaints if _replied_at(m, now) is None]
    published, replies = [m.published_at for m in complaints], sorted(at for _, at in replied)
    open_since = max([*replies[-1:], waiting[0].published_at]) if waiting else now
    return Queue(
        now=now, waiting=waiting, window=_back_to_back(published, replies, since),
        history=_back_to_back(published, replies, now - history),
        open_minutes=(now - open_since).total_seconds() / 60, replies_history=len(replied),
        busy_history=_busy_minutes(complaints, now - history, now),
        incoming_window=sum(1 for m in complaints if m.published_at >= since),
        delays=[(at - m.published_at).total_seconds() / 60 for m, at in replied],
    )


@dataclass
class Forecast:
    breach_at: datetime | None  # when the first complaint is forecast to pass the limit unanswered
    breaching: int  # complaints waiting, still under the limit, forecast to pass it
    arrival_breach_at: datetime | None  # when a complaint yet to come would pass it, from the incoming rate
    answered_within_limit: float | None  # complaints the pace answers within the limit


def forecast(queue: Queue, limit_minutes: float, window_minutes: float) -> Forecast:
    pace = queue.pace()
    usual = _quickest_quarter(queue.delays)
    if pace is None and usual is None:
        return Forecast(None, 0, None, None)
    now, limit = queue.now, timedelta(minutes=limit_minutes)
    breaches: list[datetime] = []
    for k, m in enumerate(queue.waiting, start=1):  # oldest first: those past the limit still wait ahead
        deadline = m.published_at + limit
        if deadline <= now:
            continue  # already past it: the unanswered_complaint rule's business
        by_pace = pace is not None and (pace == 0 or now + timedelta(minutes=min(k / pace, 1e7)) > deadline)
        if by_pace or (usual is not None and m.published_at + timedelta(minutes=usual) > deadline):
            breaches.append(deadline)
    arrival = None
    if pace is not None:
        incoming = queue.incoming_window / window_minutes
        arrival = _arrival_breach(len(queue.waiting), incoming, pace, limit_minutes)
    first = min([*breaches, *([now + arrival] if arrival is not None else [])], default=None)
    return Forecast(first, len(breaches), now + arrival if arrival is not None else None,
                    None if pace is None else pace * limit_minutes)


def _quickest_quarter(delays: list[float]) -> float | None:
    """The first-reply delay a quarter of the answered complaints beat: sooner than that, hardly anyone is
    answered, however short the queue."""
    if len(delays) < 2:
        return delays[0] if delays else None
    return statistics.quantiles(delays, n=4)[0]


def _arrival_breach(backlog: int, incoming: float, pace: float, limit: float) -> timedelta | None:
    """When a complaint arriving s minutes from now (behind the backlog and the s * incoming before it) would pass
    the limit: answered at (backlog + incoming * s) / pace, later than s + limit. Within one limit from now."""
    if pace == 0:
        return timedelta(minutes=limit) if backlog or incoming else None
    if backlog / pace >= limit:
        return timedelta(minutes=limit)
    if incoming <= pace:
        return None
    s = (limit - backlog / pace) / (incoming / pace - 1)
    return timedelta(minutes=s + limit) if s <= limit else None


def sla_risk(store: MentionStore, config: Config, rule: AlertRule, brand: str | None,
             now: datetime) -> list[Finding]:
    """Complaints forecast to pass `limit_minutes` without a reply, before they do."""
    queue = read_queue(store, rule, brand, now)
    if not queue.waiting:
        return []
    window = parse_interval(rule.window).total_seconds() / 60
    outlook = forecast(queue, rule.limit_minutes, window)
    if outlook.breaching:
        found = _finding(queue, outlook, rule, brand, firing=True)
    else:
        # an open alert stays open while complaints yet to come would pass the limit, or waiting ones a shorter
        # one: the incoming rate of one window is too noisy to open an alert on, and the edge must not flap
        fraction = float(rule.options.get("resolve_fraction", RESOLVE_FRACTION))
        margin = forecast(queue, rule.limit_minutes * fraction, window)
        if margin.breach_at is None:
            return []
        found = _finding(queue, margin, rule, brand, firing=False)
    oldest = [m.id for m in queue.waiting[:3]]  # the evidence: the three oldest waiting, as the alert shows them
    by_id = {m.id: m for m in analytics(store).sample(MentionFilter(ids=tuple(oldest)), 3)}
    found.samples = [by_id[i] for i in oldest if i in by_id]
    return [found]


def _finding(queue: Queue, outlook: Forecast, rule: AlertRule, brand: str | None, firing: bool) -> Finding:
    """`firing`: `outlook` forecasts a complaint past the limit; else one past its resolve fraction (still open)."""
    now, limit = queue.now, rule.limit_minutes
    oldest, backlog = queue.waiting[0], len(queue.waiting)
    oldest_minutes = (now - oldest.published_at).total_seconds() / 60
    pace = queue.pace()
    per_hour = None if pace is None else round(pace * 60, 2)
    incoming = round(queue.incoming_window / (parse_interval(rule.window).total_seconds() / 3600), 2)
    usual = round(statistics.median(queue.delays), 1) if queue.delays else None
    breach_at = outlook.breach_at if firing else None
    minutes_left = None if breach_at is None else (breach_at - now).total_seconds() / 60
    critical = firing and (outlook.breaching >= 5 or (minutes_left is not None and minutes_left <= limit / 4))
    if minutes_left is not None:
        title = f"complaints will pass the {limit}-minute reply target in about {minutes_left:.0f} min"
        forecast_text = f"{outlook.breaching} forecast to pass {limit} minutes, the first in {minutes_left:.0f}"
    else:
        title = f"replies still close to the {limit}-minute target"
        forecast_text = f"none forecast to pass {limit} minutes, with little to spare"
    pace_text = f"{per_hour:g} first replies per hour" if per_hour is not None else "no reply pace known yet"
    return Finding(
        key="sla_risk", firing=firing, severity="critical" if critical else "warning",
        observed=float(backlog), score=None if minutes_left is None else round(minutes_left, 1),
        expected=None if outlook.answered_within_limit is None else round(outlook.answered_within_limit, 1),
        window_start=oldest.published_at, window_end=now,
        title=f"{brand or 'All brands'}: {title}",
        summary=f"{backlog} complaint{'s' if backlog != 1 else ''} waiting for a first reply, {forecast_text}; the "
                f"oldest has waited {oldest_minutes:.0f} minutes. Reply pace {pace_text} while complaints wait, "
                f"{incoming:g} new complaints per hour"
                + (f", usual first reply after {usual:g} minutes." if usual is not None else "."),
        details={
            "forecast_breach_at": breach_at.isoformat() if breach_at else None,
            "minutes_to_breach": None if minutes_left is None else round(minutes_left, 1),
            "backlog": backlog, "forecast_breaching": outlook.breaching if firing else 0,
            "oldest_waiting_id": oldest.id, "oldest_waiting_at": oldest.published_at.isoformat(),
            "oldest_waiting_minutes": round(oldest_minutes, 1), "reply_pace_per_hour": per_hour,
            "incoming_per_hour": incoming, "median_first_reply_minutes": usual, "limit_minutes": limit,
        },
    )
