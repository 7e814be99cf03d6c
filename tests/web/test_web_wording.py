"""The dashboard speaks from the one catalogue (core/wording) and writes durations exactly as the messages do."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ascolto.web.app import i18n_script
from core import wording
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
    assert page.evaluate("window.Ascolto.duration(6 * 86400 + 23 * 3600 + 40 * 60)") == "7 d"
