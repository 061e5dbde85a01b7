"""Confluence before the first run: every parent page a rule writes under exists.

The agent would create a missing parent as an empty page at the top of the
space, so a misspelt ``parent:`` scatters pages where nobody looks for them;
``check`` fails instead, naming the policy that names it.
"""

from __future__ import annotations

from collections.abc import Iterator

from agent.adapters.confluence_adapter import ConfluenceAdapter
from agent.adapters.service_errors import ServiceError
from agent.policy.named import Named
from agent.preflight.result import CheckResult, failed, passed


def parent_checks(
    confluence: ConfluenceAdapter, named: Named, default_space: str
) -> Iterator[CheckResult]:
    """One line per parent page the policies name (``parent:`` of page and digest rules)."""
    for parent, uses in named.parents.items():
        space = parent.space or default_space
        name = f"confluence.parent {space}"
        try:
            found = confluence.find_page(space, parent.title)
        except ServiceError as exc:
            yield failed(name, f"page {parent.title!r} could not be looked up: {exc}")
            continue
        if found is None:
            yield failed(
                name,
                f"no page titled {parent.title!r} in space {space} (parent: of "
                f"{'; '.join(uses)}): create it, or fix parent: in the policy; the agent "
                "would otherwise create an empty page with that title at the top of the space",
            )
        else:
            yield passed(name, f"page {found.title!r} exists in space {space}")
