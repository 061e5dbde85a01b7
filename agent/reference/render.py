"""Assemble ``docs/rules.md`` from the policy models, the packs and the rule handlers.

The output depends only on the code and ``rules/``: no dates, no absolute paths,
every list in a fixed order, so a stale copy shows up as a plain diff.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from agent.adapters.slack_port import EVENT_TYPE_PREFIX, event_type_for
from agent.core.actions import DUE_SOON_EVENT
from agent.core.rules.catalogue import CATALOGUE
from agent.core.templates import kind_templates
from agent.policy.rule_models import ChainStep, Repeating, RuleBase
from agent.policy.schema import (
    AfterHoursSpec,
    BusinessHoursSpec,
    ChannelsSpec,
    FieldSeverity,
    HolidaySpec,
    Policy,
    Select,
    SeveritySpec,
    UpdatesSpec,
)
from agent.reference.descriptions import VALUE_TYPES
from agent.reference.introspect import (
    Pack,
    Param,
    key_usage,
    load_packs,
    model_doc,
    pack_templates,
    params_of,
    rule_usage,
)
from agent.resources import bundled_rules_dir

COMMAND = "python -m agent.reference > docs/rules.md"
# The policy's nested sections, documented one table each.
SECTIONS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("select", Select),
    ("severity", SeveritySpec),
    ("severity.field", FieldSeverity),
    ("business_hours", BusinessHoursSpec),
    ("holidays", HolidaySpec),
    ("channels", ChannelsSpec),
    ("updates", UpdatesSpec),
    ("after_hours", AfterHoursSpec),
    ("chain_step", ChainStep),
)
# Top-level keys whose value is described by a section of another name.
_SECTION_OF = {"chains": "chain_step"}
_SECTION_LEADS = {
    "chain_step": "One step of a rule's `chain:` or of a named chain under `chains:`.",
}
_SECTION_NAMES = frozenset(title for title, _ in SECTIONS)
_BASE_FIELDS = frozenset(RuleBase.model_fields) | {"rule"}
_REPEATING_FIELDS = frozenset(Repeating.model_fields) - frozenset(RuleBase.model_fields)


def render_reference(rules_dir: Path | None = None) -> str:
    """The whole reference as Markdown; ``rules_dir`` defaults to the bundled packs."""
    packs = load_packs(rules_dir or bundled_rules_dir())
    parts = [
        _intro(packs),
        _policy_file(packs),
        _value_types(),
        _common_parameters(),
        _rules(packs),
        _slack_metadata(),
    ]
    return "\n\n".join(part.strip("\n") for part in parts) + "\n"


def rule_models() -> dict[str, type[BaseModel]]:
    """Each rule identifier's model, from the catalogue."""
    return {kind.name: kind.model for kind in CATALOGUE}


def family_of(rule: str) -> str:
    """The family a rule kind is documented in (declared with the kind)."""
    return CATALOGUE.get(rule).family.key


def _intro(packs: list[Pack]) -> str:
    names = ", ".join(f"`{p.file}`" for p in packs)
    return f"""# Policy reference

<!-- Generated from the policy schema by `{COMMAND}`. Do not edit by hand. -->

A policy file is one YAML mapping describing one procedure: which Jira tickets
it governs, who plays which role, its business calendar, and the rules the
agent enforces. `AGENT_RULES` names one file or a folder of `*.yaml` files.
Unknown keys are errors; every error names the file, line and key
(`escalation-agent check` shows them all at once).

This reference is generated from the pydantic models in `agent/policy/` and
the packs shipped in `rules/` ({names}).

- [The policy file](#the-policy-file)
- [Value types](#value-types)
- [Parameters every rule takes](#parameters-every-rule-takes)
- [Rules](#rules)
- [Slack message metadata](#slack-message-metadata)"""


def _policy_file(packs: list[Pack]) -> str:
    usage = key_usage(packs)
    rows = []
    for param in params_of(Policy):
        files = usage.get(param.name, [])
        used = "all" if len(files) == len(packs) else ", ".join(_stem(f) for f in files) or "—"
        allowed = _allowed(param)
        target = _SECTION_OF.get(param.name, param.name)
        if target in _SECTION_NAMES:
            allowed = f"see [`{target}`](#{target})"
        row = [f"`{param.name}`", param.type, param.default, allowed, used]
        rows.append([*row, param.description])
    out = [
        "## The policy file",
        model_doc(Policy),
        _table(["key", "type", "default", "allowed", "set by packs", "meaning"], rows),
    ]
    for title, model in SECTIONS:
        lead = model_doc(model) or _SECTION_LEADS.get(title, "")
        out += [f"### `{title}`", lead, _param_table(params_of(model))]
    return _join(out)


def _value_types() -> str:
    rows = [[f"{name}", text] for name, text in VALUE_TYPES]
    return _join(["## Value types", _table(["type", "written as"], rows)])


