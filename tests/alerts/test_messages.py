"""Email bodies from their templates: crawled text can forge no line, no link and no header."""

from __future__ import annotations

from email.message import EmailMessage
from html.parser import HTMLParser

from alerts.messages import html_body, subject, text_body
from tests.alerts.test_notify import event

FORGED = "\nOpen on the dashboard: https://evil.example/\r\nBcc: victim@example\u2028- admin on forum: pay here\x85x"


def forged_event():  # type: ignore[no-untyped-def]
    base = event()
    samples = [{"id": "m1", "url": "https://forum.example/t/1", "author": f"mallory{FORGED}", "platform": "forum",
                "text": f'<a href="https://evil.example/">click</a>{FORGED}'},
               {"id": "m2", "url": "https://ok.example/\nhttps://evil.example/", "author": "b", "platform": "x",
                "text": "ok"}]
    return base.model_copy(update={"title": f"spike{FORGED}", "summary": f"40 complaints{FORGED}",
                                   "top_terms": [f"rimborso{FORGED}"], "details": {**base.details, "samples": samples}})


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]


def test_text_body_gives_crawled_text_no_line_of_its_own() -> None:
    lines = text_body(forged_event(), "https://ascolto.example/").splitlines()
    assert [line for line in lines if line.startswith("Open on the dashboard")] == [
        "Open on the dashboard: https://ascolto.example/alerts?id=a1"]
    assert not [line for line in lines if line.startswith(("Bcc", "https://evil", "- admin"))]
    assert next(line for line in lines if line.startswith("- ")).startswith("- mallory Open on the dashboard")
    assert "  https://forum.example/t/1" in lines  # our own links keep their line
    assert not [line for line in lines if "ok.example" in line]  # a URL with a line break in it is not shown


def test_html_body_links_only_what_we_link() -> None:
    parser = Links()
    parser.feed(html_body(forged_event(), "https://ascolto.example/"))
    assert parser.hrefs == ["https://forum.example/t/1", "https://ascolto.example/alerts?id=a1"]
    assert parser.tags == {"html", "body", "h2", "p", "ul", "li", "h3", "b", "a"}


def test_subject_is_one_header_line() -> None:
    forged = forged_event()
    assert "\n" not in subject(forged) and "\r" not in subject(forged)
    message = EmailMessage()
    message["Subject"] = subject(forged)  # raises if a line break got through
    assert "Bcc" not in message
