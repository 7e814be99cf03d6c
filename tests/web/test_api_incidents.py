"""The incident endpoints of the contract, over a real seeded store of each backend: list, detail with its
alerts, acknowledge, and the team's changes (status, owner, notes), under the same CSRF rules as every POST."""

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


def test_list_and_detail(client: TestClient, seed: SimpleNamespace) -> None:
    listed = client.get("/api/incidents").json()["incidents"]
    assert [i["id"] for i in listed] == ["inc-acme-1", "inc-acme-0"]  # newest opened first
    assert [i["id"] for i in client.get("/api/incidents", params={"status": "resolved"}).json()["incidents"]] \
        == ["inc-acme-0"]
    assert client.get("/api/incidents", params={"brand": "Nope"}).json() == {"incidents": []}
    assert client.get("/api/incidents", params={"status": "closed"}).status_code == 422
    detail = client.get("/api/incidents/inc-acme-1").json()
    assert detail["incident"]["detectors"] == ["volume_spike", "unanswered_complaint"]
    assert [a["id"] for a in detail["alerts"]] == ["a1", "a3"]  # in the order they joined
    assert detail["incident"]["notes"][0]["text"] == seed.xss_script  # served verbatim, escaped by the page
    assert client.get("/api/incidents/nope").status_code == 404


def test_acknowledge_and_change(client: TestClient) -> None:
    taken = client.post("/api/incidents/inc-acme-1/acknowledge", json={"by": "Marco"})
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "handling" and taken.json()["owner"] == "Marco"
    assert client.post("/api/incidents/nope/acknowledge", json={"by": "Marco"}).status_code == 404
    assert client.post("/api/incidents/inc-acme-1/acknowledge", json={"by": ""}).status_code == 422
    noted = client.post("/api/incidents/inc-acme-1", json={"note": "chiamato il corriere", "by": "Giulia",
                                                           "owner": "Giulia"})
    assert noted.status_code == 200, noted.text
    assert noted.json()["owner"] == "Giulia" and noted.json()["notes"][-1]["text"] == "chiamato il corriere"
    assert noted.json()["notes"][-1]["by"] == "Giulia" and len(noted.json()["notes"]) == 2
    stored = client.get("/api/incidents/inc-acme-1").json()["incident"]
    assert stored["owner"] == "Giulia" and stored["status"] == "handling"
    assert client.post("/api/incidents/inc-acme-1", json={"note": "x" * 2001}).status_code == 422
    assert client.post("/api/incidents/inc-acme-1", json={"owner": "x" * 101}).status_code == 422
    assert client.post("/api/incidents/inc-acme-1", json={"status": "closed"}).status_code == 422
    assert client.post("/api/incidents/nope", json={"note": "x"}).status_code == 404
    forged = client.post("/api/incidents/inc-acme-1", json={"note": "x"}, headers={"origin": "https://evil.example"})
    assert forged.status_code == 403
    as_text = client.post("/api/incidents/inc-acme-1/acknowledge", content=b'{"by": "x"}',
                          headers={"content-type": "text/plain"})
    assert as_text.status_code == 422  # a cross-site form cannot send JSON
    closed = client.post("/api/incidents/inc-acme-1", json={"status": "resolved", "by": "Giulia"}).json()
    assert closed["status"] == "resolved" and closed["resolved_at"] is not None


def test_openapi_documents_the_incident_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"get"} <= set(paths["/api/incidents"]) and {"get", "post"} <= set(paths["/api/incidents/{incident_id}"])
    assert "post" in paths["/api/incidents/{incident_id}/acknowledge"]
