"""Judge a replay (alerts.replay) against labelled windows: per window caught or missed and how early, every
false alarm with its time.

A windows file is JSON, either a plain list `[[start, end], ...]` (judges every alert of the rule) or an object
`{"<rule or brand name>": [[start, end], ...], ...}`: the rule's own name judges every alert of the rule, a brand
name the alerts of that brand; keys naming other rules or brands are left alone, so one file can serve several
rules. Times are ISO 8601 (naive ones are UTC). An alert counts once, at the instant it opened: one that opened
inside a window catches it (the earliest is reported), one that opened outside every window is a false alarm;
alerts of a brand the file has no windows for are not judged.
Which window an instant falls in is alerts.nab's matching, run over the replay's own step grid.
"""

from __future__ import annotations

import bisect
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from alerts import nab
from alerts.replay import Sent
from core.config import AlertRule, Config
from core.model import utc

Span = tuple[datetime, datetime]


@dataclass
class Labelled:
    """The windows that judge one series of the rule's alerts: one brand's, or (brand None) all of them."""

    name: str  # the key of the windows file it came from (the rule's name for a plain list)
    brand: str | None
    windows: list[Span]


@dataclass
class WindowResult:
    name: str
    start: datetime
    end: datetime
    status: str  # caught, missed, outside (not within the replayed instants: not counted)
    first_alert: datetime | None = None

    @property
    def minutes_after_start(self) -> float:
        assert self.first_alert is not None
        return (self.first_alert - self.start).total_seconds() / 60.0

    @property
    def share_of_window(self) -> float:
        assert self.first_alert is not None
        return (self.first_alert - self.start) / (self.end - self.start)


@dataclass
class WindowReport:
    windows: list[WindowResult] = field(default_factory=list)
    false_alarms: list[tuple[str, Sent]] = field(default_factory=list)


def parse_windows(text: str) -> dict[str | None, list[Span]]:
    """The windows of a windows file, by key (None for a plain list); ValueError saying what is wrong."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if isinstance(raw, list):
        return {None: _spans(raw, "the list")}
    if isinstance(raw, dict) and raw:
        return {str(key): _spans(value, repr(key)) for key, value in raw.items()}
    raise ValueError('expected [[start, end], ...] or {"<rule or brand>": [[start, end], ...]}')


def _spans(raw: Any, where: str) -> list[Span]:
    if not isinstance(raw, list):
        raise ValueError(f"{where}: expected a list of [start, end] pairs")
    spans = []
    for i, pair in enumerate(raw):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(t, str) for t in pair)):
            raise ValueError(f"{where}[{i}]: expected [start, end] as two ISO 8601 strings, got {pair!r}")
        try:
            start, end = (utc(datetime.fromisoformat(t)) for t in pair)
        except ValueError:
            raise ValueError(f"{where}[{i}]: not an ISO 8601 time in {pair!r}") from None
        if end <= start:
            raise ValueError(f"{where}[{i}]: the end is not after the start in {pair!r}")
        spans.append((start, end))
    spans.sort()
    for (_, end), (start, _) in itertools.pairwise(spans):
        if start <= end:
            raise ValueError(f"{where}: windows overlap around {start.isoformat()}")
    return spans


def labelled_for(windows: dict[str | None, list[Span]], rule: AlertRule, config: Config) -> list[Labelled]:
    """The windows that judge `rule`'s alerts: the plain list or the rule's own key, else its brands' keys."""
    if None in windows:
        return [Labelled(rule.name, None, windows[None])]
    if rule.name in windows:
        return [Labelled(rule.name, None, windows[rule.name])]
    brands = [rule.brand] if rule.brand else [b.name for b in config.brands]
    found = [Labelled(b, b, windows[b]) for b in brands if b in windows]
    if not found:
        keys = ", ".join(repr(k) for k in windows)
        raise ValueError(f"no windows for rule {rule.name!r} or its brands ({', '.join(brands)}); keys: {keys}")
    return found


def judge(sent: Sequence[Sent], labelled: Sequence[Labelled], instants: Sequence[datetime]) -> WindowReport:
    """Each window caught, missed or outside the replay; each opening outside every window a false alarm."""
    report = WindowReport()
    stamps = [t.isoformat() for t in instants]
    for series in labelled:
        openings = [s for s in sent if s.transition == "opened" and series.brand in (None, s.event.brand)]
        results: list[WindowResult] = []
        edges: list[tuple[int, int, WindowResult]] = []  # per replayable window: its first and last instant
        for start, end in series.windows:
            first, last = bisect.bisect_left(instants, start), bisect.bisect_right(instants, end) - 1
            inside = bool(instants) and instants[0] <= end and start <= instants[-1]
            results.append(WindowResult(series.name, start, end, "missed" if inside else "outside"))
            if first <= last:
                edges.append((first, last, results[-1]))
        scorer = nab.FileScorer(stamps, [(stamps[f], stamps[last]) for f, last, _ in edges], "standard")
        by_left_edge = {f: result for f, _, result in edges}
        position = {t: i for i, t in enumerate(instants)}
        for item in openings:
            left_edge = scorer.window_of[position[item.at]]
            if left_edge < 0:
                report.false_alarms.append((series.name, item))
            elif by_left_edge[left_edge].status != "caught":
                by_left_edge[left_edge].status, by_left_edge[left_edge].first_alert = "caught", item.at
        report.windows.extend(results)
    report.false_alarms.sort(key=lambda pair: pair[1].at)
    return report


def write_window_report(report: WindowReport, out: TextIO) -> None:
    """Text lines after the replay's JSON lines (which stay the only lines starting with '{'):
    `window caught|missed|outside series=... start=... end=...` (caught ones add first_alert, after_minutes and
    share_of_window), `false_alarm series=... at=... alert=... title=...`, then
    `windows caught n/m, false alarms k` (m leaves out the windows outside the replayed days)."""
    for w in report.windows:
        line = f"window {w.status} series={json.dumps(w.name)} start={w.start.isoformat()} end={w.end.isoformat()}"
        if w.first_alert is not None:
            line += (f" first_alert={w.first_alert.isoformat()} after_minutes={w.minutes_after_start:.0f}"
                     f" share_of_window={w.share_of_window:.0%}")
        elif w.status == "outside":
            line += " (not within the replayed days; not counted)"
        out.write(line + "\n")
    for name, item in report.false_alarms:
        out.write(f"false_alarm series={json.dumps(name)} at={item.at.isoformat()} alert={item.event.id}"
                  f" title={json.dumps(item.event.title, ensure_ascii=False)}\n")
    counted = [w for w in report.windows if w.status != "outside"]
    caught = sum(1 for w in counted if w.status == "caught")
    out.write(f"windows caught {caught}/{len(counted)}, false alarms {len(report.false_alarms)}\n")
