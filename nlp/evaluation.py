"""Held-out evaluation of every task beside a plain TF-IDF + logistic-regression baseline on the same split.

Measures are the ones each field reports: macro-F1 (English sentiment, complaints, intent, topics),
SENTIPOLC 2016's polarity F for Italian (mean over opos and oneg of the mean F1 of their labels 0 and 1),
accuracy for language identification (baseline: py3langid alone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import py3langid
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from core.text import clean
from nlp.datasets import Corpus, Example
from nlp.language import detect
from nlp.models import LinearModel, MultiLabelModel, multilabel_f1
from nlp.pipeline import Pipeline
from nlp.topics import TOPICS


@dataclass
class Result:
    task: str
    measure: str
    model: float
    baseline: float
    n: int

    def row(self) -> dict[str, object]:
        return {"task": self.task, "measure": self.measure, "model": round(self.model, 4),
                "baseline": round(self.baseline, 4), "n": self.n}


def polarity_f(gold: np.ndarray, predicted: np.ndarray) -> float:
    """SENTIPOLC 2016 task 2: columns (opos, oneg)."""
    return float(np.mean([f1_score(gold[:, k], predicted[:, k], average="macro", labels=[0, 1]) for k in (0, 1)]))


class Baseline:
    """TfidfVectorizer() + LogisticRegression(): the plain reference, with library defaults."""

    def __init__(self, texts: Sequence[str], labels: Sequence[object]) -> None:
        self.vectorizer = TfidfVectorizer()
        self.model = LogisticRegression(max_iter=1000).fit(self.vectorizer.fit_transform(texts), labels)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.model.predict(self.vectorizer.transform(texts))


def _texts(rows: Sequence[Example]) -> list[str]:
    return [e.text for e in rows]


def evaluate(corpus: Corpus, models: dict[str, LinearModel]) -> list[Result]:
    train, held = corpus.train, corpus.heldout
    pipeline = Pipeline.from_models(models)
    featurize = pipeline.featurizer
    results: list[Result] = []

    def features(rows: Sequence[Example], model: LinearModel | None = None) -> sp.csr_matrix:
        texts = [clean(e.text) for e in rows]
        return model.inputs(featurize.transform(texts), texts) if model else featurize.transform(texts)

    # English sentiment (airline tweets)
    rows = held["airline"]
    gold = [e.sentiment for e in rows]
    model = models["sentiment_en"].predict(features(rows, models["sentiment_en"]))
    base = Baseline(_texts(train["airline"]), [e.sentiment for e in train["airline"]]).predict(_texts(rows))
    results.append(Result("sentiment_en", "macro-F1", f1_score(gold, model, average="macro"),
                          f1_score(gold, base, average="macro"), len(rows)))

    # English complaints
    rows = held["complaints"]
    gold_c = [str(e.complaint) for e in rows]
    model = models["complaint"].predict(features(rows))
    base = Baseline(_texts(train["complaints"]), [str(e.complaint) for e in train["complaints"]]).predict(
        _texts(rows))
    results.append(Result("complaint_en", "macro-F1", f1_score(gold_c, model, average="macro"),
                          f1_score(gold_c, base, average="macro"), len(rows)))

    # Italian polarity (SENTIPOLC)
    rows = held["sentipolc"]
    gold_p = np.array([[e.opos, e.oneg] for e in rows])
    polarity = models["polarity_it"]
    assert isinstance(polarity, MultiLabelModel)
    scores = polarity.predict_proba(features(rows))
    order = [polarity.classes.index("positive"), polarity.classes.index("negative")]
    model_p = (scores[:, order] >= polarity.threshold).astype(int)
    base_p = np.column_stack([
        Baseline(_texts(train["sentipolc"]), [getattr(e, flag) for e in train["sentipolc"]]).predict(_texts(rows))
        for flag in ("opos", "oneg")])
    results.append(Result("polarity_it", "SENTIPOLC F", polarity_f(gold_p, model_p), polarity_f(gold_p, base_p),
                          len(rows)))

    # brand care: intent (full pipeline), Italian complaints, topics
    rows = held["brand_care_it"] + held["brand_care_en"]
    care_train = train["brand_care_it"] + train["brand_care_en"]
    docs = pipeline([e.text for e in rows], [e.lang for e in rows])
    gold_i = [e.intent for e in rows]
    base_i = Baseline(_texts(care_train), [e.intent for e in care_train]).predict(_texts(rows))
    results.append(Result("intent_brand_care", "macro-F1", f1_score(gold_i, [d._.intent for d in docs],
                                                                      average="macro"),
                          f1_score(gold_i, base_i, average="macro"), len(rows)))
    it_rows = [i for i, e in enumerate(rows) if e.lang == "it"]
    gold_ci = [int(rows[i].complaint or 0) for i in it_rows]
    model_ci = [int(docs[i]._.intent == "complaint") for i in it_rows]
    base_ci = [int(base_i[i] == "complaint") for i in it_rows]
    results.append(Result("complaint_it_brand_care", "macro-F1", f1_score(gold_ci, model_ci, average="macro"),
                          f1_score(gold_ci, base_ci, average="macro"), len(it_rows)))
    gold_t = [e.topics or [] for e in rows]
    base_t = _baseline_topics(care_train, rows)
    results.append(Result("topics_brand_care", "macro-F1",
                          multilabel_f1([d._.topics for d in docs], gold_t, TOPICS)["macro_f1"],
                          multilabel_f1(base_t, gold_t, TOPICS)["macro_f1"], len(rows)))

    # language identification over every held-out text
    everything = [e for name in ("airline", "complaints", "sentipolc", "brand_care_it", "brand_care_en")
                  for e in held[name]]
    gold_l = [e.lang for e in everything]
    model_l = [detect(e.text) for e in everything]
    base_l = [py3langid.classify(e.text)[0] for e in everything]
    results.append(Result("language", "accuracy", float(np.mean(np.array(model_l) == np.array(gold_l))),
                          float(np.mean(np.array(base_l) == np.array(gold_l))), len(everything)))
    return results


def _baseline_topics(train: Sequence[Example], rows: Sequence[Example]) -> list[list[str]]:
    predicted: list[list[str]] = [[] for _ in rows]
    for topic in TOPICS:
        labels = [int(topic in (e.topics or [])) for e in train]
        if len(set(labels)) < 2:
            continue
        for i, flag in enumerate(Baseline(_texts(train), labels).predict(_texts(rows))):
            if flag:
                predicted[i].append(topic)
    return predicted
