"""Questions asked together (storage/together.py): the same answers as asked one by one, on both backends; on
Elasticsearch in one multi-search per round (the overview's seven questions in two round trips), counted on the
real node's requests."""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from ascolto.web.metrics import ask_share_of_voice, voice_rows
from ascolto.web.terms import ask_emerging_counts, emerging_terms, ranked_emerging
from core.model import AlertEvent, Mention
from storage.base import MentionFilter, MentionStore
from storage.elasticsearch import ElasticsearchStore, parse_url
from storage.sqlite import SQLiteStore

NOW = datetime(2026, 9, 30, 12, tzinfo=UTC)
BRANDS = ("Acme", "Globex")


class RequestCounting(Elasticsearch):
    """The real client, counting the requests it sends by endpoint (shared by its .options() copies)."""

    sent: list[str] = []  # noqa: RUF012 - shared on purpose

    def perform_request(self, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        self.sent.append(path.split("?")[0].rsplit("/", 1)[-1])
        return super().perform_request(method, path, *args, **kwargs)


def mentions() -> list[Mention]:
    rng = random.Random(7)
    words = ("pacco", "ritardo", "rimborso", "bolletta", "app", "crash", "grazie", "ottimo")
    out = []
    for i in range(400):
        at = NOW - timedelta(minutes=rng.randrange(20 * 24 * 60))
        late = at > NOW - timedelta(days=1)
        sentiment = rng.choice(("negative", "neutral", "positive"))
        out.append(Mention(
            id=f"m{i:04d}", brands=[rng.choice(BRANDS)], source="forum-1", platform="forum", author=f"a{i % 50}",
            text=" ".join(rng.sample(words, 3)) + (" sciopero corrieri" if late else ""), lang="it",
            published_at=at, fetched_at=at, sentiment=sentiment,
            intent="complaint" if sentiment == "negative" else "other", topics=["delivery"],
            first_reply_at=at + timedelta(minutes=40) if i % 3 == 0 else None,
        ))
    return out


@pytest.fixture(params=[pytest.param("sqlite"), pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def loaded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MentionStore]:
    if request.param == "sqlite":
        store: MentionStore = SQLiteStore(tmp_path / "m.sqlite3")
    else:
        url = request.getfixturevalue("es_url")
        store = ElasticsearchStore(url, client=RequestCounting(parse_url(url)[0], request_timeout=60))
    store.upsert(mentions())
    store.save_alert(AlertEvent(id="a1", rule="r", brand="Acme", detector="volume_spike", status="open",
                                severity="warning", opened_at=NOW - timedelta(hours=3), updated_at=NOW,
                                title="spike"))
    try:
        yield store
    finally:
        store.close()


def overview_questions(store: Any, ask: Any) -> dict[str, Any]:
    window = MentionFilter(brands=("Acme",), since=NOW - timedelta(days=7), until=NOW)
    previous = MentionFilter(brands=("Acme",), since=NOW - timedelta(days=14), until=NOW - timedelta(days=7))
    inbound = MentionFilter(brands=("Acme",), is_owned=False)
    return {
        "snapshot": ask(store.care_snapshot, window, "1h", 8, now=NOW, target_minutes=60),
        "before": ask(store.sentiment_counts, previous),
        "voice": ask_share_of_voice(ask, store, inbound, list(BRANDS)),
        "terms": ask_emerging_counts(ask, store, inbound, NOW, ("Acme",)),
        "alerts": ask(store.list_alerts, brand="Acme", limit=200),
        "open": ask(store.list_alerts, brand="Acme", status=("open",), limit=500),
    }


def one_by_one(store: Any) -> dict[str, Any]:
    def at_once(method: Any, *args: Any, **kwargs: Any) -> Any:
        class Done:
            value = method(*args, **kwargs)

            def result(self) -> Any:
                return self.value
        return Done()

    return {name: future.result() for name, future in overview_questions(store, at_once).items()}


def test_together_answers_as_one_by_one(loaded: Any) -> None:
    expected = one_by_one(loaded)
    assert expected["snapshot"].inbound > 50 and expected["alerts"] and expected["terms"][0].mentions >= 3
    for pool in (None, ThreadPoolExecutor(max_workers=4)):
        with loaded.together(pool) as ask:
            asked = overview_questions(loaded, ask)
        assert {name: future.result() for name, future in asked.items()} == expected
    assert voice_rows(expected["voice"])[0]["count"] > 0
    assert ranked_emerging(expected["terms"], 8) == emerging_terms(loaded, MentionFilter(brands=("Acme",)), NOW,
                                                                   ("Acme",), 8)


@pytest.mark.elasticsearch
def test_elasticsearch_asks_the_overview_in_two_round_trips(es_url: str) -> None:
    store = ElasticsearchStore(es_url, client=RequestCounting(parse_url(es_url)[0], request_timeout=60))
    try:
        store.upsert(mentions())
        store.sentiment_counts(MentionFilter())  # refreshes what was written, outside the count
        RequestCounting.sent.clear()
        with store.together(ThreadPoolExecutor(max_workers=2)) as ask:
            asked = overview_questions(store, ask)
        assert RequestCounting.sent == ["_msearch", "_msearch"]
        assert asked["snapshot"].result().inbound > 50
    finally:
        store.close()


@pytest.mark.elasticsearch
def test_a_question_that_fails_fails_alone(es_url: str) -> None:
    store = ElasticsearchStore(es_url)
    try:
        store.upsert(mentions())
        with store.together() as ask:
            broken = ask(store.care_snapshot, MentionFilter(), "not an interval", 8, now=NOW)
            counts = ask(store.sentiment_counts, MentionFilter(brands=("Acme",)))
        assert sum(counts.result().values()) > 50
        with pytest.raises(ValueError):
            broken.result()
    finally:
        store.close()
