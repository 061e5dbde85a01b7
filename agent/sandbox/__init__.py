"""A local stand-in for Jira, Confluence and Slack that speaks their REST APIs.

It is the agent's embedded default and its test bed: the real client libraries
talk to it over HTTP with only the base URLs and tokens changed.
"""
