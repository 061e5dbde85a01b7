"""A starter policy from a bundled pack: its rules kept, its site's values made placeholders.

The bundled packs are examples: they name the demo organisation's people
(``email:oleh@sandbox.example``), Slack groups and channels, Confluence spaces
and Jira projects. ``starter_text`` keeps a pack's procedure (rules, cadences,
comments) and puts a ``<CHANGE ME: ...>`` placeholder (see ``placeholders``)
wherever a value is one site's: every ``email:``/``group:`` reference, every
``#channel``, every ``space`` and ``parent`` page, ``select.projects`` and the
Jira project a rule makes tickets in (``slack_intake``'s ``project``).
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from agent.policy.placeholders import MARK, placeholder

HEADER = """\
# Starter rules from the {pack} pack, written by 'escalation-agent init'.
# Every value that named the example organisation is now a "{mark}" placeholder
# in angle brackets: replace each with your site's own (people, Slack groups and channels,
# Confluence spaces and pages, Jira projects). 'escalation-agent check --offline'
# names the file, line and key of each one left. The time zone, business hours and
# holidays are the example team's: make them yours too.
#
"""


def _quoted(what: str) -> DoubleQuotedScalarString:
    quoted: DoubleQuotedScalarString = DoubleQuotedScalarString(placeholder(what))
    return quoted


# What a list of references is for, by its key (a role's key is the role's name).
_PURPOSE = {
    "notify": "to post in",
    "announce_in": "to announce in",
    "always_include": "always included",
    "project": "of the project",
}


def _site_value(value: str, key: str) -> DoubleQuotedScalarString | None:
    """The placeholder for a reference that names one site's people or channels, if it is one."""
    purpose = _PURPOSE.get(key, f"for {key}")
    if value.startswith("email:"):
        return _quoted(f"a person {purpose}, e.g. email:someone@your-company.com")
    if value.startswith("group:"):
        return _quoted(f"a Slack user group {purpose}, e.g. group:@your-team")
    if value.startswith("#"):
        return _quoted(f"a Slack channel {purpose}, e.g. #incidents")
    return None


def _replace(node: Any, key: str) -> Any:
    """``node`` with site values replaced (in place for mappings and sequences)."""
    if isinstance(node, CommentedMap):
        for name in list(node):
            child = str(name)
            if child == "space" and isinstance(node[name], str):
                node[name] = _quoted("your Confluence space key, e.g. OPS")
            elif child == "parent" and isinstance(node[name], str):
                node[name] = _quoted("the title of an existing page in that space")
            elif child == "project" and isinstance(node[name], str) and node.get("rule"):
                node[name] = _quoted(
                    f"the Jira project key tickets are made in (the example used {node[name]})"
                )
            else:
                node[name] = _replace(node[name], child)
        return node
    if isinstance(node, CommentedSeq):
        for index, item in enumerate(node):
            node[index] = _replace(item, key)
        return node
    if isinstance(node, str):
        found = _site_value(node, key)
        return found if found is not None else node
    return node


def starter_text(pack_text: str, pack: str) -> str:
    """The starter policy for ``pack`` (its file text), with placeholders and a header."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line of a pack
    yaml.indent(mapping=2, sequence=4, offset=2)
    document = yaml.load(pack_text)
    if not isinstance(document, CommentedMap):
        raise ValueError(f"{pack} is not a policy mapping")
    _replace(document, "")
    select = document.get("select")
    if isinstance(select, CommentedMap) and isinstance(select.get("projects"), CommentedSeq):
        projects = select["projects"]
        for index, example in enumerate(projects):
            projects[index] = _quoted(f"your Jira project key (the example used {example})")
    out = io.StringIO()
    yaml.dump(document, out)
    return HEADER.format(pack=pack, mark=MARK) + out.getvalue()
