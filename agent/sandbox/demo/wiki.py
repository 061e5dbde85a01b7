"""Confluence for the demo: the Operations space with its parents, and one space per
pack that writes pages (INC, PS, SUP, CLI), with incident logs the agent appends to.

Bodies are storage format (checked by the sandbox like Confluence does) and use
the pieces people meet in real spaces: headings, lists, tables, links, the
``jira``, ``status``, ``chart``, ``info`` and ``children`` macros.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from xml.sax.saxutils import escape

from agent.sandbox.confluence import content as wiki
from agent.sandbox.confluence import metadata
from agent.sandbox.context import SandboxContext
from agent.sandbox.demo.organisation import email_of
from agent.sandbox.demo.timeline import Timeline, days, hours, minutes

SPACES: tuple[tuple[str, str, str], ...] = (
    ("OPS", "Operations", "How we run escalations and incidents; the agent's default space."),
    ("INC", "Incidents", "Incident logs and incident summaries (procedure 000)."),
    ("PS", "Professional Services", "PS escalations and lessons learned (procedure 001)."),
    ("SUP", "Operator Support", "Support post-mortems (procedure 002)."),
    ("CLI", "Client Communication", "Incident response reports (procedure 004)."),
)
LOG_COLUMNS = (
    "Date",
    "Issue",
    "Summary",
    "Severity",
    "Time to acknowledge",
    "Time to resolve",
    "Assignee",
    "Root cause",
    "Summary page",
)
CHILDREN = '<ac:structured-macro ac:name="children" ac:schema-version="2" />'


def jira_macro(key: str) -> str:
    return (
        '<ac:structured-macro ac:name="jira" ac:schema-version="1">'
        f'<ac:parameter ac:name="key">{escape(key)}</ac:parameter></ac:structured-macro>'
    )


def status_macro(title: str, colour: str) -> str:
    return (
        '<ac:structured-macro ac:name="status" ac:schema-version="1">'
        f'<ac:parameter ac:name="colour">{colour}</ac:parameter>'
        f'<ac:parameter ac:name="title">{escape(title)}</ac:parameter></ac:structured-macro>'
    )


def table(header: tuple[str, ...], rows: list[list[str]]) -> str:
    """A storage table; cells are storage fragments (escape text before passing it)."""
    head = "".join(f"<th><p>{escape(h)}</p></th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td><p>{c}</p></td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tbody><tr>{head}</tr>{body}</tbody></table>"


def page_link(space: str, title: str) -> str:
    return (
        f'<ac:link><ri:page ri:space-key="{escape(space)}" '
        f'ri:content-title="{escape(title, {chr(34): "&quot;"})}" /></ac:link>'
    )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _log_row(key_cell: str, summary: str, **cells: str) -> list[str]:
    return [
        cells["date"],
        key_cell,
        escape(summary),
        cells["severity"],
        cells["ack"],
        cells["resolve"],
        escape(cells["assignee"]),
        escape(cells["cause"]),
        cells.get("page", "<em>To be completed by the PM.</em>"),
    ]


def script_wiki(ctx: SandboxContext, timeline: Timeline) -> None:
    """Schedule the spaces, parents and pages of the demo."""
    for key, name, description in SPACES:
        timeline.at(days(60), partial(_space, ctx, key, name, description))
    timeline.at(days(59), lambda: _operations(ctx, timeline))
    timeline.at(days(45), lambda: _parents(ctx))
    timeline.at(days(40), lambda: _incident_logs(ctx, timeline))
    timeline.at(days(3) - minutes(30), lambda: _log_inc2(ctx, timeline))


def _space(ctx: SandboxContext, key: str, name: str, description: str) -> None:
    space = wiki.create_space(ctx, key, name, description, author=ctx.users.admin())
    home = wiki.get_page(ctx, space["homepageId"])
    assert home is not None
    body = f"<h1>{escape(name)}</h1><p>{escape(description)}</p>{CHILDREN}"
    wiki.update_page(ctx, home["id"], 2, storage_body=body, author_email=email_of("pmo"))


def _create(ctx: SandboxContext, space: str, title: str, body: str, parent: str | None) -> str:
    parent_id = None
    if parent is not None:
        found = wiki.find_page(ctx, space, parent)
        if found is None:
            raise KeyError(f"no parent page {parent!r} in {space}")
        parent_id = found["id"]
    else:
        found_space = wiki.get_space(ctx, space)
        assert found_space is not None
        parent_id = found_space["homepageId"]
    page = wiki.create_page(ctx, space, title, body, parent_id, email_of("pmo"))
    return str(page["id"])


def _operations(ctx: SandboxContext, timeline: Timeline) -> None:
    _create(ctx, "OPS", "Incident logs", f"<p>Where every incident log lives.</p>{CHILDREN}", None)
    _create(ctx, "OPS", "Procedures", f"<p>The procedures the agent enforces.</p>{CHILDREN}", None)
    _create(ctx, "OPS", "Runbooks", f"<p>How-tos for on-call engineers.</p>{CHILDREN}", None)
    procedures = [
        [
            "Escalation procedure | Incidents",
            "INC",
            "#inc-project",
            status_macro("ACTIVE", "Green"),
        ],
        [
            "PM Escalation Tracking Process",
            "PS",
            "#ps-project-leadership",
            status_macro("ACTIVE", "Green"),
        ],
        [
            "Support Escalation Procedure",
            "SUP",
            "#operator-support (a thread per incident)",
            status_macro("ACTIVE", "Green"),
        ],
        ["DS ticket escalation", "DS", "#sre-escalations", status_macro("PILOT", "Yellow")],
        ["Client communication approach", "CLI", "#cli-status", status_macro("ACTIVE", "Green")],
    ]
    _create(
        ctx,
        "OPS",
        "Procedures at a glance",
        "<h2>Five procedures, one agent</h2>"
        "<p>Each procedure has a Jira project, a Slack channel and a <strong>policy pack</strong> "
        "in <code>rules/</code>. Questions: ask "
        '<a href="mailto:pmo@sandbox.example">the PMO</a>.</p>'
        + table(
            ("Procedure", "Jira project", "Slack", "Status"),
            [[escape(r[0]), *r[1:]] for r in procedures],
        )
        + "<h2>What the agent will not do</h2><ul><li>Judge whether a reason is valid.</li>"
        "<li>Join calls or write the customer e-mail.</li><li>Replace a cool head.</li></ul>",
        "Procedures",
    )
    chart = (
        '<ac:structured-macro ac:name="chart" ac:schema-version="1">'
        '<ac:parameter ac:name="title">Incidents per month</ac:parameter>'
        '<ac:parameter ac:name="type">bar</ac:parameter><ac:rich-text-body>'
        + table(
            ("Month", "INC", "SUP", "CLI"),
            [["September", "3", "5", "2"], ["October", "4", "2", "1"], ["November", "2", "3", "2"]],
        )
        + "</ac:rich-text-body></ac:structured-macro>"
    )
    index_rows = [
        [
            page_link("INC", "INC Incident Log"),
            "Incidents (INC)",
            status_macro("KEPT BY AGENT", "Blue"),
        ],
        [
            page_link("INC", "Projects Incident Log"),
            "Every project",
            status_macro("KEPT BY AGENT", "Blue"),
        ],
    ]
    _create(
        ctx,
        "OPS",
        "Incident log index",
        '<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:rich-text-body>'
        "<p>Rows are added by escalation-agent when an incident is resolved; edit them freely."
        "</p></ac:rich-text-body></ac:structured-macro>"
        + table(("Log", "Covers", "Kept by"), index_rows)
        + "<h2>Trend</h2>"
        + chart,
        "Incident logs",
    )
    _create(
        ctx,
        "OPS",
        "On-call handbook",
        "<h2>When you are paged</h2><ol><li>Acknowledge in the ticket's channel within "
        "15 minutes.</li><li>Post an update every 30 minutes, saying when the next one comes."
        "</li><li>Hand over explicitly at the end of your shift.</li></ol>"
        "<p>Out of hours, the CTO and account managers are paged directly "
        f"(see {jira_macro('INC-2')}).</p>",
        "Runbooks",
    )


def _parents(ctx: SandboxContext) -> None:
    for space, parents in (
        ("INC", ("Incident logs", "Incident summaries")),
        ("PS", ("Escalations", "Lessons learned")),
        ("SUP", ("Post-mortems",)),
        ("CLI", ("Incident response reports",)),
    ):
        for title in parents:
            _create(ctx, space, title, CHILDREN, None)


def _incident_logs(ctx: SandboxContext, timeline: Timeline) -> None:
    old = _log_row(
        "SHOP-118",
        "Image CDN outage on the storefront",
        date=_when(timeline.moment(days(41))),
        severity="Highest",
        ack="12m",
        resolve="1h 40m",
        assignee="Taras Bondar",
        cause="CDN certificate not renewed.",
        page=page_link("INC", "Incident summaries"),
    )
    intro = (
        "<p>Incident log kept by escalation-agent: one row per resolved incident. "
        "Rows are only ever added; edit them freely.</p>"
    )
    _create(ctx, "INC", "INC Incident Log", intro + table(LOG_COLUMNS, []), "Incident logs")
    _create(ctx, "INC", "Projects Incident Log", intro + table(LOG_COLUMNS, [old]), "Incident logs")
    for title in ("INC Incident Log", "Projects Incident Log"):
        page = wiki.find_page(ctx, "INC", title)
        assert page is not None
        metadata.add_labels(ctx, page["id"], ["incident-log"])


def _log_inc2(ctx: SandboxContext, timeline: Timeline) -> None:
    """The row for INC-2, added when it was resolved (as the agent adds rows)."""
    row = _log_row(
        jira_macro("INC-2"),
        "Checkout returns 500 for card payments",
        date=_when(timeline.moment(days(3) + hours(2))),
        severity="critical",
        ack="10m",
        resolve="1h 42m",
        assignee="Taras Bondar",
        cause="The payment provider rotated its TLS certificate chain.",
    )
    cells = "".join(f"<td><p>{c}</p></td>" for c in row)
    for title in ("INC Incident Log", "Projects Incident Log"):
        page = wiki.find_page(ctx, "INC", title)
        assert page is not None
        body = page["body"].replace("</tbody></table>", f"<tr>{cells}</tr></tbody></table>", 1)
        wiki.update_page(
            ctx,
            page["id"],
            page["version"]["number"] + 1,
            storage_body=body,
            author_email=email_of("agent"),
            message="escalation-agent: log INC-2",
        )
