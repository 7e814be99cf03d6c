"""Dense prior-knowledge features a model can read besides the n-grams: VADER's valence scores, question cues.

Why: n-grams learnt from 10,000 airline tweets know nothing of the words they never saw; VADER's hand-rated
lexicon (7,500 words, emoticons and emoji, with its rules for negation, boosters and "but") brings that prior.
The lexicon ships inside the vaderSentiment wheel (MIT licence), so it works offline. Added to the n-grams, it
raised 5-fold macro-F1 on the airline tweets from 0.775 to 0.784 (see nlp/training.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from vaderSentiment.vaderSentiment import BOOSTER_DICT, N_SCALAR, SentimentIntensityAnalyzer, SentiText, negated

from core.text import fold

LEXICON_FEATURES = ("vader_negative", "vader_positive", "vader_compound_positive", "vader_compound_negative")


class Vader(SentimentIntensityAnalyzer):
    """VADER's scores, faster: VADER was a fifth of the English analysis. Same answers as vaderSentiment 3.3.2
    (tests/nlp/test_lexicon.py), three short cuts: its first step swaps emoji for their names one character at a
    time, building a new string per character: a text without any of its emoji skips it (it would come out as it
    went in); a text without any lexicon word scores 0 (only lexicon words get a valence), so it is not scored,
    and a word outside the lexicon gets its 0 without the valence rules; the negation check lower-cased every word
    of the text for every sentiment word, here once per text."""

    def __init__(self) -> None:
        super().__init__()
        # VADER looks emoji up one character at a time, so its multi-character ones never match; a set, not
        # a regex class: 1,200 astral characters make a class search 100 times slower than set.isdisjoint
        self._emoji = frozenset(e for e in self.emojis if len(e) == 1)
        self._lowered: tuple[list[str], list[str]] = ([], [])

    def polarity_scores(self, text: str) -> dict[str, float]:
        if not self._emoji.isdisjoint(text):
            return super().polarity_scores(text)
        # vaderSentiment 3.3.2's polarity_scores after its emoji step (MIT licence, C.J. Hutto)
        text = text.strip()
        sentitext = SentiText(text)
        words = sentitext.words_and_emoticons
        lowered = [w.lower() for w in words]
        if self.lexicon.keys().isdisjoint(lowered):  # what score_valence gives for all-zero valences
            return {"neg": 0.0, "neu": 1.0 if words else 0.0, "pos": 0.0, "compound": 0.0}
        self._lowered = (words, lowered)
        sentiments: list[float] = []
        lexicon = self.lexicon
        for i, item in enumerate(lowered):
            if item in BOOSTER_DICT or (item == "kind" and i < len(words) - 1 and lowered[i + 1] == "of"):
                sentiments.append(0)
                continue
            if item not in lexicon:  # what sentiment_valence appends for a word outside the lexicon
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, sentitext, words[i], i, sentiments)
        sentiments = self._but_check(words, sentiments)
        return self.score_valence(sentiments, text)

    def _negation_check(self, valence: float, words: list[str], start_i: int, i: int) -> float:  # type: ignore[override]
        """vaderSentiment's, on the words lower-cased once per text."""
        lower = self._lowered[1] if self._lowered[0] is words else [str(w).lower() for w in words]
        if start_i == 0:
            if negated([lower[i - 1]]):
                valence = valence * N_SCALAR
        elif start_i == 1:
            if lower[i - 2] == "never" and lower[i - 1] in ("so", "this"):
                valence = valence * 1.25
            elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
                pass
            elif negated([lower[i - 2]]):
                valence = valence * N_SCALAR
        elif start_i == 2:
            if (lower[i - 3] == "never" and lower[i - 2] in ("so", "this")) or lower[i - 1] in ("so", "this"):
                valence = valence * 1.25
            elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
                pass
            elif negated([lower[i - 3]]):
                valence = valence * N_SCALAR
        return valence


@lru_cache(maxsize=1)
def _vader() -> Vader:
    return Vader()


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


QUESTION_FEATURES = ("question_mark", "question_start")
_QUESTION_START = re.compile(
    r"^(?:come|quando|dove|perche|quanto|quanta|quanti|quale|quali|qual|chi|cosa|posso|possiamo|potete|"
    r"sapete|e possibile|c'e|ci sono|avete|fate|serve|how|what|when|where|why|which|who|can|could|do|does|did|"
    r"is|are|will|would|should|any ?one|anybody|is there)\b"
)


def starts_as_question(text: str) -> bool:
    words = fold(text.strip()).split(None, 3)
    return bool(words) and bool(_QUESTION_START.match(" ".join(words[:3])))


def question_features(texts: Sequence[str]) -> sp.csr_matrix:
    """(n, 2): a '?' in the text, a question word first. Cues only: the intent model learns when a question is
    a complaint ("quando arriva il mio rimborso? aspetto da 2 mesi")."""
    rows = np.array([(float("?" in t), float(starts_as_question(t))) for t in texts], dtype=np.float32)
    return sp.csr_matrix(rows.reshape(len(texts), len(QUESTION_FEATURES)))
