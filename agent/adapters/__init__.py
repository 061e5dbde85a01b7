"""Thin adapters between the pure core and the Jira, Confluence and Slack client libraries."""
