"""The crisis story (storage.story via ascolto.story) over a real store of each backend, its API, and the report
(PDF rendered by WeasyPrint, its text extracted with pypdf; HTML from the same template) and `ascolto report`."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from ascolto.cli import main
from ascolto.report import render_html, render_pdf
from ascolto.story import incident_story, window_story
from ascolto.web import cache
from ascolto.web.app import create_app
from core.config import config_from_dict
from storage import open_store
from storage.base import AlertStore
from storage.story import CrisisStory
from tests.web import crisis_seed as cs

CONFIG = config_from_dict({"brands": [{"name": cs.BRAND}]})


@pytest.fixture(scope="module")
def crisis_url(store_url: str) -> str:
    return cs.seed_crisis(store_url)


@pytest.fixture(scope="module")
def story(crisis_url: str) -> Iterator[CrisisStory]:
    with open_store(crisis_url) as store:
        yield window_story(store, CONFIG, cs.BRAND, cs.SINCE, cs.UNTIL, cs.NOW)  # type: ignore[arg-type]


def test_timeline_counts_every_inbound_mention_with_its_negative_share(story: CrisisStory) -> None:
    assert story.total == cs.INBOUND and sum(b.volume for b in story.timeline) == cs.INBOUND
    assert story.negative == cs.INBOUND and story.complaints == cs.INBOUND  # the surge is all complaints
    assert story.interval == "1h" and len(story.timeline) == 12
    busy = [b for b in story.timeline if b.volume]
    assert all(b.negative_share == 1.0 for b in busy)
    assert [a.id for a in story.alerts] == ["cs1", "cs2"]  # the one before the window is not marked


def test_where_it_started_and_how_it_spread(story: CrisisStory) -> None:
    assert story.first_mentions[0].id == "b0" and story.first_mentions[0].platform == "forum"
    assert [r.value for r in story.first_by_platform][:3] == ["forum", "news", "reddit"]
    spread = {p.platform: p for p in story.spread}
    assert spread["reddit"].total == 9 and sum(spread["reddit"].counts) == 9
    assert spread["news"].total == 2 and spread["forum"].total == 3  # b0 and the hostile two
    assert spread["forum"].first_at == cs.SINCE + timedelta(hours=2)


def test_amplifiers_by_reach_and_by_engagement(story: CrisisStory) -> None:
    assert [a.author for a in story.amplifiers_by_reach[:2]] == ["Redazione Quotidiano", "Giornale Web"]
    assert story.amplifiers_by_reach[0].reach == 250_000
    assert story.amplifiers_by_engagement[0].author == "u/scooterfan"
    assert story.amplifiers_by_engagement[0].engagement == 2_900
    assert cs.XSS_AUTHOR in [a.author for a in story.amplifiers_by_reach]


def test_near_duplicates_and_syndicated_copies_make_one_story(story: CrisisStory) -> None:
    assert [s.count for s in story.stories][:2] == [8, 7]  # the eight "me too" posts, then the syndicated story
    assert story.stories[0].mentions == 8 and story.stories[0].first_platform == "reddit"
    top = story.stories[1]
    assert top.mention_ids[0] == "b0" and top.mentions == 5 and top.copies == 2  # b0..b4, and b1's two copies
    assert top.count == 7
    assert top.first_source == "forum-mobilita" and top.first_at == cs.SINCE + timedelta(hours=2)
    assert top.reach == 800 + 250_000 + 90_000 + 3_000 + 1_200
    assert set(top.platforms) == {"forum", "news", "reddit", "mastodon"}
    refunds = [s for s in story.stories if s.first_source == "recensioni"]
    assert refunds and refunds[0].mentions == 3
    hostile = [s for s in story.stories if "x1" in s.mention_ids]
    assert hostile and hostile[0].text.startswith("<svg onload") and hostile[0].url == cs.XSS_URL  # kept as data
    assert story.read == cs.INBOUND and story.read_complete


def test_emerging_terms_and_replies(story: CrisisStory) -> None:
    found = {t.term for b in story.emerging_terms for t in b.terms}
    assert "batteria" in found or "batteria velora" in found or "ricarica" in found, found
    assert "velora" not in found  # the brand's own name never emerges
    r = story.replies
    assert r.brand_posts == cs.OWNED and r.answered == 2 and r.complaints == cs.INBOUND
    assert r.unanswered == cs.INBOUND - 2 and r.unanswered_share == round((cs.INBOUND - 2) / cs.INBOUND, 4)
    assert r.first_reply_median_seconds == pytest.approx((30 * 60 + 60 * 60) / 2)  # b0 after 30 min, r0 after 1 h


def test_the_api_serves_the_story_and_its_pdf(crisis_url: str, story: CrisisStory) -> None:
    with TestClient(create_app(crisis_url, CONFIG)) as client:
        params = {"brand": cs.BRAND, "since": cs.SINCE.isoformat(), "until": cs.UNTIL.isoformat()}
        cache.clear()
        got = client.get("/api/story", params=params)
        assert got.status_code == 200, got.text
        body = got.json()
        assert body["total"] == story.total and body["stories"][1]["count"] == 7
        stories = [key[2:] for key, _minute in cache._per_minute._entries if key[0] == "story"]
        assert stories == [(cs.BRAND, cs.SINCE, cs.UNTIL)]  # memoised per minute
        assert client.get("/api/incidents/nope/story").status_code == 404
        assert client.get("/api/incidents/nope/report.pdf").status_code == 404
        pdf = client.get("/api/story/report.pdf", params={**params, "lang": "en"})
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
        assert len({key for key, _minute in cache._per_minute._entries if key[0] == "story"}) == 1  # the same memo


def _pdf_text(data: bytes) -> tuple[str, int, set[str]]:
    reader = PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return "\n".join(p.extract_text() for p in reader.pages), len(reader.pages), fonts


def test_the_pdf_report_names_the_brand_and_the_figures_in_the_shipped_font(story: CrisisStory) -> None:
    text, pages, fonts = _pdf_text(render_pdf(story, language="en"))
    assert 1 <= pages <= 3
    assert "Velora: crisis report" in text
    assert "Mentions" in text and str(cs.INBOUND) in text and "Top amplifiers by reach" in text
    assert "Redazione Quotidiano" in text and "250,000" in text
    assert "forum-mobilita" in text and "u/scooterfan" in text
    assert cs.XSS_AUTHOR in text  # a hostile author among the amplifiers, printed as text
    assert fonts and all("Report-Sans" in f for f in fonts), fonts  # the shipped fonts only (their @font-face name)
    italian, _, _ = _pdf_text(render_pdf(story, language="it"))
    assert "Velora: rapporto di crisi" in italian and "Reclami" in italian


def test_the_html_report_is_the_same_template_and_keeps_crawled_text_inert(story: CrisisStory) -> None:
    html = render_html(story, language="en")
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in html  # the hostile story, escaped
    assert "Velora: crisis report" in html
    assert "file:" not in html and "@font-face" not in html  # a report sent elsewhere names no local path
    assert "&lt;img src=x onerror=&#34;window.__xss = 5&#34;&gt;" in html  # the hostile author, escaped
    assert "<img src=x" not in html and 'href="javascript' not in html and "<svg onload" not in html
    assert html.count("<svg ") == 2  # the two charts, nothing from the data


def test_an_incident_report_shows_status_owner_and_notes(crisis_url: str) -> None:
    incident = cs.crisis_incident()
    with open_store(crisis_url) as store:
        found = incident_story(store, CONFIG, incident, cs.NOW)  # type: ignore[arg-type]
    assert found.since == cs.SINCE - timedelta(hours=1) and found.until == cs.SINCE + timedelta(hours=10)
    assert [a.id for a in found.alerts] == ["cs1", "cs2"]
    text, pages, _ = _pdf_text(render_pdf(found, incident, "en"))
    assert "Velora: complaints surge" in text and "handling" in text and "Giulia" in text
    assert "<b>Press</b> statement" in text and pages <= 3


def test_the_report_command_writes_pdf_and_html(crisis_url: str, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    args = ["--store", crisis_url, "report", "--brand", cs.BRAND, "--since", cs.SINCE.isoformat(),
            "--until", cs.UNTIL.isoformat()]
    assert main([*args, "--output", str(out)]) == 0
    text, _, _ = _pdf_text(out.read_bytes())
    assert "Velora" in text and str(cs.INBOUND) in text
    assert main([*args, "--output", str(tmp_path / "r.html"), "--lang", "it"]) == 0
    assert "rapporto di crisi" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert main(["--store", crisis_url, "report", "--incident", "nope", "--output", str(out)]) == 1
    assert main([*args, "--output", str(tmp_path / "r.docx")]) == 2
    # a window of more buckets than the dashboard draws is a clear error (it was a traceback)
    decades = ["--store", crisis_url, "report", "--brand", cs.BRAND, "--since", "1990-01-01T00:00:00Z",
               "--until", cs.UNTIL.isoformat(), "--output", str(tmp_path / "long.html")]
    assert main(decades) == 2 and not (tmp_path / "long.html").exists()


@pytest.mark.skipif(not hasattr(AlertStore, "save_incident"), reason="needs the incidents stage (AlertStore)")
def test_an_incident_story_and_report_over_the_api(crisis_url: str, tmp_path: Path) -> None:
    with TestClient(create_app(crisis_url, CONFIG)) as client:
        got = client.get("/api/incidents/inc-velora-1/story")
        assert got.status_code == 200, got.text
        body = got.json()
        assert [a["id"] for a in body["alerts"]] == ["cs1", "cs2"]
        assert body["since"].startswith((cs.SINCE - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
        pdf = client.get("/api/incidents/inc-velora-1/report.pdf", params={"lang": "en"})
        assert pdf.status_code == 200 and "Velora: complaints surge" in _pdf_text(pdf.content)[0]
    out = tmp_path / "incident.pdf"
    assert main(["--store", crisis_url, "report", "--incident", "inc-velora-1", "--output", str(out)]) == 0
    text = _pdf_text(out.read_bytes())[0]
    assert "Velora" in text and "Giulia" in text and "<b>Press</b> statement" in text
