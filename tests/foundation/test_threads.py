"""Threads imported and crawled by the platform's own ids and URLs link on both stores: the care API's answered
counts and first-reply medians are the ones computed by hand from the threads below."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ascolto.web.app import create_app
from core.config import config_from_dict
from core.model import mention_id
from ingest import Ingestor
from storage import MentionFilter, MentionStore, open_store

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
T0 = NOW - timedelta(hours=20)
CONFIG = config_from_dict({"brands": [
    {"name": "Velora", "handles": ["@velora"], "owned_accounts": ["VeloraCare"]},
    {"name": "Pakko", "handles": ["@pakko"], "owned_accounts": ["PakkoHelp"]},
]})
CUSTOMER = {"sentiment": "negative", "intent": "complaint", "complaint_score": 0.9}
BRAND = {"sentiment": "neutral", "intent": "other", "complaint_score": 0.05}


def tweet(pid: str, author: str, minutes: int, text: str, analysis: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """One tweet as a user's export writes it: the platform's id, the parent's id (or URL), no Ascolto ids."""
    return {"source": "twitter-export", "platform": "twitter", "platform_id": pid, "author": author,
            "url": f"https://twitter.com/{author}/status/{pid}", "text": text, "lang": "it",
            "published_at": (T0 + timedelta(minutes=minutes)).isoformat(), **analysis, **extra}


def url_of(pid: str, author: str) -> str:
    return f"https://www.twitter.com/{author}/status/{pid}?utm_source=share"


THREADS = {
    # customer -> brand -> customer -> brand: both customer tweets answered, after 12 and 45 minutes
    "a1": tweet("1001", "anna", 0, "@velora la linea è morta da stamattina", CUSTOMER),
    "a2": tweet("1002", "VeloraCare", 12, "@anna ci scusi, ci scriva in privato", BRAND,
                in_reply_to=1001, thread_id="1001"),  # a number, as some exports write ids
    "a3": tweet("1003", "anna", 30, "@VeloraCare scritto da mezz'ora, ancora niente", CUSTOMER,  # to the account
                in_reply_to="1002", thread_id="1001"),
    "a4": tweet("1004", "VeloraCare", 75, "@anna risolto, ci scusi ancora", BRAND, in_reply_to="1003",
                thread_id="1001"),
    # the reply names its parent by URL (tracking parameters, www.) and arrives a run before it: 90 minutes
    "b1": tweet("2001", "bruno", 100, "@velora fattura addebitata due volte", CUSTOMER),
    "b2": tweet("2002", "VeloraCare", 190, "@bruno le abbiamo scritto in privato", BRAND,
                in_reply_to=url_of("2001", "bruno")),
    # the reply arrives first, by platform id: 5 minutes
    "c1": tweet("3001", "carla", 300, "@velora app bloccata al login", CUSTOMER),
    "c2": tweet("3002", "VeloraCare", 305, "@carla stiamo verificando", BRAND, in_reply_to="3001"),
    # answered by another customer only: still waiting
    "d1": tweet("4001", "dario", 400, "@velora rete assente in centro", CUSTOMER),
    "d2": tweet("4002", "elena", 410, "@dario anche a me! @velora", {**CUSTOMER, "intent": "other"},
                in_reply_to="4001"),
    # the brand replying to its own post is no answer to anyone; the complaint under it waits
    "e1": tweet("5001", "VeloraCare", 500, "Manutenzione stanotte dalle 2 alle 4", BRAND),
    "e2": tweet("5002", "VeloraCare", 505, "Aggiornamento: lavori conclusi", BRAND, in_reply_to="5001"),
    "e3": tweet("5003", "franco", 520, "@velora di nuovo giù", CUSTOMER, in_reply_to="5001", thread_id="5001"),
    # another brand's thread: its reply counts for it alone, after 30 minutes
    "p1": tweet("6001", "gino", 600, "@pakko pacco mai arrivato", CUSTOMER),
    "p2": tweet("6002", "PakkoHelp", 630, "@gino ci mandi il numero d'ordine", BRAND, in_reply_to="6001"),
}
FIRST_RUN = ["a4", "a2", "a3", "a1", "b2", "c2", "e2", "d2", "p2"]  # replies before their parents
SECOND_RUN = ["b1", "c1", "d1", "e1", "e3", "p1"]
# by hand: Velora's inbound a1 a3 b1 c1 d1 d2 e3; answered a1 (12 min), a3 (45), b1 (90), c1 (5)
VELORA_DELAYS = sorted([12 * 60, 45 * 60, 90 * 60, 5 * 60])


