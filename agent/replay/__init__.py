"""Replay: a policy run over a window of real Jira history, writing nothing anywhere.

The core is pure (tickets + state + clock + policy -> actions), so the past can
be planned as if the agent had been running: each ticket is rebuilt at every
moment from its changelog (``past``), the planner runs over the window with an
in-memory state, each planned action taken as done when planned (``driver``),
and what the policy would have sent and how well its obligations were met are
written as JSON and as a page a PM can read (``outcome``, ``page``); the actions
are spooled and counted as they come (``tally``) and streamed into the JSON
(``report_file``), as a busy quarter plans hundreds of thousands. ``compare``
puts two rule sets side by side on the same history.

Reading goes through ``source``, whose ports have no write methods at all.
"""
