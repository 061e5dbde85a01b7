"""The template names the engine asks adapters to render (a contract with the renderers).

Message templates exist once per medium: ``jira/<name>.j2`` (wiki/ADF comment
body) and ``slack/<name>.j2`` (mrkdwn), because a rule's notify list decides
where a message goes. Pages are Confluence storage-format XML.
"""

from __future__ import annotations

from agent.core.rules.catalogue import CATALOGUE

# The engine's own messages (a chain step, a heads-up before a deadline, a thread marked
# done); each rule kind names the rest in the catalogue (``RuleKind.templates``).
ENGINE_MESSAGES = frozenset({"due_soon", "escalate", "thread_done"})
# Messages that only make sense in Slack (the escalation channel's own intro, and the
# line a successor channel starts with).
SLACK_ONLY = frozenset({"channel_intro", "channel_successor", "slack_logged"})
# Messages that only make sense on a Jira issue: a note on a follow-up issue itself, a
# Slack report as a ticket's description and a reply from its thread copied to the ticket.
JIRA_ONLY = frozenset({"followup_note", "slack_report", "slack_copy"})
PAGES = frozenset(
    {
        "confluence/incident_log_row.xml.j2",
        "confluence/incident_summary.xml.j2",
        "confluence/lessons_learned.xml.j2",
        "confluence/postmortem.xml.j2",
        "confluence/response_report.xml.j2",
        "confluence/weekly_digest.xml.j2",
    }
)


def message_names() -> frozenset[str]:
    """Every message template name (without medium) the engine or a rule kind names."""
    named = {name for kind in CATALOGUE for name in kind.templates}
    return ENGINE_MESSAGES | named


def all_templates() -> frozenset[str]:
    """Every template path a plan may name (policies can add their own via ``template:``)."""
    messages = {f"{medium}/{name}.j2" for medium in ("jira", "slack") for name in message_names()}
    only = {f"slack/{name}.j2" for name in SLACK_ONLY} | {f"jira/{n}.j2" for n in JIRA_ONLY}
    return frozenset(messages) | only | PAGES
