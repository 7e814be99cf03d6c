"""Analysis of a mention: language, sentiment, intent, care topics. Models ship in nlp/models/.

Interface used by ingest (keep it stable):
    get_analyzer() -> Analyzer            # cached; loads the shipped models once, offline
    Analyzer.analyse(texts, langs=None) -> list[Analysis]   # batch, same order

The brand query language lives in nlp.query (parse_query, Query.matches, Query.to_es, fold).
Inside: nlp.pipeline (one spaCy pipeline per language, built from nlp/config.cfg; components registered in
nlp.components), nlp.models (fit / predict / evaluate / save / load), nlp.training (recipes),
nlp.evaluation (held-out measures beside a TF-IDF + LR baseline).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlp.analyzer import Analysis, Analyzer, get_analyzer

__all__ = ["Analysis", "Analyzer", "get_analyzer"]


def __getattr__(name: str) -> Any:
    # Lazy: the query language and text helpers are imported by config validation and the store, which should
    # not pay for loading scikit-learn and the models.
    if name in __all__:
        from nlp import analyzer

        return getattr(analyzer, name)
    raise AttributeError(f"module 'nlp' has no attribute {name!r}")
