"""Whether another agent process has ended: the one probe behind claim and lease takeover.

Only processes of this host can be checked (``os.kill(pid, 0)``); a process on
another host, or one this process may not signal, counts as running, so its
claim or lease is waited out rather than taken.
"""

from __future__ import annotations

import os
import socket


def has_ended_here(host: str, pid_text: str) -> bool:
    """True when ``host`` is this host and no process ``pid_text`` runs on it."""
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
