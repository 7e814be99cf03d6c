"""The crisis report the PR team forwards: one Jinja2 template (autoescaped: crawled text stays inert) rendered to
HTML, and to a one-to-three page PDF by WeasyPrint with the DejaVu Sans fonts shipped beside it (fonts/, with
their licence), so the output does not depend on the fonts of the machine."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ascolto.report.charts import legend, spread_svg, timeline_svg
from core import wording
from core.model import Incident
from storage.story import CrisisStory

HERE = Path(__file__).parent
FONTS = HERE / "fonts"
SAMPLE_MENTIONS = 5
MAX_NOTES = 10
_TWO_DAYS = timedelta(days=2)  # a longer window labels its ticks with dates


class PdfUnavailable(RuntimeError):
    """The system libraries WeasyPrint needs are missing (the HTML version still renders)."""


@cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env


def context(story: CrisisStory, incident: Incident | None, language: str,
            generated: datetime | None = None, font_dir: str | None = None) -> dict[str, Any]:
    """What the template shows, with every figure written for the reader by core.wording."""
    voice = wording.Voice(language if language in wording.LANGUAGES else wording.DEFAULT_LANGUAGE, story.tz)

    def when(moment: datetime | None) -> str:
        return wording.when(moment, voice) if moment is not None else "–"

    def tick(moment: datetime) -> str:
        return wording.when(moment, voice, with_date=story.until - story.since > _TWO_DAYS)

    def pct(share: float | None) -> str:
        return wording.percent(share, voice.language) if share is not None else "–"

    def num(value: float | None) -> str:
        return wording.number(value, voice.language) if value is not None else "–"

    def dur(seconds: float | None) -> str:
        return wording.duration(seconds, voice.language) if seconds is not None else "–"

    return {
        "t": voice.text, "story": story, "incident": incident, "lang": voice.language, "when": when, "pct": pct,
        "num": num, "dur": dur, "window": wording.window(story.since, story.until, voice),
        "timeline_svg": timeline_svg(story, tick, voice.text("story.timeline")),
        "spread_svg": spread_svg(story, tick, voice.text("story.spread")), "legend": legend(story),
        "samples": story.first_mentions[:SAMPLE_MENTIONS], "notes": (incident.notes[-MAX_NOTES:] if incident else []),
        "generated": when(generated or datetime.now(UTC)), "font_dir": font_dir,
        "terms": [b for b in story.emerging_terms if b.terms],
    }


def render_html(story: CrisisStory, incident: Incident | None = None, language: str = "en",
                generated: datetime | None = None, font_dir: str | None = None) -> str:
    """The report as one HTML file. Without `font_dir` (the PDF engine passes the shipped fonts' location) it
    names no local file: a report sent elsewhere falls back to the reader's DejaVu Sans or sans-serif."""
    return _env().get_template("report.html").render(**context(story, incident, language, generated, font_dir))


def render_pdf(story: CrisisStory, incident: Incident | None = None, language: str = "en",
               generated: datetime | None = None) -> bytes:
    """The PDF of render_html. WeasyPrint is imported here: it loads Pango, which no other command needs."""
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # a line per layout step is not news
    try:
        from weasyprint import HTML
    except OSError as exc:  # WeasyPrint loads Pango, HarfBuzz and fontconfig when it is imported
        raise PdfUnavailable(f"the PDF report needs Pango (run scripts/install-pdf-libs.sh): {exc}") from None
    html = render_html(story, incident, language, generated, FONTS.as_uri())
    # base_url: the fonts are found beside this module; nothing else is fetched (no remote URL is in the page:
    # mention links are printed as text, and the url fetcher refuses anything but the shipped files)
    return HTML(string=html, base_url=str(HERE) + "/", url_fetcher=_shipped_fonts_only()).write_pdf()  # type: ignore[no-any-return]


def _shipped_fonts_only() -> Any:
    """A WeasyPrint fetcher that opens the shipped font files and refuses every other URL (file or remote)."""
    from weasyprint.urls import URLFetcher

    class ShippedFontsOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(FONTS.as_uri() + "/"):
                raise ValueError(f"the report fetches only its shipped fonts, not {url[:80]!r}")
            return super().fetch(url, headers)

    return ShippedFontsOnly(allowed_protocols=("file",))
