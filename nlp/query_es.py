"""Brand query -> Elasticsearch query DSL (bool / multi_match phrase / prefix / span_near); see nlp/query.py
for the assumptions about the index's analyzer."""

from __future__ import annotations

from typing import Any

from nlp.query import And, Atom, Near, Node, Not, Or


def translate(node: Node, fields: tuple[str, ...]) -> dict[str, Any]:
    return _es(node, fields)


def _es(node: Node, fields: tuple[str, ...]) -> dict[str, Any]:
    if isinstance(node, And):
        must = [_es(p, fields) for p in node.parts if not isinstance(p, Not)]
        must_not = [_es(p.part, fields) for p in node.parts if isinstance(p, Not)]
        clause: dict[str, Any] = {"must": must} if must else {"must": [{"match_all": {}}]}
        if must_not:
            clause["must_not"] = must_not
        return {"bool": clause}
    if isinstance(node, Or):
        return {"bool": {"should": [_es(p, fields) for p in node.parts], "minimum_should_match": 1}}
    if isinstance(node, Not):
        return {"bool": {"must": [{"match_all": {}}], "must_not": [_es(node.part, fields)]}}
    if isinstance(node, Near):
        return _should([{"span_near": _span(node, f)["span_near"]} for f in fields])
    return _es_atom(node, fields)


def _should(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}


def _variants(atom: Atom) -> list[tuple[str, ...]]:
    return [atom.words] if atom.as_typed == atom.words else [atom.as_typed, atom.words]


def _es_atom(atom: Atom, fields: tuple[str, ...]) -> dict[str, Any]:
    clauses: list[dict[str, Any]] = []
    for words in _variants(atom):
        if atom.prefix and len(words) == 1:
            clauses.extend({"prefix": {f: {"value": words[0]}}} for f in fields)
        elif atom.prefix:
            clauses.extend(_span_atom(atom, words, f) for f in fields)
        else:
            clauses.append({"multi_match": {"query": " ".join(words), "fields": list(fields), "type": "phrase"}})
    return _should(clauses)


def _span_word(word: str, prefix: bool, fld: str) -> dict[str, Any]:
    if prefix:
        return {"span_multi": {"match": {"prefix": {fld: {"value": word}}}}}
    return {"span_term": {fld: word}}


def _span_atom(atom: Atom, words: tuple[str, ...], fld: str) -> dict[str, Any]:
    clauses = [_span_word(w, atom.prefix and k == len(words) - 1, fld) for k, w in enumerate(words)]
    if len(clauses) == 1:
        return clauses[0]
    return {"span_near": {"clauses": clauses, "slop": 0, "in_order": True}}


def _span(node: Node, fld: str) -> dict[str, Any]:
    if isinstance(node, Atom):
        alternatives = [_span_atom(node, words, fld) for words in _variants(node)]
        return alternatives[0] if len(alternatives) == 1 else {"span_or": {"clauses": alternatives}}
    if isinstance(node, Or):
        return {"span_or": {"clauses": [_span(p, fld) for p in node.parts]}}
    if isinstance(node, Near):
        clauses = [_span(node.left, fld), _span(node.right, fld)]
        return {"span_near": {"clauses": clauses, "slop": node.distance, "in_order": False}}
    raise TypeError(f"not a span: {node!r}")  # the parser only builds NEAR over span nodes