def _common_parameters() -> str:
    return _join(
        [
            "## Parameters every rule takes",
            "`rule:` names the rule (one of the identifiers below); these keys are "
            "accepted by every rule, though not every rule uses `to:` and `notify:`.",
            _param_table(params_of(RuleBase)),
            "**Fallback chains.** A message is always meant for someone: when nobody plays "
            "any of the roles in `to:` on a ticket, the policy's `fallback:` chain is walked "
            "and the first role somebody plays is told instead (default `[reporter, "
            "assignee]`, so a DS escalation naming no initiator asks its reporter). A "
            "`jira` target is posted on the ticket whatever the audience.",
            "### Repeating rules",
            model_doc(Repeating)
            + " An item is nudged once when it falls due; with `repeat:` the nudge is "
            "repeated in the same Slack thread; each chain step fires once, after its "
            "`after:`; when the item is met the thread is marked done.",
            _param_table(params_of(Repeating, skip=frozenset(RuleBase.model_fields))),
        ]
    )


def _rules(packs: list[Pack]) -> str:
    usage = rule_usage(packs)
    overrides = pack_templates(packs)
    names = sorted(CATALOGUE.names)
    by_family: dict[str, list[str]] = {}
    for name in names:
        by_family.setdefault(family_of(name), []).append(name)
    glance = [
        [f"[`{name}`](#{name})", title, ", ".join(_stem(f) for f in usage.get(name, [])) or "—"]
        for family, title in ((f.key, f.title) for f in CATALOGUE.families())
        for name in by_family.get(family, [])
    ]
    out = [
        "## Rules",
        f"{len(names)} rule identifiers, by family. Rules run per ticket unless said "
        "otherwise; a ticket held by a limit or rejected at intake is left to the rules "
        "that say they still run.",
        _table(["rule", "family", "used by packs"], glance),
    ]
    for family in CATALOGUE.families():
        out += [f"### {family.title}", family.blurb]
        out += [
            _rule_section(name, usage.get(name, []), overrides.get(name, []))
            for name in by_family.get(family.key, [])
        ]
    return _join(out)


def _templates_line(name: str, overrides: list[str]) -> str:
    """``Templates: `jira/nudge.j2`, `slack/nudge.j2`; ...``: what the rule renders by
    default (under ``templates/``), the engine's messages it can send, packs' own."""
    kind = CATALOGUE.get(name)
    own = ", ".join(f"`{path}`" for path in kind_templates(kind)) or "none"
    parts = [f"Templates: {own}"]
    if issubclass(kind.model, Repeating):
        parts.append(
            "and the engine's `escalate` (a chain step), `due_soon` (a `warn_before` "
            "heads-up) and `thread_done`, in `jira/` and `slack/`"
        )
    if overrides:
        parts.append(f"a shipped pack's own instead: {', '.join(overrides)}")
    return "*" + "; ".join(parts) + ".*"


def _rule_section(name: str, files: list[str], overrides: list[str]) -> str:
    kind = CATALOGUE.get(name)
    model = kind.model
    facts = ["Runs per ticket" if kind.per_ticket else "Runs once per policy, across its tickets"]
    if kind.runs_while_held:
        facts.append("still runs on held and rejected tickets")
    if issubclass(model, Repeating):
        facts.append("repeating: takes `repeat`, `chain`, `chain_ref`, `warn_before`")
    if kind.keeps_items_when_closed:
        facts.append("its open items survive resolution")
    used = ", ".join(f"`{f}`" for f in files) if files else "no shipped pack"
    params = params_of(model, skip=_BASE_FIELDS | _REPEATING_FIELDS, rule=name)
    return _join(
        [
            f"#### `{name}`",
            kind.description or "_Not described yet._",
            model_doc(model),
            f"*{'; '.join(facts)}. Used by: {used}.*",
            _templates_line(name, overrides),
            _param_table(params) if params else "No parameters of its own.",
        ]
    )


def _slack_metadata() -> str:
    rows = [[f"`{name}`", f"`{event_type_for(name)}`"] for name in CATALOGUE.names]
    return _join(
        [
            "## Slack message metadata",
            "Every Slack message the agent posts carries "
            "[message metadata](https://api.slack.com/metadata), so that after a crash "
            "the agent finds what it already posted instead of posting it again:",
            "```json\n"
            '{"event_type": "' + EVENT_TYPE_PREFIX + '<rule>",\n'
            ' "event_payload": {"issue": "<Jira key, empty for policy-wide posts>",\n'
            '                   "rule": "<rule identifier>",\n'
            '                   "key": "<the action\'s unique key>"}}\n'
            "```",
            "`key` starts with the rule's `name:` (or its identifier). The event type "
            "of each rule (rules that only change Jira or Confluence never post):",
            _table(["rule", "event_type"], rows),
            "A heads-up before a deadline (`warn_before:`) is the event `"
            + event_type_for(DUE_SOON_EVENT)
            + "` whichever rule it warns for; its `event_payload.rule` names that rule "
            "and `event_payload.issue` the ticket, and its `key` ends in `:soon#<where>`.",
        ]
    )


# -- Markdown helpers -----------------------------------------------------------


def _param_table(params: Iterable[Param]) -> str:
    rows = [[f"`{p.name}`", p.type, p.default, _allowed(p), p.description] for p in params]
    return _table(["parameter", "type", "default", "allowed", "meaning"], rows)


def _allowed(param: Param) -> str:
    return param.allowed or "—"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or "—"


def _stem(file: str) -> str:
    return file.removesuffix(".yaml")


def _join(parts: list[str]) -> str:
    return "\n\n".join(p for p in parts if p)
