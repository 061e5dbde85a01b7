"""The demo organisation's people and Slack user groups.

Emails are the contract with the policy packs (``oleh@``, ``alex@``, ``pmo@``...);
display names make the viewer and Slack read like a real company. One person
has no Slack account and one has left (deactivated after the history is
seeded), so the agent's "cannot reach" paths show up in a demo.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.sandbox.context import SandboxContext
from agent.sandbox.store import Doc

DOMAIN = "sandbox.example"
AGENT_EMAIL = f"agent@{DOMAIN}"


@dataclass(frozen=True)
class Person:
    handle: str  # the part before @, or a full address for outsiders
    name: str
    title: str
    slack: bool = True

    @property
    def email(self) -> str:
        return email_of(self.handle)


def email_of(handle: str) -> str:
    """``alex`` -> ``alex@sandbox.example``; full addresses pass through."""
    return handle if "@" in handle else f"{handle}@{DOMAIN}"


PEOPLE: tuple[Person, ...] = (
    Person("agent", "Escalation Agent", "The agent's Jira and Confluence account", slack=False),
    Person("oleh", "Oleh Petrenko", "CTO"),
    Person("alex", "Alex Morgan", "Account Manager"),
    Person("sophia", "Sophia Lee", "Account Manager"),
    Person("pmo", "Petra Moss", "PMO Manager"),
    Person("maria", "Maria Santos", "Project Manager (client projects)"),
    Person("priya", "Priya Nair", "Project Manager (PS)"),
    Person("tom", "Tom Becker", "Project Manager (PS)"),
    Person("diane", "Diane Foster", "Director of Professional Services"),
    Person("kevin", "Kevin Walsh", "PS Engagement Manager"),
    Person("taras", "Taras Bondar", "Backend developer"),
    Person("iryna", "Iryna Koval", "Frontend developer"),
    Person("dana", "Dana Kim", "Dev Support engineer"),
    Person("eli", "Eli Novak", "Dev Support engineer"),
    Person("farah", "Farah Haddad", "Dev Support engineer"),
    Person("grace", "Grace Liu", "Dev Support crew lead"),
    Person("henry", "Henry Adams", "Dev Support crew lead"),
    Person("ds-always-1", "Avery Stone", "SRE on-call (always included in DS escalations)"),
    Person("ds-always-2", "Blake Chen", "Product engineering lead (always included)"),
    Person("ines", "Ines Carvalho", "Customer Success Manager"),
    Person("jack", "Jack Murphy", "Client Services lead"),
    Person("support-lead", "Sam Rivera", "Support lead"),
    Person("lena", "Lena Vella", "Support engineer"),
    Person("marco", "Marco Borg", "Support engineer"),
    Person("nina@bundlebet.example", "Nina Schulz (BundleBet)", "Operator's trading manager"),
    Person("victor", "Victor Hale", "Contractor, Jira only", slack=False),
    Person("wendy", "Wendy Price", "Former account manager (left the company)"),
)

LEAVERS = ("wendy",)

# Slack user groups the packs name (group:@...), by handle of their members.
USER_GROUPS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("ps-leadership", "PS Leadership", ("diane", "kevin"), "Professional Services leadership"),
    (
        "gamnify-support",
        "Gamnify Support",
        ("support-lead", "lena", "marco"),
        "Operator support on duty",
    ),
    ("dev-support", "Dev Support", ("dana", "eli", "farah", "grace", "henry"), "DS engineers"),
)


def create_people(ctx: SandboxContext) -> None:
    for person in PEOPLE:
        ctx.users.create(person.name, person.email, slack=person.slack, title=person.title)


def person(ctx: SandboxContext, handle: str) -> Doc:
    doc = ctx.users.by_email(email_of(handle))
    if doc is None:
        raise KeyError(f"the demo has no person {handle!r}")
    return doc


def slack_id(ctx: SandboxContext, handle: str) -> str:
    value = person(ctx, handle).get("slackId")
    if not isinstance(value, str):
        raise KeyError(f"{handle!r} has no Slack account in the demo")
    return value


def deactivate_leavers(ctx: SandboxContext) -> None:
    """People who left: Jira and Slack keep their history but they can no longer act."""
    for handle in LEAVERS:
        doc = person(ctx, handle)
        doc["deleted"] = True
        doc["active"] = False
        ctx.users.store.put("user", doc["accountId"], doc)
