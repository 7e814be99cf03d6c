"""What grouping alerts into incidents costs in one evaluation tick: `alerts.incidents.reconcile` (every brand's
incident brought up to its alerts) against the whole tick it is part of (`alerts.engine.evaluate`: detectors,
alert state, then that grouping), on the same embedded store in the same process, during a surge that three
detectors of two brands see. Best of several rounds of each (the machine is shared). Last line: the share of
the tick the grouping takes (lower is better)."""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench_alerts import _best  # noqa: E402  (the same best-of-N timer; benchmarks/ is on sys.path when run)

from alerts.engine import evaluate  # noqa: E402
from alerts.incidents import reconcile  # noqa: E402
from core.config import config_from_dict  # noqa: E402
from core.model import Mention  # noqa: E402
from storage import open_store  # noqa: E402

NOW = datetime(2026, 3, 10, 14, 50, tzinfo=UTC)
BRANDS = ("Velora", "Rimbors")


def _mentions() -> list[Mention]:
    out, n = [], 0
    for brand in BRANDS:
        for h in range(8 * 24):
            at = NOW - timedelta(days=8) + timedelta(hours=h)
            for k in range(8):
                n += 1
                complaint = k < 2
                out.append(Mention(id=f"m{n}", brands=[brand], source="b", platform="forum", text="consegna ordine",
                                   url=f"https://f.example/{n}", published_at=at + timedelta(minutes=5 + 7 * k),
                                   fetched_at=at, intent="complaint" if complaint else "other",
                                   sentiment="negative" if complaint else "neutral"))
        for m in range(1, 41):
            n += 1
            out.append(Mention(id=f"m{n}", brands=[brand], source="b", platform="forum", url=f"https://f.example/{n}",
                               text="rimborso negato #fail", published_at=NOW - timedelta(minutes=m), fetched_at=NOW,
                               intent="complaint", sentiment="negative"))
    return out


def main() -> None:
    config = config_from_dict({"brands": [{"name": b} for b in BRANDS], "alerts": [
        {"name": "spike", "detector": "volume_spike"},
        {"name": "negative", "detector": "negative_share", "metric": "negative", "window": "3h", "min_count": 10},
        {"name": "term", "detector": "emerging_term", "window": "3h"}]})
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "m.sqlite3") as store:
        store.upsert(_mentions())
        opened = evaluate(store, config, NOW)  # opens the alerts and the incidents; the timed rounds update them
        at = iter(NOW + timedelta(seconds=s) for s in range(1, 1000))
        tick = _best(lambda: evaluate(store, config, next(at)), repeats=7)
        grouping = _best(lambda: reconcile(store, config, next(at)), repeats=7)
    print(f"alerts {len(opened.alerts)}, incidents {len(opened.incidents)}; whole tick {tick * 1000:.1f} ms, "
          f"incident grouping {grouping * 1000:.1f} ms")
    print(f"ratio grouping/tick: {grouping / tick:.3f}")


if __name__ == "__main__":
    main()
