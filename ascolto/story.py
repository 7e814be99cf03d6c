"""The crisis story as the shell shows it (API, incident page, report): storage.story.crisis_story with the pieces
the store layer cannot know — the emerging-term ranking (ascolto.web.terms, over nlp.terms), the brand's own
words, the bucket size the dashboard uses, and the alerts to mark on the timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ascolto.web.params import Window, choose_interval
from ascolto.web.terms import emerging_between
from core.config import Config
from core.model import AlertEvent, Incident
from storage.analytics import MentionAnalytics
from storage.story import CrisisStory, StoryAlert, crisis_story

# the contract's incident window: the hours before its first alert (where it started) and one after its end
INCIDENT_BEFORE = timedelta(hours=6)
INCIDENT_AFTER = timedelta(hours=1)
TERMS_PER_PERIOD = 6


def brand_words(config: Config | None, brand: str | None) -> list[str]:
    """A brand's own names are in every mention: they are never 'emerging'."""
    if config is None or brand is None:
        return [brand] if brand else []
    try:
        b = config.brand(brand)
    except StopIteration:
        return [brand]
    return b.words()


def marker(alert: AlertEvent) -> StoryAlert:
    return StoryAlert(id=alert.id, opened_at=alert.opened_at, resolved_at=alert.resolved_at, severity=alert.severity,
                      status=alert.status, rule=alert.rule, detector=alert.detector, title=alert.title)


def window_story(store: MentionAnalytics, config: Config | None, brand: str, since: datetime, until: datetime,
                 now: datetime | None = None, tz: str = "UTC") -> CrisisStory:
    """The story of `brand` over [since, until), with the brand's alerts opened in the window marked."""
    story = _story(store, config, brand, since, until, now, tz)
    alerts = store.list_alerts(brand=brand, limit=500, opened_since=since, opened_until=until)  # type: ignore[attr-defined]
    story.alerts = [marker(a) for a in sorted(alerts, key=lambda a: a.opened_at)]
    return story


def find_incident(store: Any, incident_id: str) -> Incident | None:
    """The incident, from the AlertStore's `get_incident` (the incidents work adds it to both backends); None when
    unknown, or when this store has no incidents yet."""
    get = getattr(store, "get_incident", None)
    return get(incident_id) if get is not None else None


def incident_window(incident: Incident, now: datetime) -> tuple[datetime, datetime]:
    """[window_start − 6 h, (window_end or now) + 1 h], as the contract says."""
    return incident.window_start - INCIDENT_BEFORE, (incident.window_end or now) + INCIDENT_AFTER


def incident_story(store: MentionAnalytics, config: Config | None, incident: Incident, now: datetime | None = None,
                   tz: str = "UTC") -> CrisisStory:
    """The story of an incident's brand over its window, with the incident's own alerts marked."""
    moment = now or datetime.now(UTC)
    since, until = incident_window(incident, moment)
    story = _story(store, config, incident.brand, since, until, moment, tz)
    alerts = [store.get_alert(i) for i in incident.alert_ids]  # type: ignore[attr-defined]
    story.alerts = [marker(a) for a in alerts if a is not None]
    return story


def _story(store: MentionAnalytics, config: Config | None, brand: str, since: datetime, until: datetime,
           now: datetime | None, tz: str) -> CrisisStory:
    exclude = brand_words(config, brand)

    def rank(recent: list[str], baseline: list[str]) -> list[dict[str, Any]]:
        return emerging_between(recent, baseline, exclude, TERMS_PER_PERIOD)

    interval = choose_interval(Window(since, until), None)
    return crisis_story(store, brand, since, until, now or datetime.now(UTC), tz, interval=interval, terms=rank)
