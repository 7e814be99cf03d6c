"""Seeded stores for the API and dashboard tests: parametrised over backends through the `store_url` fixture."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from core.config import config_from_dict
from core.model import AlertEvent, Incident, IncidentNote, Mention
from storage import open_store
from storage.base import MentionFilter
from tests.storage.es_server import drop_prefix

NOW = datetime.now(UTC).replace(microsecond=0)
XSS_SCRIPT = "<script>window.__xss = 1</script> Acme pessimo, mai più"
XSS_AUTHOR = '<img src=x onerror="window.__xss = 2">'
XSS_TITLE = '<svg onload="window.__xss = 4">titolo</svg>'
XSS_URL = "javascript:window.__xss = 3"
CONFIG = config_from_dict({
    "brands": [{"name": "Acme", "aliases": ["acme spa"]}, {"name": "Globex"}],
    "dashboard": {"token_env": "ASCOLTO_TEST_TOKEN"},
})


def mention(mid: str, minutes_ago: float, text: str, **extra: Any) -> Mention:
    fields: dict[str, Any] = {
        "id": mid, "brands": ["Acme"], "source": "forum-casa", "platform": "forum", "url": f"https://forum.example/t/{mid}",
        "author": f"utente_{mid}", "author_reach": 100, "text": text, "lang": "it",
        "published_at": NOW - timedelta(minutes=minutes_ago), "fetched_at": NOW, "content_hash": mid,
    }
    fields.update(extra)
    return Mention(**fields)


def complaint(mid: str, minutes_ago: float, text: str, **extra: Any) -> Mention:
    return mention(mid, minutes_ago, text, sentiment="negative", intent="complaint", complaint_score=0.9, **extra)


def reply(mid: str, parent: Mention, after_minutes: float) -> Mention:
    minutes_ago = (NOW - parent.published_at).total_seconds() / 60 - after_minutes
    return mention(mid, minutes_ago, "Ci scusi, la contattiamo in privato.", is_owned=True, in_reply_to=parent.id,
                   author="Acme Care", sentiment="neutral", intent="other", platform=parent.platform,
                   source=parent.source)


def seed_mentions() -> list[Mention]:
    c1 = complaint("c1", 300, "Pacco in ritardo di una settimana, consegna pessima", topics=["delivery"],
                   author_reach=5000)
    c2 = complaint("c2", 180, "Addebito doppio sulla bolletta, voglio un rimborso", topics=["billing"],
                   source="recensioni", platform="reviews", author_reach=50)
    c3 = complaint("c3", 120, "Il corriere ha lasciato il pacco rotto davanti alla porta", topics=["delivery"])
    c4 = complaint("c4", 10, "Ordine bloccato da ieri, nessuna risposta", topics=["delivery"], lang="it")
    x1 = complaint("x1", 45, XSS_SCRIPT, author=XSS_AUTHOR, url=XSS_URL, title=XSS_TITLE, topics=["<b>bold</b>"])
    q1 = mention("q1", 30, "Qualcuno sa come cambiare indirizzo di consegna?", sentiment="neutral",
                 intent="question", topics=["delivery"], lang="it")
    p1 = mention("p1", 60, "Great service from Acme, thanks!", sentiment="positive", intent="praise", lang="en",
                 platform="reviews", source="recensioni", author="happy_customer", author_reach=900)
    p2 = mention("p2", 360, "Ottimo prodotto, consegna perfetta", sentiment="positive", intent="praise")
    g1 = mention("g1", 100, "Globex app crashes on login", brands=["Globex"], sentiment="negative",
                 intent="complaint", lang="en", source="hn", platform="hackernews")
    g2 = mention("g2", 200, "Globex pricing is fine", brands=["Globex"], sentiment="neutral", intent="other",
                 lang="en", source="hn", platform="hackernews")
    return [c1, c2, c3, c4, x1, q1, p1, p2, g1, g2,
            reply("r1", c1, 30), reply("r2", c2, 90), reply("r3", q1, 10)]


def seed_alerts() -> list[AlertEvent]:
    def alert(aid: str, minutes_ago: float, **extra: Any) -> AlertEvent:
        at = NOW - timedelta(minutes=minutes_ago)
        fields: dict[str, Any] = {"id": aid, "rule": "reclami-consegna", "detector": "volume_spike", "brand": "Acme",
                                  "opened_at": at, "updated_at": at, "observed": 4, "expected": 0.5}
        fields.update(extra)
        return AlertEvent(**fields)

    return [
        alert("a1", 100, severity="critical", title="Picco di reclami: consegna",
              summary="4 reclami in un'ora contro 0,5 attesi", top_terms=["pacco", "rotto"],
              sample_ids=["c3", "x1"]),
        alert("a2", 2000, status="acknowledged", title="Reclami in crescita", acknowledged_by="Giulia"),
        alert("a3", 50, detector="unanswered_complaint", rule="senza-risposta", title=XSS_AUTHOR,
              summary=XSS_SCRIPT, sample_ids=["x1"]),
    ]


def seed_incidents() -> list[Incident]:
    """One open incident of Acme holding a1 and a3 (a3's title is hostile markup), and an older resolved one."""
    at = NOW - timedelta(minutes=100)
    note = IncidentNote(at=NOW - timedelta(minutes=40), by=XSS_AUTHOR, text=XSS_SCRIPT)
    return [
        Incident(id="inc-acme-1", brand="Acme", opened_at=at, updated_at=NOW - timedelta(minutes=50),
                 window_start=at - timedelta(hours=1), alert_ids=["a1", "a3"],
                 detectors=["volume_spike", "unanswered_complaint"], severity="critical", notes=[note],
                 title="Acme: complaints surge"),
        Incident(id="inc-acme-0", brand="Acme", status="resolved", opened_at=NOW - timedelta(minutes=2000),
                 updated_at=NOW - timedelta(minutes=1800), resolved_at=NOW - timedelta(minutes=1800),
                 window_start=NOW - timedelta(minutes=2060), window_end=NOW - timedelta(minutes=1800),
                 alert_ids=["a2"], detectors=["volume_spike"], title="Acme: complaints surge"),
    ]


def _sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(Path(tmp_path_factory.mktemp("web")) / "mentions.sqlite3")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty store of each backend. Elasticsearch: the session node (`es_node`) with an index prefix of
    this module's own."""
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path_factory)
        return
    node = request.getfixturevalue("es_node")
    prefix = f"w{uuid.uuid4().hex[:10]}"
    yield f"{node.url}/?index_prefix={prefix}"
    drop_prefix(node.url, prefix)


