"""Full analysis of a mention (language, brand queries, sentiment, complaint, intent, topics) in batch on one
core, as a ratio against a plain TF-IDF + logistic-regression predict on the same texts in the same run.

Last line: `nlp_full_analysis_vs_tfidf_lr_predict: RATIO` (higher is better; 1.0 = as fast as the baseline,
which does a single sentiment prediction and nothing else).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core, as measured

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from nlp import datasets, get_analyzer  # noqa: E402
from nlp.query import TextIndex, parse_query  # noqa: E402

QUERIES = ('(ritard* OR delay*) NEAR/3 (volo OR flight)', '"servizio clienti" OR "customer service" NOT spam',
           '#united OR @united OR rimbors* OR refund*')


def corpus(n: int) -> list[str]:
    texts = [e.text for e in datasets.airline(datasets.DEFAULT_DATA)]
    texts += [e.text for e in datasets.sentipolc(datasets.DEFAULT_DATA)]
    texts += [e.text for e in datasets.complaints(datasets.DEFAULT_DATA)]
    texts = texts[::2] + texts[1::2]  # interleave languages a little
    return (texts * (n // len(texts) + 1))[:n]


def best_of(rounds: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10_000, help="mentions per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = corpus(args.n)
    train = datasets.airline(datasets.DEFAULT_DATA)
    vectorizer = TfidfVectorizer()
    baseline = LogisticRegression(max_iter=1000).fit(vectorizer.fit_transform([e.text for e in train]),
                                                     [e.sentiment for e in train])
    analyzer = get_analyzer()
    queries = [parse_query(q) for q in QUERIES]
    analyzer.analyse(texts[:500])  # warm caches and imports

    def full() -> None:
        analyzer.analyse(texts)
        for text in texts:
            index = TextIndex.of(text)
            for query in queries:
                query.matches_index(index)

    base_seconds = best_of(args.rounds, lambda: baseline.predict(vectorizer.transform(texts)))
    full_seconds = best_of(args.rounds, full)
    print(f"mentions: {len(texts)}, best of {args.rounds} rounds")
    print(f"baseline TF-IDF + LR predict: {len(texts) / base_seconds:,.0f} mentions/s")
    print(f"full analysis (language, {len(queries)} queries, sentiment, complaint, intent, topics): "
          f"{len(texts) / full_seconds:,.0f} mentions/s")
    print(f"nlp_full_analysis_vs_tfidf_lr_predict: {base_seconds / full_seconds:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
