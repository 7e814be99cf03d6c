"""The training recipes' label mappings (nlp/training.py), on rows written here."""

from __future__ import annotations

import numpy as np

from nlp.datasets import Example
from nlp.training import INTENT_WEIGHTS, _intent_rows, intent_label


def test_complaints_en_rows_teach_the_intent_model_complaint_question_praise_or_other() -> None:
    complaint = Example("@Brand why has my order not arrived? 3 weeks now", "en", complaint=1, source="complaints")
    question = Example("@Brand do you ship to Norway?", "en", complaint=0, source="complaints")
    praise = Example("@Brand you guys are amazing, the best support ever, thank you!", "en", complaint=0,
                     source="complaints")
    other = Example("@Brand the new store opens on Monday", "en", complaint=0, source="complaints")
    assert intent_label(complaint) == "complaint"
    assert intent_label(question) == "question"
    assert intent_label(praise) == "praise"
    assert intent_label(other) == "other"
    assert "complaints" in INTENT_WEIGHTS


def test_labelled_intents_are_kept() -> None:
    question = Example("do you ship to Switzerland?", "en", complaint=0, intent="question", source="brand_care_en")
    assert intent_label(question) == "question"
    assert intent_label(Example("hello", "en", source="qa4faq")) == "other"


def test_the_intent_model_reads_complaints_en_annotated_tweets_only() -> None:
    rows = [Example("@Brand my refund is 2 months late", "en", complaint=1, source="complaints",
                    extra={"domain": "retail"}),
            Example("lovely sunny morning", "en", complaint=0, source="complaints", extra={"domain": "random_tweet"})]
    assert [e.text for e in _intent_rows({"complaints": rows}, "complaints")] == [rows[0].text]
    assert _intent_rows({"qa4faq": rows}, "qa4faq") == rows


def _italian_rows() -> dict[str, list[Example]]:
    texts = {"negative": ["ancora nessun pagamento, vergogna", "sito giù di nuovo, inutili", "attesa infinita 😂"],
             "neutral": ["la domanda si fa online?", "domani conferenza stampa", "orari dell'ufficio di via Roma"],
             "positive": ["grazie, pratica risolta subito", "bravissimi tutti", "ottimo servizio, complimenti"]}
    rows = [Example(text, "it", sentiment=label, source="agencies") for label, some in texts.items() for text in some]
    return {"agencies": rows, "brand_care_it": rows[:3]}


def test_sentiment_it_recipe_settings_are_overridable_for_measuring() -> None:
    from nlp.training import Trainer

    trainer = Trainer(_italian_rows())
    kept = trainer.sentiment_it(("agencies", "brand_care_it"), embeddings=0.0)
    assert (kept.C, kept.class_weight, kept.nb_scaling) == (3.0, "balanced", True)  # the shipped recipe's
    other = trainer.sentiment_it(("agencies", "brand_care_it"), C=1.0, class_weight=None, embeddings=0.0)
    assert (other.C, other.class_weight) == (1.0, None)
    assert sorted(other.classes) == ["negative", "neutral", "positive"]
    # a set's weight reaches the fit: the own examples (three negatives here) at 5 instead of 2
    weighted = trainer.sentiment_it(("agencies", "brand_care_it"), {"brand_care_it": 5.0}, embeddings=0.0)
    assert not np.allclose(kept.coef, weighted.coef)