def seed_store(url: str) -> str:
    with open_store(url) as store:
        result = store.upsert(seed_mentions())
        assert not result.failed, result.failed
        for event in seed_alerts():
            store.save_alert(event)
        for incident in seed_incidents():
            store.save_incident(incident)  # type: ignore[attr-defined]
        store.count(MentionFilter())  # a read: Elasticsearch refreshes, so the app's own store sees the seed
    return url


@pytest.fixture(scope="module")
def seeded_url(store_url: str) -> Iterator[str]:
    yield seed_store(store_url)


@pytest.fixture(scope="module")
def seeded_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The browser tests' store: SQLite only (the API tests cover the backends' agreement)."""
    return seed_store(_sqlite_url(tmp_path_factory))


@pytest.fixture(scope="session")
def seed() -> SimpleNamespace:
    """The seed's constants for the test modules (conftest modules are not imported by tests)."""
    until = NOW + timedelta(minutes=1)
    return SimpleNamespace(
        now=NOW, config=CONFIG, xss_author=XSS_AUTHOR, xss_script=XSS_SCRIPT, xss_title=XSS_TITLE, xss_url=XSS_URL,
        day={"since": (NOW - timedelta(days=1)).isoformat(), "until": until.isoformat()},
        until=until.isoformat(), later=(NOW + timedelta(days=2)).isoformat(),
    )
