"""A complaint surge to tell the story of: a quiet week, then a battery story that starts on a forum, is
syndicated to news sites and reposted on reddit and mastodon, a second story about refunds, a hostile mention
(script, img onerror, javascript: link in text, author and url), the brand's replies, and two alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.model import AlertEvent, Incident, IncidentNote, Mention, content_hash
from storage import open_store
from storage.base import MentionFilter

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
SINCE = NOW - timedelta(hours=12)
UNTIL = NOW
BRAND = "Velora"
XSS_TEXT = "<script>window.__xss = 1</script> Velora batteria <img src=x onerror=\"window.__xss = 2\"> pessima"
XSS_AUTHOR = '<img src=x onerror="window.__xss = 5">'
XSS_URL = "javascript:window.__xss = 3"
BATTERY = ("La batteria del monopattino Velora si surriscalda e prende fuoco durante la ricarica notturna, "
           "nessuna risposta dall'assistenza clienti dopo tre giorni")
REFUND = "Velora rifiuta il rimborso del monopattino difettoso, servizio clienti inesistente e scortese"


def _m(mid: str, at: datetime, text: str, **extra: Any) -> Mention:
    fields: dict[str, Any] = {
        "id": mid, "brands": [BRAND], "source": "forum-mobilita", "platform": "forum",
        "url": f"https://forum.example/t/{mid}", "author": f"utente_{mid}", "author_reach": 10, "text": text,
        "lang": "it", "published_at": at, "fetched_at": NOW, "content_hash": content_hash(text),
        "sentiment": "negative", "intent": "complaint", "complaint_score": 0.9,
    }
    fields.update(extra)
    return Mention(**fields)


def crisis_mentions() -> list[Mention]:
    quiet = [_m(f"q{i}", SINCE - timedelta(days=6) + timedelta(hours=7 * i), f"Giro in centro con il Velora n. {i}, "
                "tutto bene e consegna puntuale", sentiment="positive", intent="praise") for i in range(20)]
    start = SINCE + timedelta(hours=2)
    battery = [
        _m("b0", start, BATTERY, author="rider_milano", author_reach=800, engagement={"likes": 40, "comments": 12}),
        _m("b1", start + timedelta(hours=1), BATTERY + ". Fonte: forum", source="quotidiano", platform="news",
           author="Redazione Quotidiano", author_reach=250_000, copies=["https://copy.example/a", "https://copy.example/b"],
           engagement={"shares": 300}),
        _m("b2", start + timedelta(hours=2), "Ripreso: " + BATTERY, source="giornale-web", platform="news",
           author="Giornale Web", author_reach=90_000),
        _m("b3", start + timedelta(hours=3), BATTERY + " #velora", source="reddit", platform="reddit",
           author="u/scooterfan", author_reach=3_000, engagement={"score": 2_500, "comments": 400}),
        _m("b4", start + timedelta(hours=4), BATTERY, source="mastodon", platform="mastodon",
           author="@mobilita@social.example", author_reach=1_200, engagement={"likes": 80, "shares": 60}),
    ]
    battery += [_m(f"s{i}", start + timedelta(hours=4, minutes=10 * i), f"Anche a me la batteria Velora scotta "
                   f"dopo la ricarica, caso numero {i}", source="reddit", platform="reddit", author=f"u/rider{i}")
                for i in range(8)]
    refund = [_m(f"r{i}", start + timedelta(hours=5, minutes=20 * i), REFUND + ("" if i == 0 else f" ({i})"),
                 source="recensioni", platform="reviews", author=f"cliente{i}", author_reach=50) for i in range(3)]
    hostile = [_m(f"x{i}", start + timedelta(hours=6, minutes=i), XSS_TEXT, author=XSS_AUTHOR, url=XSS_URL,
                  title='<svg onload="window.__xss = 4">titolo</svg>', author_reach=20_000) for i in (1, 2)]
    replies = [
        _m("o1", start + timedelta(minutes=30), "Ci dispiace, la contattiamo in privato per la batteria.",
           is_owned=True, in_reply_to="b0", author="Velora Care", sentiment="neutral", intent="other"),
        _m("o2", start + timedelta(hours=6), "Stiamo verificando il rimborso, ci scriva in privato.",
           is_owned=True, in_reply_to="r0", author="Velora Care", sentiment="neutral", intent="other",
           source="recensioni", platform="reviews"),
    ]
    return quiet + battery + refund + hostile + replies


def crisis_alerts() -> list[AlertEvent]:
    def alert(aid: str, at: datetime, **extra: Any) -> AlertEvent:
        fields: dict[str, Any] = {"id": aid, "rule": "reclami", "detector": "volume_spike", "brand": BRAND,
                                  "opened_at": at, "updated_at": at, "severity": "critical",
                                  "title": "Velora: picco di reclami"}
        fields.update(extra)
        return AlertEvent(**fields)

    return [alert("cs1", SINCE + timedelta(hours=5)),
            alert("cs2", SINCE + timedelta(hours=7), detector="negative_share", severity="warning",
                  title=XSS_AUTHOR),
            alert("old", SINCE - timedelta(days=3), title="an alert before the window")]


def crisis_incident() -> Incident:
    """The incident of the two alerts (as the incidents stage would group them), with a hostile note."""
    opened = SINCE + timedelta(hours=5)
    return Incident(id="inc-velora-1", brand=BRAND, status="handling", opened_at=opened, updated_at=NOW,
                    window_start=opened, window_end=SINCE + timedelta(hours=9), alert_ids=["cs1", "cs2"],
                    detectors=["volume_spike", "negative_share"], severity="critical", owner="Giulia",
                    title="Velora: complaints surge",
                    notes=[IncidentNote(at=NOW, by="Marco", text="<b>Press</b> statement at 18:00")])


# inbound mentions in [SINCE, UNTIL): the battery story (5 + 8), refunds (3) and the two hostile ones
INBOUND = 18
OWNED = 2


def seed_crisis(url: str) -> str:
    with open_store(url) as store:
        result = store.upsert(crisis_mentions())
        assert not result.failed, result.failed
        for event in crisis_alerts():
            store.save_alert(event)  # type: ignore[attr-defined]
        if hasattr(store, "save_incident"):  # the incidents stage (contract: AlertStore.save_incident)
            store.save_incident(crisis_incident())
        store.count(MentionFilter())  # a read: Elasticsearch refreshes
    return url
