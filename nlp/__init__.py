"""Analysis of a mention: language, sentiment, intent, care topics. Models ship in nlp/models/.

Interface used by ingest (keep it stable):
    get_analyzer() -> Analyzer            # cached; loads the shipped models once, offline
    Analyzer.analyse(texts, langs=None) -> list[Analysis]   # batch, same order
"""

from __future__ import annotations

from nlp.analyzer import Analysis, Analyzer, get_analyzer

__all__ = ["Analysis", "Analyzer", "get_analyzer"]
