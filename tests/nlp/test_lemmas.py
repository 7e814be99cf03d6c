"""The Italian lemma table (nlp/lemmas.py): inflections share features, negation is kept, saved without pickle."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nlp import lemmas
from nlp.features import Featurizer
from nlp.lemmas import LemmaTable
from nlp.models import LinearModel

TABLE = LemmaTable(["pagamenti", "pagata", "ricevuto", "ricevuti"], ["pagamento", "pagare", "ricevere", "ricevere"])


def test_inflections_share_the_lemma_features() -> None:
    assert TABLE.lemmatised("Non ho RICEVUTO i pagamenti!") == "non ho ricevere i pagamento !"
    a, b = TABLE.transform(["ricevuti i pagamenti", "ricevuto il pagamento"]).toarray()
    assert a @ b > 0.3  # same lemmas "ricevere", "pagamento"
    negated, plain = TABLE.transform(["non ricevuto", "ricevuto"]).toarray()
    assert negated @ plain == 0  # "neg_ricevere" is another feature than "ricevere"


def test_save_load_round_trip_without_pickle(tmp_path: Path) -> None:
    path = TABLE.save(tmp_path / "lemmas_it.npz")
    with np.load(path, allow_pickle=False) as arrays:
        assert arrays["forms"].dtype.kind == "U"
    assert LemmaTable.load(path).lemma == TABLE.lemma


def test_build_from_simplemma_keeps_unseen_forms_of_seen_lemmas() -> None:
    table = LemmaTable.build(["il pagamento non è arrivato"])
    assert table.lemma.get("arrivato") == "arrivare"
    assert table.lemma.get("arrivati") == "arrivare"  # never seen, but its lemma was
    assert "pagamento" not in table.lemma  # a word that is its own lemma has no entry


def test_a_model_reading_the_lemma_block_saves_and_loads(tmp_path: Path) -> None:
    texts = ["pagamenti mai ricevuti, vergogna", "grazie, pagata subito"] * 6
    labels = ["negative", "positive"] * 6
    lemmas.use_table(TABLE)
    model = LinearModel("lem", C=10.0, lemmas=1.0)
    X = model.inputs(Featurizer().transform(texts), texts)
    assert X.shape[1] == model.n_features == Featurizer().transform(texts).shape[1] + lemmas.N_LEMMA_FEATURES
    model.fit(X, labels)
    model.save(tmp_path)
    loaded = LinearModel.load(tmp_path, "lem")
    np.testing.assert_allclose(loaded.scores(Featurizer().transform(texts), texts), model.predict_proba(X),
                               atol=1e-5)
