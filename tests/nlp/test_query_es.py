"""`Query.to_es` against a real Elasticsearch: the same mentions as `Query.matches`, on `standard`-analysed fields.

The documented differences are left out on purpose: #hashtag / @handle (the standard analyzer drops the sign)
and elided Italian words ("l'ordine" is one token there).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch

from nlp.query import parse_query
from tests.storage.es_server import ElasticsearchNode

pytestmark = pytest.mark.elasticsearch

TEXTS = [
    "Il volo è in forte ritardo e il servizio clienti non risponde",
    "Perché il rimborso non arriva? Rimborsi bloccati da mesi",
    "perche nessuno mi richiama",
    "Servizio clientela pessimo, volo cancellato",
    "Treno soppresso per sciopero",
    "The customer service was so rude, flight delayed again",
    "Grazie per il rimborso veloce",
    "ritardo volo",
    "volo treno ritardo",
    "Nothing to see here",
]
QUERIES = [
    "volo", "volo ritardo", "volo OR treno", "volo NOT cancellato", "(volo OR treno) NOT (sciopero OR neve)",
    '"servizio clienti"', '"servizio client*"', "rimbors*", "perché", "ritardo NEAR/2 volo",
    "ritardo NEAR/0 volo", "ritardo NEAR/3 (volo OR treno)", '"customer service" NEAR/2 rude', "delay* NEAR/1 flight",
    "NOT volo", "grazie AND rimborso", "a OR b OR nothing",
]


@pytest.fixture(scope="module")
def index(es_node: ElasticsearchNode) -> Iterator[tuple[Elasticsearch, str]]:
    client = Elasticsearch(es_node.url, request_timeout=60)
    name = f"nlp-query-test-{uuid.uuid4().hex[:8]}"
    client.indices.create(index=name, mappings={"properties": {
        "title": {"type": "text", "analyzer": "standard"}, "text": {"type": "text", "analyzer": "standard"}}})
    for i, text in enumerate(TEXTS):
        client.index(index=name, id=str(i), document={"title": "", "text": text})
    client.indices.refresh(index=name)
    try:
        yield client, name
    finally:
        client.options(ignore_status=404).indices.delete(index=name)
        client.close()


@pytest.mark.parametrize("source", QUERIES)
def test_es_selects_the_same_mentions(index: tuple[Elasticsearch, str], source: str) -> None:
    client, name = index
    query = parse_query(source)
    expected = {str(i) for i, text in enumerate(TEXTS) if query.matches(text)}
    hits = client.search(index=name, query=query.to_es(("title", "text")), size=100)["hits"]["hits"]
    assert {hit["_id"] for hit in hits} == expected, query.to_es()
