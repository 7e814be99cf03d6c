"""A spaCy-like pipeline: named components run in order over a batch of one document type, `Doc`.

    clean -> language -> features -> sentiment -> complaint -> topics -> intent

Components work on whole batches (one sparse matrix, one product per model), which is where the speed is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from core.text import clean, fold
from nlp import language
from nlp.features import Featurizer
from nlp.models import LinearModel, MultiLabelModel
from nlp.topics import lexicon_topics

COMPLAINT_THRESHOLD = 0.5
# balanced class weights inflate the topic scores; 0.7 is where held-out topic F1 stops improving
TOPIC_THRESHOLD = 0.7
PRAISE_THRESHOLD = 0.1  # a positive, non-complaint mention scoring above this is praise (mixed ones are not)
_QUESTION_START = re.compile(
    r"^(?:come|quando|dove|perche|quanto|quanta|quanti|quale|quali|qual|chi|cosa|posso|possiamo|potete|"
    r"sapete|e possibile|c'e|ci sono|avete|fate|serve|how|what|when|where|why|which|who|can|could|do|does|did|"
    r"is|are|will|would|should|any ?one|anybody|is there)\b"
)


@dataclass
class Doc:
    """One mention through the pipeline; the analysis fields are filled by the components."""

    raw: str
    lang: str | None = None  # given by the source, else detected
    text: str = ""
    has_content: bool = True
    sentiment: str = "neutral"
    sentiment_score: float = 0.0
    complaint_score: float = 0.0
    intent: str = "other"
    topics: list[str] = field(default_factory=list)


@dataclass
class Batch:
    docs: list[Doc]
    features: sp.csr_matrix | None = None


class Component(Protocol):
    name: str

    def __call__(self, batch: Batch) -> None: ...


class Cleaner:
    name = "clean"

    def __call__(self, batch: Batch) -> None:
        for doc in batch.docs:
            doc.text = clean(doc.raw)


class LanguageDetector:
    name = "language"

    def __call__(self, batch: Batch) -> None:
        for doc in batch.docs:
            if doc.lang:
                doc.has_content = language.has_letters(doc.text)
            else:
                doc.lang = language.detect(doc.text)
                doc.has_content = doc.lang != language.UNDETERMINED


class Features:
    name = "features"

    def __init__(self) -> None:
        self.featurizer = Featurizer()

    def __call__(self, batch: Batch) -> None:
        batch.features = self.featurizer.transform([doc.text for doc in batch.docs])


class Sentiment:
    """English model for English and every language without its own; Italian: SENTIPOLC's two flags."""

    name = "sentiment"

    def __init__(self, english: LinearModel, italian: MultiLabelModel) -> None:
        self.english, self.italian = english, italian
        self._en = [english.classes.index(c) for c in ("negative", "neutral", "positive")]
        self._it = [italian.classes.index(c) for c in ("positive", "negative")]

    def __call__(self, batch: Batch) -> None:
        italian = np.array([doc.lang == "it" for doc in batch.docs])
        assert batch.features is not None
        if (~italian).any():
            rows = np.flatnonzero(~italian)
            inputs = self.english.inputs(batch.features[rows], [batch.docs[row].text for row in rows])
            probs = self.english.predict_proba(inputs)[:, self._en]
            for row, (neg, neu, pos) in zip(rows, probs, strict=True):
                label = ("negative", "neutral", "positive")[int(np.argmax((neg, neu, pos)))]
                _set(batch.docs[row], label, pos - neg)
        if italian.any():
            rows = np.flatnonzero(italian)
            probs = self.italian.predict_proba(batch.features[rows])[:, self._it]
            for row, (pos, neg) in zip(rows, probs, strict=True):
                label = "neutral"
                if max(pos, neg) >= 0.5:
                    label = "positive" if pos > neg else "negative"
                _set(batch.docs[row], label, pos - neg)


def _set(doc: Doc, label: str, score: float) -> None:
    if doc.has_content:
        doc.sentiment, doc.sentiment_score = label, float(np.clip(score, -1.0, 1.0))


class Complaint:
    name = "complaint"

    def __init__(self, model: LinearModel) -> None:
        self.model = model
        self._column = model.classes.index("1")

    def __call__(self, batch: Batch) -> None:
        assert batch.features is not None
        scores = self.model.predict_proba(batch.features)[:, self._column]
        for doc, score in zip(batch.docs, scores, strict=True):
            doc.complaint_score = float(score) if doc.has_content else 0.0


class Topics:
    name = "topics"

    def __init__(self, model: MultiLabelModel) -> None:
        self.model = model

    def __call__(self, batch: Batch) -> None:
        assert batch.features is not None
        predicted = self.model.predict_labels(batch.features, TOPIC_THRESHOLD)
        for doc, labels in zip(batch.docs, predicted, strict=True):
            if doc.has_content:
                found = set(labels) | set(lexicon_topics(fold(doc.text)))
                doc.topics = [t for t in self.model.classes if t in found]


class Intent:
    """complaint (the complaint model) > question > praise (positive sentiment) > other."""

    name = "intent"

    def __call__(self, batch: Batch) -> None:
        for doc in batch.docs:
            if not doc.has_content:
                doc.intent = "other"
            elif doc.complaint_score >= COMPLAINT_THRESHOLD:
                doc.intent = "complaint"
            elif is_question(doc.text):
                doc.intent = "question"
            elif doc.sentiment == "positive" and doc.sentiment_score >= PRAISE_THRESHOLD:
                doc.intent = "praise"
            else:
                doc.intent = "other"


def is_question(text: str) -> bool:
    if "?" in text:
        return True
    words = fold(text.strip()).split(None, 3)
    return bool(words) and bool(_QUESTION_START.match(" ".join(words[:3])))


class Pipeline:
    def __init__(self, components: Sequence[Component]) -> None:
        self.components = list(components)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

    def get(self, name: str) -> Component:
        return next(c for c in self.components if c.name == name)

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        batch = Batch(docs)
        for component in self.components:
            component(batch)
        return docs

    @classmethod
    def from_models(cls, models: dict[str, LinearModel]) -> Pipeline:
        topics, polarity = models["topics"], models["polarity_it"]
        assert isinstance(topics, MultiLabelModel) and isinstance(polarity, MultiLabelModel)
        return cls([Cleaner(), LanguageDetector(), Features(), Sentiment(models["sentiment_en"], polarity),
                    Complaint(models["complaint"]), Topics(topics), Intent()])

    @classmethod
    def load(cls, directory: Path | None = None) -> Pipeline:
        from nlp import training

        return cls.from_models(training.load(directory or training.MODEL_DIR))
