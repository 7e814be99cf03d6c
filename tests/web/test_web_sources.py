"""`/api/sources`: each configured source's health from the store's crawl log (the alerts page shows it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from ascolto.web.app import create_app
from core.config import config_from_dict
from core.model import CrawlRun
from storage import open_store


def test_sources_report_failing_ok_and_never_crawled(tmp_path: Path) -> None:
    url = str(tmp_path / "s.sqlite3")
    now = datetime.now(UTC)
    config = config_from_dict({"brands": [{"name": "Velora"}], "sources": [
        {"name": n, "kind": "feed", "urls": [f"https://{n}.example/rss"]} for n in ("news", "blog", "reviews")]})
    with open_store(url) as store:
        store.record_crawl([
            CrawlRun(source="news", kind="feed", started_at=now - timedelta(hours=2),
                     finished_at=now - timedelta(hours=2), ok=True, fetched=3, stored=7),
            CrawlRun(source="news", kind="feed", started_at=now - timedelta(hours=1),
                     finished_at=now - timedelta(hours=1), ok=False, errors=2, error_kinds={"connection_refused": 2}),
            CrawlRun(source="blog", kind="feed", started_at=now - timedelta(minutes=5), finished_at=now, ok=True,
                     fetched=1, stored=2),
        ])
    with TestClient(create_app(url, config)) as client:
        response = client.get("/api/sources")
    assert response.status_code == 200
    by_name = {s["source"]: s for s in response.json()["sources"]}
    assert list(by_name) == ["news", "blog", "reviews"]
    assert (by_name["news"]["status"], by_name["news"]["error_streak"]) == ("failing", 1)
    assert by_name["news"]["last_errors"] == {"connection_refused": 2} and by_name["news"]["items_usual"] == 7
    assert by_name["blog"]["status"] == "ok"
    assert (by_name["reviews"]["status"], by_name["reviews"]["kind"]) == ("never", "feed")
