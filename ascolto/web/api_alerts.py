"""Alert endpoints: list, detail with the evidence mentions, acknowledge."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query

from ascolto.web.api import Store
from ascolto.web.params import NOT_FOUND, PROBLEMS
from ascolto.web.schemas import Acknowledge, AlertDetail, AlertList
from core.model import AlertEvent
from storage.base import MentionStore

router = APIRouter(prefix="/api", responses=PROBLEMS)
AlertId = Annotated[str, Path(max_length=200)]
MAX_EVIDENCE = 50


def acknowledge_alert(store: MentionStore, alert_id: str, by: str, now: datetime) -> AlertEvent | None:
    """Acknowledge through the alerts stage (it owns alert state); a plain status change if it is not installed."""
    try:
        from alerts.state import acknowledge
    except ImportError:
        acknowledge = None
    if acknowledge is not None:
        acknowledge(store, alert_id, by, now)
        return store.get_alert(alert_id)
    alert = store.get_alert(alert_id)
    if alert is None:
        return None
    if alert.status == "open":
        alert = alert.model_copy(update={
            "status": "acknowledged", "acknowledged_at": now, "acknowledged_by": by, "updated_at": now,
        })
        store.save_alert(alert)
    return alert


def with_words(alert: AlertEvent) -> AlertEvent:
    """The alert with `details.words`: its title and first lines in each language, as the messages say them
    (one catalogue for the dashboard and the messages); left out when the alerts stage is not installed."""
    try:
        from alerts.messages import words
    except ImportError:
        return alert
    said = words(alert)
    return alert if said is None else alert.model_copy(update={"details": {**alert.details, "words": said}})


@router.get("/alerts", response_model=AlertList, summary="Alerts, newest first")
def list_alerts(
    store: Store,
    brand: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[list[Literal["open", "acknowledged", "resolved"]], Query(max_length=3)] = [],  # noqa: B006
    rule: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AlertList:
    items = store.list_alerts(brand=brand, status=tuple(status), rule=rule, limit=limit)
    return AlertList(items=[with_words(a) for a in items])


@router.get("/alerts/{alert_id}", response_model=AlertDetail, summary="One alert with its evidence mentions",
            responses=NOT_FOUND)
def alert_detail(store: Store, alert_id: AlertId) -> AlertDetail:
    alert = store.get_alert(alert_id)
    if alert is None:
        raise HTTPException(404, "no such alert")
    return AlertDetail(alert=with_words(alert), evidence=store.get_many(alert.sample_ids[:MAX_EVIDENCE]))


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertEvent, summary="Acknowledge an alert",
             responses=NOT_FOUND)
def acknowledge(store: Store, alert_id: AlertId, body: Acknowledge) -> AlertEvent:
    if store.get_alert(alert_id) is None:
        raise HTTPException(404, "no such alert")
    try:
        alert = acknowledge_alert(store, alert_id, body.by.strip(), datetime.now(UTC))
    except (KeyError, LookupError):
        raise HTTPException(404, "no such alert") from None
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    if alert is None:
        raise HTTPException(404, "no such alert")
    return alert
