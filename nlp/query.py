"""The brand query language: parsed once, evaluated on a mention, translated to Elasticsearch.

    apple OR "mela rossa"          terms and "exact phrases"
    rimbors* #sciopero @TIM_it      trailing wildcard, hashtag, handle
    a b  ==  a AND b                adjacent terms mean AND (what users expect)
    a OR b NOT c   (a OR b) AND NOT c
    ritardo NEAR/3 (volo OR treno)  proximity: at most 3 words between, either order
Operators are UPPERCASE (AND, OR, NOT, NEAR/n); lowercase "and"/"or"/"not" are ordinary words.
Precedence, tightest first: NEAR, NOT, AND (explicit or implicit), OR. Matching ignores case and accents.
A term matches the word, its hashtag and its handle (`tim` matches "#tim"); `#tim` matches only the hashtag.

Elasticsearch translation (`Query.to_es`) assumes the fields are analysed with the `standard` analyzer
(lowercase, tokens split on Unicode word boundaries, no accent folding). Because folding is not guaranteed,
every word that carries an accent is searched both as written and folded ("perché" OR "perche"); a text
written with accents the query lacks is found only on a folded field (e.g. a `.folded` subfield with the
`asciifolding` filter: pass it in `fields`). Two known differences, both selecting slightly more on ES:
the standard analyzer drops '#' and '@', so #tag and @handle match the plain word there; and it keeps
elided Italian words whole ("l'ordine"), which the in-process matcher splits.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from core.text import fold, signed_tokens

__all__ = ["Query", "QuerySyntaxError", "TextIndex", "fold", "parse_query"]

OPERAND = "a term, \"phrase\", #hashtag, @handle, wildcard* or '('"
MAX_NEAR = 100


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed: `position` (0-based character offset) and the `expected` token."""

    def __init__(self, message: str, position: int = 0, expected: str = "") -> None:
        detail = f" (expected {expected})" if expected else ""
        super().__init__(f"query syntax error at position {position}: {message}{detail}")
        self.position, self.expected = position, expected


# ---------------------------------------------------------------- text side: positions of folded words


@dataclass
class TextIndex:
    """Folded words of a text with their positions, built once per mention and shared by every query."""

    words: list[str]
    signs: list[str]
    positions: dict[str, list[int]] = field(default_factory=dict)
    _sorted: list[str] | None = None

    @classmethod
    def of(cls, text: str) -> TextIndex:
        words: list[str] = []
        signs: list[str] = []
        positions: dict[str, list[int]] = {}
        for sign, word in signed_tokens(fold(text)):
            positions.setdefault(word, []).append(len(words))
            words.append(word)
            signs.append(sign)
        return cls(words, signs, positions)

    def prefixed(self, stem: str) -> list[int]:
        if self._sorted is None:
            self._sorted = sorted(self.positions)
        found: list[int] = []
        i = bisect_left(self._sorted, stem)
        while i < len(self._sorted) and self._sorted[i].startswith(stem):
            found.extend(self.positions[self._sorted[i]])
            i += 1
        return sorted(found)


Span = tuple[int, int]  # first and last word position, inclusive


# ---------------------------------------------------------------- the query tree
@dataclass(frozen=True)
class Atom:
    """A term, phrase, hashtag, handle or wildcard: a sequence of folded words (the last may be a prefix)."""

    words: tuple[str, ...]
    as_typed: tuple[str, ...]  # lowercased, accents kept: what a non-folding ES analyzer indexes
    sign: str = ""  # "#" or "@" when only hashtags / handles match
    prefix: bool = False

    def spans(self, index: TextIndex) -> list[Span]:
        first = self.words[0]
        last_is_prefix = self.prefix and len(self.words) == 1
        starts = index.prefixed(first) if last_is_prefix else index.positions.get(first, [])
        n = len(self.words)
        found: list[Span] = []
        for start in starts:
            if self.sign and index.signs[start] != self.sign:
                continue
            if n > 1 and not self._rest_matches(index.words, start):
                continue
            found.append((start, start + n - 1))
        return found

    def _rest_matches(self, words: list[str], start: int) -> bool:
        if start + len(self.words) > len(words):
            return False
        for k in range(1, len(self.words)):
            word, wanted = words[start + k], self.words[k]
            is_last_prefix = self.prefix and k == len(self.words) - 1
            if not (word.startswith(wanted) if is_last_prefix else word == wanted):
                return False
        return True


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int

    def spans(self, index: TextIndex) -> list[Span]:
        rights = self.right.spans(index)
        if not rights:
            return []
        found = []
        for a in self.left.spans(index):
            for b in rights:
                if a[1] < b[0]:
                    gap = b[0] - a[1] - 1
                elif b[1] < a[0]:
                    gap = a[0] - b[1] - 1
                else:
                    continue  # overlapping spans: one word cannot be both operands
                if gap <= self.distance:
                    found.append((min(a[0], b[0]), max(a[1], b[1])))
        return found


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]

    @cached_property
    def is_span(self) -> bool:
        return all(_is_span(p) for p in self.parts)

    def spans(self, index: TextIndex) -> list[Span]:
        return sorted({span for part in self.parts for span in part.spans(index)})  # type: ignore[union-attr]


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Atom | Near | Or | And | Not


def _evaluate(node: Node, index: TextIndex) -> bool:
    if isinstance(node, And):
        return all(_evaluate(p, index) for p in node.parts)
    if isinstance(node, Or) and not node.is_span:
        return any(_evaluate(p, index) for p in node.parts)
    if isinstance(node, Not):
        return not _evaluate(node.part, index)
    return bool(node.spans(index))


