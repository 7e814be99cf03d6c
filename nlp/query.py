"""PLACEHOLDER brand query language (to be replaced by the NLP issue): OR of terms only. Keeps the interface."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


class QuerySyntaxError(ValueError):
    def __init__(self, message: str, position: int = 0, expected: str = "") -> None:
        super().__init__(f"query syntax error at position {position}: {message}")
        self.position, self.expected = position, expected


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Query:
    source: str
    terms: tuple[str, ...]

    def matches(self, text: str) -> bool:
        folded = fold(text)
        return any(re.search(r"(?<![\w@#])" + re.escape(t) + r"(?!\w)", folded) for t in self.terms)

    def to_es(self, fields: tuple[str, ...] = ("title", "text")) -> dict:
        return {"bool": {"should": [{"multi_match": {"query": t, "fields": list(fields), "type": "phrase"}}
                                    for t in self.terms], "minimum_should_match": 1}}


@lru_cache(maxsize=256)
def parse_query(text: str) -> Query:
    parts = [p.strip().strip('"') for p in re.split(r"\bOR\b", text) if p.strip()]
    if not parts:
        raise QuerySyntaxError("empty query", 0, "a term")
    return Query(text, tuple(fold(p) for p in parts))
