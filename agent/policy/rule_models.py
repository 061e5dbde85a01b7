"""One pydantic model per rule identifier; ``AnyRule`` is their union, tagged by ``rule:``."""

from __future__ import annotations

import functools
import typing
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Discriminator, Field

from agent.policy.types import (
    STRICT,
    Duration,
    LocalTime,
    NotifyTarget,
    Regex,
    RoleRef,
    Weekday,
)


class Strict(BaseModel):
    model_config = STRICT


class ChainStep(Strict):
    after: Duration
    to: list[str] = []
    notify: list[NotifyTarget] = []
    then: str | None = None


class RuleBase(Strict):
    name: str | None = None
    to: list[str] = []
    notify: list[NotifyTarget] = []
    severities: list[str] = []
    urgent: bool = False
    template: str | None = None

    @property
    def kind(self) -> str:
        """The rule's identifier (its ``rule:``): the name its kind has in the catalogue."""
        return kind_name(type(self))

    @property
    def ident(self) -> str:
        return self.name or self.kind


@functools.cache
def kind_name(model: type[RuleBase]) -> str:
    """The ``rule:`` identifier a rule model is tagged with (its one ``Literal`` value)."""
    field = model.model_fields.get("rule")
    names = typing.get_args(field.annotation) if field is not None else ()
    if len(names) != 1 or not isinstance(names[0], str):
        raise TypeError(f"{model.__name__} needs a field rule: Literal['<identifier>']")
    return names[0]


class Repeating(RuleBase):
    """A rule whose overdue items repeat in one thread and escalate along a chain.

    ``chain`` lists steps inline; ``chain_ref`` names one of the policy's ``chains``;
    ``warn_before`` gives the same audience a heads-up that long before each deadline.
    """

    repeat: Duration | None = None
    chain: list[ChainStep] = []
    chain_ref: str | None = None
    warn_before: Duration | None = None


class IntakeMissingFields(Repeating):
    rule: Literal["intake_missing_fields"]
    fields: list[str] = Field(min_length=1)
    within: Duration | None = None


class IntakeRejected(RuleBase):
    rule: Literal["intake_rejected"]
    field: str
    values: list[str] = Field(min_length=1)
    remove_label: str | None = None


ReportItem = Literal[
    "title", "product impacted", "description", "impact", "severity", "time", "evidence"
]


class SlackIntake(RuleBase):
    """Reports made in a shared Slack channel become Jira tickets (procedure 002)."""

    rule: Literal["slack_intake"]
    channel: str = Field(pattern=r"^#[a-z0-9_-]{1,80}$")
    project: str = Field(min_length=1)
    issue_type: str = "Task"
    labels: list[str] = []
    ask_for: list[ReportItem] = [
        "title",
        "product impacted",
        "description",
        "impact",
        "severity",
        "time",
        "evidence",
    ]
    lookback: Duration = timedelta(days=3)
    copy_replies: bool = True
    open_threads: bool = True


class ClericalPriority(RuleBase):
    rule: Literal["clerical_priority"]
    priority: str


class ClericalLabel(RuleBase):
    rule: Literal["clerical_label"]
    label: str


class ClericalChannel(RuleBase):
    rule: Literal["clerical_channel"]
    invite: list[str] = []
    always_include: list[RoleRef] = []
    announce_on_ticket: bool = True
    announce_in: list[NotifyTarget] = []
    # Slack removes everyone from an archived channel and a bot token cannot unarchive
    # it, so the default opens a successor; "unarchive" asks first (a user token may).
    archived: Literal["unarchive", "replace"] = "replace"


class LimitBase(RuleBase):
    max: int = Field(ge=1)
    hold_label: str = "escalation-held"


class LimitDaily(LimitBase):
    rule: Literal["limit_daily"]


class LimitActive(LimitBase):
    rule: Literal["limit_active"]


class LimitAssignee(LimitBase):
    rule: Literal["limit_assignee"]


class AckOverdue(Repeating):
    rule: Literal["ack_overdue"]
    within: Duration
    by: list[str] = []


class EstimateMissing(Repeating):
    rule: Literal["estimate_missing"]
    within: Duration | None = None


class ProgressOverdue(Repeating):
    rule: Literal["progress_overdue"]
    within: Duration
    by: list[str] = ["assignee"]


class CallNeeded(RuleBase):
    rule: Literal["call_needed"]
    after: Duration
    by: list[str] = ["assignee"]
    participants: list[str] = Field(min_length=1)


class AfterHoursPage(RuleBase):
    rule: Literal["after_hours_page"]


class EscalationAlert(RuleBase):
    rule: Literal["escalation_alert"]
    mention: list[str] = []
    pin: bool = False


Visibility = Literal["any", "public"]


class UpdateOverdue(Repeating):
    """Updates at an interval (``every``) or at local times (``at``), by the update roles."""

    rule: Literal["update_overdue"]
    visibility: Visibility = "any"
    every: Duration | None = None
    at: list[LocalTime] = []
    grace: Duration | None = None
    window: Duration | None = None
    clock: Literal["wall", "business"] = "wall"
    by: list[str] = []


