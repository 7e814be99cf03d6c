"""Progress for long work, on stderr: a live line on a terminal, a line every few seconds otherwise."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, label: str, *, total: int | None = None, unit: str = "items", every: float = 2.0) -> None:
        self.label, self.total, self.unit, self.every = label, total, unit, every
        self.count = 0
        self._started = self._last = time.monotonic()
        self._tty = sys.stderr.isatty()

    def advance(self, n: int = 1) -> None:
        self.count += n
        now = time.monotonic()
        if now - self._last >= (0.2 if self._tty else self.every):
            self._last = now
            self._print(end="\r" if self._tty else "\n")

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def done(self) -> None:
        if self.count:
            self._print(end="\n")

    def _print(self, end: str) -> None:
        elapsed = max(time.monotonic() - self._started, 1e-9)
        of = f"/{self.total}" if self.total else ""
        sys.stderr.write(f"{self.label}: {self.count}{of} {self.unit} ({self.count / elapsed:,.0f}/s){end}")
        sys.stderr.flush()
