"""Digests (config `digests[]`): when each is due, what its period is, and its figures.

A digest fires on an APScheduler CronTrigger at its local time (and weekday) in its time zone; its period runs
from the previous scheduled time to this one (a day, or a week; 23 or 25 hours across a DST change). A digest
that falls in its quiet hours waits in the outbox to their end (alerts.notify.quiet_until, the one notion of
quiet hours). The figures are the dashboard's: ascolto.web.metrics.care_metrics over the store's care_snapshot,
for the period and for the period of equal length before it, exactly as /api/care computes them.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from alerts.digest import BrandDigest, DigestReport
from alerts.notify import quiet_until
from ascolto.story import brand_words
from ascolto.web.metrics import care_metrics, target_minutes
from ascolto.web.terms import emerging_terms
from core.config import Config, Digest
from storage.base import MentionFilter, MentionStore

log = logging.getLogger(__name__)
CATCH_UP = timedelta(hours=6)  # a digest missed while the service was down is still sent this long after
ALERTS_READ = 500


def trigger_of(digest: Digest) -> CronTrigger:
    hour, minute = (int(x) for x in digest.at.split(":"))
    return CronTrigger(hour=hour, minute=minute, day_of_week=digest.weekday if digest.schedule == "weekly" else "*",
                       timezone=ZoneInfo(digest.timezone))


def fire_times(digest: Digest, since: datetime, until: datetime) -> list[datetime]:
    """The scheduled times in [since, until], in UTC, as the scheduler computes them; a local time the clocks pass
    twice (the autumn night) counts once, at its first passing, so that night makes no one-hour period."""
    trigger, found = trigger_of(digest), []
    at = trigger.get_next_fire_time(None, since)
    while at is not None and at <= until:
        if not at.fold:  # fold=1: the repeated hour's second 02:30, which APScheduler fires as well
            found.append(at.astimezone(UTC))
        # step in UTC: local arithmetic drops `fold` and lands back before the second 02:30, found again forever
        at = trigger.get_next_fire_time(at, at.astimezone(UTC) + timedelta(seconds=1))
    return found


def period_of(digest: Digest, now: datetime) -> tuple[datetime, datetime]:
    """The period of the digest due at or last before `now`: from the scheduled time before it to it."""
    span = timedelta(days=1 if digest.schedule == "daily" else 7)
    times = fire_times(digest, now - 3 * span, now)
    if len(times) < 2:  # cannot happen for a cron of one time a day or a week; kept total all the same
        end = times[-1] if times else now
        return end - span, end
    return times[-2], times[-1]


def next_delivery(digest: Digest, after: datetime) -> datetime:
    """When the next digest after `after` reaches people: its scheduled time, or the end of the quiet hours it
    falls in."""
    fire = trigger_of(digest).get_next_fire_time(None, after).astimezone(UTC)
    return quiet_until(digest.quiet_hours, fire) or fire


def _brand_digest(store: MentionStore, config: Config, brand: str, since: datetime, until: datetime,
                  now: datetime, size: int) -> BrandDigest:
    flt = MentionFilter(brands=(brand,), since=since, until=until)
    interval = "1d" if until - since > timedelta(days=2) else "1h"  # as /api/care
    target = target_minutes(config, brand)
    at = min(until, now)
    care = care_metrics(store, flt, store.care_snapshot(flt, interval, topic_size=1, now=at, target_minutes=target),
                        at, target)
    before = replace(flt, since=since - (until - since), until=since)
    previous = care_metrics(store, before, store.care_snapshot(before, interval, topic_size=1, now=since,
                                                               target_minutes=target), since, target)
    inbound = replace(flt, is_owned=False)
    topics = store.facets(replace(inbound, intents=("complaint",)), "topics", size) if size else []
    terms = [t["term"] for t in emerging_terms(store, inbound, at, brand_words(config, brand), size)] if size else []
    alerts = store.list_alerts(brand=brand, limit=ALERTS_READ, opened_since=since, opened_until=until)
    return BrandDigest(brand=brand, care=care, previous=previous, topics=topics, terms=terms, alerts=alerts)


def build_digest(store: MentionStore, config: Config, name: str, since: datetime, until: datetime, *,
                 brands: list[str] | None = None, size: int = 5, now: datetime | None = None) -> DigestReport:
    """The figures of [since, until) and of the period before, for `brands` (default: every configured one)."""
    names = brands or [b.name for b in config.brands]
    now = now or datetime.now(UTC)
    return DigestReport(name=name, since=since, until=until, dashboard_url=config.dashboard.public_url,
                        brands=[_brand_digest(store, config, b, since, until, now, size) for b in names])


def digest_named(config: Config, name: str | None) -> Digest | None:
    """The configured digest called `name`; with no name, the only one configured (None when there is none)."""
    if name is None:
        return config.digests[0] if len(config.digests) == 1 else None
    return next((d for d in config.digests if d.name == name), None)


def enqueue_due(store: MentionStore, config: Config, dispatcher: Any, digest: Digest, now: datetime) -> int:
    """Put the digest of the period ending at its last scheduled time (at most CATCH_UP ago) in the outbox;
    idempotent per digest and period. Returns how many deliveries were new."""
    since, until = period_of(digest, now)
    if now - until > CATCH_UP:
        return 0
    report = build_digest(store, config, digest.name, since, until, brands=digest.brands or None,
                          size=digest.topics, now=now)
    added = int(dispatcher.enqueue_digest(report, digest.channels, digest.quiet_hours))
    if added:
        log.info("digest %s for %s – %s: %d deliveries queued", digest.name, since, until, added)
    return added
