"""Named crash points on the alert path, for the tests that kill `ascolto run` at a precise step.

`ASCOLTO_CRASH_AT=alert-saved` (a comma-separated list of points) makes the process kill itself with SIGKILL
when it reaches that point: no cleanup, no finally blocks, as the OOM killer or a power cut would. Unset (the
normal case) a crash point costs one environment lookup.
"""

from __future__ import annotations

import os
import signal
import sys

POINTS = ("alert-saved", "incident-saved", "delivery-claimed", "delivery-sent")


def crash_point(name: str) -> None:
    wanted = os.environ.get("ASCOLTO_CRASH_AT")
    if wanted and name in wanted.split(","):
        sys.stderr.write(f"ascolto: crash point {name}: SIGKILL\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)
