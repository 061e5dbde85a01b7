"""The ``demo`` seed: a small organisation a new user recognises.

People (a CTO, account managers, PMs, a PMO, Dev Support engineers and crew
leads, support staff, an operator's contact, someone without Slack and someone
who left), one Jira project per procedure with the custom fields the packs
read, 36 tickets with histories, the Slack channels and user groups the packs
post to, and Confluence spaces with the parents and incident logs they use.

Everything is dated relative to the sandbox clock at seeding time (set the
clock first for a scripted demo) and is deterministic: no randomness.
"""

from __future__ import annotations

from agent.sandbox.context import SandboxContext
from agent.sandbox.demo.jira_setup import create_projects_and_fields, schedule_ticket
from agent.sandbox.demo.organisation import USER_GROUPS, create_people, deactivate_leavers, slack_id
from agent.sandbox.demo.slack_data import script_slack
from agent.sandbox.demo.slack_script import SlackScript
from agent.sandbox.demo.tickets_ds_cli import CLI_TICKETS, DS_TICKETS
from agent.sandbox.demo.tickets_inc_ps import INC_TICKETS, PS_TICKETS
from agent.sandbox.demo.tickets_sup import SUP_TICKETS
from agent.sandbox.demo.timeline import Timeline
from agent.sandbox.demo.wiki import script_wiki
from agent.sandbox.slack import workspace as slack_model

ALL_TICKETS = INC_TICKETS + PS_TICKETS + SUP_TICKETS + DS_TICKETS + CLI_TICKETS

__all__ = ["ALL_TICKETS", "seed_demo"]


def seed_demo(ctx: SandboxContext) -> None:
    """Create the demo organisation's people, projects, tickets, Slack and Confluence."""
    with ctx.store.lock:
        create_people(ctx)
        for handle, name, members, description in USER_GROUPS:
            slack_model.create_usergroup(
                ctx, handle, name, [slack_id(ctx, m) for m in members], description
            )
        create_projects_and_fields(ctx)
        timeline = Timeline(ctx, ctx.clock.now())
        for spec in ALL_TICKETS:
            schedule_ticket(ctx, timeline, spec)
        script_slack(SlackScript(ctx, timeline))
        script_wiki(ctx, timeline)
        timeline.run()
        deactivate_leavers(ctx)
