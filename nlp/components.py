"""Ascolto's analysis steps as registered spaCy components (`@Language.factory`), configured by nlp/config.cfg.

Every component works on whole batches in `pipe()` (one sparse matrix, one product per model: that is where the
speed is) and also on a single Doc in `__call__`. Results live on the Doc:

    doc._.lang, doc._.has_content        language (given by the source or detected) and whether there is text
    doc._.features                       the hashed n-gram row every model reads (a 1 x N CSR matrix)
    doc.cats                             sentiment_{negative,neutral,positive}, complaint, intent_{...}, topic_{...}
    doc._.sentiment, doc._.sentiment_score, doc._.complaint_score, doc._.intent, doc._.topics
    doc.ents                             BRAND entities (configured names, aliases, @handles, #hashtags)

Models are the shipped, pickle-free files in nlp/models (or `models_dir` in the config), loaded once per process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from core.text import fold
from nlp import language
from nlp.features import Featurizer
from nlp.models import LinearModel, MultiLabelModel
from nlp.topics import lexicon_topics

SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("complaint", "question", "praise", "other")
_SENTIMENT_CATS = tuple(f"sentiment_{c}" for c in SENTIMENTS)
_INTENT_CATS = tuple(f"intent_{i}" for i in INTENTS)
_EXTENSIONS: dict[str, Any] = {
    "lang": None, "has_content": True, "sentiment": "neutral", "sentiment_score": 0.0,
    "complaint_score": 0.0, "intent": "other", "topics": None,
}
for _name, _default in _EXTENSIONS.items():
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)
# spaCy keeps a Doc's plain `doc._.<name>` in doc.user_data under ("._.", name, None, None): the components
# and the analyzer read and write it there, since each `doc._` builds a new accessor and each attribute goes
# through its lookups (~5% of classify's CPU); tests/nlp/test_pipeline.py checks that doc._ sees the same values
def _key(name: str) -> tuple[str, str, None, None]:
    assert name in _EXTENSIONS
    return ("._.", name, None, None)


LANG, HAS_CONTENT, SENTIMENT, SENTIMENT_SCORE = _key("lang"), _key("has_content"), _key("sentiment"), _key(
    "sentiment_score")
COMPLAINT_SCORE, INTENT, TOPICS = _key("complaint_score"), _key("intent"), _key("topics")
# Doc.text joins its tokens anew on every access, and the features are computed for a whole batch at once:
# both are kept in user_data, the text once per doc, the batch's matrix with this doc's row number
TEXT_KEY, _FEATURES = "ascolto.text", "ascolto.features"


def text_of(doc: Doc) -> str:
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def results(doc: Doc) -> tuple[str | None, str, float, str, float, list[str] | None]:
    """(lang, sentiment, sentiment_score, intent, complaint_score, topics): what doc._ holds, read at once."""
    data = doc.user_data
    return (data.get(LANG), data.get(SENTIMENT, "neutral"), data.get(SENTIMENT_SCORE, 0.0),
            data.get(INTENT, "other"), data.get(COMPLAINT_SCORE, 0.0), data.get(TOPICS))


def _features_row(doc: Doc) -> sp.csr_matrix | None:
    stored = doc.user_data.get(_FEATURES)
    return None if stored is None else stored[0][stored[1]]


if not Doc.has_extension("features"):
    Doc.set_extension("features", getter=_features_row)


# ---------------------------------------------------------------------------------------------- the models
@lru_cache(maxsize=4)
def shipped_models(models_dir: str = "") -> dict[str, LinearModel]:
    """The models in `models_dir` ('' = the ones shipped in nlp/models), loaded once per process."""
    from nlp import training

    return training.load(Path(models_dir) if models_dir else training.MODEL_DIR)


class BatchComponent:
    """A component that works on whole batches (`process`), through `pipe()` or on a single Doc."""

    reads_tokens = False  # reads text_of(doc), not spaCy's tokens (nlp.pipeline tokenises only when needed)

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        self.process([doc])
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 512) -> Iterator[Doc]:
        iterator = iter(stream)
        while batch := list(islice(iterator, batch_size)):
            self.process(batch)
            yield from batch

    def process(self, docs: list[Doc]) -> None:
        raise NotImplementedError


class ModelComponent(BatchComponent):
    """A component that reads one model of the model set; `use(models)` swaps in models trained in memory."""

    model_key = ""

    def __init__(self, name: str, models_dir: str) -> None:
        super().__init__(name)
        self.models_dir = models_dir
        self._models: dict[str, LinearModel] | None = None

    def use(self, models: dict[str, LinearModel]) -> None:
        self._models = models

    @property
    def models(self) -> dict[str, LinearModel]:
        if self._models is None:
            self._models = shipped_models(self.models_dir)
        return self._models


def batch_features(docs: Sequence[Doc]) -> sp.csr_matrix:
    """The feature rows of `docs`: the features component's matrix itself when the batches line up."""
    stored = [doc.user_data[_FEATURES] for doc in docs]
    matrix = stored[0][0]
    if matrix.shape[0] == len(docs) and all(m is matrix and row == i for i, (m, row) in enumerate(stored)):
        return matrix
    return sp.vstack([m[row] for m, row in stored], format="csr")


