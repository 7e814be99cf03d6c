"""The analysis as spaCy pipelines: one `spacy.blank("it")` and one `spacy.blank("en")`, both built from
nlp/config.cfg (components in nlp/components.py), and the router that sends each mention to its language's.

    language -> brands -> features -> sentiment -> complaint -> topics -> intent

spaCy's tokenizers handle elisions ("l'ordine"), URLs, emoji, #hashtags and @handles; the components run on
whole batches through `nlp.pipe`. Mentions in languages without a pipeline of their own go through the English one.

Tokens are made when someone reads them: the Docs this returns are tokenised; a caller that only reads the
results (`Analyzer.analyse`, with `tokens=False`) gets Docs tokenised only when one of the pipeline's components
reads tokens (the brand matcher once brands are added, any component that is not Ascolto's own). Ascolto's
analysis reads the text, not spaCy's tokens: tokenising was a quarter of `ascolto classify`'s time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from core.text import clean
from nlp import components, language, lexeme_attrs
from nlp.models import LinearModel

CONFIG = Path(__file__).resolve().parent / "config.cfg"
LANGUAGES = ("it", "en")  # one pipeline each; "en" is also the fallback
BATCH = 512  # docs per component pass: big enough for vectorised products, small enough for memory
# spaCy splits a token's prefixes and suffixes one at a time, quadratic in the token's length (2,000 "?" take a
# second): unbroken runs are cut for the tokenizer (the components still read the whole cleaned text)
_LONG_RUN = re.compile(r"\S{64}(?=\S)")


LAZY_TOKENIZER = "ascolto.LazyTokenizer.v1"


class LazyTokenizer:
    """spaCy's default tokenizer for the pipeline's language (`spacy.Tokenizer.v1`), built the first time it is
    used: building it (compiling the affix expressions, adding the exceptions) took ~0.1 s per language of
    every start-up, and `Analyzer.analyse` needs no tokens unless brands are added (see `Pipeline.__call__`)."""

    def __init__(self, nlp: Language) -> None:
        self._nlp: Language | None = nlp
        self._tokenizer: Tokenizer | None = None

    @property
    def tokenizer(self) -> Tokenizer:
        if self._tokenizer is None:
            assert self._nlp is not None
            self._tokenizer, self._nlp = spacy.registry.tokenizers.get("spacy.Tokenizer.v1")()(self._nlp), None
        return self._tokenizer

    def __call__(self, text: str) -> Doc:
        return self.tokenizer(text)

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        return self.tokenizer.pipe(texts, batch_size=batch_size)

    def __getattr__(self, name: str) -> object:  # explain, to_disk, from_bytes, rules, ...: spaCy's own
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.tokenizer, name)

    def __setattr__(self, name: str, value: object) -> None:  # nlp.tokenizer.token_match = ...: spaCy's own
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            setattr(self.tokenizer, name, value)


@spacy.registry.tokenizers(LAZY_TOKENIZER)
def make_lazy_tokenizer() -> Callable[[Language], LazyTokenizer]:
    return LazyTokenizer


def config_path() -> Path:
    """nlp/config.cfg, or the file named by $ASCOLTO_NLP_CONFIG (a user's own pipeline)."""
    return Path(os.environ.get("ASCOLTO_NLP_CONFIG") or CONFIG)


def build(lang: str, models_dir: Path | None = None, config: Path | None = None) -> Language:
    """One language's pipeline from the config (components resolved through spaCy's registry)."""
    overrides = {"nlp.lang": lang, "paths.models": str(models_dir) if models_dir else ""}
    cfg = spacy.util.load_config(config or config_path(), overrides=overrides, interpolate=False)
    if "tokenizer" not in cfg["nlp"]:  # spaCy's default tokenizer, built when first used
        cfg["nlp"]["tokenizer"] = {"@tokenizers": LAZY_TOKENIZER}
    nlp = spacy.util.load_model_from_config(cfg, auto_fill=True, validate=True)
    lexeme_attrs.speed_up(nlp.vocab)
    return nlp


class Pipeline:
    """The per-language spaCy pipelines behind one call: cleaned texts in, analysed Docs out, same order."""

    def __init__(self, pipelines: dict[str, Language]) -> None:
        self.pipelines = pipelines

    @classmethod
    def load(cls, models_dir: Path | None = None, config: Path | None = None) -> Pipeline:
        return cls({lang: build(lang, models_dir, config) for lang in LANGUAGES})

    @classmethod
    def from_models(cls, models: dict[str, LinearModel], config: Path | None = None) -> Pipeline:
        """Pipelines that use models trained in memory (evaluation) instead of the shipped files."""
        pipeline = cls.load(config=config)
        for nlp in pipeline.pipelines.values():
            for _, component in nlp.pipeline:
                if isinstance(component, components.ModelComponent):
                    component.use(models)
        return pipeline

    @property
    def featurizer(self) -> components.Featurizer:
        step = self.pipelines["en"].get_pipe("features")
        assert isinstance(step, components.FeaturesComponent)
        return step.featurizer

    def add_brands(self, brands: Iterable[tuple[str, Iterable[str]]]) -> None:
        """BRAND entities for each (brand name, its names, aliases, @handles and #hashtags)."""
        patterns = [{"label": "BRAND", "pattern": term, "id": name} for name, terms in brands for term in terms
                    if term.strip()]
        for nlp in self.pipelines.values():
            if "brands" in nlp.pipe_names:
                nlp.get_pipe("brands").add_patterns(patterns)  # type: ignore[attr-defined]

    def __call__(self, texts: Sequence[object], langs: Sequence[str | None] | None = None, *,
                 tokens: bool = True) -> list[Doc]:
        """Analyse `texts` (any objects: cleaned and bounded here); `langs` are the sources' languages, None to
        detect. The router detects the language once; the `language` component keeps it. `tokens=False`: the
        caller reads only the results, so Docs are tokenised only if a component reads tokens."""
        given = list(langs) if langs is not None else [None] * len(texts)
        cleaned = [clean(text) for text in texts]
        routed: dict[str, list[int]] = {lang: [] for lang in self.pipelines}
        detected: list[str] = []
        for i, (text, lang) in enumerate(zip(cleaned, given, strict=True)):
            lang = lang or language.detect(text)
            detected.append(lang)
            routed[lang if lang in self.pipelines else "en"].append(i)
        out: list[Doc | None] = [None] * len(cleaned)
        for lang, rows in routed.items():
            nlp = self.pipelines[lang]
            docs = _docs(nlp, [cleaned[i] for i in rows], tokens or reads_tokens(nlp))
            for i, doc in zip(rows, docs, strict=True):
                doc.user_data[components.TEXT_KEY] = cleaned[i]
                doc.user_data[components.LANG] = detected[i]  # doc._.lang
                if not given[i]:  # detected here: what the language component would find, found once
                    doc.user_data[components.HAS_CONTENT] = detected[i] != language.UNDETERMINED
            for i, doc in zip(rows, nlp.pipe(docs, batch_size=BATCH), strict=True):
                out[i] = doc
        return [doc for doc in out if doc is not None]


def reads_tokens(nlp: Language) -> bool:
    """Whether a component of `nlp` reads the Doc's tokens (a component says it does not with a false
    `reads_tokens`; one that does not say, a user's own, is taken to read them)."""
    return any(getattr(component, "reads_tokens", True) for _, component in nlp.pipeline)


def _docs(nlp: Language, texts: Sequence[str], tokenise: bool) -> list[Doc]:
    """`nlp`'s Docs of `texts`; without `tokenise`, Docs without tokens (the components read the text, which the
    caller keeps in user_data)."""
    if tokenise:
        return [nlp.make_doc(_LONG_RUN.sub(r"\g<0> ", text)) for text in texts]
    return [Doc(nlp.vocab) for _ in texts]
