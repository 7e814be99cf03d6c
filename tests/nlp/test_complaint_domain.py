"""The complaint decision's third vote: a domain complaint model, weighted per pipeline language (nlp/config.cfg)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlp.components import shipped_models
from nlp.datasets import Example, folds
from nlp.features import N_FEATURES
from nlp.models import LinearModel
from nlp.pipeline import CONFIG, Pipeline
from nlp.training import Trainer

TEXTS = ["thanks, the parcel arrived today", "grazie, il pacco è arrivato oggi"]


def constant(p_complaint: float) -> LinearModel:
    """A domain model that gives every text the same P(complaint)."""
    model = LinearModel("complaint_domain")
    model.classes = ["0", "1"]
    model.coef = np.zeros((1, N_FEATURES), dtype=np.float32)
    model.intercept = np.array([np.log(p_complaint / (1 - p_complaint))], dtype=np.float32)
    return model


def configured(tmp_path: Path, model: str, weights: str) -> Path:
    config = CONFIG.read_text()
    assert 'domain_model = "complaint_domain"\n' in config and 'domain_weights = {"en": 0.5}\n' in config
    config = config.replace('domain_model = "complaint_domain"\n', f'domain_model = "{model}"\n')
    path = tmp_path / "config.cfg"
    path.write_text(config.replace('domain_weights = {"en": 0.5}\n', f"domain_weights = {weights}\n"))
    return path


def pipeline_with(tmp_path: Path, weights: str, p_complaint: float) -> Pipeline:
    pipeline = Pipeline.load(config=configured(tmp_path, "complaint_domain", weights))
    models = dict(shipped_models()) | {"complaint_domain": constant(p_complaint)}
    for nlp in pipeline.pipelines.values():
        nlp.get_pipe("intent").use(models)
    return pipeline


def test_the_domain_vote_counts_only_in_the_languages_it_is_weighted_for(tmp_path: Path) -> None:
    plain = [d._.intent for d in pipeline_with(tmp_path, "{}", 0.999)(TEXTS, ["en", "it"])]
    assert plain[0] != "complaint" and plain[1] != "complaint"
    # weight 3 of 4 for a model sure of a complaint: (votes + 3) / 4 >= 0.5 whatever the other two say
    docs = pipeline_with(tmp_path, '{"en": 3.0}', 0.999)(TEXTS, ["en", "it"])
    assert [d._.intent for d in docs] == ["complaint", plain[1]]
    assert docs[0]._.complaint_score < 0.5  # the calibrated score itself is the complaint model's alone


def test_no_domain_weight_gives_the_two_vote_decision(tmp_path: Path) -> None:
    texts = ["my order never arrived and nobody answers", "do you ship to Norway?", "love the new app",
             "il pacco non è mai arrivato", "avete un negozio a Bari?"]
    docs = pipeline_with(tmp_path, "{}", 0.999)(texts, ["en", "en", "en", "it", "it"])
    for doc in docs:
        two_votes = 0.5 * doc._.complaint_score + 0.5 * doc.cats["intent_complaint"]
        assert (doc._.intent == "complaint") == (two_votes >= 0.5)


def test_the_shipped_english_pipeline_weighs_the_shipped_domain_model(tmp_path: Path) -> None:
    models = shipped_models()
    assert models["complaint_domain"].classes == ["0", "1"]
    docs = Pipeline.load()(["my order never arrived and nobody answers", "do you ship to Norway?"], ["en", "en"])
    assert [d._.intent for d in docs] == ["complaint", "question"]


def test_the_domain_model_learns_complaints_en_annotated_tweets_only() -> None:
    rows = [Example(f"@Brand my refund is {i} months late", "en", complaint=1, source="complaints",
                    extra={"domain": "retail"}) for i in range(3)]
    rows += [Example(f"@Brand do you ship to Norway {i}?", "en", complaint=0, source="complaints",
                     extra={"domain": "retail"}) for i in range(3)]
    rows += [Example("lovely sunny morning, my refund", "en", complaint=1, source="complaints",
                     extra={"domain": "random_tweet"})]
    model = Trainer({"complaints": rows}).complaint_domain(embeddings=0.0)
    assert model.classes == ["0", "1"]
    seen = Trainer({"complaints": rows[:6]}).complaint_domain(embeddings=0.0)
    assert np.array_equal(model.coef, seen.coef)  # the random_* row changed nothing


def test_folds_put_each_row_in_exactly_one_dev_part() -> None:
    rows = [Example(f"text {i}", "en", sentiment=("negative", "positive")[i % 2], source="x") for i in range(23)]
    cut = folds(rows, k=5, seed=7)
    dev = [e.text for _, part in cut for e in part]
    assert sorted(dev) == sorted(e.text for e in rows)
    for fit, part in cut:
        assert not {e.text for e in fit} & {e.text for e in part}
        assert {e.sentiment for e in part} == {"negative", "positive"}  # stratified
    assert folds(rows, k=5, seed=7)[0][1] == cut[0][1]  # seeded


def test_a_missing_domain_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="nowhere"):
        Pipeline.load(config=configured(tmp_path, "nowhere", '{"en": 1.0}'))(TEXTS[:1], ["en"])
