"""Email bodies from their templates: crawled text can forge no line, no link and no header."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from html.parser import HTMLParser

from alerts.messages import html_body, subject, text_body
from core.wording import Voice
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


# --- what the messages say: plain words first, the team's language and time zone, the truth when resolved ---

def spike(**facts: object):  # type: ignore[no-untyped-def]
    base = event()
    details = {**base.details, "facts": {"metric": "complaints", "window": "1h", "complaints": 40,
                                         "unanswered": 12, **facts}}
    return base.model_copy(update={"details": details})


def resolved_spike():  # type: ignore[no-untyped-def]
    ev = spike(now_observed=3)
    ev.status = "resolved"
    ev.details["transition"] = "resolved"
    ev.summary = "Back to normal. 40 complaints in 1h against 4.2 expected"
    return ev


def test_first_lines_say_it_in_plain_words_in_english() -> None:
    body = text_body(spike(), "https://ascolto.example/", Voice("en", "UTC"))
    lines = body.splitlines()
    assert lines[0] == "[Ascolto ALERT warning] Velora: complaints about 9.5 times the usual"
    assert lines[2] == "40 complaints in 1 h, about 9.5 times the usual (4.2)."
    assert lines[3] == "Complaints in this alert still unanswered: 12 of 40."
    head = "\n".join(lines[:4]).lower()
    assert "score" not in head and "1 in" not in head  # the jargon is in the details
    assert "Score 7.5 (detector volume_spike)" in body
    assert "Chance of this under normal conditions: about 1 in 31.6 million" in body


def test_the_same_alert_in_italian_in_the_teams_time_zone() -> None:
    voice = Voice("it", "Europe/Rome")
    body = text_body(spike(), "https://ascolto.example/", voice)
    lines = body.splitlines()
    assert lines[0] == "[Ascolto ALLERTA attenzione] Velora: reclami circa 9,5 volte il solito"
    assert lines[2] == "40 reclami in 1 h, circa 9,5 volte il solito (4,2)."
    assert lines[3] == "Reclami di questa allerta ancora senza risposta: 12 su 40."
    assert "Finestra: 10 mar 2026, 12:00 – 13:00 (Europe/Rome)" in body  # 11:00-12:00 UTC
    assert "Apri nella dashboard: https://ascolto.example/alerts?id=a1" in body
    assert "- qualcuno su" not in body and "Menzioni di esempio:" in body
    html = html_body(spike(), None, voice)
    assert '<html lang="it">' in html and "circa 9,5 volte il solito" in html
    assert subject(spike(), voice) == lines[0]


def test_resolved_says_what_is_true_now_not_the_last_peak() -> None:
    for voice, expected in ((Voice("en"), "Back to normal: 3 complaints in the last 1 h, about the usual 4.2."),
                            (Voice("it"), "Tutto nella norma: 3 reclami in 1 h, in linea con il solito 4,2.")):
        body = text_body(resolved_spike(), None, voice)
        assert body.splitlines()[2] == expected
        assert "40" not in body  # the elevated figure of the peak is not repeated
    assert subject(resolved_spike()) == "[Ascolto RESOLVED warning] Velora: complaints back to normal"


def test_unanswered_alert_speaks_in_durations_for_people() -> None:
    ev = event().model_copy(update={
        "detector": "unanswered_complaint", "observed": 3.0, "expected": 0.0, "score": 3627.0,
        "details": {"transition": "opened", "oldest_minutes": 3627.0, "limit_minutes": 60,
                    "facts": {"metric": "complaints", "complaints": 9, "unanswered": 3}}})
    body = text_body(ev, None, Voice("en"))
    assert body.splitlines()[2] == ("3 complaints waiting for a reply for over 1 h; the oldest has waited 2 d 12 h.")
    assert "3627" not in body and "minutes" not in body
    ev.status, ev.details["transition"] = "resolved", "resolved"
    assert text_body(ev, None, Voice("it")).splitlines()[2] == (
        "Tutto nella norma: nessun reclamo attende risposta da oltre 1 h.")


def sla_event():  # type: ignore[no-untyped-def]
    return event().model_copy(update={
        "detector": "sla_risk", "observed": 6.0, "expected": 2.5, "score": 25.0,
        "details": {"transition": "opened", "backlog": 6, "forecast_breaching": 4, "minutes_to_breach": 25.0,
                    "forecast_breach_at": "2026-03-10T12:25:00+00:00", "oldest_waiting_minutes": 35.0,
                    "reply_pace_per_hour": 2.5, "incoming_per_hour": 7.0, "median_first_reply_minutes": 95.0,
                    "limit_minutes": 60, "facts": {"metric": "complaints"}}})


def test_sla_risk_speaks_from_the_catalogue_in_both_languages() -> None:
    ev = sla_event()
    en = text_body(ev, None, Voice("en", "Europe/Rome")).splitlines()
    assert en[0] == "[Ascolto ALERT warning] Velora: complaints will wait over 1 h for a reply in about 25 min"
    assert en[2] == ("6 complaints waiting for a reply; at this pace 4 will wait over 1 h, the first in about "
                     "25 min. The oldest has waited 35 min.")
    assert ("Reply pace: 2.5 first replies an hour while complaints wait; 7 new complaints an hour; usual first "
            "reply after 1 h 35 min") in en
    assert "Forecast: the first complaint passes the target at 10 Mar 2026, 13:25" in en  # in Rome's time
    assert not [line for line in en if line.startswith(("Observed", "Score"))]
    it = text_body(ev, None, Voice("it")).splitlines()
    assert it[0] == ("[Ascolto ALLERTA attenzione] Velora: tra circa 25 min dei reclami attenderanno risposta da "
                     "oltre 1 h")
    assert it[2].startswith("6 reclami in attesa di risposta; a questo ritmo 4 attenderanno oltre 1 h")
    close = ev.model_copy(update={"details": {**ev.details, "minutes_to_breach": None, "transition": "escalated"}})
    assert text_body(close, None, Voice("en")).splitlines()[0].endswith("Velora: replies still close to the 1 h target")
    done = ev.model_copy(update={"status": "resolved", "details": {**ev.details, "transition": "resolved"}})
    assert text_body(done, None, Voice("it")).splitlines()[2] == (
        "Tutto nella norma: le risposte tengono il passo del limite di 1 h.")


def test_a_detector_the_catalogue_does_not_know_keeps_its_own_words() -> None:
    ev = event().model_copy(update={"detector": "next_detector", "title": "Velora: replies falling behind",
                                    "summary": "At this pace 4 complaints pass 60 min in 25 min."})
    body = text_body(ev, None, Voice("it"))
    assert "Velora: replies falling behind" in body.splitlines()[0]
    assert body.splitlines()[2] == "At this pace 4 complaints pass 60 min in 25 min."


def test_resolving_notes_the_level_now_and_the_unanswered_complaints(store) -> None:  # type: ignore[no-untyped-def]
    from alerts.findings import Finding
    from alerts.state import apply_findings
    from core.config import AlertRule
    from tests.alerts.conftest import mention

    t0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    rule = AlertRule(name="spike", detector="volume_spike", brand="Velora")
    complaints = [mention(t0 - timedelta(minutes=50 - k)) for k in range(40)]
    for answered in complaints[:28]:
        answered.first_reply_at = t0
    store.upsert(complaints)
    finding = Finding(key="volume", firing=True, observed=40, expected=4.2, score=7.5, title="t", summary="s",
                      window_start=t0 - timedelta(hours=1), window_end=t0)
    opened = apply_findings(store, rule, "Velora", [finding], t0)
    assert opened[0].details["facts"]["complaints"] == 40 and opened[0].details["facts"]["unanswered"] == 12
    assert "still unanswered: 12 of 40" in text_body(store.get_alert(opened[0].id), None)
    store.upsert([mention(t0 + timedelta(minutes=100 + k)) for k in range(3)])
    resolved = apply_findings(store, rule, "Velora", [], t0 + timedelta(hours=2))
    assert resolved[0].details["facts"]["now_observed"] == 3
    assert "Back to normal: 3 complaints in the last 1 h, about the usual 4.2." in text_body(resolved[0], None)


def test_every_detector_and_transition_renders_in_both_languages_even_with_little_evidence() -> None:
    """A message that fails to render is an alert never delivered: sparse or odd details must still read."""
    from alerts.slack_blocks import slack_payload
    from core.config import AlertRule

    detectors = [*AlertRule.model_fields["detector"].annotation.__args__, "sla_risk"]
    odd_details: list[dict[str, object]] = [
        {}, {"terms": [], "engagement": {"likes": "many"}, "total": 0, "facts": {"now_observed": None}},
        {"terms": ["not a dict"], "oldest_minutes": "?", "limit_minutes": None, "facts": {"window": "bad"}},
        {"samples": ["x", {"author": None}], "facts": {"complaints": "12", "unanswered": None}},
        {"samples": "none", "facts": "none"},
    ]
    for detector in detectors:
        for transition in ("opened", "escalated", "resolved", "reopened", "acknowledged"):
            for details in odd_details:
                bare = event().model_copy(update={
                    "detector": detector, "observed": None, "expected": None, "score": None, "window_start": None,
                    "status": "resolved" if transition == "resolved" else "open",
                    "details": {**details, "transition": transition}})
                for lang in ("en", "it"):
                    voice = Voice(lang, "Asia/Tokyo")
                    assert text_body(bare, "https://a.example/", voice).strip()
                    assert html_body(bare, None, voice) and slack_payload(bare, None, voice)["blocks"]
