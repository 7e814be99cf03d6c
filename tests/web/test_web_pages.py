"""The dashboard pages from their templates: one shared header, the page's own scripts, no inline script."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from ascolto.web.app import PAGES, render_page


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str | None] = []
        self.inline = False
        self.in_script = False
        self.nav: list[str | None] = []
        self.body_page: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts.append(values.get("src"))
            self.in_script = True
        elif tag == "body":
            self.body_page = values.get("data-page")
        elif tag == "a" and values.get("data-page"):
            self.nav.append(values.get("href"))

    def handle_endtag(self, tag: str) -> None:
        self.in_script = self.in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        self.inline = self.inline or (self.in_script and bool(data.strip()))


@pytest.mark.parametrize("route", list(PAGES))
def test_every_page_has_the_shared_header_and_only_script_files(route: str) -> None:
    html = render_page(PAGES[route])
    page = Page()
    page.feed(html)
    assert page.nav == ["/", "/care", "/search", "/alerts"]
    assert page.scripts[:2] == ["/static/js/i18n.js", "/static/js/common.js"] and None not in page.scripts
    assert not page.inline
    assert html.count('<header class="top">') == 1 and html.count('<footer class="bottom">') == 1
    assert page.body_page == {"/": "overview"}.get(route, route.strip("/"))
