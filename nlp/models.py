"""One small model interface (fit / predict / predict_proba / evaluate / save / load) over hashed features.

Options a recipe can turn on: `nb_scaling` (NB-LR, Wang & Manning 2012: each one-vs-rest column learns on features
scaled by their naive-Bayes log-count ratio; the ratio is folded into the coefficients, so prediction is the same
single product), `lexicon` (the model also reads nlp.lexicon's dense VADER scores, appended by `inputs`),
`questions` (nlp.lexicon's two question cues) and `embeddings` (nlp.embeddings' static sentence vector, times
this weight; 0 = not read).

A model is a linear classifier's coefficients and nothing else, stored as int8-quantised arrays in a .npz plus
a JSON header: loading never unpickles anything (np.load with allow_pickle=False), so a shipped file can't run
code, and the files stay small (zeros compress to nothing).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from nlp import embeddings as static
from nlp.features import N_FEATURES
from nlp.lexicon import LEXICON_FEATURES, QUESTION_FEATURES, lexicon_features, question_features

if TYPE_CHECKING:  # scikit-learn is imported only to train: classifying never pays for its import
    from sklearn.linear_model import LogisticRegression


class LinearModel:
    """Logistic regression: one column for binary tasks; several classes: multinomial, or one-vs-rest NB-LR."""

    def __init__(self, name: str, C: float = 3.0, class_weight: str | None = None, seed: int = 13,
                 nb_scaling: bool = False, lexicon: bool = False, questions: bool = False,
                 embeddings: float = 0.0) -> None:
        self.name, self.C, self.class_weight, self.seed = name, C, class_weight, seed
        self.nb_scaling, self.lexicon, self.questions, self.embeddings = nb_scaling, lexicon, questions, embeddings
        self.classes: list[str] = []
        self.coef = np.zeros((0, self.n_features), dtype=np.float32)  # (n_columns, n_features)
        self.intercept = np.zeros(0, dtype=np.float32)
        self.meta: dict[str, Any] = {}

    @property
    def n_features(self) -> int:
        return (N_FEATURES + (len(LEXICON_FEATURES) if self.lexicon else 0)
                + (len(QUESTION_FEATURES) if self.questions else 0) + (static.current().dim if self.embeddings else 0))

    def inputs(self, X: sp.csr_matrix, texts: Sequence[str]) -> sp.csr_matrix:
        """The shared hashed features of cleaned `texts`, plus what this model alone reads (to train on)."""
        extra = self.extra_inputs(texts)
        return X if extra is None else sp.hstack([X, sp.csr_matrix(extra)], format="csr", dtype=np.float32)

    def extra_inputs(self, texts: Sequence[str]) -> np.ndarray | None:
        """The dense columns this model reads after the shared hashed ones (None: none)."""
        blocks = []
        if self.lexicon:
            blocks.append(lexicon_features(texts).toarray())
        if self.questions:
            blocks.append(question_features(texts).toarray())
        if self.embeddings:
            blocks.append(self.embeddings * static.current().transform(texts))
        return np.hstack(blocks, dtype=np.float32) if blocks else None

    def scores(self, X: sp.csr_matrix, texts: Sequence[str]) -> np.ndarray:
        """predict_proba(inputs(X, texts)) without building the stacked matrix (what the pipeline calls)."""
        return self.predict_proba(X, self.extra_inputs(texts))

    # ------------------------------------------------------------------ learning
    def _estimator(self) -> LogisticRegression:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=3000, random_state=self.seed)

    def fit(self, X: sp.csr_matrix, y: Sequence[str], sample_weight: np.ndarray | None = None) -> LinearModel:
        labels = np.array([str(label) for label in y])
        self.classes = sorted(set(labels.tolist()))
        if self.nb_scaling:
            weights = np.ones(len(labels)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
            present = (X > 0).astype(np.float32).tocsr()
            coefs, intercepts = [], []
            for name in self.classes[1:] if len(self.classes) == 2 else self.classes:
                positive = labels == name
                ratio = _nb_ratio(present, weights, positive)
                estimator = self._estimator().fit(X @ sp.diags(ratio), positive.astype(int), sample_weight=weights)
                coefs.append(estimator.coef_[0] * ratio)
                intercepts.append(estimator.intercept_[0])
            coef, intercept = np.array(coefs), np.array(intercepts)
        else:
            estimator = self._estimator().fit(X, labels, sample_weight=sample_weight)
            coef, intercept = estimator.coef_, estimator.intercept_
        self.coef = _quantised(coef.astype(np.float32))  # train == ship: the same rounding
        self.intercept = intercept.astype(np.float32)
        return self

    def calibrate(self, slope: float, offset: float) -> None:
        """Fold a Platt map (sigmoid(slope * decision + offset)) into a binary model's coefficients."""
        self.coef = (self.coef * np.float32(slope)).astype(np.float32)
        self.intercept = (self.intercept * slope + offset).astype(np.float32)
        self.meta["platt"] = [round(slope, 6), round(offset, 6)]

    def decision(self, X: sp.csr_matrix, extra: np.ndarray | None = None) -> np.ndarray:
        """Decision values of X (every input column), or of X's hashed columns followed by the dense `extra`.
        One CSR x vector product per class: scipy's CSR x (n_features, k) product took 10 times as long."""
        coef = self.coef
        if extra is None:
            columns = [X @ row for row in coef]
        else:
            hashed = X.shape[1]
            columns = [X @ row[:hashed] + extra @ row[hashed:] for row in coef]
        return np.column_stack(columns) + self.intercept

    def predict_proba(self, X: sp.csr_matrix, extra: np.ndarray | None = None) -> np.ndarray:
        """(n, n_classes) probabilities, columns in `self.classes` order."""
        scores = self.decision(X, extra)
        if len(self.classes) == 2:
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        return scores / scores.sum(axis=1, keepdims=True)

    def predict(self, X: sp.csr_matrix) -> list[str]:
        return [self.classes[i] for i in self.predict_proba(X).argmax(axis=1)]

    def evaluate(self, X: sp.csr_matrix, y: Sequence[str]) -> dict[str, float]:
        from sklearn.metrics import f1_score

        predicted = self.predict(X)
        return {"macro_f1": float(f1_score(list(y), predicted, average="macro")),
                "accuracy": float(np.mean(np.array(predicted) == np.array(list(y))))}

    # ------------------------------------------------------------------ persistence without pickle
    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        scale = np.abs(self.coef).max(axis=1) / 127.0 + 1e-12
        quantised = np.round(self.coef / scale[:, None]).astype(np.int8)
        path = directory / f"{self.name}.npz"
        np.savez_compressed(path, coef=quantised, scale=scale.astype(np.float32), intercept=self.intercept)
        header = {"name": self.name, "classes": self.classes, "n_features": self.n_features, "C": self.C,
                  "class_weight": self.class_weight, "nb_scaling": self.nb_scaling, "lexicon": self.lexicon,
                  "questions": self.questions, "embeddings": self.embeddings, "meta": self.meta}
        (directory / f"{self.name}.json").write_text(json.dumps(header, indent=1, sort_keys=True) + "\n")
        return path

    @classmethod
    def load(cls, directory: Path, name: str) -> LinearModel:
        header = json.loads((directory / f"{name}.json").read_text())
        model = cls(name, header["C"], header["class_weight"], nb_scaling=header.get("nb_scaling", False),
                    lexicon=header.get("lexicon", False), questions=header.get("questions", False),
                    embeddings=header.get("embeddings", 0.0))
        if header["n_features"] != model.n_features:
            raise ValueError(f"model {name} was trained on {header['n_features']} features, not {model.n_features}")
        with np.load(directory / f"{name}.npz", allow_pickle=False) as arrays:
            coef = arrays["coef"].astype(np.float32)
            coef *= arrays["scale"][:, None]  # in place: the same float32 products, no second (k, n) table
            intercept = arrays["intercept"].astype(np.float32)
        model.classes, model.intercept, model.meta = header["classes"], intercept, header["meta"]
        model.coef = np.ascontiguousarray(coef)  # one contiguous row per class: the layout `decision` wants
        return model


