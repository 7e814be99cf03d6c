"""sla_risk over simulated care teams (the simulator of tests/alerts/test_sla_risk.py), replayed as
`ascolto backtest --rule` replays it, on SQLite.

Falling behind: for each seed, two days of complaints (5 an hour by day, 0.5 at night) answered oldest first;
from 09:00 of the last day half as many complaints again arrive and each reply takes three times as long, from
13:00 a second agent halves the work. The last day is replayed: was the first warning before the first
complaint passed 60 minutes unanswered (and by how much), did anything open before 09:00, did it resolve after
13:00. Keeping up: three days of the normal team, the last two replayed: every message is a false alarm.

    .venv/bin/python benchmarks/sla_risk_sim.py [--seeds 20]   (about 10 s per seed on one core)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alerts.replay import replay
from storage import open_store
from tests.alerts.test_sla_risk import (
    BACK_FROM,
    LIMIT,
    NOW,
    RULES,
    SLOW_FROM,
    first_breach,
    make_config,
    simulate,
    store_of,
)


def behind(seed: int) -> dict[str, object]:
    sim = simulate(seed=seed, days=2, behind=True)
    limit = timedelta(minutes=LIMIT)
    breach = first_breach(sim) if any(sim.replied[c.id] > c.published_at + limit for c in sim.complaints) else None
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "m.sqlite3") as store:
        sent = replay(store_of(sim, store), make_config(RULES), "sla", days=1, now=NOW)
    opened = [s.at for s in sent if s.transition == "opened"]
    during = [at for at in opened if at >= SLOW_FROM]
    return {
        "breach": breach, "early_alarms": sum(1 for at in opened if at < SLOW_FROM),
        "lead_minutes": (breach - during[0]).total_seconds() / 60 if breach and during else None,
        "resolved_after_catch_up": any(s.transition == "resolved" and s.at > BACK_FROM for s in sent),
        "opened_without_breach": bool(during) and breach is None,
    }


def keeping_up(seed: int) -> int:
    sim = simulate(seed=seed, days=3, behind=False)
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "m.sqlite3") as store:
        return sum(1 for s in replay(store_of(sim, store), make_config(RULES), "sla", days=2, now=NOW)
                   if s.transition == "opened")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    rows = [behind(seed) for seed in range(1, args.seeds + 1)]
    breached = [r for r in rows if r["breach"] is not None]
    warned = [r for r in breached if r["lead_minutes"] is not None and r["lead_minutes"] > 0]  # type: ignore[operator]
    leads = sorted(float(r["lead_minutes"]) for r in warned)  # type: ignore[arg-type]
    print(f"falling behind: {len(breached)} of {len(rows)} seeds had a breach; warned before it in "
          f"{len(warned)}/{len(breached)}, lead minutes min {leads[0]:.0f} median {statistics.median(leads):.0f} "
          f"max {leads[-1]:.0f}" if leads else "falling behind: no warning before any breach")
    print(f"  resolved after the catch-up: {sum(1 for r in rows if r['resolved_after_catch_up'])}/{len(rows)}; "
          f"alarms before the slow-down: {sum(int(r['early_alarms']) for r in rows)}; "  # type: ignore[call-overload]
          f"warnings on seeds without a breach: {sum(1 for r in rows if r['opened_without_breach'])}")
    quiet = [keeping_up(seed) for seed in range(1, args.seeds + 1)]
    print(f"keeping up: {sum(quiet)} alerts opened over {2 * len(quiet)} replayed days ({len(quiet)} seeds)")


if __name__ == "__main__":
    main()
