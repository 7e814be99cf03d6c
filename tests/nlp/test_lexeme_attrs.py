"""The faster lexeme attribute getters give spaCy's own answers."""

from __future__ import annotations

import spacy
from spacy.lang import lex_attrs as base
from spacy.lang.en import lex_attrs as en

from nlp import lexeme_attrs
from nlp.datasets import OWN_DATA
from nlp.pipeline import build

EDGE_CASES = [
    "", "a", "A", "Aa", "aaaaa", "AAAAAAA", "xXxXx", "12345678", "1,000.50", "+3", "-2.5", "±7", "~4", "3/4",
    "3/4/5", "1st", "22nd", "3rd", "4th", "st", "First", "TWENTY", "twentyone", "ÀÉÎõü", "Ünïcödé", "ΑΒΓαβγ",
    "ⅨⅩ", "١٢٣", "٣/٤", "ǅungla", "日本語です", "😀😀😀😀😀😀", "!!!!!!!", "?????", "....", ".com", "example.", "x.y",
    "www.", "www.example", "http://a", "https://x.y/z", "user@example.com", "example.com", "example.com/",
    "example.co.uk", "ascolto.it:8080", "a.b.c.d", "localhost:8080", "foo.bar/", "\n\n\n\n\n\n", "a" * 99,
    "a" * 100, "ab-cd_ef", "O'Neil", "l'ordine", "#hashtag", "@handle", "€100", "100%", "4ever", "2morrow",
]


def _words() -> list[str]:
    nlp = spacy.blank("en")
    words = {token.text for path in sorted(OWN_DATA.glob("*.txt")) for line in path.read_text().splitlines()
             for token in nlp.make_doc(line)}
    return sorted(words) + EDGE_CASES


def test_the_faster_getters_answer_as_spacys_do() -> None:
    words = _words()
    assert len(words) > 5_000
    for word in words:
        assert lexeme_attrs.en_like_num(word) == en.like_num(word), word
        if word:  # spaCy's like_url fails on "" (a lexeme is never empty)
            assert lexeme_attrs.like_url(word) == base.like_url(word), word


def test_the_pipelines_use_them_and_lexemes_are_unchanged() -> None:
    faster = build("en")
    assert lexeme_attrs.en_like_num in faster.vocab.lex_attr_getters.values()
    plain = spacy.blank("en")
    text = "My order #A1234 from www.shop.com cost $1,000.50!!!! 3rd time, ÉNORME délai 😀 twenty days"
    for ours, theirs in zip(faster.make_doc(text), plain.make_doc(text), strict=True):
        assert (ours.shape_, ours.like_num, ours.like_url, ours.is_stop, ours.lower_) == (
            theirs.shape_, theirs.like_num, theirs.like_url, theirs.is_stop, theirs.lower_)
