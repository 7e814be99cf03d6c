"""Who holds a claim: one process, named `host:pid:start` (the start time tells a reused pid apart).

The alert outbox's delivery claims (alerts/outbox.py) and the store's leases on sources and rules
(storage/leases.py) both name their holders this way, so a lease and a claim of one process read alike.
"""

from __future__ import annotations

import os
import socket


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc), which tells a reused pid apart."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def owner_token() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid) or ''}"


def owner_dead(token: str | None) -> bool:
    """True only when the owner is certainly gone: a process of this host that no longer runs."""
    if not token:
        return True
    try:
        host, pid_text, started = token.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    if host != socket.gethostname():
        return False  # cannot be checked from here: the lease decides
    if started and os.path.isdir("/proc"):
        return _start_time(pid) != started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
