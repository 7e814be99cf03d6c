"""The FastAPI application: the JSON API (documented at /openapi.json) and the static dashboard pages."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ascolto import __version__
from ascolto.context import open_store_at
from ascolto.web import api, api_alerts, api_care, api_incidents, api_sources, api_story
from ascolto.web.security import BodyTooLarge, SecurityMiddleware
from core import wording
from core.config import Config

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"  # the pages, each extending base.html (the shared header)
PAGES = {"/": "index.html", "/care": "care.html", "/search": "search.html", "/alerts": "alerts.html",
         "/incident": "incident.html"}


def create_app(store_location: str, config: Config | None = None, *, token: str | None = None) -> FastAPI:
    """The API and the dashboard over the store at `store_location`.

    `token`: when given, every request needs it (Bearer header, or the cookie set by opening a page with ?token=…);
    the server passes one whenever it binds beyond loopback. Without it, only loopback Host names are answered.
    """
    store = open_store_at(store_location)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="Ascolto API", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
        description="Mentions, time series, breakdowns, share of voice, reach, alerts and the care metrics of "
        "one or more brands. Times are ISO 8601 UTC; windows are [since, until).",
    )
    app.state.store = store
    app.state.config = config
    app.include_router(api.router)
    app.include_router(api_care.router)
    app.include_router(api_alerts.router)
    app.include_router(api_incidents.router)
    app.include_router(api_sources.router)
    app.include_router(api_story.router)

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=413)

    @app.exception_handler(ValueError)
    async def _bad_value(request: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    for route, filename in PAGES.items():
        app.add_api_route(route, _page(filename), include_in_schema=False, methods=["GET"])
    script = i18n_script()
    app.add_api_route("/static/js/i18n.js", lambda: Response(script, media_type="text/javascript; charset=utf-8",
                                                             headers={"cache-control": "no-cache"}),
                      include_in_schema=False, methods=["GET"])  # before the mount: routes match in order
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityMiddleware, token=token)
    return app


def render_page(filename: str) -> str:
    """A dashboard page from its template. The pages take no request data (the scripts fetch it), so each is
    rendered once, when the app is built; autoescape is on all the same."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env.get_template(filename).render()


def i18n_script() -> str:
    """The dashboard's i18n.js with the one catalogue (core/wording) in it: no wording is kept twice."""
    texts = {language: wording.catalogue(language) for language in wording.LANGUAGES}
    source = (Path(__file__).parent / "i18n.js").read_text(encoding="utf-8")
    return source.replace("/*CATALOGUE*/", json.dumps(texts, ensure_ascii=False))


def _page(filename: str):  # type: ignore[no-untyped-def]
    html = render_page(filename)

    def page() -> HTMLResponse:
        return HTMLResponse(html, media_type="text/html; charset=utf-8", headers={"cache-control": "no-cache"})

    page.__name__ = f"page_{filename.split('.')[0]}"
    return page
