"""Language of a mention: a fast function-word vote for Italian and English, py3langid for everything else.

py3langid (model inside its wheel, 97 languages) costs about a millisecond per tweet; most mentions the
brand team reads are Italian or English and say so with their function words, which we count in microseconds.
Only texts without a clear vote go to py3langid, so other languages are still labelled (and kept).

py3langid's own model file is LZMA-compressed: unpacking it took 0.7 s of every start-up. `ascolto train` writes
the same model restricted to LANGUAGES, zlib-compressed (nlp/models/langid.npz, 3.8 MB, unpacked in 0.1 s);
it is used when it was made from the installed py3langid version, else the wheel's file is (same answers).
"""

from __future__ import annotations

import io
import lzma
import re
from array import array
from functools import lru_cache
from pathlib import Path

import numpy as np
import py3langid
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

UNDETERMINED = "und"  # BCP 47: no linguistic content (empty, only emoji, only a URL)

_FUNCTION_WORDS = {
    "it": frozenset((
        "il", "lo", "la", "gli", "le", "di", "del", "della", "dei", "delle", "che", "non", "è", "per", "un", "una",
        "sono", "ho", "hai", "ha", "abbiamo", "avete", "hanno", "con", "mi", "ti", "ci", "vi", "si", "ma", "anche",
        "questo", "questa", "come", "perché", "più", "già", "ancora", "sempre", "mai", "nel", "nella", "al", "alla",
        "da", "dal", "dalla", "se", "io", "tu", "noi", "voi", "loro", "sul", "sulla", "dopo", "ogni", "tutto",
        "tutti", "niente", "nulla", "oggi", "ieri", "grazie", "buongiorno", "ciao", "quando", "dove", "cosa",
        "sto", "siete", "era", "fa", "solo", "molto", "poi", "qui", "così", "vostro", "vostra", "mio", "mia",
    )),
    "en": frozenset((
        "the", "to", "and", "is", "are", "was", "were", "you", "your", "my", "for", "of", "on", "in", "it", "this",
        "that", "with", "have", "has", "had", "not", "be", "been", "at", "from", "we", "they", "our", "me", "can",
        "will", "just", "get", "got", "what", "when", "why", "how", "where", "there", "thanks", "thank", "please",
        "an", "no", "do", "does", "did", "dont", "don't", "can't", "i'm", "it's", "so", "but", "or", "if", "all",
        "now", "still", "again", "today", "would", "could", "should", "about", "up", "out", "who", "its", "been",
    )),
}
# distinctive words of the neighbours that share some of the above ("la", "un", "no", "ma"): any of these and
# the decision goes to py3langid
_OTHERS = frozenset((
    "je", "vous", "nous", "est", "les", "des", "pour", "avec", "une", "pas", "mon", "merci", "bonjour", "très",
    "el", "los", "las", "es", "y", "por", "para", "pero", "mi", "mío", "gracias", "hola", "está", "muy", "qué",
    "der", "die", "das", "und", "ist", "nicht", "ich", "mit", "wo", "es", "danke", "hallo", "sehr", "ein",
    "os", "não", "obrigado", "você", "uma", "muito", "também", "em", "ao", "eu", "och", "och", "het", "een",
))
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_NOISE = re.compile(r"(?:https?://|www\.)\S+|[@#]\w+", re.I)


WINDOW = 2000  # characters looked at: the models read no more either


def has_letters(text: str) -> bool:
    """Whether there is anything to analyse once URLs, handles and hashtags are set aside."""
    return bool(_LETTER.search(_NOISE.sub(" ", text[:WINDOW])))


def detect(text: str) -> str:
    """ISO 639-1 code (py3langid's set), or 'und' for text without letters."""
    content = _NOISE.sub(" ", text[:WINDOW])
    if not _LETTER.search(content):
        return UNDETERMINED
    words = _WORD.findall(content.casefold())
    # counted with the sets' own membership test mapped over the words: a third of detect's time as a generator
    it, en = (sum(map(_FUNCTION_WORDS[lang].__contains__, words)) for lang in ("it", "en"))
    others = sum(map(_OTHERS.__contains__, words))
    # a clear majority of function words, enough of them to not be a loanword or a name, no neighbour's words
    if others * 4 <= max(it, en):
        if it >= 2 and it >= 3 * en and it >= 0.15 * len(words):
            return "it"
        if en >= 2 and en >= 3 * it and en >= 0.15 * len(words):
            return "en"
    return _langid(content[:500])


# the languages a European brand team meets; a closed set keeps rare look-alikes (Nigerian Pidgin, Ligurian
# ...) from labelling short English or Italian tweets, and scores fewer classes
LANGUAGES = (
    "it", "en", "fr", "de", "es", "pt", "nl", "sv", "da", "no", "fi", "pl", "cs", "sk", "sl", "hr", "sr", "bs",
    "ro", "hu", "el", "bg", "ru", "uk", "tr", "ar", "he", "fa", "hi", "zh", "ja", "ko", "id", "ms", "vi", "th",
    "ca", "eu", "gl", "sq", "mt", "lt", "lv", "et", "ga", "cy", "is",
)


COMPACT_MODEL = Path(__file__).resolve().parent / "models" / "langid.npz"
_TYPECODES = {2: "H", 4: "I", 8: "L"}


def _stdlib_array(values: np.ndarray) -> array:
    """The array('H'/'I'/'L') py3langid walks its automaton with."""
    out = array(_TYPECODES[values.dtype.itemsize])
    out.frombytes(np.ascontiguousarray(values).view(np.uint8))  # no intermediate bytes (39 MB for nextmove)
    return out


def save_compact_model(path: Path = COMPACT_MODEL) -> Path:
    """py3langid's model restricted to LANGUAGES, zlib-compressed, tagged with py3langid's version."""
    with lzma.open(MODEL_DIR / MODEL_FILE) as packed, np.load(io.BytesIO(packed.read()), allow_pickle=False) as full:
        classes = full["classes"]
        keep = np.flatnonzero(np.isin(classes, LANGUAGES))
        np.savez_compressed(path, ptc=full["ptc"][:, keep], pc=full["pc"][keep], classes=classes[keep],
                            nextmove=full["nextmove"], nextmove_row=full["nextmove_row"], out_feat=full["out_feat"],
                            version=np.array(py3langid.__version__))
    return path


def _compact_identifier(path: Path) -> LanguageIdentifier | None:
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as model:
        if str(model["version"]) != py3langid.__version__:
            return None
        nextmove, rows = model["nextmove"], model["nextmove_row"]
        return LanguageIdentifier(model["ptc"], model["pc"], model["classes"].tolist(), _stdlib_array(nextmove),
                                  model["out_feat"].tolist(), tk_row=_stdlib_array(rows))


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    identifier = _compact_identifier(COMPACT_MODEL)
    if identifier is None:
        identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
        identifier.set_languages(LANGUAGES)
    return identifier


@lru_cache(maxsize=4096)
def _langid(text: str) -> str:
    return str(_identifier().classify(text)[0])
