"""Incident endpoints (the incident contract): list, one incident with its alerts, acknowledge, and the team's
changes (status, owner, a note). Same auth and CSRF rules as every POST of the API (ascolto/web/security.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response
from pydantic import BaseModel, Field

from ascolto.web.api import Store
from ascolto.web.api_alerts import with_words
from ascolto.web.params import NOT_FOUND, PROBLEMS
from ascolto.web.schemas import Acknowledge
from core.model import AlertEvent, Incident, IncidentNote, IncidentStatus

router = APIRouter(prefix="/api", responses=PROBLEMS)
IncidentId = Annotated[str, Path(max_length=200)]
NOTE_CHARS = 2000
OWNER_CHARS = 100


class IncidentList(BaseModel):
    incidents: list[Incident]


class IncidentDetail(BaseModel):
    incident: Incident
    alerts: list[AlertEvent]  # in the order they joined


class IncidentChange(BaseModel):
    status: IncidentStatus | None = None
    owner: str | None = Field(default=None, max_length=OWNER_CHARS, description="who handles it; null: nobody")
    note: str | None = Field(default=None, min_length=1, max_length=NOTE_CHARS, description="a note to append")
    by: str | None = Field(default=None, max_length=OWNER_CHARS, description="who writes the note or the change")


@router.get("/incidents", response_model=IncidentList, summary="Incidents, newest opened first")
def list_incidents(
    store: Store,
    brand: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[IncidentStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> IncidentList:
    return IncidentList(incidents=store.list_incidents(brand=brand, status=status, limit=limit))  # type: ignore


@router.get("/incidents/{incident_id}", response_model=IncidentDetail, summary="One incident with its alerts",
            responses=NOT_FOUND)
def incident_detail(store: Store, incident_id: IncidentId) -> IncidentDetail:
    incident = store.get_incident(incident_id)  # type: ignore[attr-defined]
    if incident is None:
        raise HTTPException(404, "no such incident")
    alerts = [a for a in (store.get_alert(i) for i in incident.alert_ids) if a is not None]  # type: ignore
    return IncidentDetail(incident=incident, alerts=[with_words(a) for a in alerts])


@router.post("/incidents/{incident_id}/acknowledge", response_model=Incident, summary="Take an incident on",
             responses=NOT_FOUND)
def acknowledge(store: Store, incident_id: IncidentId, body: Acknowledge) -> Incident:
    from alerts.incidents import acknowledge as take

    incident = take(store, incident_id, body.by.strip(), datetime.now(UTC))
    if incident is None:
        raise HTTPException(404, "no such incident")
    return incident


@router.post("/incidents/{incident_id}", response_model=Incident, summary="Change an incident's status or owner, "
             "or add a note", responses=NOT_FOUND)
def change(store: Store, incident_id: IncidentId, body: IncidentChange) -> Incident:
    incident = store.get_incident(incident_id)  # type: ignore[attr-defined]
    if incident is None:
        raise HTTPException(404, "no such incident")
    now = datetime.now(UTC)
    by = body.by.strip() if body.by and body.by.strip() else None
    fields = body.model_fields_set
    if body.status is not None:
        incident.status = body.status
        if body.status == "resolved" and incident.resolved_at is None:
            # closed by a person: its alerts run their course without opening a new incident (alerts.incidents)
            incident.resolved_at = now
            incident.details["closed_by"] = by or "dashboard"
    if "owner" in fields:
        incident.owner = body.owner.strip() or None if body.owner else None
    if body.note is not None:
        incident.notes.append(IncidentNote(at=now, by=by, text=body.note))
    incident.updated_at = max(incident.updated_at, now)
    store.save_incident(incident)  # type: ignore[attr-defined]
    return incident


@router.api_route("/incidents/{incident_id}", methods=["PUT", "PATCH", "DELETE", "OPTIONS"], include_in_schema=False)
def other_methods(incident_id: IncidentId) -> Response:
    """One path, two routes (GET, POST): a 405 must name both, where the router would name the first only."""
    return Response(status_code=405, headers={"Allow": "GET, POST"})
