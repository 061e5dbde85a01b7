"""JQL over HTTP search: every field, operator and function the sandbox
supports, ordering, and the 400s for queries Jira would reject."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agent.sandbox.jira import seeding
from tests.sandbox.test_jira_fixtures import ALICE, BOB, START, Site, api, seed_site
from tests.support.sandbox import SandboxHandle

DAY = timedelta(days=1)


def _dataset(sandbox: SandboxHandle) -> Site:
    """Five issues with known fields and times; the clock ends at START (a Sunday, 09:00)."""
    site = seed_site(sandbox, frozen_at=START - 3 * DAY)
    ctx = sandbox.ctx
    f = site.fields
    alice, bob = site.account(ALICE), site.account(BOB)

    def create(at: timedelta, **fields: object) -> str:
        sandbox.set_clock(START - at)
        fields.setdefault("project", {"key": "INC"})
        fields.setdefault("issuetype", {"name": "Task"})
        return str(seeding.create_issue(ctx, dict(fields), ALICE)["key"])

    create(  # INC-1
        3 * DAY,
        summary="Database outage in checkout",
        priority={"name": "Highest"},
        labels=["db", "p1"],
        assignee={"accountId": bob},
        **{
            f["Impact Level"]: {"value": "High"},
            f["Escalation Reason"]: "Customers cannot pay",
            f["Escalation Contact"]: {"accountId": alice},
            f["Credits"]: 10,
            f["Tags"]: ["vip"],
            f["Time of Occurrence"]: "2026-11-19T08:00:00.000+0000",
        },
    )
    create(  # DS-1
        2 * DAY,
        project={"key": "DS"},
        summary="Escalation for ACME",
        priority={"name": "High"},
        labels=["p1"],
        assignee={"accountId": bob},
        **{f["Impact Level"]: {"value": "Low"}, f["Watch List"]: [{"accountId": alice}]},
    )
    create(  # INC-2
        timedelta(hours=1),
        summary="Slow search results",
        description="Index rebuild needed",
        labels=["search"],
    )
    create(  # INC-3
        timedelta(minutes=10),
        summary="Login failures for SSO users",
        priority={"name": "Low"},
        assignee={"accountId": alice},
        issuetype={"name": "Bug"},
    )
    create(  # INC-4
        timedelta(0),
        summary="Restore replica",
        priority={"name": "Lowest"},
        issuetype={"name": "Sub-task"},
        parent={"key": "INC-1"},
    )
    sandbox.set_clock(START - timedelta(minutes=30))
    seeding.transition(ctx, "INC-2", "Done", BOB)
    seeding.transition(ctx, "INC-3", "In Progress", ALICE)
    seeding.add_comment(ctx, "INC-3", "Rollback of the identity provider", BOB)
    sandbox.set_clock(START)
    return site


def _keys(sandbox: SandboxHandle, jql: str, email: str = ALICE) -> list[str]:
    response = api(
        sandbox, "GET", "search/jql", email=email, params={"jql": jql, "maxResults": 500}
    )
    assert response.status_code == 200, (jql, response.text)
    return [issue["key"] for issue in response.json()["issues"]]


def _check(sandbox: SandboxHandle, cases: dict[str, set[str]]) -> None:
    for jql, expected in cases.items():
        assert set(_keys(sandbox, jql)) == expected, jql


ALL = {"INC-1", "INC-2", "INC-3", "INC-4", "DS-1"}


def test_equality_and_lists_on_system_fields(sandbox: SandboxHandle) -> None:
    _dataset(sandbox)
    _check(
        sandbox,
        {
            "project = INC": ALL - {"DS-1"},
            "project != INC": {"DS-1"},
            "project in (INC, ds)": ALL,
            'project = "DS Escalations"': {"DS-1"},
            "key = INC-2": {"INC-2"},
            "issuekey in (INC-1, DS-1)": {"INC-1", "DS-1"},
            "key not in (INC-1, INC-2)": {"INC-3", "INC-4", "DS-1"},
            "status = Done": {"INC-2"},
            'status = "in progress"': {"INC-3"},
            'status in ("To Do", Done)': {"INC-1", "INC-2", "INC-4", "DS-1"},
            'status != "To Do"': {"INC-2", "INC-3"},
            "statusCategory = Done": {"INC-2"},
            'statusCategory = "In Progress"': {"INC-3"},
            "statusCategory in (new)": {"INC-1", "INC-4", "DS-1"},
            "issuetype = Bug": {"INC-3"},
            "type in (Task, Sub-task) and project = INC": {"INC-1", "INC-2", "INC-4"},
            "parent = INC-1": {"INC-4"},
            "resolution = Done": {"INC-2"},
            "resolution = Unresolved": ALL - {"INC-2"},
            "resolution is EMPTY": ALL - {"INC-2"},
            "resolution is not EMPTY": {"INC-2"},
            "labels = p1": {"INC-1", "DS-1"},
            "labels in (search, db)": {"INC-1", "INC-2"},
            "labels != p1": {"INC-2"},
            "labels not in (p1)": {"INC-2"},
            "labels is EMPTY": {"INC-3", "INC-4"},
            "labels in (search, EMPTY)": {"INC-2", "INC-3", "INC-4"},
            "labels = P1": {"INC-1", "DS-1"},
        },
    )


def test_priority_compares_by_rank(sandbox: SandboxHandle) -> None:
    _dataset(sandbox)
    _check(
        sandbox,
        {
            "priority = High": {"DS-1"},
            "priority = highest": {"INC-1"},
            "priority >= High": {"INC-1", "DS-1"},
            "priority > High": {"INC-1"},
            "priority <= Low": {"INC-3", "INC-4"},
            "priority < Medium": {"INC-3", "INC-4"},
            "priority in (Medium, Low)": {"INC-2", "INC-3"},
            "priority != Medium": {"INC-1", "INC-3", "INC-4", "DS-1"},
        },
    )


def test_users_and_current_user(sandbox: SandboxHandle) -> None:
    site = _dataset(sandbox)
    bob = site.account(BOB)
    _check(
        sandbox,
        {
            f"assignee = {bob}": {"INC-1", "DS-1"},
            f'assignee = "{BOB}"': {"INC-1", "DS-1"},
            'assignee = "Alice Example"': {"INC-3"},
            "assignee is EMPTY": {"INC-2", "INC-4"},
            "assignee is null": {"INC-2", "INC-4"},
            "assignee = EMPTY": {"INC-2", "INC-4"},
            "assignee is not EMPTY": {"INC-1", "INC-3", "DS-1"},
            f"assignee != {bob}": {"INC-3"},
            f"assignee in ({bob}, EMPTY)": {"INC-1", "INC-2", "INC-4", "DS-1"},
            f"assignee not in ({bob})": {"INC-3"},
            "reporter = currentUser()": ALL,
            "assignee = currentUser()": {"INC-3"},
        },
    )
    assert set(_keys(sandbox, "assignee = currentUser()", email=BOB)) == {"INC-1", "DS-1"}


def test_dates_relative_absolute_and_functions(sandbox: SandboxHandle) -> None:
    _dataset(sandbox)  # now: 2026-11-22 09:00 (Sunday)
    _check(
        sandbox,
        {
            "created >= -15m": {"INC-3", "INC-4"},
            "created > -2h": {"INC-2", "INC-3", "INC-4"},
            "created < -1d": {"INC-1", "DS-1"},
            "created <= -1w": set(),
            "created >= -1w": ALL,
            'created >= "2026-11-20"': ALL - {"INC-1"},
            'created <= "2026-11-20 09:00"': {"INC-1", "DS-1"},
            'created < "2026-11-20 09:00"': {"INC-1"},
            'created > "2026/11/20 09:00"': {"INC-2", "INC-3", "INC-4"},
            "created >= startOfDay()": {"INC-2", "INC-3", "INC-4"},
            "created >= startOfDay(-2d)": ALL - {"INC-1"},
            "created < startOfDay(-1)": {"INC-1", "DS-1"},
            "created <= endOfDay(-1d)": {"INC-1", "DS-1"},
            "created <= now()": ALL,
            "created > now()": set(),
            "created >= startOfWeek()": {"INC-2", "INC-3", "INC-4"},
            "created >= startOfMonth()": ALL,
            "created > endOfMonth(-1M)": ALL,
            "updated >= -30m": {"INC-2", "INC-3", "INC-4"},
            "resolutiondate >= -1h": {"INC-2"},
            "resolutiondate is EMPTY": ALL - {"INC-2"},
            "resolved is not EMPTY": {"INC-2"},
        },
    )


def test_text_search(sandbox: SandboxHandle) -> None:
    _dataset(sandbox)
    _check(
        sandbox,
        {
            "summary ~ checkout": {"INC-1"},
            "summary ~ CHECKOUT": {"INC-1"},
            'summary ~ "outage checkout"': {"INC-1"},
            'summary ~ "\\"outage in checkout\\""': {"INC-1"},
            'summary ~ "\\"checkout outage\\""': set(),
            "summary ~ failure": {"INC-3"},  # stemmed: failures
            "summary ~ fail*": {"INC-3"},
            "summary !~ checkout": ALL - {"INC-1"},
            "description ~ rebuild": {"INC-2"},
            "description is EMPTY": ALL - {"INC-2"},
            "comment ~ rollback": {"INC-3"},
            "text ~ rollback": {"INC-3"},
            "text ~ index": {"INC-2"},
            'text ~ "cannot pay"': {"INC-1"},  # a text custom field
        },
    )


def test_custom_fields_by_name_and_cf_id(sandbox: SandboxHandle) -> None:
    site = _dataset(sandbox)
    number = {name: field.split("_")[1] for name, field in site.fields.items()}
    alice = site.account(ALICE)
    _check(
        sandbox,
        {
            '"Impact Level" = High': {"INC-1"},
            f"cf[{number['Impact Level']}] = low": {"DS-1"},
            '"Impact Level" in (High, Low)': {"INC-1", "DS-1"},
            '"Impact Level" != High': {"DS-1"},
            '"Impact Level" is EMPTY': {"INC-2", "INC-3", "INC-4"},
            '"Escalation Reason" is not EMPTY': {"INC-1"},
            '"Escalation Reason" ~ customers': {"INC-1"},
            f"cf[{number['Escalation Reason']}] ~ pay": {"INC-1"},
            '"Escalation Contact" = currentUser()': {"INC-1"},
            f'"Escalation Contact" = {alice}': {"INC-1"},
            '"Watch List" = currentUser()': {"DS-1"},
            '"Watch List" is EMPTY': ALL - {"DS-1"},
            "Credits > 5": {"INC-1"},
            "Credits <= 5": set(),
            "Tags = vip": {"INC-1"},
            '"Time of Occurrence" < "2026-11-20"': {"INC-1"},
            '"Time of Occurrence" >= -1d': set(),
        },
    )


def test_boolean_logic_and_precedence(sandbox: SandboxHandle) -> None:
    _dataset(sandbox)
    _check(
        sandbox,
        {
            "project = DS or labels = search": {"DS-1", "INC-2"},
            "project = INC and labels = p1 or project = DS": {"INC-1", "DS-1"},
            "project = INC and (labels = p1 or priority = Low)": {"INC-1", "INC-3"},
            "project = INC and not labels = p1": {"INC-2", "INC-3", "INC-4"},
            'project = INC AND NOT (status = Done OR status = "In Progress")': {"INC-1", "INC-4"},
            "not assignee is EMPTY and project = INC": {"INC-1", "INC-3"},
            "project = INC && priority = Low || project = DS": {"INC-3", "DS-1"},
        },
    )


def test_order_by(sandbox: SandboxHandle) -> None:
    _dataset(sandbox)
    assert _keys(sandbox, "project in (INC, DS) ORDER BY created ASC") == [
        "INC-1",
        "DS-1",
        "INC-2",
        "INC-3",
        "INC-4",
    ]
    assert _keys(sandbox, "project = INC order by key desc") == ["INC-4", "INC-3", "INC-2", "INC-1"]
    assert _keys(sandbox, "project in (INC, DS) ORDER BY priority DESC") == [
        "INC-1",
        "DS-1",
        "INC-2",
        "INC-3",
        "INC-4",
    ]
    assert _keys(sandbox, "project = INC ORDER BY status ASC, key DESC") == [
        "INC-4",
        "INC-1",
        "INC-3",
        "INC-2",
    ]
    # empty values go last ascending
    assert _keys(sandbox, "project = INC ORDER BY assignee ASC, key ASC") == [
        "INC-3",
        "INC-1",
        "INC-2",
        "INC-4",
    ]
    assert _keys(sandbox, "project = INC ORDER BY summary")[0] == "INC-1"
    # selects sort by their option order (Low, Medium, High), not alphabetically
    assert _keys(sandbox, '"Impact Level" is not EMPTY ORDER BY "Impact Level"') == [
        "DS-1",
        "INC-1",
    ]
    assert _keys(sandbox, "key > INC-2") == ["INC-4", "INC-3"]
    assert _keys(sandbox, "key <= INC-2 ORDER BY key") == ["INC-1", "INC-2"]


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("project = ", "Error in the JQL Query: "),
        ("project = INC AND", "Error in the JQL Query: "),
        ("(project = INC", "Error in the JQL Query: "),
        ("project = INC)", "Error in the JQL Query: "),
        ("project ^ INC", "Error in the JQL Query: The character '^' is a reserved"),
        ("nosuch = 1", "Field 'nosuch' does not exist or you do not have permission to view it."),
        ('"No Such Field" = x', "Field 'No Such Field' does not exist"),
        ("cf[99999] = x", "Field 'cf[99999]' does not exist"),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("status = Closed", "The value 'Closed' does not exist for the field 'status'."),
        ("priority = Urgent", "The value 'Urgent' does not exist for the field 'priority'."),
        ("assignee = nobody@x.io", "The value 'nobody@x.io' does not exist for the field"),
        ("key = INC-99", "An issue with key 'INC-99' does not exist for field 'key'."),
        ('"Impact Level" = Huge', "The option 'Huge' for field 'Impact Level' does not exist."),
        ("summary = x", "The operator '=' is not supported by the 'summary' field."),
        ("status ~ Done", "The operator '~' is not supported by the 'status' field."),
        ("status > Done", "The operator '>' is not supported by the 'status' field."),
        (
            "created = currentUser()",
            "The field 'created' does not support the function 'currentUser'.",
        ),
        ("assignee = now()", "The field 'assignee' does not support the function 'now'."),
        ("created > nosuch()", "Unable to find JQL function 'nosuch()'."),
        ("created > tomorrow", "Date value 'tomorrow' for field 'created' is invalid."),
        ("project = INC ORDER BY text", "Field 'text' does not support sorting."),
        ("text = x", "The operator '=' is not supported by the 'text' field."),
    ],
)
def test_queries_jira_rejects_are_400(sandbox: SandboxHandle, jql: str, message: str) -> None:
    _dataset(sandbox)
    response = api(sandbox, "GET", "search/jql", params={"jql": jql})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["errors"] == {}
    assert body["errorMessages"][0].startswith(message), body["errorMessages"][0]


def test_keywords_are_case_insensitive_and_words_stay_words(sandbox: SandboxHandle) -> None:
    _dataset(sandbox)
    assert set(_keys(sandbox, "PROJECT = inc AnD Labels IN (p1) oRdEr By KEY")) == {"INC-1"}
    assert set(_keys(sandbox, 'Status IS NOT empty AND project = "DS"')) == {"DS-1"}
    # words that start with keywords ("orders", "android", "isolated") are values
    assert _keys(sandbox, "summary ~ android or summary ~ orders or summary ~ isolated") == []
