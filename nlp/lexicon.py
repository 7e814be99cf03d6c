"""VADER's valence scores as a few dense features for the English sentiment model.

Why: n-grams learnt from 10,000 airline tweets know nothing of the words they never saw; VADER's hand-rated
lexicon (7,500 words, emoticons and emoji, with its rules for negation, boosters and "but") brings that prior.
The lexicon ships inside the vaderSentiment wheel (MIT licence), so it works offline. Added to the n-grams, it
raised 5-fold macro-F1 on the airline tweets from 0.775 to 0.784 (see nlp/training.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

LEXICON_FEATURES = ("vader_negative", "vader_positive", "vader_compound_positive", "vader_compound_negative")


@lru_cache(maxsize=1)
def _vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def lexicon_features(texts: Sequence[str]) -> sp.csr_matrix:
    """(n, 4) non-negative scores of texts already cleaned (bounded length, valid Unicode)."""
    vader = _vader()
    rows = np.zeros((len(texts), len(LEXICON_FEATURES)), dtype=np.float32)
    for i, text in enumerate(texts):
        if text:
            scores = vader.polarity_scores(text)
            compound = scores["compound"]
            rows[i] = (scores["neg"], scores["pos"], max(compound, 0.0), max(-compound, 0.0))
    return sp.csr_matrix(rows)
