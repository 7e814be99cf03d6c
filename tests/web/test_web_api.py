"""The API over a real store seeded with mentions (every backend the `store_url` fixture offers)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from ascolto.web.app import create_app


@pytest.fixture(scope="module")
def client(seeded_url: str, seed: SimpleNamespace) -> Iterator[TestClient]:
    with TestClient(create_app(seeded_url, seed.config)) as test_client:
        yield test_client


def get(client: TestClient, path: str, **params: object) -> dict:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_brands_come_from_the_config_with_their_target(client: TestClient, seed: SimpleNamespace) -> None:
    assert get(client, "/api/brands")["brands"] == [
        {"name": "Acme", "target_minutes": 60}, {"name": "Globex", "target_minutes": 60},
    ]


def test_care_metrics_follow_the_definitions(client: TestClient, seed: SimpleNamespace) -> None:
    care = get(client, "/api/care", brand="Acme", **seed.day)["care"]
    assert care["inbound"] == 8 and care["owned_replies"] == 3
    assert care["answered"] == 3  # c1 after 30 min, c2 after 90 min, q1 after 10 min
    assert care["response_median_seconds"] == 1800
    assert care["response_p90_seconds"] == pytest.approx(1800 + 0.8 * 3600)
    assert care["within_target_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert care["complaints"] == 5 and care["complaints_unanswered"] == 3
    assert care["unanswered_share"] == 0.6 and care["resolution_rate"] == 0.4
    assert care["unanswered_over_target"] == 1  # c3 (2 h); x1 (45 min) and c4 (10 min) are within the hour
    assert care["oldest_unanswered_age_seconds"] >= 120 * 60
    assert care["happiness_index"] == pytest.approx((2 - 5) / 7, abs=1e-4)


def test_overview_has_series_alerts_share_of_voice_topics_and_care(client: TestClient, seed: SimpleNamespace) -> None:
    data = get(client, "/api/overview", brand="Acme", **seed.day)
    assert data["interval"] == "1h" and len(data["buckets"]) == len(data["series"]["negative"])
    assert {k: sum(v) for k, v in data["series"].items()} == {
        "negative": 5, "neutral": 1, "positive": 2, "unlabelled": 0,
    }
    assert data["total"] == 8 and data["complaints"] == 5 and data["complaint_share"] == 0.625
    assert {a["id"] for a in data["alerts"]} == {"a1", "a3"}
    assert data["share_of_voice"][0] == {"brand": "Acme", "count": 8, "share": 0.8}
    assert data["topics"][0] == {"value": "delivery", "count": 4}
    assert data["care"]["complaints_unanswered"] == 3
    assert data["happiness_trend"] and all("index" in p for p in data["happiness_trend"])


def test_search_filters_sorts_pages_and_facets(client: TestClient, seed: SimpleNamespace) -> None:
    data = get(client, "/api/mentions", brand="Acme", intent="complaint", sort="published_at_asc", limit=2, **seed.day)
    assert data["total"] == 5 and [m["id"] for m in data["items"]] == ["c1", "c2"]
    page2 = get(client, "/api/mentions", brand="Acme", intent="complaint", sort="published_at_asc", limit=2,
                offset=2, **seed.day)
    assert [m["id"] for m in page2["items"]] == ["c3", "x1"]
    facets = {f["value"]: f["count"] for f in data["facets"]["topics"]}
    assert facets["delivery"] == 3 and facets["billing"] == 1
    reach = get(client, "/api/mentions", brand="Acme", owned=False, sort="reach_desc", limit=1, **seed.day)
    assert reach["items"][0]["id"] == "c1"


def test_search_with_the_query_language(client: TestClient, seed: SimpleNamespace) -> None:
    data = get(client, "/api/mentions", q="pacco OR rimborso", sort="published_at_asc", **seed.day)
    assert [m["id"] for m in data["items"]] == ["c1", "c2", "c3"] and data["total_exact"] is True
    assert {f["value"]: f["count"] for f in data["facets"]["sentiment"]} == {"negative": 3}
    free = get(client, "/api/mentions", text="pacco rotto", **seed.day)
    assert [m["id"] for m in free["items"]] == ["c3"]


def test_a_query_syntax_error_is_a_400_with_the_message(client: TestClient, seed: SimpleNamespace) -> None:
    response = client.get("/api/mentions", params={"q": "OR"})
    assert response.status_code == 400 and "syntax error" in response.json()["detail"]


def test_timeseries_breakdowns_and_reach(client: TestClient, seed: SimpleNamespace) -> None:
    series = get(client, "/api/timeseries", brand="Acme", split="intent", interval="1h", **seed.day)
    assert sum(series["series"]["complaint"]) == 5 and sum(series["series"]["praise"]) == 2
    total = get(client, "/api/timeseries", brand="Globex", **seed.day)
    assert sum(total["series"]["total"]) == 2
    platforms = get(client, "/api/breakdown/platform", brand="Acme", owned=False, **seed.day)
    assert platforms["total"] == 8 and platforms["values"][0] == {"value": "forum", "count": 6}
    langs = get(client, "/api/breakdown/lang", owned=False, **seed.day)
    assert {v["value"]: v["count"] for v in langs["values"]} == {"it": 7, "en": 3}
    authors = get(client, "/api/top/authors", brand="Acme", owned=False, size=2, **seed.day)
    assert [a["value"] for a in authors["items"]] == ["utente_c1", "happy_customer"]
    sources = get(client, "/api/top/sources", owned=False, **seed.day)
    assert sources["items"][0]["value"] == "forum-casa"
    assert client.get("/api/breakdown/password").status_code == 422


def test_care_queue_is_oldest_first_with_age(client: TestClient, seed: SimpleNamespace) -> None:
    queue = get(client, "/api/care/queue", brand="Acme")
    assert [i["mention"]["id"] for i in queue["items"]] == ["c3", "x1", "c4"]
    # x1 was 45 minutes old when the seed was built: on a slow run it can pass the 60-minute target
    assert [i["over_target"] for i in queue["items"]] == [i["age_seconds"] > 3600 for i in queue["items"]]
    assert queue["items"][0]["over_target"] and not queue["items"][2]["over_target"]
    assert queue["items"][1]["mention"]["author"] == seed.xss_author  # stored and served verbatim, escaped by the page
    assert queue["target_minutes"] == 60


def test_alert_list_detail_and_acknowledge(client: TestClient, seed: SimpleNamespace) -> None:
    assert [a["id"] for a in get(client, "/api/alerts", brand="Acme")["items"]] == ["a3", "a1", "a2"]
    assert [a["id"] for a in get(client, "/api/alerts", status="open")["items"]] == ["a3", "a1"]
    detail = get(client, "/api/alerts/a1")
    assert [m["id"] for m in detail["evidence"]] == ["c3", "x1"]
    assert client.get("/api/alerts/nope").status_code == 404
    acked = client.post("/api/alerts/a1/acknowledge", json={"by": "Marco"})
    assert acked.status_code == 200, acked.text
    assert acked.json()["status"] == "acknowledged" and acked.json()["acknowledged_by"] == "Marco"
    assert get(client, "/api/alerts/a1")["alert"]["status"] == "acknowledged"
    assert client.post("/api/alerts/nope/acknowledge", json={"by": "Marco"}).status_code == 404
    assert client.post("/api/alerts/a3/acknowledge", json={"by": ""}).status_code == 422
    forged = client.post("/api/alerts/a3/acknowledge", json={"by": "x"}, headers={"origin": "https://evil.example"})
    assert forged.status_code == 403
    as_text = client.post("/api/alerts/a3/acknowledge", content=b'{"by": "x"}', headers={"content-type": "text/plain"})
    assert as_text.status_code == 422  # a cross-site form cannot send JSON


def test_bad_parameters_are_clear_400s_and_sizes_are_bounded(client: TestClient, seed: SimpleNamespace) -> None:
    assert client.get("/api/overview", params={"since": seed.later, "until": seed.until}).status_code == 400
    fortnight = client.get("/api/timeseries", params={"interval": "fortnight"})  # not what the schema admits
    assert fortnight.status_code == 422 and "interval" in str(fortnight.json()["detail"])
    assert client.get("/api/timeseries", params={"window": "30d", "interval": "1m"}).status_code == 400
    assert client.get("/api/mentions", params={"limit": 1000}).status_code == 422
    assert client.get("/api/mentions", params={"q": "x" * 5000}).status_code in (414, 422)
    big = client.post("/api/alerts/a3/acknowledge", content=b"{" + b" " * 40_000 + b"}",
                      headers={"content-type": "application/json"})
    assert big.status_code == 413



def test_openapi_documents_the_endpoints(client: TestClient, seed: SimpleNamespace) -> None:
    paths = get(client, "/openapi.json")["paths"]
    for path in ("/api/mentions", "/api/timeseries", "/api/breakdown/{field}", "/api/share-of-voice",
                 "/api/top/{field}", "/api/alerts", "/api/alerts/{alert_id}", "/api/alerts/{alert_id}/acknowledge",
                 "/api/care", "/api/care/queue", "/api/overview"):
        assert path in paths
