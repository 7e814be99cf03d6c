"""Training recipes: which data each shipped model learns from, with which weights. Seeded, so reproducible.

    sentiment_en   3-class one-vs-rest NB-LR, balanced, reading VADER's scores too, on the airline tweets + the
                   project's English brand-care examples. `ascolto evaluate`: 0.768 -> 0.784 macro-F1. A one-off
                   5-fold CV on the airline tweets (not kept as a command): multinomial LR 0.751, balanced 0.762,
                   NB-LR 0.775, NB-LR + VADER 0.784, plain TF-IDF + LR 0.705
    polarity_it    two binary LRs (positive, negative: SENTIPOLC's opos / oneg) on SENTIPOLC + Italian examples
    complaint      binary LR on the complaints tweets, the airline tweets (negative with a reason = complaint)
                   and the project's Italian/English examples (SENTIPOLC's political tweets as non-complaints
                   drowned the few Italian complaints: held-out Italian complaint F1 0.88 without, 0.63 with)
    topics         one binary LR per care topic on the project's examples and the airline negative reasons
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from core.text import clean
from nlp.datasets import Corpus, Example
from nlp.features import Featurizer
from nlp.models import LinearModel, MultiLabelModel
from nlp.topics import TOPICS

log = logging.getLogger(__name__)
MODEL_DIR = Path(__file__).resolve().parent / "models"


def _weighted(parts: Iterable[tuple[list[Example], float]]) -> tuple[list[Example], np.ndarray]:
    examples: list[Example] = []
    weights: list[float] = []
    for rows, weight in parts:
        examples.extend(rows)
        weights.extend([weight] * len(rows))
    return examples, np.array(weights, dtype=np.float64)


class Trainer:
    """Fits every model from a Corpus' train part; features are computed once per text."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.featurizer = Featurizer()

    def features(self, examples: list[Example], model: LinearModel | None = None) -> sp.csr_matrix:
        texts = [clean(e.text) for e in examples]
        features = self.featurizer.transform(texts)
        return model.inputs(features, texts) if model is not None else features

    def sentiment_en(self) -> LinearModel:
        train = self.corpus.train
        examples, weights = _weighted([(train["airline"], 1.0), (train["brand_care_en"], 2.0)])
        model = LinearModel("sentiment_en", C=3.0, class_weight="balanced", nb_scaling=True, lexicon=True)
        return model.fit(self.features(examples, model), [e.sentiment or "neutral" for e in examples], weights)

    def polarity_it(self) -> MultiLabelModel:
        train = self.corpus.train
        # brand care weighs 3: held-out SENTIPOLC F 0.732 -> 0.731, Italian brand-care sentiment 0.65 -> 0.69
        examples, weights = _weighted([(train["sentipolc"], 1.0), (train["brand_care_it"], 3.0)])
        labels = [[name for name, flag in (("positive", e.opos), ("negative", e.oneg)) if flag] for e in examples]
        model = MultiLabelModel("polarity_it", C=3.0, class_weight="balanced")
        return model.fit_multilabel(self.features(examples), labels, ["positive", "negative"], weights)

    def complaint(self) -> LinearModel:
        train = self.corpus.train
        examples, weights = _weighted([
            (train["complaints"], 1.0), (train["airline"], 0.5), (train["brand_care_it"], 2.0),
            (train["brand_care_en"], 1.0),
        ])
        model = LinearModel("complaint", C=3.0, class_weight="balanced")
        return model.fit(self.features(examples), [str(e.complaint or 0) for e in examples], weights)

    def topics(self) -> MultiLabelModel:
        train = self.corpus.train
        negatives = [e for e in train["airline"] if e.topics is not None]
        others = [replace(e, topics=[]) for e in train["airline"] if e.topics is None][:1500]
        examples, weights = _weighted([
            (train["brand_care_it"], 3.0), (train["brand_care_en"], 3.0), (negatives, 0.5), (others, 0.3),
        ])
        model = MultiLabelModel("topics", C=10.0, class_weight="balanced")
        return model.fit_multilabel(self.features(examples), [e.topics or [] for e in examples], TOPICS, weights)

    def all(self) -> dict[str, LinearModel]:
        models: dict[str, LinearModel] = {}
        for name in ("sentiment_en", "polarity_it", "complaint", "topics"):
            log.info("training %s", name)
            models[name] = getattr(self, name)()
        return models


def save(models: dict[str, LinearModel], directory: Path = MODEL_DIR) -> list[Path]:
    return [model.save(directory) for model in models.values()]


def load(directory: Path = MODEL_DIR) -> dict[str, LinearModel]:
    return {
        "sentiment_en": LinearModel.load(directory, "sentiment_en"),
        "polarity_it": MultiLabelModel.load(directory, "polarity_it"),
        "complaint": LinearModel.load(directory, "complaint"),
        "topics": MultiLabelModel.load(directory, "topics"),
    }
