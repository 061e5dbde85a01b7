"""Reading the services for the planner: tickets, channel messages, pages, follow-ups.

Nothing here writes to Jira, Slack or Confluence; what it keeps (snapshots, the chat
cache, sync cursors, channel ids) goes to the state store. It never imports
:mod:`agent.runtime.act`: the cycle in :mod:`agent.runtime` uses both.
"""