class UpdateNextMissing(RuleBase):
    rule: Literal["update_next_missing"]
    visibility: Visibility = "any"
    pattern: Regex = r"(?i)\bnext update\b"
    by: list[str] = []


class EodUpdateOverdue(Repeating):
    rule: Literal["eod_update_overdue"]
    visibility: Visibility = "any"
    at: LocalTime
    grace: Duration | None = None
    window: Duration | None = None
    by: list[str] = []


class Sev1SetupMissing(Repeating):
    rule: Literal["sev1_setup_missing"]
    within: Duration
    fields: list[str] = []
    milestones: bool = True


class Sev1DailyUpdate(Repeating):
    rule: Literal["sev1_daily_update"]
    visibility: Visibility = "any"
    at: LocalTime
    grace: Duration | None = None
    window: Duration | None = None
    by: list[str] = []


class Sev2WeeklyUpdate(Repeating):
    rule: Literal["sev2_weekly_update"]
    visibility: Visibility = "any"
    weekday: Weekday
    at: LocalTime
    pattern: Regex | None = None
    by: list[str] = []


class SeverityUpgrade(RuleBase):
    rule: Literal["severity_upgrade"]
    field: str
    equals: str
    from_level: str
    to_level: str
    set_field: str | None = None
    add_label: str | None = None
    remove_label: str | None = None


class ClosureMissingFields(Repeating):
    rule: Literal["closure_missing_fields"]
    fields: list[str] = Field(min_length=1)
    after_field: str | None = None
    within: Duration | None = None


class PostmortemDue(Repeating):
    rule: Literal["postmortem_due"]
    within: Duration
    fields: list[str] = []
    space: str
    title: str = "Post-mortem {key}: {summary}"
    done_status: list[str] = Field(default=["DONE"], min_length=1)
    page_template: str | None = None


class PageRule(RuleBase):
    space: str
    title: str
    parent: str | None = None
    fields: list[str] = []


class IncidentSummary(PageRule):
    rule: Literal["incident_summary"]


class ResponseReport(PageRule):
    rule: Literal["response_report"]


class LessonsLearned(PageRule):
    rule: Literal["lessons_learned"]


# The columns of the shipped row template (templates/confluence/incident_log_row.xml.j2),
# in its order: the header row of a new log page.
INCIDENT_LOG_COLUMNS = (
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


class IncidentLog(RuleBase):
    rule: Literal["incident_log"]
    space: str
    pages: list[str] = Field(min_length=1)
    fields: list[str] = []
    columns: list[str] = Field(default=list(INCIDENT_LOG_COLUMNS), min_length=1)


class PmoNotify(RuleBase):
    rule: Literal["pmo_notify"]


class PmWatcher(RuleBase):
    rule: Literal["pm_watcher"]
    role: str


class StakeholderSummary(RuleBase):
    rule: Literal["stakeholder_summary"]
    weekday: Weekday
    at: LocalTime


class WeeklyDigest(RuleBase):
    rule: Literal["weekly_digest"]
    weekday: Weekday
    at: LocalTime
    space: str | None = None
    title: str = "Weekly escalation digest {policy} {week}"
    parent: str | None = None


# The pages an escalation's Actions section (its Confluence task list) can live on.
FollowupPage = Literal["postmortem_due", "incident_summary", "lessons_learned", "response_report"]


class Followups(RuleBase):
    """Action items a person writes on the page must not be forgotten: tracked in Jira."""

    rule: Literal["followups"]
    page: FollowupPage | None = None
    project: str | None = None
    issue_type: str = "Task"
    labels: list[str] = Field(default=["follow-up"], min_length=1)
    link_type: str = "Relates"
    due_days: dict[str, int] = {}
    default_due_days: int = Field(default=10, ge=0)
    transition: str | None = Field(default=None, min_length=1)


class FollowupOverdue(Repeating):
    """Follow-ups are chased like the procedure's other deadlines."""

    rule: Literal["followup_overdue"]
    warn_before: Duration | None = None


AnyRule = Annotated[
    IntakeMissingFields
    | Followups
    | FollowupOverdue
    | IntakeRejected
    | SlackIntake
    | ClericalPriority
    | ClericalLabel
    | ClericalChannel
    | LimitDaily
    | LimitActive
    | LimitAssignee
    | AckOverdue
    | EstimateMissing
    | ProgressOverdue
    | CallNeeded
    | AfterHoursPage
    | EscalationAlert
    | UpdateOverdue
    | UpdateNextMissing
    | EodUpdateOverdue
    | Sev1SetupMissing
    | Sev1DailyUpdate
    | Sev2WeeklyUpdate
    | SeverityUpgrade
    | ClosureMissingFields
    | PostmortemDue
    | IncidentSummary
    | ResponseReport
    | LessonsLearned
    | IncidentLog
    | PmoNotify
    | PmWatcher
    | StakeholderSummary
    | WeeklyDigest,
    Discriminator("rule"),
]

RULE_NAMES: tuple[str, ...] = tuple(
    sorted(kind_name(m) for m in typing.get_args(typing.get_args(AnyRule)[0]))
)
