"""The MentionStore contract, run on both backends (embedded SQLite and a real Elasticsearch)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.model import AlertEvent, Incident, IncidentNote, Mention
from storage.base import AlertStore, MentionFilter, MentionStore

T0 = datetime(2026, 11, 16, 8, tzinfo=UTC)  # a Monday


def mention(i: int, **fields: object) -> Mention:
    base: dict[str, object] = dict(
        id=f"m{i:04d}", brands=["Velora"], source="news", platform="news", text=f"testo numero {i}",
        published_at=T0 + timedelta(minutes=13 * i), fetched_at=T0,
    )
    return Mention(**{**base, **fields})  # type: ignore[arg-type]


def test_upsert_is_idempotent_and_counts_inserts_and_updates(store: MentionStore) -> None:
    first = store.upsert([mention(1), mention(2), mention(2, text="seconda copia")])
    assert (first.inserted, first.updated, first.failed) == (2, 0, [])
    again = store.upsert([mention(1), mention(2, text="seconda copia")])
    assert (again.inserted, again.updated, again.failed) == (0, 2, [])
    assert store.count(MentionFilter()) == 2
    got = store.get("m0002")
    assert got is not None and got.text == "seconda copia"
    assert store.get("nope") is None
    assert [m.id for m in store.get_many(["m0002", "nope", "m0001"])] == ["m0002", "m0001"]


def test_round_trip_keeps_every_field(store: MentionStore) -> None:
    original = mention(3, author="Élodie", author_reach=12, title="Titolo", lang="it", sentiment="negative",
                       sentiment_score=-0.5, intent="complaint", complaint_score=0.9, topics=["billing", "app"],
                       engagement={"likes": 3}, url="https://example.com/a", platform_id="p3", copies=["https://x/1"])
    store.upsert([original])
    got = store.get(original.id)
    assert got is not None and got.model_dump() == original.model_dump()


def test_free_text_all_words_case_and_accent_insensitive(store: MentionStore) -> None:
    store.upsert([mention(1, text="Perché la BOLLETTA è così alta?"), mention(2, text="tutto bene, perche no"),
                  mention(3, text="niente", title="Caffè AMARO")])
    assert store.count(MentionFilter(text="perche bolletta")) == 1
    assert store.count(MentionFilter(text="PERCHÉ")) == 2
    assert store.count(MentionFilter(text="caffe amaro")) == 1  # the title counts too
    assert store.count(MentionFilter(text='bolletta" OR "tutto')) == 0
    assert store.count(MentionFilter(text="***")) == 0


def test_sorting_and_paging(store: MentionStore) -> None:
    store.upsert([mention(i, author_reach=[None, 5, 50][i % 3], published_at=T0 + timedelta(hours=i // 2))
                  for i in range(9)])
    desc = store.search(MentionFilter(), limit=4, offset=2)
    assert desc.total == 9
    assert [m.id for m in desc.items] == ["m0007", "m0004", "m0005", "m0002"]
    asc = store.search(MentionFilter(), limit=3, sort="published_at_asc")
    assert [m.id for m in asc.items] == ["m0000", "m0001", "m0002"]
    reach = store.search(MentionFilter(), limit=4, sort="reach_desc")
    assert [m.id for m in reach.items] == ["m0008", "m0005", "m0002", "m0007"]


def test_filters_buckets_and_facets(store: MentionStore) -> None:
    store.upsert([
        mention(i, sentiment="negative" if i % 3 == 0 else "neutral", intent="complaint" if i % 3 == 0 else "other",
                topics=["delivery"] if i % 2 else ["price", "delivery"], author=f"a{i % 4}")
        for i in range(40)
    ])
    flt = MentionFilter(brands=("Velora",), intents=("complaint",), since=T0, until=T0 + timedelta(hours=4))
    buckets = store.count_buckets(flt, "1h")
    assert buckets == [(T0 + timedelta(hours=h), n) for h, n in ((0, 2), (1, 2), (2, 1), (3, 2))]
    assert sum(n for _, n in buckets) == store.count(flt)
    assert store.facets(MentionFilter(), "topics") == [("delivery", 40), ("price", 20)]
    assert store.facets(MentionFilter(), "author", size=2) == [("a0", 10), ("a1", 10)]
    assert store.facets(MentionFilter(), "is_owned") == [("false", 40)]
    assert store.count_buckets(MentionFilter(), "1w") == [(T0.replace(hour=0), 40)]
    with pytest.raises(ValueError):
        store.facets(MentionFilter(), "text")


def test_owned_replies_set_first_reply_at_whichever_arrives_first(store: MentionStore) -> None:
    parent = mention(1, intent="complaint")
    reply = mention(2, is_owned=True, in_reply_to="m0001", published_at=T0 + timedelta(hours=2))
    earlier = mention(3, is_owned=True, in_reply_to="m0001", published_at=T0 + timedelta(hours=1))
    store.upsert([parent])
    assert store.count(MentionFilter(unanswered=True, intents=("complaint",))) == 1
    store.upsert([reply])
    assert store.get("m0001").first_reply_at == reply.published_at  # type: ignore[union-attr]
    store.upsert([earlier, mention(1, intent="complaint")])  # the re-ingested parent keeps its reply
    assert store.get("m0001").first_reply_at == earlier.published_at  # type: ignore[union-attr]
    # reply first, parent later
    store.upsert([mention(5, is_owned=True, in_reply_to="m0004", published_at=T0 + timedelta(hours=3))])
    store.upsert([mention(4)])
    assert store.get("m0004").first_reply_at == T0 + timedelta(hours=3)  # type: ignore[union-attr]
    assert store.count(MentionFilter(unanswered=False)) == 2


def test_content_hashes_and_copies(store: MentionStore) -> None:
    store.upsert([mention(1, content_hash="h1"), mention(2, content_hash="h1"), mention(3, content_hash="h2")])
    assert store.ids_by_content_hash(["h1", "h2", "h3", ""]) == {"h1": "m0001", "h2": "m0003"}
    store.add_copies("m0001", ["https://b.example/2", "https://a.example/1"])
    store.add_copies("m0001", ["https://a.example/1"])
    store.add_copies("missing", ["https://a.example/1"])
    assert store.get("m0001").copies == ["https://a.example/1", "https://b.example/2"]  # type: ignore[union-attr]


def test_alert_events_persist_newest_first(store: MentionStore) -> None:
    def event(i: int, **fields: object) -> AlertEvent:
        base: dict[str, object] = dict(id=f"a{i}", rule="spike", detector="volume", brand="Velora",
                                       opened_at=T0 + timedelta(hours=i), updated_at=T0 + timedelta(hours=i),
                                       details={"series": [1, 2, 3], "nested": {"k": "v"}})
        return AlertEvent(**{**base, **fields})  # type: ignore[arg-type]

    store.save_alert(event(1))
    store.save_alert(event(2, brand="Nordbank", rule="unanswered"))
    store.save_alert(event(3, status="resolved"))
    store.save_alert(event(1, status="acknowledged", acknowledged_by="ops"))
    assert store.get_alert("a1") == event(1, status="acknowledged", acknowledged_by="ops")
    assert store.get_alert("zz") is None
    assert [a.id for a in store.list_alerts()] == ["a3", "a2", "a1"]
    assert [a.id for a in store.list_alerts(brand="Velora", status=("open", "acknowledged"))] == ["a1"]
    assert [a.id for a in store.list_alerts(rule="unanswered")] == ["a2"]
    assert [a.id for a in store.list_alerts(limit=1)] == ["a3"]
    opened = store.list_alerts(opened_since=T0 + timedelta(hours=2), opened_until=T0 + timedelta(hours=3))
    assert [a.id for a in opened] == ["a2"]  # [since, until): a3 opened at the end is out


def incident(i: int, **fields: object) -> Incident:
    base: dict[str, object] = dict(
        id=f"inc-velora-{i}", brand="Velora", opened_at=T0 + timedelta(hours=i), updated_at=T0 + timedelta(hours=i),
        window_start=T0 + timedelta(hours=i - 1), alert_ids=[f"a{i}"], detectors=["volume_spike"],
        title="Velora: complaints surge", details={"history": [{"at": "x", "transition": "opened"}]},
    )
    return Incident(**{**base, **fields})  # type: ignore[arg-type]


def test_incidents_persist_newest_first_and_find_their_alerts(store: MentionStore) -> None:
    assert isinstance(store, AlertStore)
    note = IncidentNote(at=T0, by="Giulia", text="<b>call</b> the courier")
    store.save_incident(incident(1))
    store.save_incident(incident(2, brand="Nordbank", alert_ids=["b1", "b2"]))
    store.save_incident(incident(3, status="resolved", resolved_at=T0 + timedelta(hours=5),
                                 window_end=T0 + timedelta(hours=4), alert_ids=["a3", "a1"]))
    handled = incident(1, status="handling", owner="Giulia", notes=[note], alert_ids=["a1", "a4"],
                       detectors=["volume_spike", "negative_share"], severity="critical")
    store.save_incident(handled)
    assert store.get_incident("inc-velora-1") == handled
    assert store.get_incident("nope") is None
    assert [i.id for i in store.list_incidents()] == ["inc-velora-3", "inc-velora-2", "inc-velora-1"]
    assert [i.id for i in store.list_incidents(brand="Velora", status="handling")] == ["inc-velora-1"]
    assert [i.id for i in store.list_incidents(status=("open", "handling"))] == [
        "inc-velora-2", "inc-velora-1"]
    assert [i.id for i in store.list_incidents(limit=1)] == ["inc-velora-3"]
    # an alert held by two incidents (reopened after the first resolved) belongs to the newer one
    assert store.incident_of_alert("a1").id == "inc-velora-3"
    assert store.incident_of_alert("a4").id == "inc-velora-1"
    assert store.incident_of_alert("b2").brand == "Nordbank"
    assert store.incident_of_alert("zz") is None
