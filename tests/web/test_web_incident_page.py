"""The incident page in real headless Chromium over a seeded complaint surge (tests/web/crisis_seed.py): the
timeline with its alerts, where it started, the spread per platform, amplifiers, stories, terms and replies are
drawn; hostile text, authors, titles and URLs run nothing and trip no CSP violation (the `page` fixture checks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from ascolto.web.server import serve_in_thread
from core.config import config_from_dict
from storage.base import AlertStore
from tests.web import crisis_seed as cs
from tests.web.test_web_browser import browser, open_page, page, wait_until  # noqa: F401  (their fixtures)

pytestmark = pytest.mark.browser
CONFIG = config_from_dict({"brands": [{"name": cs.BRAND}]})
QUERY = urlencode({"brand": cs.BRAND, "since": cs.SINCE.isoformat(), "until": cs.UNTIL.isoformat()})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = cs.seed_crisis(str(Path(tmp_path_factory.mktemp("incident")) / "crisis.sqlite3"))
    base, stop = serve_in_thread(url, CONFIG, "127.0.0.1", 0)
    yield base
    stop()


def test_the_story_is_drawn_timeline_spread_amplifiers_stories(page: Any) -> None:  # noqa: F811
    open_page(page, "/incident?" + QUERY)
    titles = page.locator("svg.chart-timeline rect.bar.total title").evaluate_all("ns => ns.map(n => n.textContent)")
    assert sum(int(t.rsplit(":", 1)[1]) for t in titles) == cs.INBOUND
    assert page.locator("svg.chart-timeline path.share").count() == 1
    assert page.locator("svg.chart-timeline .alert-marker").count() == 2
    assert page.locator("[data-kpi=total] .kpi-value").inner_text() == str(cs.INBOUND)
    platforms = page.locator("#first-platforms tr").evaluate_all("rows => rows.map(r => r.dataset.value)")
    assert platforms[:3] == ["forum", "news", "reddit"]
    assert page.locator("svg.chart-spread path.platform-line").count() == 5
    assert page.locator("svg.chart-spread path[data-platform=reddit]").count() == 1
    assert page.locator("#amp-reach li .name").first.inner_text() == "Redazione Quotidiano"
    assert page.locator("#amp-engagement li .name").first.inner_text() == "u/scooterfan"
    assert page.locator("#stories .story").count() >= 3
    assert page.locator("#stories .story").nth(1).get_attribute("data-count") == "7"
    assert "batteria" in page.locator("#stories").inner_text()
    assert page.locator("#story-terms .label").count() >= 1
    assert f"{cs.INBOUND - 2} / {cs.INBOUND}" in page.locator("#replies").inner_text()
    assert page.locator("#first-mentions .mention").first.get_attribute("data-id") == "b0"
    href = page.locator("#report").get_attribute("href")
    assert href.startswith("/api/story/report.pdf?") and "brand=Velora" in href
    assert page.locator("#incident-panel").is_hidden()  # only an incident (?id=) has a status and notes


def test_hostile_crawled_text_is_shown_as_text(page: Any) -> None:  # noqa: F811
    open_page(page, "/incident?" + QUERY)
    assert cs.XSS_AUTHOR in page.locator("#amp-reach").inner_text()
    marker_titles = page.locator("svg.chart-timeline .alert-marker title").evaluate_all(
        "ns => ns.map(n => n.textContent)")
    assert any(cs.XSS_AUTHOR in t for t in marker_titles)  # a hostile alert title, as text
    hostile = page.locator("#stories .story").filter(has_text="__xss")
    assert hostile.count() == 1
    assert cs.XSS_TEXT in hostile.locator(".text").inner_text()  # title and text, as text
    assert hostile.locator("a").count() == 0 and hostile.locator(".unsafe-link").count() == 1
    assert page.locator('#stories a[href^="javascript:" i], #first-mentions a[href^="javascript:" i]').count() == 0
    page.locator("button[data-lang=en]").click()
    wait_until(page, "document.querySelector('h2[data-i18n=\"story.spread\"]').textContent.startsWith('How')")
    assert page.locator("h2[data-i18n='story.spread']").inner_text() == "How it spread, by platform"


def test_the_report_button_downloads_the_pdf(page: Any, server: str) -> None:  # noqa: F811
    open_page(page, "/incident?" + QUERY)
    href = page.locator("#report").get_attribute("href")
    response = httpx.get(server + href, timeout=120)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.skipif(not hasattr(AlertStore, "save_incident"), reason="needs the incidents stage (AlertStore)")
def test_an_incident_has_status_owner_and_notes_the_team_writes(page: Any) -> None:  # noqa: F811
    open_page(page, "/incident?id=inc-velora-1")
    assert page.locator("#incident-panel").is_visible()
    assert page.locator("#story-title").inner_text() == "Velora: complaints surge"
    assert "Giulia" in page.locator("#incident-status").inner_text()
    assert page.locator("svg.chart-timeline .alert-marker").count() == 2
    assert "<b>Press</b> statement" in page.locator("#incident-notes").inner_text()  # a note, shown as text
    assert page.locator("#report").get_attribute("href").startswith("/api/incidents/inc-velora-1/report.pdf")
    hostile = '<img src=x onerror="window.__xss = 7"> call the newsroom'
    page.fill("#incident-by", "Anna")
    page.fill("#incident-note", hostile)
    page.select_option("#incident-status-select", "resolved")
    page.click("#incident-form button[type=submit]")
    page.wait_for_selector("#incident-notes li:nth-child(2)")
    assert hostile in page.locator("#incident-notes li").nth(1).inner_text()
    assert page.locator("#incident-status-select").input_value() == "resolved"


def test_the_alerts_page_lists_incidents_linking_to_their_page(page: Any) -> None:  # noqa: F811
    open_page(page, "/alerts?brand=" + cs.BRAND)
    page.wait_for_selector("#incidents[data-loaded=true]")
    link = page.locator('#incidents li[data-id="inc-velora-1"] a')
    assert link.get_attribute("href") == "/incident?id=inc-velora-1"
    assert link.inner_text() == "Velora: complaints surge"
