"""Time keeping on the ground floor: the business calendar, wall-clock slots and durations.

The policy describes its calendar with these and the core reasons with them, so
they sit below both and import nothing else of ``agent``.
"""
