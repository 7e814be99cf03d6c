"""The dashboard speaks from the one catalogue (core/wording) and writes durations exactly as the messages do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ascolto.web.app import create_app, i18n_script
from core import wording
from core.config import config_from_dict
from storage import open_store
from tests.alerts.test_messages import spike
from tests.web.test_web_browser import browser, open_page, page, server  # noqa: F401  (their fixtures)

SECONDS = [0, 1, 29.4, 59.4, 59.5, 60, 89, 90, 3569, 3570, 3599, 3600, 3629, 3630, 86369, 86370, 86399, 86400,
           88199, 88200, 6 * 86400 + 23 * 3600 + 29 * 60, 6 * 86400 + 23 * 3600 + 30 * 60, 3627 * 60,
           *range(0, 30 * 86400, 3131)]


def test_the_dashboard_script_carries_the_catalogue_verbatim() -> None:
    script = i18n_script()
    assert "/*CATALOGUE*/" not in script
    start = script.index("const TEXT = ") + len("const TEXT = ")
    texts = json.JSONDecoder().raw_decode(script[start:])[0]
    assert texts == {lang: wording.catalogue(lang) for lang in wording.LANGUAGES}


@pytest.mark.browser
def test_dashboard_durations_are_the_messages_durations(page: Any) -> None:  # noqa: F811
    open_page(page, "/care")
    for lang in wording.LANGUAGES:
        page.evaluate(f"window.Ascolto.lang = '{lang}'")
        shown = page.evaluate(f"{json.dumps(SECONDS)}.map((s) => window.Ascolto.duration(s))")
        assert shown == [wording.duration(s, lang) for s in SECONDS]
    assert page.evaluate("window.Ascolto.duration(6 * 86400 + 23 * 3600 + 40 * 60)") == "7 g"  # it, last set


def test_alert_cards_get_the_words_of_the_messages_in_each_language(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    old = spike().model_copy(update={"id": "old", "details": {"transition": "opened"}})
    with open_store(path) as store:
        store.save_alert(spike())
        store.save_alert(old)  # notified before facts were kept: its own title and summary stay
    config = config_from_dict({"brands": [{"name": "Velora"}]})
    with TestClient(create_app(str(path), config)) as client:
        items = {a["id"]: a for a in client.get("/api/alerts").json()["items"]}
        detail = client.get("/api/alerts/a1").json()["alert"]
    said = items["a1"]["details"]["words"]
    assert said["it"] == {"title": "Velora: reclami circa 9,5 volte il solito",
                          "headline": "40 reclami in 1 h, circa 9,5 volte il solito (4,2).",
                          "unanswered": "Reclami di questa allerta ancora senza risposta: 12 su 40."}
    assert said["en"]["title"] == "Velora: complaints about 9.5 times the usual"
    assert detail["details"]["words"] == said
    assert "words" not in items["old"]["details"]


@pytest.mark.browser
def test_an_alert_card_speaks_the_readers_language(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    from ascolto.web.server import serve_in_thread

    path = tmp_path / "m.sqlite3"
    with open_store(path) as store:
        store.save_alert(spike())
    url, stop = serve_in_thread(str(path), config_from_dict({"brands": [{"name": "Velora"}]}), "127.0.0.1", 0)
    try:
        for locale, title, unanswered in (
                ("it-IT", "Velora: reclami circa 9,5 volte il solito", "ancora senza risposta: 12 su 40"),
                ("en-GB", "Velora: complaints about 9.5 times the usual", "still unanswered: 12 of 40")):
            context = browser.new_context(base_url=url, locale=locale)
            tab = context.new_page()
            open_page(tab, "/alerts")
            tab.wait_for_selector(".alert[data-id=a1] h3")
            assert tab.locator(".alert[data-id=a1] h3").inner_text() == title
            assert unanswered in tab.locator(".alert[data-id=a1] .unanswered").inner_text()
            context.close()
    finally:
        stop()
