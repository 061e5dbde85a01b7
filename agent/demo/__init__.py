"""``escalation-agent demo``: one simulated working day of the five procedures, offline.

The sandbox runs in-process with the ``demo`` seed; the agent runs real cycles
against it while a script moves the clock and makes people act, so every pack
shows its rules firing. Nothing here is used by ``run``.
"""
