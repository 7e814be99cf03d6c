"""How quickly the command line answers `ascolto --help` (and each `ascolto <command> --help`): the commands import
their stage only when they run, so printing help must not load scikit-learn, Scrapy or the web app.

Each figure is the median wall time of several runs of `python -m ascolto ... --help` in a fresh subprocess, beside
the median of `python -c pass` run the same way in the same process (the interpreter's own start-up). Target:
`ascolto --help` under 0.5 s absolute.

Last line: `cli_help_vs_python_startup: RATIO (MEDIAN s)` (lower is better; 1.0 = as quick as an empty Python).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ascolto.cli import COMMANDS  # noqa: E402  (a light import: command names and their modules only)

TARGET_SECONDS = 0.5


def median_seconds(command: list[str], runs: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per figure (the median is kept)")
    parser.add_argument("--commands", action="store_true", help="also time `ascolto <command> --help` for each")
    args = parser.parse_args()
    python = sys.executable
    baseline = median_seconds([python, "-c", "pass"], args.runs)
    print(f"python -c pass: {baseline:.3f} s (median of {args.runs})")
    if args.commands:
        for name in COMMANDS:
            seconds = median_seconds([python, "-m", "ascolto", name, "--help"], args.runs)
            print(f"ascolto {name} --help: {seconds:.3f} s")
    help_seconds = median_seconds([python, "-m", "ascolto", "--help"], args.runs)
    verdict = "under" if help_seconds < TARGET_SECONDS else "OVER"
    print(f"ascolto --help: {help_seconds:.3f} s ({verdict} the {TARGET_SECONDS} s target)")
    print(f"cli_help_vs_python_startup: {help_seconds / baseline:.2f} ({help_seconds:.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
