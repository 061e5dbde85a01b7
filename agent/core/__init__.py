"""The pure policy engine: (tickets, stored state, now, policies) -> planned actions.

Nothing in this package does I/O or reads the wall clock; adapters fetch the
tickets and execute the plan.
"""
