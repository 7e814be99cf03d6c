"""Speed work must not change what `ascolto classify` writes: this writes a fixed input of mixed Italian and
English mentions from ../shared/data (every dataset, some with the source's language given) plus awkward inputs
(empty, emoji only, URLs only, long runs, HTML, lone surrogates, other languages), classifies it with the
checkout in `--repo` (default: this one), and compares the output byte for byte with `--expect`, or writes it.

    python benchmarks/classify_identical.py --write /tmp/before.jsonl --repo /tmp/main-checkout
    python benchmarks/classify_identical.py --expect /tmp/before.jsonl

Last line: `classify_identical: yes` or `classify_identical: no (N lines differ)`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nlp import datasets  # noqa: E402

AWKWARD = [
    "", " ", "😀😀😀", "👍", "https://example.com/x?y=1", "@brand #hashtag", "!!!!!!!!", "?" * 3000,
    "a" * 5000, "<b>ciao</b> &amp; grazie", "\ud800 lone surrogate", "Bonjour, je suis très déçu du service",
    "Hola, el pedido no ha llegado", "Der Zug ist wieder zu spät", "12345 678", "NON FUNZIONA NIENTE!!!",
    "quando arriva il mio rimborso? aspetto da 2 mesi", "how do I change my flight?", "ok", "grazie mille 🙏",
    "l'ordine non è arrivato, l'app dice consegnato", "can't log in to the app since the update :(",
]


def mentions(per_set: int) -> list[dict[str, object]]:
    data = datasets.DEFAULT_DATA
    sets = [datasets.airline(data), datasets.complaints(data), datasets.sentipolc(data),
            datasets.multiemotions(data), datasets.agencies(data), datasets.qa4faq(data),
            datasets.brand_care("it"), datasets.brand_care("en")]
    out: list[dict[str, object]] = []
    for examples in sets:
        step = max(1, len(examples) // per_set)
        for example in examples[::step][:per_set]:
            record: dict[str, object] = {"id": len(out), "text": example.text}
            if len(out) % 3 == 0:  # a third say their language, as a source may
                record["lang"] = example.lang
            out.append(record)
    out += [{"id": len(out) + i, "text": text} for i, text in enumerate(AWKWARD)]
    return out


def classify(repo: Path, records: list[dict[str, object]]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        source, output = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(repo), "OMP_NUM_THREADS": "1"}
        subprocess.run([sys.executable, "-m", "ascolto", "classify", "--input", str(source), "--output",
                        str(output)], cwd=repo, env=env, check=True, capture_output=True)
        return output.read_bytes()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout whose `ascolto classify` to run")
    parser.add_argument("--per-set", type=int, default=600, help="mentions from each dataset")
    parser.add_argument("--write", type=Path, help="write the output here")
    parser.add_argument("--expect", type=Path, help="compare the output with this file")
    args = parser.parse_args()
    records = mentions(args.per_set)
    got = classify(args.repo.resolve(), records)
    print(f"{len(records)} mentions classified by {args.repo}")
    if args.write:
        args.write.write_bytes(got)
    if args.expect:
        want = args.expect.read_bytes().splitlines()
        lines = got.splitlines()
        differ = [i for i, (a, b) in enumerate(zip(want, lines, strict=False)) if a != b]
        differ += list(range(min(len(want), len(lines)), max(len(want), len(lines))))
        for i in differ[:10]:
            print(f"line {i + 1}:\n  want {want[i] if i < len(want) else b''!r}\n  got  "
                  f"{lines[i] if i < len(lines) else b''!r}")
        print("classify_identical: yes" if not differ else f"classify_identical: no ({len(differ)} lines differ)")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
