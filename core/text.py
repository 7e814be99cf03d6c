"""The one text folding and tokenizing, shared by every stage: `fold` (case and accents), `tokens` (the words a
query, a store's full-text index and a content fingerprint see), and the models' normalisation (the same function at
training and at prediction time).

Why each step: social text carries handles, URLs, numbers, HTML remnants and elongated words that are noise
for a linear model; negation flips the meaning of the words after it ("not happy"), so those words get a
`neg_` prefix (word features only; character n-grams see the raw normalised text).
"""

from __future__ import annotations

import html
import re
import unicodedata

MAX_MODEL_CHARS = 2_000  # the models read at most this much of a mention: bounded time per mention

_TAGS = re.compile(r"<[^>]{0,200}>")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_ELONGATED = re.compile(r"(\w)\1{2,}")
_SPACES = re.compile(r"\s+")
_EMOTICONS = (
    (re.compile(r"(?::|;|=)-?[)\]dDpP]|<3|\^\^|\^_\^"), " emo_pos "),
    (re.compile(r"(?::|;|=)'?-?[(\[/\\]|:-?\|"), " emo_neg "),
)
_WORD = re.compile(r"[#]?\w+|[!?]+|[^\w\s]", re.UNICODE)  # the models' tokens: words, !? runs, punctuation
_SIGNED_WORD = re.compile(r"([#@]?)(\w+)", re.UNICODE)  # a word, with the # or @ that may precede it
_PLAIN_WORD = re.compile(r"\w+", re.UNICODE)
_NEGATORS = frozenset((
    "not", "no", "never", "nor", "cannot", "cant", "dont", "didnt", "doesnt", "isnt", "wasnt", "wont", "arent",
    "havent", "hasnt", "couldnt", "shouldnt", "wouldnt",
    "non", "né", "mai", "nessuno", "niente", "nulla", "neanche", "nemmeno", "neppure", "senza",
))
# combining marks (accents) left by NFKD decomposition; one C-level pass instead of a Python loop per character
_CLAUSE_END = frozenset(".,;:!?")


def clean(text: object) -> str:
    """Any input (even non-str, lone surrogates, 1 MB) to a bounded, valid, NFC string."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text[: MAX_MODEL_CHARS * 4]
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")  # lone surrogates -> U+FFFD
    text = html.unescape(_TAGS.sub(" ", text)) if "<" in text or "&" in text else text
    return unicodedata.normalize("NFC", text)[:MAX_MODEL_CHARS]


def normalise(text: str) -> str:
    """Lowercased text with handles, URLs and numbers replaced by placeholders, elongations shortened."""
    text = _URL.sub(" _url_ ", text)
    text = _HANDLE.sub(" _user_ ", text)
    for pattern, token in _EMOTICONS:
        text = pattern.sub(token, text)
    text = text.casefold().replace("’", "'").replace("n't", "nt")
    text = _NUMBER.sub("0", text)
    text = _ELONGATED.sub(r"\1\1", text)
    return _SPACES.sub(" ", text).strip()


def word_tokens(normalised: str) -> list[str]:
    """Word tokens with negation scope marked until the end of the clause."""
    tokens: list[str] = []
    negated = False
    for token in _WORD.findall(normalised.replace("'", " ")):
        if token[0] in _CLAUSE_END:
            negated = False
            tokens.append(token[:2])
        elif token in _NEGATORS:
            negated = True
            tokens.append(token)
        else:
            tokens.append("neg_" + token if negated else token)
    return tokens


class _DropCombining(dict[int, int | None]):
    """A str.translate table that drops combining marks, filled in as characters are first met (C speed after)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_DROP_COMBINING = _DropCombining()


def drop_combining(text: str) -> str:
    """`text` without its combining marks (of a decomposed text: the accents), at C speed."""
    return text.translate(_DROP_COMBINING)


def fold(text: str) -> str:
    """Case- and accent-insensitive form (the query language's, the models' and the term counts' alike):
    casefolded, decomposed, combining marks dropped."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text.casefold()).translate(_DROP_COMBINING)


def signed_tokens(text: str) -> list[tuple[str, str]]:
    """(sign, word) pairs: the words of `text` (letters, digits, underscore), each with a leading '#' or '@' or ''."""
    return _SIGNED_WORD.findall(text)


def tokens(text: str, *, split_underscore: bool = False) -> list[str]:
    """The words of `text`; with `split_underscore`, letters and digits only (like FTS5's unicode61 tokenizer)."""
    words = _PLAIN_WORD.findall(text)  # the words _SIGNED_WORD finds, without building (sign, word) pairs
    if split_underscore:
        return [part for word in words for part in word.split("_") if part]
    return words
