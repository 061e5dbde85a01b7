"""``python -m agent.reference [RULES_DIR] > docs/rules.md``."""

from __future__ import annotations

import sys
from pathlib import Path

from agent.policy.errors import PolicyErrors
from agent.reference.render import render_reference


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        sys.stderr.write("usage: python -m agent.reference [RULES_DIR] > docs/rules.md\n")
        return 2
    try:
        text = render_reference(Path(argv[0]) if argv else None)
    except PolicyErrors as exc:
        sys.stderr.write(f"the policy packs do not load, so no reference was written:\n{exc}\n")
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
