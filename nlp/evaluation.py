"""Test-split evaluation, per task and per dataset, beside a plain TF-IDF + logistic-regression baseline.

Three kinds of rows:
- test: the models trained on every dataset's training part, scored on one dataset's test part (20%, seeded,
  stratified, used for nothing else) through the full analysis pipeline, as a user gets it;
- cross: a model trained with one dataset left out, scored on that dataset's test part (does it hold on data
  of a kind it has never seen?);
- the baseline beside every row: TfidfVectorizer() + LogisticRegression() with library defaults, trained on
  the same training rows as the model of that row (the dataset's own training part for test rows, the same
  training data for cross rows).

Measures are the ones each field reports: macro-F1; SENTIPOLC 2016's polarity F (mean over opos and oneg of the
mean F1 of their labels 0 and 1) from the three-class output (positive -> opos, negative -> oneg); complaints
on complaints_en's annotated domain tweets only (the random_* rows are easy non-complaints the paper does not
score); accuracy for language identification (baseline: py3langid alone).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import py3langid
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from core.text import clean
from nlp import datasets
from nlp.datasets import Corpus, Example
from nlp.language import detect
from nlp.models import LinearModel, multilabel_f1
from nlp.pipeline import Pipeline
from nlp.topics import TOPICS
from nlp.training import Trainer

IT_SENTIMENT = ("sentipolc", "multiemotions", "agencies", "brand_care_it")


@dataclass
class Result:
    task: str
    dataset: str
    kind: str  # test / cross
    measure: str
    model: float
    baseline: float
    n: int

    @property
    def key(self) -> str:
        return f"{self.task}/{self.dataset}" + ("/cross" if self.kind == "cross" else "")

    def row(self) -> dict[str, object]:
        return {"task": self.task, "dataset": self.dataset, "kind": self.kind, "measure": self.measure,
                "model": round(self.model, 4), "baseline": round(self.baseline, 4), "n": self.n}


def polarity_f(gold: Sequence[Example], predicted: Sequence[str]) -> float:
    """SENTIPOLC 2016 task 2 from three-class labels: positive -> opos, negative -> oneg."""
    g = np.array([[e.opos, e.oneg] for e in gold])
    p = np.array([[int(s == "positive"), int(s == "negative")] for s in predicted])
    return float(np.mean([f1_score(g[:, k], p[:, k], average="macro", labels=[0, 1]) for k in (0, 1)]))


def macro_f1(gold: Sequence[object], predicted: Sequence[object]) -> float:
    return float(f1_score([str(g) for g in gold], [str(p) for p in predicted], average="macro"))


class Baseline:
    """TfidfVectorizer() + LogisticRegression(): the plain reference, with library defaults."""

    def __init__(self, rows: Sequence[Example], label: Callable[[Example], object]) -> None:
        self.vectorizer = TfidfVectorizer()
        self.model = LogisticRegression(max_iter=1000).fit(self.vectorizer.fit_transform([e.text for e in rows]),
                                                           [str(label(e)) for e in rows])

    def predict(self, rows: Sequence[Example]) -> list[str]:
        return self.model.predict(self.vectorizer.transform([e.text for e in rows])).tolist()


def _sentiment_rows(rows: Sequence[Example], dataset: str) -> list[Example]:
    """The rows a sentiment figure is on: annotated ones; for multiemotions the comments on ads (the judged kind)."""
    rows = [e for e in rows if e.sentiment]
    return [e for e in rows if datasets.is_ad(e)] if dataset == "multiemotions" else rows


def _sentiment_measure(dataset: str) -> tuple[str, Callable[[Sequence[Example], Sequence[str]], float]]:
    if dataset == "sentipolc":
        return "SENTIPOLC F", polarity_f
    return "macro-F1", lambda rows, predicted: macro_f1([e.sentiment for e in rows], predicted)


def _model_labels(model: LinearModel, trainer: Trainer, rows: Sequence[Example]) -> list[str]:
    return model.predict(trainer.features(rows, model))


class Evaluation:
    def __init__(self, corpus: Corpus, trainer: Trainer, models: dict[str, LinearModel]) -> None:
        self.corpus, self.trainer, self.models = corpus, trainer, models
        self.train, self.test = corpus.train, corpus.heldout
        self.pipeline = Pipeline.from_models(models)
        self.results: list[Result] = []

    def add(self, task: str, dataset: str, kind: str, measure: str, model: float, baseline: float, n: int) -> None:
        self.results.append(Result(task, dataset, kind, measure, model, baseline, n))

    def analyse(self, rows: Sequence[Example]) -> list:  # spaCy Docs, in order
        return self.pipeline([e.text for e in rows], [e.lang for e in rows])

    def sentiment(self) -> None:
        for dataset in ("airline", "brand_care_en", *IT_SENTIMENT):
            rows = _sentiment_rows(self.test[dataset], dataset)
            measure, score = _sentiment_measure(dataset)
            predicted = [d._.sentiment for d in self.analyse(rows)]
            base = Baseline(_sentiment_rows(self.train[dataset], ""), lambda e: e.sentiment).predict(rows)
            task = "sentiment_en" if dataset in ("airline", "brand_care_en") else "sentiment_it"
            self.add(task, dataset, "test", measure, score(rows, predicted), score(rows, base), len(rows))

    def sentiment_cross(self) -> None:
        for left_out in IT_SENTIMENT:
            others = tuple(n for n in ("sentipolc", "multiemotions", "agencies", "qa4faq", "brand_care_it")
                           if n != left_out)
            model = self.trainer.sentiment_it(others)
            self._cross("sentiment_it", left_out, model, others, lambda e: e.sentiment)
        model = self.trainer.sentiment_en(("airline",))
        self._cross("sentiment_en", "brand_care_en", model, ("airline",), lambda e: e.sentiment)

    def _cross(self, task: str, dataset: str, model: LinearModel, parts: Sequence[str],
               label: Callable[[Example], object]) -> None:
        rows = _sentiment_rows(self.test[dataset], dataset) if task.startswith("sentiment") else self.test[dataset]
        training = [e for n in parts for e in self.train[n] if label(e) is not None]
        measure, score = _sentiment_measure(dataset) if task.startswith("sentiment") else (
            "macro-F1", lambda rs, p: macro_f1([label(e) for e in rs], p))
        base = Baseline(training, label).predict(rows)
        self.add(task, dataset, "cross", measure, score(rows, _model_labels(model, self.trainer, rows)),
                 score(rows, base), len(rows))

    def complaints(self) -> None:
        for dataset in ("complaints", "brand_care_it", "brand_care_en"):
            rows = [e for e in self.test[dataset] if datasets.annotated(e)]
            docs = self.analyse(rows)
            base = Baseline(self.train[dataset], lambda e: e.complaint or 0).predict(rows)
            gold = [e.complaint or 0 for e in rows]
            # what the product shows (`complaint` = intent complaint), and the calibrated score alone at 0.5
            for task, predicted in (("complaint", [int(d._.intent == "complaint") for d in docs]),
                                    ("complaint_score", [int(d._.complaint_score >= 0.5) for d in docs])):
                self.add(task, dataset, "test", "macro-F1", macro_f1(gold, predicted), macro_f1(gold, base), len(rows))

    def complaint_cross(self) -> None:
        # each own set left out of the shipped recipe's sources in turn: trained on complaints_en alone, the
        # Italian row measured an English-only model on Italian posts, not whether the model holds on new posts
        sources = ("complaints", "airline", "qa4faq", "brand_care_it", "brand_care_en")
        for dataset in ("brand_care_it", "brand_care_en"):
            others = tuple(n for n in sources if n != dataset)
            self._cross("complaint", dataset, self.trainer.complaint(others), others, lambda e: e.complaint or 0)

    def intents(self) -> None:
        care_train = self.train["brand_care_it"] + self.train["brand_care_en"] + self.train["qa4faq"]
        baseline = Baseline(care_train, lambda e: e.intent)
        for dataset in ("brand_care_it", "brand_care_en"):
            rows = self.test[dataset]
            predicted, base = [d._.intent for d in self.analyse(rows)], baseline.predict(rows)
            gold = [e.intent for e in rows]
            self.add("intent", dataset, "test", "macro-F1", macro_f1(gold, predicted), macro_f1(gold, base), len(rows))
            pairs = [i for i, g in enumerate(gold) if g in ("complaint", "question")]
            self.add("complaint_vs_question", dataset, "test", "macro-F1",
                     _complaint_vs_question([gold[i] for i in pairs], [predicted[i] for i in pairs]),
                     _complaint_vs_question([gold[i] for i in pairs], [base[i] for i in pairs]), len(pairs))
            questions = [i for i in pairs if gold[i] == "question"]
            self.add("question_recall", dataset, "test", "recall", float(np.mean([predicted[i] == "question"
                     for i in questions])), float(np.mean([base[i] == "question" for i in questions])), len(questions))
        rows = self.test["qa4faq"]
        predicted = [d._.intent for d in self.analyse(rows)]
        self.add("question_recall", "qa4faq", "test", "recall", float(np.mean([p == "question" for p in predicted])),
                 float(np.mean([p == "question" for p in baseline.predict(rows)])), len(rows))

    def topics(self) -> None:
        rows = self.test["brand_care_it"] + self.test["brand_care_en"]
        care_train = self.train["brand_care_it"] + self.train["brand_care_en"]
        gold = [e.topics or [] for e in rows]
        predicted = [list(d._.topics or []) for d in self.analyse(rows)]
        self.add("topics", "brand_care", "test", "macro-F1", multilabel_f1(predicted, gold, TOPICS)["macro_f1"],
                 multilabel_f1(_baseline_topics(care_train, rows), gold, TOPICS)["macro_f1"], len(rows))

    def languages(self) -> None:
        everything = [e for name in ("airline", "complaints", "sentipolc", "multiemotions", "agencies",
                                     "brand_care_it", "brand_care_en") for e in self.test[name]]
        gold = np.array([e.lang for e in everything])
        model = np.array([detect(clean(e.text)) for e in everything])
        base = np.array([py3langid.classify(e.text)[0] for e in everything])
        self.add("language", "all", "test", "accuracy", float(np.mean(model == gold)), float(np.mean(base == gold)),
                 len(everything))


def _complaint_vs_question(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Complaint vs question on messages that are one or the other; any other answer counts as wrong."""
    return float(f1_score(gold, [p if p in ("complaint", "question") else "wrong" for p in predicted],
                          labels=["complaint", "question"], average="macro"))


def _baseline_topics(train: Sequence[Example], rows: Sequence[Example]) -> list[list[str]]:
    predicted: list[list[str]] = [[] for _ in rows]
    for topic in TOPICS:
        if len({int(topic in (e.topics or [])) for e in train}) < 2:
            continue
        for i, flag in enumerate(Baseline(train, lambda e, t=topic: int(t in (e.topics or []))).predict(rows)):
            if flag == "1":
                predicted[i].append(topic)
    return predicted


def evaluate(corpus: Corpus, trainer: Trainer, models: dict[str, LinearModel], cross: bool = True) -> list[Result]:
    evaluation = Evaluation(corpus, trainer, models)
    evaluation.sentiment()
    evaluation.complaints()
    evaluation.intents()
    evaluation.topics()
    evaluation.languages()
    if cross:
        evaluation.sentiment_cross()
        evaluation.complaint_cross()
    return evaluation.results
