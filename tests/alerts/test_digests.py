"""Digests: validated config, cron times in the digest's time zone, quiet hours, delivery through the outbox to a
real SMTP server and a Slack-like webhook in Italian and in English, once per period, crawled text inert."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from alerts.notify import Dispatcher
from ascolto.cli import main
from ascolto.digests import build_digest, enqueue_due, fire_times, next_delivery, period_of
from ascolto.scheduler import Service
from core.config import ConfigError
from core.model import AlertEvent
from storage import MentionStore
from tests.alerts.conftest import make_config, mention

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # 08:00 in Rome (CET)
EVIL = "<b>rimborso</b> https://evil.example/ @here"


def digest_config(tmp_path: Path, smtp_port: int = 25, digest: dict[str, Any] | None = None) -> Any:
    channels = [
        {"name": "mail-it", "kind": "email", "host": "127.0.0.1", "port": smtp_port, "to": ["care@example"],
         "language": "it", "timezone": "Europe/Rome"},
        {"name": "slack-en", "kind": "slack", "webhook_url_env": "TEST_DIGEST_SLACK", "language": "en",
         "timezone": "America/New_York"},
        {"name": "audit", "kind": "file", "path": str(tmp_path / "digests.jsonl")},
    ]
    spec = {"name": "morning", "schedule": "daily", "at": "08:00", "timezone": "Europe/Rome",
            "channels": ["mail-it", "slack-en", "audit"], "brands": ["Velora"], **(digest or {})}
    return make_config([{"name": "late", "detector": "unanswered_complaint", "limit_minutes": 60}], channels,
                       digests=[spec], dashboard={"public_url": "https://ascolto.example/"})


def fill(store: MentionStore, now: datetime = NOW) -> None:
    """A day of complaints (half answered in 20 minutes, a third later than an hour), the day before it quieter,
    a praise, an emerging term and one alert of the period."""
    day = []
    for k in range(12):
        at = now - timedelta(hours=23) + timedelta(hours=k * 1.5)
        reply = at + timedelta(minutes=20 if k % 2 else 90) if k % 3 else None
        day.append(mention(at, text=f"{EVIL} guasto linea {k}", topics=["network"], first_reply_at=reply))
    before = [mention(now - timedelta(hours=30 + k), text="bolletta sbagliata", topics=["billing"],
                      first_reply_at=now - timedelta(hours=30 + k) + timedelta(minutes=15)) for k in range(4)]
    praise = [mention(now - timedelta(hours=2), intent="praise", sentiment="positive", text="grazie, risolto")]
    store.upsert([*day, *before, *praise])
    store.save_alert(AlertEvent(id="a-digest", rule="late", detector="unanswered_complaint", brand="Velora",
                                severity="warning", opened_at=now - timedelta(hours=5),
                                updated_at=now - timedelta(hours=5), title=f"Velora: {EVIL}", observed=3,
                                details={"limit_minutes": 60, "oldest_minutes": 95}))


def test_the_digests_section_is_checked_with_clear_errors(tmp_path: Path) -> None:
    for bad, problem in (({"channels": ["nope"]}, "digests[0].channels: unknown channel 'nope'"),
                         ({"brands": ["Nobody"]}, "digests[0].brands: unknown brand 'Nobody'"),
                         ({"at": "25:00"}, "digests[0].at: expected a local time HH:MM such as 08:00"),
                         ({"timezone": "Mars/Base"}, "digests[0].timezone: unknown time zone 'Mars/Base'"),
                         ({"schedule": "hourly"}, "digests[0].schedule"), ({"weekday": "someday"}, "weekday")):
        with pytest.raises(ConfigError) as caught:
            digest_config(tmp_path, digest=bad)
        assert problem in str(caught.value), caught.value


def test_cron_times_are_local_and_the_period_runs_from_the_previous_one(tmp_path: Path) -> None:
    digest = digest_config(tmp_path).digests[0]
    times = fire_times(digest, datetime(2026, 3, 27, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC))
    assert [t.astimezone(ROME).strftime("%d %H:%M") for t in times] == ["27 08:00", "28 08:00", "29 08:00",
                                                                        "30 08:00"]
    assert times[1].hour == 7 and times[2].hour == 6  # 08:00 in Rome is 07:00 UTC, then 06:00 UTC from 29 March
    since, until = period_of(digest, datetime(2026, 3, 29, 6, 30, tzinfo=UTC))
    assert (since, until) == (times[1], times[2]) and until - since == timedelta(hours=23)  # the DST night
    weekly = digest.model_copy(update={"schedule": "weekly", "weekday": "mon", "at": "09:30",
                                       "timezone": "America/New_York"})
    since, until = period_of(weekly, datetime(2026, 3, 12, 12, 0, tzinfo=UTC))  # a Thursday
    assert until == datetime(2026, 3, 9, 13, 30, tzinfo=UTC) and until - since == timedelta(days=7) - timedelta(
        hours=1)  # New York moved its clocks on 8 March
    service = Service(digest_config(tmp_path), tmp_path / "c.yaml", str(tmp_path / "m.sqlite3"), tmp_path / "ob")
    service.schedule(crawl=False)
    job = service.scheduler.get_job("digest:morning")
    assert job.trigger.get_next_fire_time(None, NOW + timedelta(minutes=1)) == datetime(2026, 3, 11, 8, 0,
                                                                                        tzinfo=ROME)


def test_a_local_time_passed_twice_in_the_autumn_night_is_one_fire_time(tmp_path: Path) -> None:
    # 02:30 in Rome happens twice on 25 October 2026 (00:30 and 01:30 UTC): the scheduler fires at both; the
    # period ending at the second is the one ending at the first (queued once), and listing them terminates
    digest = digest_config(tmp_path, digest={"at": "02:30"}).digests[0]
    times = fire_times(digest, datetime(2026, 10, 24, tzinfo=UTC), datetime(2026, 10, 27, tzinfo=UTC))
    assert times == [datetime(2026, 10, 24, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
                     datetime(2026, 10, 26, 1, 30, tzinfo=UTC)]
    first = period_of(digest, datetime(2026, 10, 25, 0, 30, 5, tzinfo=UTC))
    assert period_of(digest, datetime(2026, 10, 25, 1, 30, 5, tzinfo=UTC)) == first
    assert first == (times[0], times[1])
    since, until = period_of(digest, datetime(2026, 10, 26, 1, 30, 5, tzinfo=UTC))
    assert (since, until) == (times[1], times[2]) and until - since == timedelta(hours=25)


def test_a_late_digest_job_still_runs_within_its_catch_up_time(tmp_path: Path) -> None:
    # APScheduler skips a run later than the job's misfire grace (5 min for the service's other jobs); a digest
    # held up by busy crawl threads must not be dropped while enqueue_due would still take it
    from ascolto.digests import CATCH_UP

    service = Service(digest_config(tmp_path), tmp_path / "c.yaml", str(tmp_path / "m.sqlite3"), tmp_path / "ob")
    service.schedule(crawl=False)
    assert service.scheduler.get_job("digest:morning").misfire_grace_time == CATCH_UP.total_seconds()


def test_a_digest_due_in_quiet_hours_waits_to_their_end(tmp_path: Path, store: MentionStore,
                                                        smtp_server: Any) -> None:
    controller, inbox = smtp_server
    quiet = {"start": "22:00", "end": "09:00", "timezone": "Europe/Rome"}
    config = digest_config(tmp_path, controller.port, {"at": "07:30", "quiet_hours": quiet,
                                                      "channels": ["mail-it", "audit"]})
    digest = config.digests[0]
    assert next_delivery(digest, NOW) == datetime(2026, 3, 11, 8, 0, tzinfo=UTC)  # 09:00 in Rome, not 07:30
    assert next_delivery(digest.model_copy(update={"quiet_hours": None}), NOW) == datetime(2026, 3, 11, 6, 30,
                                                                                          tzinfo=UTC)
    fill(store)
    clock = [datetime(2026, 3, 10, 6, 31, tzinfo=UTC)]  # just after 07:30 in Rome
    dispatcher = Dispatcher(config, tmp_path / "outbox", retry_delays=(), clock=lambda: clock[0])
    assert enqueue_due(store, config, dispatcher, digest, clock[0]) == 2
    assert dispatcher.flush().delivered == 1 and inbox.messages == []  # the file now, people later
    clock[0] = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # 09:00 in Rome
    assert dispatcher.flush().delivered == 1 and len(inbox.messages) == 1
    dispatcher.close()


def test_delivered_by_smtp_in_italian_and_to_slack_in_english_once_per_period(
        tmp_path: Path, store: MentionStore, smtp_server: Any, receiver: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    controller, inbox = smtp_server
    monkeypatch.setenv("TEST_DIGEST_SLACK", receiver.url)
    config = digest_config(tmp_path, controller.port)
    fill(store)
    clock = [NOW + timedelta(seconds=5)]
    dispatcher = Dispatcher(config, tmp_path / "outbox", retry_delays=(), clock=lambda: clock[0])
    assert enqueue_due(store, config, dispatcher, config.digests[0], clock[0]) == 3
    report = dispatcher.flush()
    assert (report.delivered, report.pending) == (3, 0)
    clock[0] = NOW + timedelta(hours=2)  # a restart rebuilds the same period's digest: nothing new is sent
    assert enqueue_due(store, config, dispatcher, config.digests[0], clock[0]) == 0
    assert dispatcher.flush().delivered == 0
    dispatcher.close()

    assert len(inbox.messages) == 1 and len(receiver.posts) == 1
    mail = inbox.messages[0]
    assert str(make_header(decode_header(mail["Subject"]))) == (
        "[Ascolto] morning: riepilogo dell'assistenza, 9 mar 2026, 08:00 – 10 mar 2026, 08:00")
    text = mail.get_payload()[0].get_payload(decode=True).decode()
    html = mail.get_payload()[1].get_payload(decode=True).decode()
    assert "Reclami: 12 (+8 rispetto al periodo precedente)" in text
    assert "Risposte entro 1 h: 50% (-50 punti rispetto al periodo precedente)" in text
    assert "Senza risposta da oltre 1 h: 4 (+4 rispetto al periodo precedente)" in text
    assert "Argomenti principali dei reclami: network: 12" in text
    assert "Apri Velora nella dashboard: https://ascolto.example/?brand=Velora&window=24h" in text
    assert "attenzione" in text and "in attesa di risposta" in text  # the period's alert, in the alert's words
    assert _hrefs(html) == ["https://ascolto.example/?brand=Velora&amp;window=24h"]

    headers, body = receiver.posts[0]
    payload = json.loads(body)
    assert headers["Idempotency-Key"] == "".join(mail["X-Ascolto-Key"].split()) == config_key(NOW)
    assert payload["text"].startswith("[Ascolto] morning: care digest, 9 Mar 2026, 03:00 – 10 Mar 2026, 03:00")
    texts = [b["text"]["text"] for b in payload["blocks"] if b.get("text") and b["text"]["type"] == "plain_text"]
    assert any("Complaints: 12 (+8 vs the period before)" in t for t in texts)
    audit = [json.loads(line) for line in (tmp_path / "digests.jsonl").read_text().splitlines()]
    assert audit[0]["kind"] == "digest" and audit[0]["digest"]["brands"][0]["care"]["complaints"] == 12


def config_key(at: datetime) -> str:
    return f"digest:morning:{(at - timedelta(days=1)).isoformat()}:{at.isoformat()}"


def _hrefs(html: str) -> list[str]:
    import re

    return re.findall(r'href="([^"]*)"', html)


def test_the_digest_command_prints_json_and_text_and_sends(tmp_path: Path, store: MentionStore, capsys: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    fill(store)
    raw = {"brands": [{"name": "Velora"}, {"name": "Rimbors"}], "store": store.url,
           "alerts": [{"name": "late", "detector": "unanswered_complaint", "limit_minutes": 60}],
           "channels": [{"name": "audit", "kind": "file", "path": str(tmp_path / "out.jsonl"), "language": "it"}],
           "digests": [{"name": "weekly", "schedule": "weekly", "channels": ["audit"]}]}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(raw))
    monkeypatch.setenv("ASCOLTO_HOME", str(tmp_path / "home"))
    args = ["digest", "--config", str(path), "--period", "1d", "--now", NOW.isoformat()]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"name", "since", "until", "dashboard_url", "idempotency_key", "brands"}
    velora = out["brands"][0]
    assert velora["brand"] == "Velora" and [b["brand"] for b in out["brands"]] == ["Velora", "Rimbors"]
    assert set(velora) == {"brand", "care", "previous", "change", "topics", "emerging_terms", "alerts"}
    assert velora["care"]["complaints"] == 12 and velora["change"]["complaints"] == 8
    assert [a["id"] for a in velora["alerts"]] == ["a-digest"]
    assert main([*args, "--language", "en"]) == 0
    assert "Complaints: 12 (+8 vs the period before)" in capsys.readouterr().out
    assert main([*args, "--send"]) == 0
    assert "Reclami: 12" in capsys.readouterr().out  # the channel's language
    sent = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(sent) == 1 and sent[0]["language"] == "it"
    assert main([*args, "--name", "nope"]) == 2


def test_built_for_every_brand_even_an_empty_one(tmp_path: Path, store: MentionStore) -> None:
    report = build_digest(store, digest_config(tmp_path), "x", NOW - timedelta(days=1), NOW, now=NOW)
    assert [b.brand for b in report.brands] == ["Velora", "Rimbors"]
    assert report.brands[1].care["complaints"] == 0 and report.brands[1].change()["response_median_seconds"] is None
    from alerts.digest import digest_text
    from core.wording import Voice

    for language in ("en", "it"):
        assert "Rimbors" in digest_text(report, Voice(language))


def test_crawled_terms_and_topics_stay_inert_in_every_medium() -> None:
    from alerts.digest import BrandDigest, DigestReport, digest_html, digest_text
    from alerts.slack_blocks import digest_slack_payload

    hostile = '<img src=x onerror="alert(1)"> https://evil.example/\nBcc: victim@example @channel'
    report = DigestReport("d", NOW - timedelta(days=1), NOW, dashboard_url="https://ascolto.example/",
                          brands=[BrandDigest("Velora", {"complaints": 3}, {"complaints": 1},
                                              topics=[(hostile, 2)], terms=[hostile])])
    html = digest_html(report)
    assert "<img" not in html and _hrefs(html) == ["https://ascolto.example/?brand=Velora&amp;window=24h"]
    lines = digest_text(report).splitlines()
    assert not [line for line in lines if line.startswith(("Bcc", "https://evil"))]
    assert "https://evil" not in digest_text(report)  # broken by a zero-width space: no bare link
    blocks = digest_slack_payload(report)["blocks"]
    crawled = json.dumps([b for b in blocks if b["type"] == "context"], ensure_ascii=False)
    assert "<img" not in crawled and "&lt;img" in crawled and "@channel" not in crawled
    assert all(b["text"]["type"] == "plain_text" for b in blocks if b["type"] == "header")


def test_the_service_job_queues_each_period_once_and_catches_up_only_recent_ones(tmp_path: Path,
                                                                                 store: MentionStore) -> None:
    fill(store)
    config = digest_config(tmp_path, digest={"channels": ["audit"]})
    service = Service(config, tmp_path / "c.yaml", store.url, tmp_path / "outbox")
    try:
        assert service.send_digest("morning", now=NOW + timedelta(minutes=1)) == 1
        assert service.send_digest("morning", now=NOW + timedelta(hours=5)) == 0  # a restart: same period
        assert service.send_digest("morning", now=NOW + timedelta(hours=7)) == 0  # too late to be news
        assert service.send_digest("morning", now=NOW + timedelta(days=1, seconds=1)) == 1  # the next day's
        service.deliver("audit")
    finally:
        service.stop()
    sent = [json.loads(line) for line in (tmp_path / "digests.jsonl").read_text().splitlines()]
    assert [s["digest"]["until"] for s in sent] == [NOW.isoformat(), (NOW + timedelta(days=1)).isoformat()]


def test_delivered_by_smtp_in_english_and_to_slack_and_a_signed_webhook_in_italian(
        tmp_path: Path, store: MentionStore, smtp_server: Any, receiver: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from alerts.channels import verify_webhook
    from core.config import config_from_dict

    controller, inbox = smtp_server
    monkeypatch.setenv("TEST_DIGEST_SLACK", receiver.url)
    monkeypatch.setenv("TEST_DIGEST_SECRET", "s3cret")
    config = digest_config(tmp_path, controller.port)
    swapped = []
    for channel in config.channels:
        language = {"mail-it": "en", "slack-en": "it"}.get(channel.name, channel.language)
        swapped.append(channel.model_copy(update={"language": language}))
    raw = config.model_dump()
    raw["channels"] = [c.model_dump() for c in swapped] + [
        {"name": "hook", "kind": "webhook", "url": receiver.url, "secret_env": "TEST_DIGEST_SECRET", "language": "it"}]
    raw["digests"][0]["channels"] = ["mail-it", "slack-en", "hook"]
    config = config_from_dict(raw)
    fill(store)
    dispatcher = Dispatcher(config, tmp_path / "outbox", retry_delays=(), clock=lambda: NOW)
    assert enqueue_due(store, config, dispatcher, config.digests[0], NOW) == 3
    assert dispatcher.flush().delivered == 3
    dispatcher.close()
    text = inbox.messages[0].get_payload()[0].get_payload(decode=True).decode()
    assert "Complaints: 12 (+8 vs the period before)" in text and "Answered within 1 h: 50%" in text
    slack, hook_post = sorted(receiver.posts, key=lambda p: "X-Ascolto-Signature" in p[0])
    assert "riepilogo dell'assistenza" in json.loads(slack[1])["text"]
    headers, body = hook_post
    assert verify_webhook("s3cret", headers, body)
    payload = json.loads(body)
    assert payload["kind"] == "digest" and payload["language"] == "it" and "Reclami: 12" in payload["text"]
    assert payload["idempotency_key"] == config_key(NOW)
