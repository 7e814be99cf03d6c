"""`ascolto classify` wall throughput on N mentions, start-up included (a fresh process: imports, model and
static-vector loading, spaCy pipelines, language, sentiment, complaint, intent, topics, JSON out), on one core,
beside a plain TF-IDF + logistic-regression predict on the same texts (in process, start-up not counted).

Last line: `ascolto_classify_mentions_per_s: N` (higher is better; target >= 1,000).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core, as measured

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from nlp import datasets  # noqa: E402


def corpus(n: int) -> list[str]:
    data = datasets.DEFAULT_DATA
    texts = [e.text for e in datasets.airline(data)] + [e.text for e in datasets.sentipolc(data)]
    texts += [e.text for e in datasets.complaints(data)] + [e.text for e in datasets.multiemotions(data)]
    texts = texts[::2] + texts[1::2]  # interleave languages a little
    return (texts * (n // len(texts) + 1))[:n]


def classify_seconds(source: Path, output: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one `ascolto classify` process. CPU time (user + system) is printed too: on a
    machine shared with other work the wall time measures the neighbours as much as the analysis."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ascolto", "classify", "--input", str(source), "--output", str(output)],
                   cwd=REPO, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10_000, help="mentions")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    texts = corpus(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        source, output = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
        runs = [classify_seconds(source, output) for _ in range(args.rounds)]
        seconds, cpu = min(wall for wall, _ in runs), min(cpu for _, cpu in runs)
        assert len(output.read_text().splitlines()) == len(texts)
    train = datasets.airline(datasets.DEFAULT_DATA)
    vectorizer = TfidfVectorizer()
    baseline = LogisticRegression(max_iter=1000).fit(vectorizer.fit_transform([e.text for e in train]),
                                                     [e.sentiment for e in train])
    started, started_cpu = time.perf_counter(), time.process_time()
    baseline.predict(vectorizer.transform(texts))
    base_seconds, base_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(f"mentions: {len(texts)}, best of {args.rounds} runs")
    print(f"baseline TF-IDF + LR sentiment predict (in process, no start-up): "
          f"{len(texts) / base_seconds:,.0f} mentions/s; CPU time {base_cpu:.2f}s")
    print(f"ascolto classify, full analysis, wall with start-up: {seconds:.2f}s; CPU time {cpu:.2f}s "
          f"({len(texts) / cpu:.0f} mentions per CPU second); load average {os.getloadavg()[0]:.1f}")
    # CPU against CPU: on a loaded machine the wall-clock figures measure the neighbours as much as the code
    print(f"classify CPU time / baseline CPU time: {cpu / max(base_cpu, 1e-9):.1f}")
    print(f"ascolto_classify_mentions_per_s: {len(texts) / seconds:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
