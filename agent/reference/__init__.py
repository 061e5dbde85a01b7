"""The policy reference (``docs/rules.md``), generated from the policy schema.

Regenerate with ``python -m agent.reference > docs/rules.md``; a test
fails while the checked-in copy differs from what the code produces.
"""

from agent.reference.render import COMMAND, render_reference

__all__ = ["COMMAND", "render_reference"]
