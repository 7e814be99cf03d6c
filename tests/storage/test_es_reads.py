"""No Elasticsearch store method reads documents to compute a figure: on a 10,000-mention store the real node's
answers are counted as they come back (hits in search responses, docs in multi-gets) by a client that wraps the
real one's requests. Samples may read a handful of documents; figures read none."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from core.model import Mention
from storage.base import MentionFilter
from storage.elasticsearch import ElasticsearchStore, parse_url

pytestmark = pytest.mark.elasticsearch

T0 = datetime(2026, 8, 1, tzinfo=UTC)
BRANDS = ("Acme", "Globex", "Initech", "Umbrella", "Hooli")
N = 10_000


class CountingClient(Elasticsearch):
    """The real client; every response's documents are added up in `read` (a class attribute: the client's
    .options() copies are new instances of this class)."""

    read: list[int] = [0]  # noqa: RUF012 - shared on purpose

    def perform_request(self, *args: Any, **kwargs: Any) -> Any:
        response = super().perform_request(*args, **kwargs)
        body = response.body if hasattr(response, "body") else None
        if isinstance(body, dict):
            hits = body.get("hits", {}).get("hits")
            docs = body.get("docs")
            self.read[0] += (len(hits) if isinstance(hits, list) else 0) + (len(docs) if isinstance(docs, list) else 0)
            self.read[0] += 1 if body.get("found") is True else 0
        return response


def dataset() -> list[Mention]:
    rng = random.Random(14)
    out = []
    for i in range(N):
        at = T0 + timedelta(minutes=rng.randrange(90 * 24 * 60))
        sentiment = rng.choice(("negative", "neutral", "positive", None))
        complaint = sentiment == "negative" and rng.random() < 0.7
        owned = i % 9 == 0 and i > 0
        out.append(Mention(
            id=f"m{i:05d}", brands=[rng.choice(BRANDS)], source=f"source-{rng.randrange(30)}",
            platform=rng.choice(("news", "forum", "reviews")), author=f"author{rng.randrange(3000)}",
            author_reach=rng.randrange(10, 50_000), text=" ".join(rng.sample(
                ("pacco", "ritardo", "rimborso", "bolletta", "app", "crash", "grazie", "ottimo", "prezzo"), 4)),
            lang="it", published_at=at + timedelta(minutes=30) if owned else at, fetched_at=at, is_owned=owned,
            in_reply_to=f"m{i - 1:05d}" if owned else None, sentiment=sentiment,
            intent="complaint" if complaint else ("other" if sentiment else None),
            topics=rng.sample(("delivery", "billing", "app", "price"), rng.randrange(0, 3)),
        ))
    return out


@pytest.fixture(scope="module")
def counted(es_node: Any) -> Iterator[tuple[ElasticsearchStore, list[int]]]:
    url = f"{es_node.url}/?index_prefix=reads{random.randrange(10**6)}"
    base, _, _ = parse_url(url)
    client = CountingClient(base, request_timeout=60)
    store = ElasticsearchStore(url, client=client)
    result = store.upsert(dataset())
    assert (result.inserted, result.failed) == (N, [])
    yield store, CountingClient.read
    from tests.storage.es_server import drop_prefix

    drop_prefix(es_node.url, store.layout.prefix)
    store.close()


def documents_read(read: list[int], ask: Any) -> int:
    before = read[0]
    ask()
    return read[0] - before


def test_figures_read_no_document(counted: tuple[ElasticsearchStore, list[int]]) -> None:
    from ascolto.web.searching import search_mentions
    from nlp.query import parse_query

    store, read = counted
    window = MentionFilter(brands=("Acme",), since=T0 + timedelta(days=60), until=T0 + timedelta(days=90))
    now = T0 + timedelta(days=90)
    snapshot = store.care_snapshot(window, "1h", 8, now=now)
    assert snapshot.inbound > 500 and snapshot.replies.answered > 10 and snapshot.replies.unanswered > 10
    figures = {
        "care_snapshot": lambda: store.care_snapshot(window, "1h", 8, now=now),
        "care_snapshot (all brands)": lambda: store.care_snapshot(MentionFilter(), "1d", 8, now=now),
        "reach_by author": lambda: store.reach_by(window, "author", 10),
        "reach_by source": lambda: store.reach_by(MentionFilter(), "source", 10),
        "facets": lambda: [store.facets(MentionFilter(), f, 10) for f in ("author", "topics", "brands")],
        "brand_counts": lambda: store.brand_counts(MentionFilter(is_owned=False), BRANDS),
        "sentiment_counts": lambda: store.sentiment_counts(window),
        "count_buckets": lambda: store.count_buckets(window, "1h"),
        "count": lambda: store.count(window),
    }
    for name, ask in figures.items():
        assert documents_read(read, ask) == 0, name
    query = parse_query("ritardo OR rimbors*")
    page = documents_read(read, lambda: search_mentions(store, MentionFilter(), query=query, limit=20,
                                                         facet_fields=("sentiment", "brands")))
    assert page == 20  # the page itself, nothing scanned
    result = search_mentions(store, MentionFilter(), query=query, limit=20)
    assert result["total_exact"] and result["total"] > 5000


def ten_rules() -> list[dict[str, Any]]:
    """Ten rules over every detector, with settings under which some of them find something on this data."""
    quick = {"min_count": 1, "sensitivity": 0.5}
    return [
        {"name": "complaints", "detector": "volume_spike", "brand": "Acme", "metric": "complaints", **quick},
        {"name": "volume-day", "detector": "volume_spike", "brand": "Globex", "metric": "all", "window": "1d",
         **quick},
        {"name": "slow", "detector": "slow_build", "brand": "Acme", "metric": "all", **quick},
        {"name": "negative", "detector": "negative_share", "brand": "Acme", "window": "1d", **quick,
         "options": {"min_shift": 0.0}},
        {"name": "terms", "detector": "emerging_term", "brand": "Acme", "window": "1d", **quick,
         "options": {"min_term_count": 2}},
        {"name": "terms-all", "detector": "emerging_term", "window": "2d", **quick},
        {"name": "viral", "detector": "viral_mention", "brand": "Hooli", "metric": "all", **quick,
         "options": {"min_engagement": 1}},
        {"name": "unanswered", "detector": "unanswered_complaint", "brand": "Globex", **quick},
        {"name": "sla", "detector": "sla_risk", "brand": "Acme", "limit_minutes": 30, **quick},
        {"name": "negative-all", "detector": "negative_share", "metric": "all", **quick},
    ]


def test_ten_alert_rules_read_a_few_dozen_documents(counted: tuple[ElasticsearchStore, list[int]]) -> None:
    """The detectors' series and figures are aggregations; what they read is their evidence (three samples per
    finding, a mention or so to bound a window). Rules without a brand run once per brand."""
    from alerts.detectors import DETECTORS
    from core.config import config_from_dict

    store, read = counted
    config = config_from_dict({"brands": [{"name": b} for b in BRANDS], "alerts": ten_rules()})
    now = T0 + timedelta(days=60, hours=13)
    findings: list[Any] = []

    def evaluate() -> None:
        for rule in config.alerts:
            for brand in [rule.brand] if rule.brand else list(BRANDS):
                findings.extend(DETECTORS[rule.detector](store, config, rule, brand, now))

    documents = documents_read(read, evaluate)
    assert len(findings) >= 5  # the rules find something: their evidence is read too
    samples = sum(len(f.samples) for f in findings)
    print(f"ten rules: {documents} documents read, {samples} of them samples of {len(findings)} findings")
    assert documents <= 40 + samples, (documents, samples, [f.key for f in findings])
