"""The one definition of a 'term' (what emerging-term alerts and the dashboard's term lists count): folded words
of three or more letters and #hashtags, without stop words (Italian and English) or numbers.

In core (not nlp) because the stores index it too: Elasticsearch keeps each mention's distinct terms in a keyword
field, so that the detectors' term counts are aggregations (storage/es_schema.py)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence

from core.text import fold

_TOKEN = re.compile(r"#?[^\W\d_][\w-]*", re.UNICODE)  # apostrophes split elisions: l'app -> app, hasn't -> hasn
_STOPWORD_TEXT = """
a ad al alla alle allo agli ai anche ancora avere che chi ci come con cosa cui da dal dalla dalle dei del della
delle dello degli di dopo e ed era essere fa fare gli ha hanno ho il in io la le lei li lo loro lui ma mi mia mio
molto ne nei nel nella nelle no non noi nostro o per perche piu poi quale quando quella quello questa questo qui se
sei si sia siamo sono su sua sue sul sulla suo suoi ti tra tu tua tuo tutti tutto un una uno vi voi gia solo oggi
nulla niente dico dice detto fatto sempre ogni prima stato stata stati sto sta stanno vedere visto cosi tutta
tutte altro altra altri alcuni mai meno bene male ora qualcuno devo deve possono posso puo sembra volta volte anni
giorno giorni ieri domani poco dell dall nell sull all quest quell anch dov cos com
the and for are but not you your yours with this that these those from have has had was were will would can could
should been being into out our ours they them their there here what when where which who why how its just than
then too very all any some more most other such only own same about after again against before below between both
during each few further once over under until while off also get got still even hasn doesn didn isn wasn aren
haven don won couldn wouldn shouldn going gonna like now one two because did does her his she https http www com
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def words(text: str, skip: frozenset[str] = STOPWORDS) -> list[str]:
    """The terms of a text in order (repeats kept): folded words and #hashtags, stop words and `skip` left out."""
    found = []
    for token in _TOKEN.findall(fold(text)):
        token = token.strip("-")
        bare = token.lstrip("#")
        if len(bare) >= 3 and bare not in skip:
            found.append(token)
    return found


def mention_terms(title: str | None, text: str) -> set[str]:
    """The distinct terms of a mention (its title and text as one): what a term count counts once per mention."""
    return set(words(f"{title or ''} {text}"))


def phrases(found: Sequence[str]) -> set[str]:
    """The two-word phrases of a text's terms in order ('a b' for adjacent terms; stop words between them are
    not there to break a phrase): what the dashboard's emerging terms rank beside the words."""
    return {f"{a} {b}" for a, b in itertools.pairwise(found)}


def mention_phrases(title: str | None, text: str) -> set[str]:
    """The distinct two-word phrases of a mention (its title and text as one; Elasticsearch indexes them)."""
    return phrases(words(f"{title or ''} {text}"))


def has_excluded(term: str, exclude: frozenset[str] | set[str]) -> bool:
    """Whether a term or phrase has a word whose bare form (without #) is in `exclude` (a brand's own words): such
    a term is left out, and so is a phrase with such a word, rather than being bridged over it."""
    return any(word.lstrip("#@") in exclude for word in term.split(" "))


def text_terms(text: str, exclude: frozenset[str] | set[str] = frozenset(), *, with_phrases: bool = True) -> set[str]:
    """The distinct terms of one text, and its two-word phrases when `with_phrases`, without those that have an
    excluded word (has_excluded): what a term count counts once per text."""
    found = words(text)
    return {t for t in {*found, *(phrases(found) if with_phrases else ())} if not has_excluded(t, exclude)}


def brand_exclusions(names: Iterable[str]) -> frozenset[str]:
    """The folded words of a brand's names, aliases, @handles and #hashtags (bare): its own words are in every
    mention, so term counts leave them out. Folded like the terms, so an accented name is excluded too."""
    return frozenset(w.lstrip("@#") for name in names for w in fold(name).split())
