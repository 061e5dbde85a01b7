"""The template names the engine asks adapters to render (a contract with the renderers).

Message templates exist once per medium: ``jira/<name>.j2`` (wiki/ADF comment
body) and ``slack/<name>.j2`` (mrkdwn), because a rule's notify list decides
where a message goes. Pages are Confluence storage-format XML. Each rule kind
names its own in the catalogue (``RuleKind.templates`` and ``template_files``);
``docs/rules.md`` lists them per rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agent.core.rules.catalogue import CATALOGUE
from agent.core.rules.kind import RuleKind

# The engine's own messages (a chain step, a heads-up before a deadline, a thread marked
# done), sent for whichever rule's item they concern.
ENGINE_MESSAGES = frozenset({"due_soon", "escalate", "thread_done"})
# Templates a shipped pack names for itself (``page_template:``): a pack's own override
# of a generic page, extending it with the procedure's sections.
PACK_TEMPLATES = frozenset({"confluence/postmortem_support.xml.j2"})


def message_names() -> frozenset[str]:
    """Every message template name (without medium) the engine or a rule kind names."""
    named = {name for kind in CATALOGUE for name in kind.templates}
    return ENGINE_MESSAGES | named


def media_paths(names: Iterable[str]) -> set[str]:
    """``nudge`` -> ``jira/nudge.j2`` and ``slack/nudge.j2``."""
    return {f"{medium}/{name}.j2" for medium in ("jira", "slack") for name in names}


def kind_templates(kind: RuleKind[Any]) -> list[str]:
    """The template paths a rule kind renders by default (not the engine's own), sorted."""
    return sorted(media_paths(kind.templates) | set(kind.template_files))


def all_templates() -> frozenset[str]:
    """Every template path a plan may name (policies can add their own via ``template:``)."""
    files = {path for kind in CATALOGUE for path in kind.template_files}
    return frozenset(media_paths(message_names()) | files | PACK_TEMPLATES)
