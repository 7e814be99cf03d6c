"""The faster VADER gives the original's scores, and the lexicon features are unchanged by its short cuts."""

from __future__ import annotations

import numpy as np
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from core.text import clean
from nlp.datasets import brand_care
from nlp.lexicon import Vader, lexicon_features

EDGE_CASES = [
    "", " ", "   padded   ", "GREAT service but TERRIBLE food!!!", "not bad at all", "no problem, no worries",
    "I don't like it", "the least helpful agent", "at least it arrived", "kind of good", "sort of ok", "never so happy",
    "without doubt the best", "😀", "love it 😍😍", "😡😡 still waiting", "thanks :) :(", "the bomb", "cut the mustard",
    "ok?? really???", "WORST. AIRLINE. EVER!!!!", "meh", "Je suis très déçu", "il treno è in ritardo di nuovo",
    "@united thanks for nothing #fail http://t.co/x", "absolutely wonderful", "not the worst", "no love",
]


def _texts() -> list[str]:
    return [clean(t) for t in [e.text for e in brand_care("en") + brand_care("it")] + EDGE_CASES]


def test_scores_are_the_originals() -> None:
    original, faster = SentimentIntensityAnalyzer(), Vader()
    texts = _texts()
    assert len(texts) > 1_000
    for text in texts:
        assert faster.polarity_scores(text) == original.polarity_scores(text), text


def test_lexicon_features_are_the_originals_scores() -> None:
    original = SentimentIntensityAnalyzer()
    texts = _texts()
    expected = np.zeros((len(texts), 4), dtype=np.float32)
    for i, text in enumerate(texts):
        if text:
            s = original.polarity_scores(text)
            expected[i] = (s["neg"], s["pos"], max(s["compound"], 0.0), max(-s["compound"], 0.0))
    assert np.array_equal(lexicon_features(texts).toarray(), expected)
