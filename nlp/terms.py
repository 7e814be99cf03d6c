"""A mention's terms: defined in core.terms (the stores index them too); re-exported for the nlp stage."""

from core.terms import STOPWORDS, words

__all__ = ["STOPWORDS", "words"]
