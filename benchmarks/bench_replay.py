"""An unanswered_complaint replay judging "answered" as of each replayed instant, ÷ the same replay reading the
store as it is now (what the replay did before: a complaint answered after the instant counted as answered).

The store: 1,500 complaints over 10 days (one every 9.6 minutes), each answered after an exponential delay of
mean 40 minutes (so about one in five waits past the 60-minute limit); one day is replayed at 5-minute steps.
Besides the times, the messages each replay would have sent: the baseline sends none, every complaint being
answered by now (most of the extra time is the alert state those messages carry).

    .venv/bin/python benchmarks/bench_replay.py [--days 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alerts import replay as replaying
from storage import open_store
from tests.alerts.conftest import make_config, mention

NOW = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
RULES = [{"name": "late", "detector": "unanswered_complaint", "brand": "Velora", "limit_minutes": 60}]


class AsNow(replaying.ReplayState):
    """The baseline: every question is answered by the store as it is now."""

    def __setattr__(self, name: str, value: object) -> None:
        super().__setattr__(name, None if name == "at" else value)


def timed(store: object, days: float, state: type) -> tuple[float, int]:
    real = replaying.ReplayState
    replaying.ReplayState = state  # type: ignore[misc]
    try:
        start = time.perf_counter()
        sent = replaying.replay(store, make_config(RULES), "late", days=days, now=NOW)  # type: ignore[arg-type]
        return time.perf_counter() - start, len(sent)
    finally:
        replaying.ReplayState = real  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=float, default=1.0)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "m.sqlite3") as store:
        batch = []
        for k in range(1500):
            at = NOW - timedelta(days=10) + timedelta(minutes=k * 9.6)
            batch.append(mention(at, first_reply_at=at + timedelta(minutes=rng.expovariate(1 / 40))))
        store.upsert(batch)
        base, base_opened = timed(store, args.days, AsNow)
        as_of, opened = timed(store, args.days, replaying.ReplayState)
    print(f"replay of {args.days:g} d: as of each instant {as_of:.2f} s ({opened} messages); "
          f"store as now {base:.2f} s ({base_opened} messages)")
    print(f"ratio as-of/as-now: {as_of / base:.2f}")


if __name__ == "__main__":
    main()
