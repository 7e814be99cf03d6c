"""`ascolto classify` end to end in a subprocess (bad lines included), the rest of the CLI in process."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ascolto.commands import classify
from ascolto.commands import evaluate as cli_evaluate
from ascolto.commands import train as cli_train

REPO = Path(__file__).resolve().parents[2]
FIELDS = {"id", "lang", "sentiment", "sentiment_score", "intent", "complaint", "complaint_score", "topics"}


def test_classify_end_to_end(tmp_path: Path, ascolto_cmd: list[str], cli_env: dict[str, str]) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "a", "text": "Il pacco non è mai arrivato, servizio clienti inesistente"}),
        "this is not json",
        json.dumps({"id": "b", "text": "Thank you for the quick refund, great service!", "lang": "en"}),
        json.dumps([1, 2]),
        json.dumps({"text": "no id"}),
        json.dumps({"id": "c", "text": 42}),
        "",
        json.dumps({"id": 4, "text": ""}),
        json.dumps({"id": "d", "text": "lone \ud800 surrogate 😀"}),
    ]
    source.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "e", "text": "bytes \xff\xfe ok"}\n')
    out = tmp_path / "out.jsonl"
    done = subprocess.run([*ascolto_cmd, "classify", "--input", str(source), "--output", str(out)],
                          cwd=REPO, env=cli_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["a", "b", 4, "d", "e"]
    for record in records:
        assert set(record) == FIELDS
        assert record["complaint"] is (record["intent"] == "complaint")
    first, second, empty = records[0], records[1], records[2]
    assert (first["lang"], first["intent"], first["complaint"]) == ("it", "complaint", True)
    assert "delivery" in first["topics"]
    assert (second["lang"], second["sentiment"], second["complaint"]) == ("en", "positive", False)
    assert (empty["sentiment"], empty["intent"]) == ("neutral", "other")
    for number in (2, 4, 5, 6):
        assert f"in.jsonl:{number}: skipped" in done.stderr
    assert "skipped 4 bad lines" in done.stderr

    assert classify.run(_args(classify, "--input", str(source), "--output", str(out), "--strict")) == 1


def _args(module: ModuleType, *argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    return parser.parse_args(argv)


def test_classify_stdin_to_stdout(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"id": 1, "text": "Come posso disdire?"}\n')))
    assert classify.run(_args(classify)) == 0
    assert json.loads(capsys.readouterr().out)["intent"] == "question"


def test_missing_input_and_data_are_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert classify.run(_args(classify, "--input", str(tmp_path / "nope.jsonl"))) == 2
    assert "nope.jsonl" in capsys.readouterr().err
    for module in (cli_train, cli_evaluate):
        assert module.run(_args(module, "--data", str(tmp_path))) == 2
        assert "--data" in capsys.readouterr().err