def _nb_ratio(present: sp.csr_matrix, weights: np.ndarray, positive: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Naive-Bayes log-count ratio of each feature: log of its smoothed share in positive over negative rows."""
    p = alpha + np.asarray(present[positive].T @ weights[positive]).ravel()
    q = alpha + np.asarray(present[~positive].T @ weights[~positive]).ravel()
    return np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)


def _quantised(coef: np.ndarray) -> np.ndarray:
    scale = np.abs(coef).max(axis=1) / 127.0 + 1e-12
    return (np.round(coef / scale[:, None]) * scale[:, None]).astype(np.float32)


class MultiLabelModel(LinearModel):
    """One binary logistic regression per label (topics): sigmoid scores, labels above `threshold`."""

    threshold = 0.5

    def fit_multilabel(self, X: sp.csr_matrix, labels: Sequence[Sequence[str]], names: Sequence[str],
                       sample_weight: np.ndarray | None = None) -> MultiLabelModel:
        self.classes = list(names)
        coefs, intercepts = [], []
        for name in self.classes:
            y = np.array([name in row for row in labels], dtype=int)
            estimator = self._estimator().fit(X, y, sample_weight=sample_weight)
            coefs.append(estimator.coef_[0])
            intercepts.append(estimator.intercept_[0])
        self.coef = _quantised(np.array(coefs, dtype=np.float32))
        self.intercept = np.array(intercepts, dtype=np.float32)
        return self

    def predict_proba(self, X: sp.csr_matrix, extra: np.ndarray | None = None) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.decision(X, extra)))

    def predict_labels(self, X: sp.csr_matrix, threshold: float | None = None) -> list[list[str]]:
        labels: list[list[str]] = [[] for _ in range(X.shape[0])]
        cut = self.threshold if threshold is None else threshold
        for i, j in zip(*np.nonzero(self.predict_proba(X) >= cut), strict=True):
            labels[i].append(self.classes[j])
        return labels

    def evaluate_labels(self, X: sp.csr_matrix, labels: Sequence[Sequence[str]]) -> dict[str, float]:
        return multilabel_f1(self.predict_labels(X), labels, self.classes)


def multilabel_f1(predicted: Sequence[Sequence[str]], gold: Sequence[Sequence[str]],
                  names: Sequence[str]) -> dict[str, float]:
    """Macro- and micro-averaged F1 over labels."""
    per_label, tp_all, fp_all, fn_all = [], 0, 0, 0
    for name in names:
        tp = sum(name in p and name in g for p, g in zip(predicted, gold, strict=True))
        fp = sum(name in p and name not in g for p, g in zip(predicted, gold, strict=True))
        fn = sum(name not in p and name in g for p, g in zip(predicted, gold, strict=True))
        per_label.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0)
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
    micro = 2 * tp_all / (2 * tp_all + fp_all + fn_all) if tp_all + fp_all + fn_all else 1.0
    return {"macro_f1": float(np.mean(per_label)), "micro_f1": float(micro)}