# ---------------------------------------------------------------------------------------------- language
class LanguageComponent:
    """Keeps a language the source gave (doc._.lang), else detects it; marks docs with nothing to analyse
    (unless the router already did: it detected the language)."""

    reads_tokens = False

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        data = doc.user_data
        if HAS_CONTENT in data:
            return doc
        if data.get(LANG):
            data[HAS_CONTENT] = language.has_letters(text_of(doc))
        else:
            lang = data[LANG] = language.detect(text_of(doc))
            data[HAS_CONTENT] = lang != language.UNDETERMINED
        return doc


@Language.factory("ascolto_language")
def make_language(nlp: Language, name: str) -> LanguageComponent:
    return LanguageComponent(name)


# ---------------------------------------------------------------------------------------------- brands
class BrandsComponent:
    """BRAND entities (`doc.ents`, `ent.ent_id_` = the brand) wherever a configured brand's name, alias, @handle or
    #hashtag occurs, matched on spaCy's tokens, case-insensitively. No brands configured: nothing to do."""

    def __init__(self, nlp: Language, name: str, attr: str) -> None:
        self.name = name
        self.matcher = PhraseMatcher(nlp.vocab, attr=attr)
        self._make_doc = nlp.make_doc

    @property
    def reads_tokens(self) -> bool:
        return len(self.matcher) > 0

    def add_patterns(self, patterns: Iterable[dict[str, str]]) -> None:
        for pattern in patterns:
            self.matcher.add(pattern["id"], [self._make_doc(pattern["pattern"])])

    def __call__(self, doc: Doc) -> Doc:
        if len(self.matcher):
            spans = [Span(doc, start, end, label="BRAND", span_id=key) for key, start, end in self.matcher(doc)]
            doc.ents = filter_spans(spans)
        return doc


@Language.factory("ascolto_brands", default_config={"attr": "LOWER"})
def make_brands(nlp: Language, name: str, attr: str) -> BrandsComponent:
    return BrandsComponent(nlp, name, attr)


# ---------------------------------------------------------------------------------------------- features
class FeaturesComponent(BatchComponent):
    """The hashed word and character n-grams of the doc's text, one batch at a time."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.featurizer = Featurizer()

    def process(self, docs: list[Doc]) -> None:
        matrix = self.featurizer.transform([text_of(doc) for doc in docs])
        for row, doc in enumerate(docs):
            doc.user_data[_FEATURES] = (matrix, row)


@Language.factory("ascolto_features")
def make_features(nlp: Language, name: str) -> FeaturesComponent:
    return FeaturesComponent(name)


# ---------------------------------------------------------------------------------------------- sentiment
class SentimentComponent(ModelComponent):
    """Three-class sentiment from the pipeline language's model; the score is P(positive) - P(negative)."""

    def __init__(self, name: str, models_dir: str, model: str) -> None:
        super().__init__(name, models_dir)
        self.model_key = model

    def process(self, docs: list[Doc]) -> None:
        model = self.models[self.model_key]
        probs = model.scores(batch_features(docs), [text_of(doc) for doc in docs])
        probs = probs[:, [model.classes.index(c) for c in SENTIMENTS]]
        labels = probs.argmax(axis=1).tolist()
        scores = np.clip(probs[:, 2] - probs[:, 0], -1.0, 1.0).tolist()
        for doc, label, score, row in zip(docs, labels, scores, probs.tolist(), strict=True):
            doc.cats.update(zip(_SENTIMENT_CATS, row, strict=True))
            data = doc.user_data
            if data.get(HAS_CONTENT, True):
                data[SENTIMENT] = SENTIMENTS[label]
                data[SENTIMENT_SCORE] = score


@Language.factory("ascolto_sentiment", default_config={"models_dir": ""})
def make_sentiment(nlp: Language, name: str, models_dir: str, models: dict[str, str]) -> SentimentComponent:
    return SentimentComponent(name, models_dir, models.get(nlp.lang, models["en"]))


# ---------------------------------------------------------------------------------------------- complaint
class ComplaintComponent(ModelComponent):
    """P(complaint) from the binary complaint model: doc._.complaint_score and doc.cats['complaint']."""

    def __init__(self, name: str, models_dir: str, model: str) -> None:
        super().__init__(name, models_dir)
        self.model_key = model

    def process(self, docs: list[Doc]) -> None:
        model = self.models[self.model_key]
        scores = model.scores(batch_features(docs), [text_of(doc) for doc in docs])[:, model.classes.index("1")]
        for doc, score in zip(docs, scores.tolist(), strict=True):
            doc.cats["complaint"] = score
            data = doc.user_data
            data[COMPLAINT_SCORE] = score if data.get(HAS_CONTENT, True) else 0.0


