"""The brand query language: parsing, clear syntax errors, evaluation on text, Elasticsearch translation."""

from __future__ import annotations

import json

import pytest

from nlp.query import Atom, QuerySyntaxError, fold, parse_query


def matches(query: str, text: str) -> bool:
    return parse_query(query).matches(text)


@pytest.mark.parametrize(("query", "text", "expected"), [
    ("tim", "Il servizio di TIM è pessimo", True),
    ("tim", "timbro e ottimo", False),  # whole words only
    ("tim", "grande #TIM oggi", True),  # a term matches its hashtag
    ("#tim", "grande tim oggi", False),  # a hashtag query needs the hashtag
    ("#tim", "grande #Tim oggi", True),
    ("@tim_official", "ciao @TIM_Official aiuto", True),
    ("@tim_official", "ciao tim_official", False),
    ("perché", "PERCHE non funziona", True),  # accent- and case-insensitive both ways
    ("perche", "Perché non funziona", True),
    ('"servizio clienti"', "il Servizio  Clienti non risponde", True),
    ('"servizio clienti"', "clienti del servizio", False),
    ("rimbors*", "aspetto i RIMBORSI da mesi", True),
    ("rimbors*", "rimbor", False),
    ('"servizio client*"', "servizio clientela pessimo", True),
    ("volo ritardo", "ritardo del volo", True),  # implicit AND, any order
    ("volo ritardo", "volo in orario", False),
    ("volo AND ritardo", "il volo è in ritardo", True),
    ("volo OR treno", "treno soppresso", True),
    ("volo NOT ryanair", "volo ryanair", False),
    ("volo NOT ryanair", "volo alitalia", True),
    ("(volo OR treno) NOT (sciopero OR neve)", "treno fermo per neve", False),
    ("(volo OR treno) NOT (sciopero OR neve)", "treno fermo", True),
    ("a OR b c", "c", False),  # AND binds tighter than OR: a OR (b AND c)
    ("a OR b c", "a", True),
    ("ritardo NEAR/2 volo", "volo in forte ritardo", True),
    ("ritardo NEAR/1 volo", "volo in forte ritardo", False),
    ("ritardo NEAR/0 volo", "ritardo volo", True),
    ("ritardo NEAR/3 (volo OR treno)", "il treno oggi ha ritardo", True),
    ('"customer service" NEAR/2 rude', "customer service was so rude", True),
    ('"customer service" NEAR/2 rude', "rude people everywhere and then customer service", False),
    ("delay* NEAR/2 flight", "flight delayed again", True),
    ("(a NEAR/1 b) NEAR/1 c", "a b x c", True),
    ("tim NEAR/3 tim", "tim", False),  # one word can't be both operands
    ("and", "rock and roll", True),  # lowercase operators are words
    ("e-commerce", "il mio e commerce preferito", True),
])
def test_evaluation(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


@pytest.mark.parametrize(("query", "position", "expected"), [
    ("", 0, "a term"),
    ("   ", 3, "a term"),
    ("volo OR", 7, "a term"),
    ("volo AND", 8, "a term"),
    ("(volo OR treno", 14, "')'"),
    ("volo)", 4, "an operator"),
    ('"servizio clienti', 17, "closing"),
    ("volo NEAR/x treno", 9, "/n"),
    ("volo NEAR treno", 9, "/n"),
    ("volo NEAR/2 (treno NOT bus)", 12, "without AND/NOT"),
    ("volo NEAR/1000 treno", 5, "n <="),
    ("rim*bors", 3, "end of a word"),
    ("r*", 0, "longer stem"),
    ("()", 1, "a term"),
    ('""', 0, "a word"),
    ("OR volo", 0, "a term"),
    ("NOT", 3, "a term"),
])
def test_syntax_errors(query: str, position: int, expected: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(query)
    assert caught.value.position == position
    assert expected in caught.value.expected
    assert f"position {position}" in str(caught.value)
    assert isinstance(caught.value, ValueError)  # config validation relies on it


def test_fold() -> None:
    assert fold("Perché ÀÉÎ Straße") == "perche aei strasse"


def test_parse_structure_and_cache() -> None:
    query = parse_query("tim rimbors*")
    assert parse_query("tim rimbors*") is query
    assert Atom(("rimbors",), ("rimbors",), "", True) in query.root.parts  # type: ignore[union-attr]


def _clauses(tree: object, key: str) -> list[object]:
    found: list[object] = []
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k == key:
                found.append(v)
            found.extend(_clauses(v, key))
    elif isinstance(tree, list):
        for item in tree:
            found.extend(_clauses(item, key))
    return found


def test_to_es_boolean_structure() -> None:
    es = parse_query('(volo OR "servizio clienti") NOT spam rimbors*').to_es(("title", "text"))
    assert set(es["bool"]) == {"must", "must_not"}
    should = es["bool"]["must"][0]["bool"]
    assert should["minimum_should_match"] == 1
    assert {"multi_match": {"query": "servizio clienti", "fields": ["title", "text"], "type": "phrase"}} in \
        should["should"]
    assert es["bool"]["must_not"] == [{"multi_match": {"query": "spam", "fields": ["title", "text"],
                                                       "type": "phrase"}}]
    prefixes = _clauses(es, "prefix")
    assert {"text": {"value": "rimbors"}} in prefixes and {"title": {"value": "rimbors"}} in prefixes
    json.dumps(es)  # plain JSON


def test_to_es_near_uses_spans_per_field() -> None:
    es = parse_query("perché NEAR/3 (volo OR delay*)").to_es(("text",))
    near = es["span_near"]
    assert near["slop"] == 3 and near["in_order"] is False
    first, second = near["clauses"]
    assert first == {"span_or": {"clauses": [{"span_term": {"text": "perché"}}, {"span_term": {"text": "perche"}}]}}
    assert second["span_or"]["clauses"][1] == {"span_multi": {"match": {"prefix": {"text": {"value": "delay"}}}}}
    two_fields = parse_query("a NEAR/1 b").to_es(("title", "text"))
    assert len(two_fields["bool"]["should"]) == 2


def test_to_es_pure_negation_matches_everything_else() -> None:
    es = parse_query("NOT spam").to_es()
    assert es["bool"]["must"] == [{"match_all": {}}]
