"""The one model interface (fit / predict / evaluate / save / load): round trip, determinism, no pickle."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nlp.features import Featurizer
from nlp.models import LinearModel, MultiLabelModel

TEXTS = ["pacco mai arrivato", "grazie mille, perfetto", "rimborso negato, vergogna", "ottimo servizio",
         "the parcel never arrived", "thanks, great service", "refund refused, shameful", "love it"] * 3
LABELS = ["negative", "positive"] * 12
TOPICS = [["delivery"], [], ["billing_refund"], ["customer_service"]] * 6


def test_fit_predict_evaluate_save_load(tmp_path: Path) -> None:
    X = Featurizer().transform(TEXTS)
    model = LinearModel("toy", C=10.0).fit(X, LABELS)
    assert model.predict(X) == LABELS
    assert model.evaluate(X, LABELS)["macro_f1"] == 1.0
    model.save(tmp_path)
    loaded = LinearModel.load(tmp_path, "toy")
    assert loaded.classes == model.classes
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X), atol=1e-5)
    with np.load(tmp_path / "toy.npz", allow_pickle=False) as arrays:
        assert arrays["coef"].dtype == np.int8


def test_training_is_reproducible() -> None:
    X = Featurizer().transform(TEXTS)
    first = LinearModel("a", C=3.0).fit(X, LABELS)
    second = LinearModel("b", C=3.0).fit(X, LABELS)
    np.testing.assert_array_equal(first.coef, second.coef)


def test_multilabel(tmp_path: Path) -> None:
    X = Featurizer().transform(TEXTS)
    model = MultiLabelModel("topics", C=10.0).fit_multilabel(X, TOPICS, ["delivery", "billing_refund",
                                                                          "customer_service"])
    assert model.predict_labels(X) == TOPICS
    assert model.evaluate_labels(X, TOPICS) == {"macro_f1": 1.0, "micro_f1": 1.0}
    model.save(tmp_path)
    assert MultiLabelModel.load(tmp_path, "topics").predict_labels(X) == TOPICS


def test_nb_scaled_model_reading_the_lexicon(tmp_path: Path) -> None:
    """One-vs-rest NB-LR over three classes, plus VADER's dense columns: the ratio is folded into the saved
    coefficients, so a loaded model predicts the same with the same single product."""
    texts = ["terrible service, the parcel was lost", "thanks, great service", "where is my order?"] * 8
    labels = ["negative", "positive", "neutral"] * 8
    model = LinearModel("nb", C=10.0, class_weight="balanced", nb_scaling=True, lexicon=True)
    X = model.inputs(Featurizer().transform(texts), texts)
    assert X.shape[1] == model.n_features == Featurizer().transform(texts).shape[1] + 4
    assert X[0, -1] > 0 and X[1, -3] > 0  # VADER: the first text is negative, the second positive
    model.fit(X, labels)
    assert model.classes == ["negative", "neutral", "positive"] and model.coef.shape[0] == 3
    assert model.predict(X) == labels
    model.save(tmp_path)
    loaded = LinearModel.load(tmp_path, "nb")
    assert loaded.lexicon and loaded.nb_scaling
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X), atol=1e-5)


def test_binary_nb_scaled_model_keeps_one_column() -> None:
    X = Featurizer().transform(TEXTS)
    model = LinearModel("nb2", C=10.0, nb_scaling=True).fit(X, LABELS)
    assert model.coef.shape[0] == 1 and model.predict(X) == LABELS


def test_the_pipelines_unstacked_scores_are_the_stacked_ones() -> None:
    """`scores` (hashed block and dense block multiplied apart) gives predict_proba of the stacked inputs."""
    from nlp.training import MODEL_DIR, load

    X = Featurizer().transform(TEXTS)
    for name, model in load(MODEL_DIR).items():
        np.testing.assert_allclose(model.scores(X, TEXTS), model.predict_proba(model.inputs(X, TEXTS)), atol=1e-5,
                                   err_msg=name)
