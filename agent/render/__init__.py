"""Rendering templates for Confluence pages, Slack messages and Jira comments.

Untrusted ticket text is escaped for where it goes: XML for Confluence storage
format, mrkdwn for Slack, wiki markup for Jira.
"""
