"""A digest's figures are the dashboard's: the same period asked of /api/care and of the digest give the same
care figures (every backend the `store_url` fixture offers)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from fastapi.testclient import TestClient

from ascolto.digests import build_digest
from ascolto.web.app import create_app
from storage import open_store


def test_digest_figures_equal_the_care_api_for_the_same_period(seeded_url: str, seed: SimpleNamespace) -> None:
    until = seed.now - timedelta(minutes=5)  # a period already over: both measure ages at its end
    for since in (until - timedelta(days=1), until - timedelta(hours=3)):
        with open_store(seeded_url) as store:
            report = build_digest(store, seed.config, "d", since, until, now=until)
        with TestClient(create_app(seeded_url, seed.config)) as client:
            for section in report.brands:
                answer = client.get("/api/care", params={"brand": section.brand, "since": since.isoformat(),
                                                         "until": until.isoformat()})
                assert answer.status_code == 200, answer.text
                assert section.care == answer.json()["care"], section.brand
                before = client.get("/api/care", params={"brand": section.brand,
                                                         "since": (since - (until - since)).isoformat(),
                                                         "until": since.isoformat()})
                assert section.previous == before.json()["care"], section.brand
    assert report.brands[0].care["complaints"] > 0  # the seed's Acme complaints were counted
