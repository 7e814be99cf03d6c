"""Stateless hashed features: word 1-2-grams (negation-marked) + character 2-5-grams, sublinear tf, L2.

Hashing means there is no vocabulary to store: a model is only its coefficients, saved as plain arrays
(no pickle), and a fresh install builds exactly the same feature space. N-grams are hashed for the whole batch
at once with numpy (characters: a rolling polynomial hash over the code points; words: a sum of mixed
(code point, position) values per word), which is what makes the full analysis fast: a Python loop per
n-gram would cost more than everything else together. No scikit-learn at run time (its import alone costs
more start-up than the models' loading).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from core.text import normalise, word_tokens

WORD_BITS = 18
CHAR_BITS = 18
CHAR_NGRAMS = (2, 5)
N_FEATURES = (1 << WORD_BITS) + (1 << CHAR_BITS)
_BASE = np.uint64(1_000_003)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _word_ngrams(normalised: str) -> list[str]:
    tokens = word_tokens(normalised)
    return tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def char_ngram_counts(texts: Sequence[str], low: int = CHAR_NGRAMS[0], high: int = CHAR_NGRAMS[1],
                      bits: int = CHAR_BITS) -> sp.csr_matrix:
    """Counts of hashed character n-grams of ' text ' (n in low..high), one row per text."""
    padded = [f" {t} " for t in texts]
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    codes = np.frombuffer("".join(padded).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    doc = np.repeat(np.arange(len(padded), dtype=np.int32), lengths)
    mask = np.uint64((1 << bits) - 1)
    rows, cols = [], []
    rolling = codes.copy()
    with np.errstate(over="ignore"):
        for n in range(2, high + 1):
            rolling = rolling[:-1] * _BASE + codes[n - 1:]  # hash of codes[i : i + n], wrapping mod 2**64
            if n < low:
                continue
            valid = doc[: len(rolling)] == doc[n - 1:]  # n-grams that stay inside one text
            mixed = (rolling[valid] + np.uint64(n)) * _MIX
            mixed ^= mixed >> np.uint64(31)
            rows.append(doc[: len(rolling)][valid])
            cols.append((mixed & mask).astype(np.int32))
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
    col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int32)
    data = np.ones(len(row), dtype=np.float32)
    # COO -> CSR sums the duplicates; leaving the indices unsorted saves a sort the products don't need
    return sp.coo_matrix((data, (row, col)), shape=(len(padded), 1 << bits), dtype=np.float32).tocsr()


def word_ngram_counts(texts: Sequence[str], bits: int = WORD_BITS) -> sp.csr_matrix:
    """Counts of hashed word 1-2-grams (negation-marked tokens of normalised texts), one row per text."""
    grams = [_word_ngrams(t) for t in texts]
    counts = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
    flat = [g for row in grams for g in row]
    if not flat:
        return sp.csr_matrix((len(texts), 1 << bits), dtype=np.float32)
    lengths = np.fromiter(map(len, flat), dtype=np.int64, count=len(flat))
    codes = np.frombuffer("".join(flat).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    position = np.arange(len(codes), dtype=np.uint64) - np.repeat(starts, lengths).astype(np.uint64)
    with np.errstate(over="ignore"):
        mixed = (codes + np.uint64(1)) * _MIX + (position + np.uint64(1)) * _BASE
        mixed ^= mixed >> np.uint64(29)
        mixed *= _MIX
        hashed = np.add.reduceat(mixed, starts) * _MIX
        hashed ^= hashed >> np.uint64(32)
    cols = (hashed & np.uint64((1 << bits) - 1)).astype(np.int32)
    rows = np.repeat(np.arange(len(texts), dtype=np.int32), counts)
    data = np.ones(len(cols), dtype=np.float32)
    return sp.coo_matrix((data, (rows, cols)), shape=(len(texts), 1 << bits), dtype=np.float32).tocsr()


def _l2_rows(block: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(block.multiply(block).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags((1.0 / norms).astype(np.float32)) @ block, dtype=np.float32)


class Featurizer:
    """texts (already cleaned) -> sparse matrix of N_FEATURES columns."""

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        normalised = [normalise(t) for t in texts]
        blocks = []
        for block in (word_ngram_counts(normalised), char_ngram_counts(normalised)):
            np.log1p(block.data, out=block.data)  # sublinear tf
            blocks.append(_l2_rows(block))
        return sp.hstack(blocks, format="csr", dtype=np.float32)
