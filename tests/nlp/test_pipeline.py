"""The analysis is a spaCy pipeline built from nlp/config.cfg: registered components, results on the Doc."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from nlp.analyzer import Analyzer
from nlp.pipeline import CONFIG, Pipeline, build


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.load()


def test_each_language_pipeline_is_built_from_the_config(pipeline: Pipeline) -> None:
    wanted = spacy.util.load_config(CONFIG)["nlp"]["pipeline"]
    for lang, nlp in pipeline.pipelines.items():
        assert nlp.lang == lang
        assert nlp.pipe_names == wanted
        assert nlp.get_pipe_meta("sentiment").factory == "ascolto_sentiment"


def test_results_live_on_the_doc(pipeline: Pipeline) -> None:
    it, en = pipeline(["Bolletta sbagliata per il terzo mese, nessuno risponde!!", "Thanks, fixed in minutes!"],
                      ["it", None])
    assert isinstance(it, Doc) and it._.lang == "it" and en._.lang == "en"
    assert it._.intent in ("complaint", "question", "praise", "other")
    assert it.cats["complaint"] == pytest.approx(it._.complaint_score)
    assert set(it.cats) >= {"sentiment_negative", "sentiment_neutral", "sentiment_positive", "complaint"}
    assert [t.text for t in it][:2] == ["Bolletta", "sbagliata"]


def test_the_italian_tokenizer_splits_elisions_and_keeps_handles(pipeline: Pipeline) -> None:
    doc = pipeline(["@Telvia l'ordine non è arrivato 😡 https://t.co/x"], ["it"])[0]
    assert [t.text for t in doc] == ["@Telvia", "l'", "ordine", "non", "è", "arrivato", "😡", "https://t.co/x"]


def test_brands_are_entities(pipeline: Pipeline) -> None:
    fresh = Pipeline.load()
    fresh.add_brands([("Velora", ["Velora", "velora mobile", "@velora", "#velora"])])
    doc = fresh(["Con #velora e VELORA MOBILE @velora mi trovo bene"], ["it"])[0]
    assert [(e.text, e.label_, e.id_) for e in doc.ents] == [
        ("#velora", "BRAND", "Velora"), ("VELORA MOBILE", "BRAND", "Velora"), ("@velora", "BRAND", "Velora")]
    assert not pipeline(["Con #velora"], ["it"])[0].ents  # brands are per pipeline, none by default


def test_a_single_doc_and_a_batch_agree(pipeline: Pipeline) -> None:
    texts = ["Treno soppresso di nuovo, grazie eh", "Come cambio l'IBAN dall'app?", "Great service today"]
    batch = pipeline(texts, ["it", "it", "en"])
    for text, lang, doc in zip(texts, ["it", "it", "en"], batch, strict=True):
        nlp = pipeline.pipelines[lang]
        single = nlp(nlp.make_doc(text))
        assert (single._.intent, single._.sentiment, single._.topics) == (doc._.intent, doc._.sentiment, doc._.topics)
        assert single._.complaint_score == pytest.approx(doc._.complaint_score)


@Language.component("test_shout_detector")
def shout_detector(doc: Doc) -> Doc:
    doc.cats["shouting"] = float(doc.text.isupper())
    return doc


def test_a_user_component_is_added_through_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = CONFIG.read_text().replace('"topics","intent"]', '"topics","intent","shout"]')
    config += '\n[components.shout]\nfactory = "test_shout_detector"\n'
    path = tmp_path / "config.cfg"
    path.write_text(config)
    assert build("it", config=path).pipe_names[-1] == "shout"
    monkeypatch.setenv("ASCOLTO_NLP_CONFIG", str(path))
    analyzer = Analyzer()
    doc = analyzer.pipeline(["BASTA CON QUESTI RITARDI"], ["it"])[0]
    assert doc.cats["shouting"] == 1.0
    assert analyzer.analyse(["BASTA CON QUESTI RITARDI"], ["it"])[0].lang == "it"


def test_results_do_not_depend_on_whether_docs_are_tokenised(pipeline: Pipeline) -> None:
    texts = ["@Telvia l'ordine non è arrivato 😡 https://t.co/x", "Can't log in since the update :(", "", "👍",
             "quando arriva il mio rimborso? aspetto da 2 mesi", "Bonjour, je suis très déçu", "?" * 300]
    tokenised = pipeline(texts)
    untokenised = pipeline(texts, tokens=False)
    assert [len(doc) for doc in untokenised] == [0] * len(texts)  # Ascolto's components read the text
    for a, b in zip(tokenised, untokenised, strict=True):
        assert (a._.lang, a._.sentiment, a._.intent, a._.topics) == (b._.lang, b._.sentiment, b._.intent, b._.topics)
        assert (a._.sentiment_score, a._.complaint_score, a.cats) == (b._.sentiment_score, b._.complaint_score, b.cats)


def test_docs_are_tokenised_when_a_component_reads_tokens(tmp_path: Path) -> None:
    fresh = Pipeline.load()
    fresh.add_brands([("Velora", ["Velora"])])  # the brand matcher reads tokens once it has brands
    assert [e.text for e in fresh(["Con Velora mi trovo bene"], ["it"], tokens=False)[0].ents] == ["Velora"]
    config = CONFIG.read_text().replace('"topics","intent"]', '"topics","intent","shout"]')
    path = tmp_path / "config.cfg"
    path.write_text(config + '\n[components.shout]\nfactory = "test_shout_detector"\n')
    doc = Pipeline.load(config=path)(["BASTA CON QUESTI RITARDI"], ["it"], tokens=False)[0]
    assert doc.cats["shouting"] == 1.0 and len(doc) == 4  # a component that does not say it reads only text


def test_the_tokenizer_built_when_first_used_is_spacys_own() -> None:
    texts = ["@Telvia l'ordine non è arrivato 😡 https://t.co/x", "Can't log in since the update :(", "",
             "dall'app #rimborso... 10€?!", "U.S. flights don't leave on time, e.g. today"]
    for lang in ("it", "en"):
        ours, theirs = build(lang), spacy.blank(lang)
        assert [[t.text for t in ours.make_doc(t)] for t in texts] == [[t.text for t in theirs(t)] for t in texts]
        assert ours.tokenizer.explain(texts[0]) == theirs.tokenizer.explain(texts[0])
    nlp = build("en")
    nlp.tokenizer.token_match = re.compile(r"^a-b$").match  # customised as spaCy's own tokenizer is
    nlp.tokenizer.add_special_case("gimme", [{"ORTH": "gim"}, {"ORTH": "me"}])
    assert [t.text for t in nlp.make_doc("a-b gimme")] == ["a-b", "gim", "me"]


def test_the_components_results_are_the_docs_extensions(pipeline: Pipeline) -> None:
    from nlp import components

    doc = pipeline(["Bolletta sbagliata, rimborso mai arrivato!!"], ["it"])[0]
    assert components.results(doc) == (doc._.lang, doc._.sentiment, doc._.sentiment_score, doc._.intent,
                                       doc._.complaint_score, doc._.topics)
    assert doc._.lang == "it" and doc._.has_content is True and doc._.topics == ["billing_refund"]
    fresh = Doc(pipeline.pipelines["it"].vocab)
    fresh._.intent = "question"  # where spaCy keeps doc._ values is where the components look
    assert components.results(fresh)[3] == "question" and fresh.user_data[components.INTENT] == "question"
