"""The shipped models on examples written here (not the shared data nor nlp/data): complaints phrased as
questions are complaints, plain questions are questions, brand names in other senses are not complaints;
models and static vectors load without pickle; `ascolto evaluate --json` keeps its shape."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np
import pytest

from ascolto.commands import evaluate as cli_evaluate
from nlp import training
from nlp.analyzer import get_analyzer

QUESTION_COMPLAINTS = [
    ("quando arriva il mio rimborso? aspetto da 2 mesi", "it"),
    ("ma è normale che la fibra salti tutte le sere da una settimana?", "it"),
    ("perché mi avete addebitato due volte la stessa bolletta??", "it"),
    ("why has my order been stuck in customs for three weeks and nobody answers?", "en"),
    ("how is it possible that I was charged twice for the same flight?", "en"),
]
PLAIN_QUESTIONS = [
    ("come faccio a cambiare l'indirizzo di fatturazione dall'app?", "it"),
    ("a che ora apre lo sportello di via Roma il sabato?", "it"),
    ("è possibile pagare la bolletta con bonifico?", "it"),
    ("do you ship to Switzerland?", "en"),
    ("what time does the Milan store open on Sunday?", "en"),
]
OTHER_SENSES = [  # a brand's name used for something else: no complaint about the brand
    ("ho preso un tim... ehm, un timbro nuovo per l'ufficio, bellissimo", "it"),
    ("la Vodafone Arena era piena per la finale, che partita ieri sera", "it"),
    ("sto leggendo un articolo sulla storia della Fiat negli anni sessanta", "it"),
    ("an apple a day keeps the doctor away", "en"),
    ("we watched the sunset from the amazon river boat, unforgettable", "en"),
]


def _intents(examples: list[tuple[str, str]]) -> list[str]:
    texts, langs = zip(*examples, strict=True)
    return [a.intent for a in get_analyzer().analyse(list(texts), list(langs))]


def test_complaints_phrased_as_questions_are_complaints() -> None:
    assert _intents(QUESTION_COMPLAINTS) == ["complaint"] * len(QUESTION_COMPLAINTS)


def test_plain_questions_are_questions() -> None:
    assert _intents(PLAIN_QUESTIONS) == ["question"] * len(PLAIN_QUESTIONS)


def test_brand_names_in_other_senses_are_not_complaints() -> None:
    assert "complaint" not in _intents(OTHER_SENSES)


def test_models_load_without_pickle() -> None:
    for path in sorted(training.MODEL_DIR.glob("*.npz")):
        with np.load(path, allow_pickle=False) as arrays:  # raises on any pickled object array
            assert all(arrays[key].dtype != object for key in arrays.files)
    models = training.load()
    assert set(models) == {"sentiment_en", "sentiment_it", "complaint", "complaint_domain", "intent", "topics"}
    assert models["intent"].classes == sorted(["complaint", "question", "praise", "other"])
    assert models["complaint"].meta["platt"]  # complaint_score is calibrated


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _tiny_shared_data(root: Path) -> Path:
    """A few rows of each public dataset's format, written here: enough for every row of the report."""
    neg, neu, pos = "the flight was late and rude staff", "flight to Boston tomorrow", "great crew, thanks"
    sentiments = ["negative", "neutral", "positive"] * 10
    texts = {"negative": neg, "neutral": neu, "positive": pos}
    _write(root / "sentiment_en_airline" / "train.csv", ["id", "text", "sentiment", "negative_reason", "airline",
           "created_at"], [[i, f"{texts[s]} {i}", s, "Late Flight" if s == "negative" else "", "x", ""]
                           for i, s in enumerate(sentiments)])
    _write(root / "complaints_en" / "train.csv", ["id", "text", "complaint", "domain"],
           [[i, f"{'my order never arrived' if i % 2 else 'nice weather today'} {i}", i % 2,
             "retail" if i < 20 else "random_tweet"] for i in range(30)])
    it = {"negative": "che schifo di servizio", "neutral": "domani si vota", "positive": "bellissimo, grazie"}
    _write(root / "sentiment_it_sentipolc" / "train.csv", ["id", "text", "subj", "opos", "oneg", "iro", "lpos",
           "lneg", "top"], [[i, f"{it[s]} {i}", 1, int(s == "positive"), int(s == "negative"), 0, 0, 0, 0]
                            for i, s in enumerate(sentiments)])
    _write(root / "sentiment_it_multiemotions" / "train.csv", ["id", "source", "title", "text", "sentiment",
           "emotions", "sarcasm"], [[i, "YouTube Ad", "Spot", f"{it[s]} {i}", s, "", 0]
                                    for i, s in enumerate(sentiments)])
    _write(root / "sentiment_it_agencies" / "train.csv", ["id", "date", "text", "sentiment", "irony"],
           [[i, "2021-01-01", f"{it[s]} {i}", s, "no"] for i, s in enumerate(sentiments)])
    _write(root / "questions_it_qa4faq" / "faqs.csv", ["id", "question", "answer", "tags"],
           [[i, f"come si paga la fattura {i}?", "così", "fattura"] for i in range(10)])
    return root


def test_evaluate_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    cli_evaluate.add_arguments(parser)
    data = _tiny_shared_data(tmp_path / "data")
    args = parser.parse_args(["--data", str(data), "--models", str(training.MODEL_DIR), "--no-cross", "--json"])
    assert cli_evaluate.run(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"split", "tasks", "seconds"}
    for key in ("sentiment_en/airline", "sentiment_it/sentipolc", "sentiment_it/multiemotions",
                "sentiment_it/agencies", "complaint/complaints", "intent/brand_care_it",
                "complaint_vs_question/brand_care_en", "question_recall/qa4faq", "topics/brand_care", "language/all"):
        row = report["tasks"][key]
        assert set(row) == {"task", "dataset", "kind", "measure", "model", "baseline", "n"}
        assert 0.0 <= row["model"] <= 1.0 and 0.0 <= row["baseline"] <= 1.0 and row["n"] > 0
    assert report["tasks"]["sentiment_it/sentipolc"]["measure"] == "SENTIPOLC F"


def test_classifying_does_not_import_scikit_learn() -> None:
    """Start-up is part of `ascolto classify`'s speed: scikit-learn is for training only."""
    import subprocess
    import sys

    code = ("import sys; from nlp.analyzer import get_analyzer; get_analyzer().analyse(['il pacco non arriva']); "
            "sys.exit(1 if any(m.startswith('sklearn') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2]).returncode == 0
