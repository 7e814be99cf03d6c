"""Language identification: the compact py3langid model that ships in nlp/models gives py3langid's answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import py3langid
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from nlp import language

TEXTS = [
    "Bonjour, je n'ai toujours pas reçu ma commande", "Guten Tag, mein Paket ist nicht angekommen",
    "Hola, ¿cuándo llega mi pedido?", "Olá, a minha encomenda não chegou", "привет, где мой заказ",
    "我的包裹还没到", "Hej, min beställning har inte kommit", "ok", "", "12345", "@vodafone_it #fail",
    "il treno è in ritardo di nuovo", "my flight got cancelled again",
]


def test_the_shipped_compact_model_answers_as_py3langid_does() -> None:
    wheel = LanguageIdentifier.from_model_file(MODEL_FILE)
    wheel.set_languages(language.LANGUAGES)
    compact = language._compact_identifier(language.COMPACT_MODEL)
    assert compact is not None, "nlp/models/langid.npz missing or made from another py3langid version"
    for text in TEXTS:
        expected, got = wheel.classify(text), compact.classify(text)
        assert got[0] == expected[0] and np.isclose(got[1], expected[1]), text


def test_a_compact_model_from_another_py3langid_version_is_not_used(tmp_path: Path) -> None:
    stale = tmp_path / "langid.npz"
    with np.load(language.COMPACT_MODEL, allow_pickle=False) as model:
        np.savez(stale, **{**{k: model[k] for k in model.files}, "version": np.array("0.0.1")})
    assert language._compact_identifier(stale) is None
    assert language._compact_identifier(tmp_path / "missing.npz") is None
    assert str(np.load(language.COMPACT_MODEL)["version"]) == py3langid.__version__
