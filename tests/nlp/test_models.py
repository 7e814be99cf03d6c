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
