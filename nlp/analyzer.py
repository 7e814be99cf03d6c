"""PLACEHOLDER analyzer (to be replaced by the trained pipeline of the NLP issue); keeps the interface."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import py3langid


@dataclass
class Analysis:
    lang: str
    sentiment: str  # negative / neutral / positive
    sentiment_score: float  # -1 .. 1
    intent: str  # complaint / question / praise / other
    complaint_score: float  # 0 .. 1
    topics: list[str] = field(default_factory=list)


_NEG = re.compile(r"\b(rotto|pessim\w*|vergogn\w*|rimbors\w*|ritardo|bloccat\w*|broken|worst|terrible|refund|late|never)\b", re.I)
_POS = re.compile(r"\b(ottim\w*|grazie|perfett\w*|great|love|thanks|excellent|fantastic\w*)\b", re.I)


class Analyzer:
    def analyse(self, texts: Sequence[str], langs: Sequence[str | None] | None = None) -> list[Analysis]:
        out = []
        for i, text in enumerate(texts):
            lang = (langs[i] if langs else None) or py3langid.classify(text[:2000])[0]
            neg, pos = len(_NEG.findall(text)), len(_POS.findall(text))
            score = (pos - neg) / max(1, pos + neg)
            sentiment = "negative" if score < 0 else "positive" if score > 0 else "neutral"
            intent = "complaint" if neg else "question" if "?" in text else "praise" if pos else "other"
            out.append(Analysis(lang, sentiment, score, intent, 1.0 if neg else 0.0, []))
        return out


@lru_cache(maxsize=1)
def get_analyzer() -> Analyzer:
    return Analyzer()
