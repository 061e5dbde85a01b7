"""Carrying out a plan's actions exactly once: the executor and a handler per action kind.

A cycle's writes to Jira, Slack and Confluence are made here, each under an idempotency
key in the store's effect log. It never imports :mod:`agent.runtime.read`: the cycle in
:mod:`agent.runtime` uses both.
"""
