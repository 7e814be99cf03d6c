"""Crisis story endpoints: the story of a brand over a window or of an incident, and its PDF report."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response

from ascolto.story import find_incident, incident_story, window_story
from ascolto.web.api import Conf, Store, Win
from ascolto.web.cache import per_minute
from ascolto.web.params import NOT_FOUND, PROBLEMS, Problem, Window
from core.model import Incident
from storage.story import CrisisStory

router = APIRouter(prefix="/api", responses=PROBLEMS)
BrandName = Annotated[str, Query(min_length=1, max_length=200, description="the brand whose story it is")]
IncidentId = Annotated[str, Path(max_length=200)]
Language = Annotated[Literal["it", "en"], Query(description="the report's language")]
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
          "description": "a one-to-three page PDF report"},
    503: {"model": Problem, "description": "the server lacks the libraries the PDF engine needs (Pango)"},
}


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def _window_story(store: Store, config: Conf, brand: str, window: Window) -> CrisisStory:
    """A story reads every mention of its window (seconds for thousands): memoised per minute, keyed by its window
    to the minute, so a team opening the same story (and its PDF) in a crisis asks the store once."""
    key = ("story", store.url, brand, _minute(window.since), _minute(window.until))
    now = datetime.now(UTC)
    return per_minute(key, now, lambda: window_story(store, config, brand, window.since, window.until,  # type: ignore[arg-type]
                                                     now))


def _incident_story(store: Store, config: Conf, incident: Incident) -> CrisisStory:
    key = ("incident-story", store.url, incident.id, incident.updated_at)
    return per_minute(key, datetime.now(UTC), lambda: incident_story(store, config, incident))  # type: ignore[arg-type]


def _incident_or_404(store: Store, incident_id: str) -> Incident:
    incident = find_incident(store, incident_id)
    if incident is None:
        raise HTTPException(404, "no such incident")
    return incident


def _pdf(story: CrisisStory, incident: Incident | None, lang: str, name: str) -> Response:
    from ascolto.report import PdfUnavailable, render_pdf

    try:
        data = render_pdf(story, incident, lang)
    except PdfUnavailable as exc:
        raise HTTPException(503, str(exc)) from None
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:80] or "report"
    return Response(data, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{safe}.pdf"'})


@router.get("/story", response_model=CrisisStory, summary="The crisis story of a brand over a window")
def story(store: Store, config: Conf, brand: BrandName, window: Win) -> CrisisStory:
    return _window_story(store, config, brand, window)


@router.get("/incidents/{incident_id}/story", response_model=CrisisStory, responses=NOT_FOUND,
            summary="The crisis story of an incident: its brand over [window_start − 6 h, window_end + 1 h]")
def incident_story_endpoint(store: Store, config: Conf, incident_id: IncidentId) -> CrisisStory:
    return _incident_story(store, config, _incident_or_404(store, incident_id))


@router.get("/story/report.pdf", response_class=Response, responses=PDF,
            summary="The crisis report of a brand over a window, as PDF")
def story_report(store: Store, config: Conf, brand: BrandName, window: Win, lang: Language = "it") -> Response:
    return _pdf(_window_story(store, config, brand, window), None, lang, f"{brand}-{window.since:%Y%m%dT%H%M}")


@router.get("/incidents/{incident_id}/report.pdf", response_class=Response, responses={**PDF, **NOT_FOUND},
            summary="The crisis report of an incident, as PDF")
def incident_report(store: Store, config: Conf, incident_id: IncidentId, lang: Language = "it") -> Response:
    incident = _incident_or_404(store, incident_id)
    return _pdf(_incident_story(store, config, incident), incident, lang, incident.id)
