"""Italian lemmas as extra features for sentiment_it: hashed lemma 1-2-grams (negation-marked), an L2 block.

Why: Italian inflects much more than English ("pagato", "pagata", "pagati", "pagamenti"), so a word n-gram learnt
from one form knows nothing of the others; the lemma ("pagare") ties them together, on data of a kind never seen.
The lemmas come from `simplemma` (MIT licence, its data inside the wheel), a train-time dependency only: its
dictionary takes 2-14 s to load (and is pickled), so `ascolto train` writes a table, `lemmas_it.npz`, of every
form in simplemma's Italian dictionary whose lemma is the lemma of a word of the training texts (a form whose
lemma the models have never seen would add a feature without a weight), plus the training words themselves.
At run time a word is looked up in that table (a word not in it is its own lemma); loads without pickle.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from core.text import normalise, word_tokens
from nlp.features import _l2_rows, word_ngram_counts

TABLE = Path(__file__).resolve().parent / "models" / "lemmas_it.npz"
LEMMA_BITS = 16
N_LEMMA_FEATURES = 1 << LEMMA_BITS


def _bare(token: str) -> str:
    return token[4:] if token.startswith("neg_") else token


class LemmaTable:
    """form -> lemma for Italian words (lower-cased); `transform(cleaned texts)` -> the hashed lemma block."""

    def __init__(self, forms: Sequence[str], lemmas: Sequence[str]) -> None:
        self.lemma = dict(zip(forms, lemmas, strict=True))

    def __len__(self) -> int:
        return len(self.lemma)

    def lemmatised(self, text: str) -> str:
        """The normalised text with each word replaced by its lemma (negation is marked again by the n-grams)."""
        get = self.lemma.get
        return " ".join(get(word, word) for word in map(_bare, word_tokens(normalise(text))))

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        block = word_ngram_counts([self.lemmatised(t) for t in texts], bits=LEMMA_BITS)
        np.log1p(block.data, out=block.data)  # sublinear tf, as the other n-gram blocks
        return _l2_rows(block)

    # ------------------------------------------------------------------ build (train time) and persistence
    @classmethod
    def build(cls, texts: Iterable[str]) -> LemmaTable:
        import simplemma  # train time only
        from simplemma.strategies import DefaultDictionaryFactory

        words = {_bare(w) for text in texts for w in word_tokens(normalise(text)) if w[:1].isalpha()}
        table = {w: simplemma.lemmatize(w, lang="it") for w in sorted(words)}
        known = set(table.values())
        dictionary = DefaultDictionaryFactory().get_dictionary("it")
        for form, lemma in dictionary.items():
            form, lemma = form.lower(), lemma.lower()
            if lemma in known and form not in table:
                table[form] = lemma
        kept = sorted((f, lem) for f, lem in table.items() if f != lem)  # a word that is its own lemma: no entry
        return cls([f for f, _ in kept], [lem for _, lem in kept])

    def save(self, path: Path = TABLE) -> Path:
        forms = sorted(self.lemma)
        np.savez_compressed(path, forms=np.array(forms), lemmas=np.array([self.lemma[f] for f in forms]))
        return path

    @classmethod
    def load(cls, path: Path = TABLE) -> LemmaTable:
        with np.load(path, allow_pickle=False) as arrays:
            return cls(arrays["forms"].tolist(), arrays["lemmas"].tolist())


_current: list[LemmaTable] = []


def use_table(table: LemmaTable) -> None:
    """Make `table` the one every model reads (training uses the table it just built)."""
    _current[:] = [table]


@lru_cache(maxsize=2)
def shipped(path: Path = TABLE) -> LemmaTable:
    return LemmaTable.load(path)


def current() -> LemmaTable:
    if not _current:
        _current.append(shipped())
    return _current[0]
