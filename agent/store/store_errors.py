"""Errors the state store raises: each says what went wrong and what to do about it."""

from __future__ import annotations


class StoreError(Exception):
    """The state database cannot be used as asked (bad URL, unreachable, too new...).

    The message names the database (password hidden) and a next step, because the
    person reading it is usually an operator with a broken ``AGENT_STATE_URL``.
    """


class UnknownEffectError(StoreError, KeyError):
    """An effect key was finished or failed without ever being begun."""

    def __str__(self) -> str:
        # KeyError would repr() the message; show it as written.
        return str(self.args[0]) if self.args else ""


class ClaimLostError(StoreError):
    """A worker tried to settle an effect that another worker now holds.

    This happens when a claim expired mid-effect (slow call, paused process) and
    another replica took the effect over: that replica reconciles it against the
    external system's markers, so the late worker must not record anything.
    """
