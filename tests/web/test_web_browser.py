"""Real headless Chromium (Debian's, driven by Playwright) on every dashboard page over seeded data.

Checks that charts render and seeded mentions appear, and that hostile text and author names (script tags, img
onerror, svg onload, javascript: URLs) run nothing, trip no CSP violation and show as plain text.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from ascolto.web.server import serve_in_thread

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Runs before any page script (Playwright injects it over CDP): counts hostile execution and CSP violations.
WATCH = """
window.__xss = 0;
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
window.alert = () => { window.__xss = 99; };
"""


@pytest.fixture(scope="module")
def server(seeded_sqlite_url: str, seed: SimpleNamespace) -> Iterator[str]:
    url, stop = serve_in_thread(seeded_sqlite_url, seed.config, "127.0.0.1", 0)
    yield url
    stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("no /usr/bin/chromium: run scripts/install-chromium.sh (scripts/test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=server, locale="it-IT", viewport={"width": 1366, "height": 900})
    context.add_init_script(WATCH)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("dialog", lambda dialog: (errors.append("dialog: " + dialog.message), dialog.dismiss()))
    tab.errors = errors
    yield tab
    assert_nothing_ran(tab)
    context.close()


def assert_nothing_ran(tab: Any) -> None:
    assert tab.evaluate("window.__xss") == 0, "hostile mention text executed"
    assert tab.evaluate("window.__csp") == [], "Content-Security-Policy violations"
    hostile = tab.evaluate("""() => Array.from(document.querySelectorAll(
        'main script, main img, main [onerror], main [onload], main svg svg, a[href^="javascript:" i]'
    )).map((n) => n.outerHTML)""")
    assert hostile == []
    assert tab.errors == []


def wait_until(tab: Any, expression: str, timeout: float = 10) -> None:
    """Poll with evaluate (wait_for_function evaluates strings in the page, which our CSP rightly forbids)."""
    deadline = time.monotonic() + timeout
    while not tab.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        tab.wait_for_timeout(100)


def open_page(tab: Any, path: str) -> None:
    response = tab.goto(path)
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    tab.wait_for_selector("body[data-loaded=true]", timeout=15_000)


def test_overview_renders_charts_care_metrics_and_alert_markers(page: Any, seed: SimpleNamespace) -> None:
    open_page(page, "/?brand=Acme&window=7d")
    titles = page.locator("svg.chart-volume rect.bar title").evaluate_all("ns => ns.map(n => n.textContent)")
    assert titles and sum(int(t.rsplit(":", 1)[1]) for t in titles) == 8  # every inbound mention is drawn
    assert page.locator("svg.chart-volume .alert-marker").count() == 3  # a1, a2 (33 h ago), a3
    assert page.locator("[data-kpi=unanswered] .kpi-value").inner_text() == "3"
    assert page.locator("[data-kpi=total] .kpi-value").inner_text() == "8"
    assert "62,5%" in page.locator("[data-kpi=complaints] .kpi-value").inner_text()
    assert "30 min" in page.locator("[data-kpi=median] .kpi-value").inner_text()
    assert page.locator("#sov li").count() == 2 and "Acme" in page.locator("#sov").inner_text()
    assert "delivery" in page.locator("#topics").inner_text()
    assert "<b>bold</b>" in page.locator("#topics").inner_text()  # a hostile topic label, shown as text
    assert page.locator("svg.chart-trend circle").count() >= 1
    page.wait_for_selector("#authors li")
    assert page.locator("#authors li .name").first.inner_text() == "utente_c1"  # the largest reach
    assert seed.xss_author in page.locator("#authors").inner_text()
    assert "forum-casa" in page.locator("#sources").inner_text()
    page.locator("button[data-lang=en]").click()
    wait_until(page, "document.querySelector('nav a').textContent === 'Overview'")
    wait_until(page, "document.querySelector('[data-kpi=median] .kpi-label').textContent === 'First reply (median)'")


def test_overview_refreshes_itself(page: Any) -> None:
    open_page(page, "/?brand=Acme")
    page.evaluate("document.getElementById('updated').textContent = ''")
    wait_until(page, "document.getElementById('updated').textContent !== ''", timeout=12)


def test_care_queue_is_oldest_first_with_hostile_author_as_text(page: Any, seed: SimpleNamespace) -> None:
    open_page(page, "/care?brand=Acme")
    ids = page.locator("#queue tr").evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert ids == ["c3", "x1", "c4"]
    assert page.locator("#queue tr.over-target").count() == 1
    hostile = page.locator("#queue tr[data-id=x1]")
    assert hostile.locator("td.author").inner_text() == seed.xss_author
    assert seed.xss_script in hostile.locator("td.text").inner_text()
    assert hostile.locator("td.link a").count() == 0  # javascript: URL: no link, only a crossed-out label
    assert hostile.locator("td.link .unsafe-link").count() == 1
    safe = page.locator("#queue tr[data-id=c3] td.link a")
    assert safe.get_attribute("href") == "https://forum.example/t/c3"
    assert safe.get_attribute("rel") == "noopener noreferrer nofollow ugc"
    assert "delivery" in page.locator("#queue tr[data-id=c3] td.topic").inner_text()


def test_search_with_query_language_and_facets(page: Any, seed: SimpleNamespace) -> None:
    open_page(page, "/search?brand=Acme")
    page.fill("#q", "pacco OR rimborso")
    page.click("#search-form button[type=submit]")
    wait_until(page, "document.querySelectorAll('#results .mention').length === 3")
    card = page.locator("#results .mention[data-id=c1]")
    assert "forum-casa" in card.locator(".source").inner_text()
    assert card.locator(".author").inner_text() == "utente_c1"
    assert card.locator("time").inner_text() != ""
    assert "reclamo" in card.locator(".labels").inner_text()
    assert card.locator("a").get_attribute("href") == "https://forum.example/t/c1"
    page.check("#facets input[data-field=topics][value=billing]")
    wait_until(page, "document.querySelectorAll('#results .mention').length === 1")
    assert page.locator("#results .mention").get_attribute("data-id") == "c2"
    page.fill("#q", "OR")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#status .error")
    assert "syntax error" in page.locator("#status").inner_text()


def test_search_shows_hostile_mentions_as_text(page: Any, seed: SimpleNamespace) -> None:
    open_page(page, "/search?brand=Acme&q=pessimo")
    page.wait_for_selector("#results .mention[data-id=x1]")
    card = page.locator("#results .mention[data-id=x1]")
    assert card.locator(".title").inner_text() == seed.xss_title
    assert card.locator(".text").inner_text() == seed.xss_script
    assert card.locator(".author").inner_text() == seed.xss_author
    assert card.locator("a").count() == 0


def test_alerts_with_evidence_and_acknowledge(page: Any, seed: SimpleNamespace) -> None:
    open_page(page, "/alerts?brand=Acme")
    open_ids = page.locator("#open-alerts .alert").evaluate_all("cards => cards.map(c => c.dataset.id)")
    assert open_ids == ["a3", "a1"]
    assert page.locator("#past-alerts .alert[data-id=a2]").count() == 1
    hostile = page.locator(".alert[data-id=a3]")
    assert hostile.locator("h3").inner_text() == seed.xss_author
    assert hostile.locator(".summary").inner_text() == seed.xss_script
    hostile.locator("button.toggle-evidence").click()
    page.wait_for_selector(".alert[data-id=a3] .evidence .mention[data-id=x1]")
    page.fill("#ack-by", "Giulia <img src=x onerror=alert(1)>")
    page.locator(".alert[data-id=a1] button.ack").click()
    page.wait_for_selector("#past-alerts .alert[data-id=a1]")
    assert "Giulia <img src=x onerror=alert(1)>" in page.locator("#past-alerts .alert[data-id=a1]").inner_text()


def test_alert_link_from_a_message_opens_that_alert_with_its_evidence(page: Any) -> None:
    open_page(page, "/alerts?brand=Acme&id=a3")
    page.wait_for_selector(".alert[data-id=a3][data-focused=true] .evidence:not([hidden]) .mention[data-id=x1]")
    assert page.locator(".alert[data-id=a1] .evidence[hidden]").count() == 1


def test_wall_screen_layout_has_no_horizontal_overflow(browser: Any, server: str) -> None:
    context = browser.new_context(base_url=server, viewport={"width": 2560, "height": 1440})
    tab = context.new_page()
    open_page(tab, "/?brand=Acme")
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    font = tab.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert font >= 20  # scaled up for a screen read from across the room
    context.close()