@Language.factory("ascolto_complaint", default_config={"models_dir": ""})
def make_complaint(nlp: Language, name: str, models_dir: str, model: str) -> ComplaintComponent:
    return ComplaintComponent(name, models_dir, model)


# ---------------------------------------------------------------------------------------------- topics
class TopicsComponent(ModelComponent):
    """Care topics: the trained multi-label model's labels above `threshold`, united with the stem lexicon's."""

    def __init__(self, name: str, models_dir: str, model: str, threshold: float) -> None:
        super().__init__(name, models_dir)
        self.model_key, self.threshold = model, threshold

    def process(self, docs: list[Doc]) -> None:
        model = self.models[self.model_key]
        assert isinstance(model, MultiLabelModel)
        scores = model.scores(batch_features(docs), [text_of(doc) for doc in docs])
        names, cats = model.classes, [f"topic_{t}" for t in model.classes]
        above = (scores >= self.threshold).tolist()  # compared in the scores' dtype, as one score at a time
        for doc, row, hits in zip(docs, scores.tolist(), above, strict=True):
            doc.cats.update(zip(cats, row, strict=True))
            data = doc.user_data
            if data.get(HAS_CONTENT, True):
                found = {t for t, hit in zip(names, hits, strict=True) if hit}
                found |= set(lexicon_topics(fold(text_of(doc))))
                data[TOPICS] = [t for t in names if t in found]
            else:
                data[TOPICS] = []


@Language.factory("ascolto_topics", default_config={"models_dir": "", "threshold": 0.7})
def make_topics(nlp: Language, name: str, models_dir: str, model: str, threshold: float) -> TopicsComponent:
    return TopicsComponent(name, models_dir, model, threshold)


# ---------------------------------------------------------------------------------------------- intent
class IntentComponent(ModelComponent):
    """complaint / question / praise / other from the learned intent model. A mention is a complaint when the
    weighted mean of its votes, `complaint_blend` x complaint_score, `1 - complaint_blend` x P(intent = complaint)
    and, where the pipeline's language has a `domain_weights` entry, that weight x the domain complaint model's
    P(complaint), reaches `complaint_threshold`; otherwise the likeliest other intent."""

    def __init__(self, name: str, models_dir: str, model: str, complaint_threshold: float,
                 complaint_blend: float, domain_model: str = "", domain_weight: float = 0.0) -> None:
        super().__init__(name, models_dir)
        self.model_key, self.complaint_threshold, self.complaint_blend = model, complaint_threshold, complaint_blend
        self.domain_model, self.domain_weight = domain_model, domain_weight if domain_model else 0.0

    def complaint_votes(self, docs: list[Doc], p_complaint: np.ndarray) -> np.ndarray:
        scores = np.array([doc.user_data.get(COMPLAINT_SCORE, 0.0) for doc in docs], dtype=np.float64)
        votes = self.complaint_blend * scores + (1 - self.complaint_blend) * p_complaint
        if not self.domain_weight:
            return votes
        domain = self.models.get(self.domain_model)
        if domain is None:
            raise KeyError(f"{self.name}: no model {self.domain_model!r} in the model set (run `ascolto train`)")
        p_domain = domain.scores(batch_features(docs), [text_of(doc) for doc in docs])[:, domain.classes.index("1")]
        return (votes + self.domain_weight * p_domain) / (1 + self.domain_weight)

    def process(self, docs: list[Doc]) -> None:
        model = self.models[self.model_key]
        probs = model.scores(batch_features(docs), [text_of(doc) for doc in docs])
        probs = probs[:, [model.classes.index(i) for i in INTENTS]]
        complains = (self.complaint_votes(docs, probs[:, 0]) >= self.complaint_threshold).tolist()
        others = (probs[:, 1:].argmax(axis=1) + 1).tolist()
        for doc, row, complained, other in zip(docs, probs.tolist(), complains, others, strict=True):
            doc.cats.update(zip(_INTENT_CATS, row, strict=True))
            data = doc.user_data
            if not data.get(HAS_CONTENT, True):
                data[INTENT] = "other"
            else:
                data[INTENT] = "complaint" if complained else INTENTS[other]


@Language.factory("ascolto_intent", default_config={"models_dir": "", "complaint_threshold": 0.5,
                                                    "complaint_blend": 0.5, "domain_model": "",
                                                    "domain_weights": {}})
def make_intent(nlp: Language, name: str, models_dir: str, model: str, complaint_threshold: float,
                complaint_blend: float, domain_model: str, domain_weights: dict[str, float]) -> IntentComponent:
    return IntentComponent(name, models_dir, model, complaint_threshold, complaint_blend, domain_model,
                           domain_weights.get(nlp.lang, 0.0))