def _is_span(node: Node) -> bool:
    if isinstance(node, Or):
        return node.is_span
    return isinstance(node, Atom | Near)


@dataclass(frozen=True)
class Query:
    """A parsed brand query. `matches` runs in-process; `to_es` selects the same mentions in an index."""

    source: str
    root: Node

    def matches(self, text: str) -> bool:
        return _evaluate(self.root, TextIndex.of(text or ""))

    def matches_index(self, index: TextIndex) -> bool:
        """Evaluate on an already built TextIndex (one per mention, shared by all brands' queries)."""
        return _evaluate(self.root, index)

    def to_es(self, fields: tuple[str, ...] = ("title", "text")) -> dict[str, Any]:
        """Elasticsearch query DSL selecting the same mentions (assumptions: module docstring)."""
        from nlp.query_es import translate

        return translate(self.root, tuple(fields))


# ---------------------------------------------------------------- parser
_LEX = re.compile(
    r"""(?P<space>\s+)|(?P<lparen>\()|(?P<rparen>\))|(?P<phrase>"[^"]*"?)|(?P<near>NEAR/?[^\s()"]*)"""
    r"""|(?P<word>[^\s()"]+)""",
)
_OPERATORS = {"AND", "OR", "NOT"}


@dataclass(frozen=True)
class Token:
    kind: str  # lparen rparen phrase near word AND OR NOT end
    text: str
    position: int


def _lex(source: str) -> list[Token]:
    tokens = []
    for m in _LEX.finditer(source):
        kind, text = m.lastgroup or "word", m.group()
        if kind == "space":
            continue
        if kind == "word" and text in _OPERATORS:
            kind = text
        if kind == "near" and not re.fullmatch(r"NEAR/\d+", text):
            if text == "NEAR" or text.startswith("NEAR/"):
                raise QuerySyntaxError(f"malformed proximity operator {text!r}", m.start() + 4, "/n with n a number")
            kind = "word"
        tokens.append(Token(kind, text, m.start()))
    tokens.append(Token("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _lex(source)
        self.i = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def fail(self, message: str, expected: str, token: Token | None = None) -> QuerySyntaxError:
        return QuerySyntaxError(message, (token or self.peek).position, expected)

    def parse(self) -> Node:
        if self.peek.kind == "end":
            raise self.fail("empty query", OPERAND)
        node = self.or_expr()
        if self.peek.kind == "rparen":
            raise self.fail("unbalanced ')'", "an operator, a term or the end of the query")
        if self.peek.kind != "end":
            raise self.fail(f"unexpected {self.peek.text!r}", "an operator or the end of the query")
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.peek.kind == "OR":
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while self.peek.kind in {"AND", "NOT", "lparen", "phrase", "word"}:
            if self.peek.kind == "AND":
                self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_expr(self) -> Node:
        if self.peek.kind == "NOT":
            self.take()
            return Not(self.not_expr())
        return self.near_expr()

    def near_expr(self) -> Node:
        node = self.primary()
        while self.peek.kind == "near":
            operator = self.take()
            distance = int(operator.text[5:])
            if distance > MAX_NEAR:
                raise self.fail(f"proximity {distance} is too large", f"NEAR/n with n <= {MAX_NEAR}", operator)
            right_token = self.peek
            right = self.primary()
            for operand, token in ((node, None), (right, right_token)):
                if not _is_span(operand):
                    raise self.fail("NEAR joins terms, phrases, wildcards or OR-groups of them",
                                    "an operand without AND/NOT", token or operator)
            node = Near(node, right, distance)
        return node

    def primary(self) -> Node:
        token = self.peek
        if token.kind == "lparen":
            self.take()
            if self.peek.kind == "rparen":
                raise self.fail("empty parentheses", OPERAND)
            node = self.or_expr()
            if self.peek.kind != "rparen":
                raise self.fail(f"'(' at position {token.position} is not closed", "')'")
            self.take()
            return node
        if token.kind == "phrase":
            self.take()
            if len(token.text) < 2 or not token.text.endswith('"'):
                raise QuerySyntaxError("unterminated phrase", len(self.source), "a closing '\"'")
            return self.atom(token.text[1:-1], token, phrase=True)
        if token.kind == "word":
            self.take()
            return self.atom(token.text, token, phrase=False)
        if token.kind == "end":
            raise self.fail("the query ends where an operand is needed", OPERAND)
        raise self.fail(f"unexpected {token.text!r}", OPERAND)

    def atom(self, text: str, token: Token, phrase: bool) -> Atom:
        sign = text[0] if not phrase and text[:1] in "#@" and len(text) > 1 else ""
        body = text[len(sign):]
        prefix = body.endswith("*")
        body = body.rstrip("*") if prefix else body
        if "*" in body:
            raise QuerySyntaxError("a wildcard may only end a word", token.position + text.index("*"),
                                   "'*' at the end of a word")
        words = tuple(w for _, w in signed_tokens(fold(body)))
        typed = tuple(w for _, w in signed_tokens(body.casefold()))
        if not words:
            raise QuerySyntaxError("empty phrase" if phrase else f"{text!r} has no letters or digits",
                                   token.position, "a word")
        if prefix and len(words[-1]) < 2:
            raise QuerySyntaxError("a wildcard needs at least 2 characters before '*'", token.position,
                                   "a longer stem")
        if len(typed) != len(words):
            typed = words
        return Atom(words, typed, sign, prefix)


@lru_cache(maxsize=1024)
def parse_query(text: str) -> Query:
    """Parse a brand query; raises QuerySyntaxError (a ValueError) with position and expected token."""
    if not isinstance(text, str):
        raise QuerySyntaxError("a query must be a string", 0, OPERAND)
    return Query(text, _Parser(text).parse())