def ids(*keys: str) -> list[str]:
    return [mention_id("twitter", THREADS[k]["platform_id"], None) for k in keys]


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "threads.sqlite3")
    return str(request.getfixturevalue("es_url"))


@pytest.fixture
def imported(store_url: str) -> Iterator[MentionStore]:
    """The threads imported in two runs (separate ingestors), in batches of three, replies before parents."""
    for run in (FIRST_RUN, SECOND_RUN):
        with open_store(store_url) as store:
            report = Ingestor(store, CONFIG, now=NOW, batch_size=3).ingest([THREADS[k] for k in run])
            assert (report.new, report.rejected) == (len(run), 0), report.as_dict()
    with open_store(store_url) as store:
        store.count(MentionFilter())  # a read: Elasticsearch refreshes, so the app's own store sees the writes
        yield store


def care(store_url: str, brand: str) -> tuple[dict[str, Any], dict[str, Any]]:
    window = {"brand": brand, "since": (T0 - timedelta(hours=1)).isoformat(), "until": NOW.isoformat()}
    with TestClient(create_app(store_url, CONFIG)) as client:
        metrics = client.get("/api/care", params=window)
        queue = client.get("/api/care/queue", params={"brand": brand})
    assert metrics.status_code == queue.status_code == 200, (metrics.text, queue.text)
    return metrics.json()["care"], queue.json()


def test_care_api_counts_threads_imported_by_platform_ids(imported: MentionStore, store_url: str) -> None:
    velora, queue = care(store_url, "Velora")
    assert (velora["inbound"], velora["owned_replies"]) == (7, 6)
    assert velora["answered"] == 4
    assert velora["response_median_seconds"] == (VELORA_DELAYS[1] + VELORA_DELAYS[2]) / 2 == 1710
    assert velora["response_p90_seconds"] == VELORA_DELAYS[2] + 0.7 * (VELORA_DELAYS[3] - VELORA_DELAYS[2])
    assert velora["within_target_share"] == 0.75
    assert (velora["complaints"], velora["complaints_unanswered"]) == (6, 2)
    assert [item["mention"]["id"] for item in queue["items"]] == ids("d1", "e3")
    pakko, pakko_queue = care(store_url, "Pakko")
    assert (pakko["answered"], pakko["response_median_seconds"], pakko_queue["total"]) == (1, 1800, 0)


def test_references_become_mention_ids(imported: MentionStore) -> None:
    by_key = dict(zip(THREADS, imported.get_many(ids(*THREADS)), strict=True))
    a1, b1 = ids("a1", "b1")
    assert by_key["a2"].in_reply_to == a1 and by_key["a4"].thread_id == a1
    assert by_key["b2"].in_reply_to == b1  # by URL, before its parent existed
    assert by_key["a2"].is_owned and by_key["a2"].brands == ["Velora"]  # the care account, without the name
    assert by_key["e1"].first_reply_at is not None  # linked, though an owned post is not in the care figures
    assert by_key["d1"].first_reply_at is None  # another customer's reply is no answer


def test_a_url_reference_to_a_stored_parent_and_mention_ids_as_crawlers_write_them(store_url: str) -> None:
    with open_store(store_url) as store:
        ingest = Ingestor(store, CONFIG, now=NOW).ingest
        ingest([THREADS["b1"], THREADS["c1"]])
        b1, c1 = ids("b1", "c1")
        crawled = {**THREADS["c2"], "in_reply_to": c1}  # the crawlers compute the parent's mention id
        broken = {**THREADS["d2"], "platform_id": "4999", "in_reply_to": "https://twitter.com:bad/x"}
        assert ingest([THREADS["b2"], crawled, broken]).rejected == 0
        assert store.get(b1).first_reply_at == T0 + timedelta(minutes=190)
        assert store.get(c1).first_reply_at == T0 + timedelta(minutes=305)
        kept = store.get(mention_id("twitter", "4999", None))
        assert kept is not None and kept.in_reply_to  # a malformed URL links nothing, and loses nothing
