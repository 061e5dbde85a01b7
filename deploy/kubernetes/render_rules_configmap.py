"""Put your policy files into the escalation-agent-rules ConfigMap in configmap.yaml.

    python deploy/kubernetes/render_rules_configmap.py path/to/your/rules  # your rules
    python deploy/kubernetes/render_rules_configmap.py                     # the starters
    python deploy/kubernetes/render_rules_configmap.py --check             # exit 1 if stale

As shipped, the ConfigMap holds starters of the five example packs (what
``escalation-agent init`` writes): every site-specific value is a
``<CHANGE ME: ...>`` placeholder, so an agent deployed without your own rules
stops at start naming each one, instead of acting on the example organisation.
Everything above the marker line in configmap.yaml (the settings ConfigMap) is
kept as written; everything below it is generated, one key per policy file.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from agent.policy.starter import starter_text
from agent.resources import bundled_rules_dir

CONFIGMAP = Path(__file__).resolve().parent / "configmap.yaml"
MARKER = "# --- generated below by deploy/kubernetes/render_rules_configmap.py; do not edit ---\n"
HEADER = """\
# The policy files, one key per file, mounted at /etc/escalation-agent/rules.
# {what}
# Check them before rolling out: escalation-agent check --offline
"""
STARTERS = (
    "As shipped: starters of the example packs, each site value a <CHANGE ME: ...> placeholder;\n"
    "# the agent refuses to start until they are yours. Put your rules here with:\n"
    "# python deploy/kubernetes/render_rules_configmap.py path/to/your/rules"
)
YOURS = "From {folder}; after editing them, run this script again."


def starter_files() -> dict[str, str]:
    """The shipped content: ``init``'s starter of every bundled pack."""
    packs = sorted(bundled_rules_dir().glob("*.yaml"))
    return {p.name: starter_text(p.read_text(encoding="utf-8"), p.stem) for p in packs}


def folder_files(rules_dir: Path) -> dict[str, str]:
    packs = sorted(rules_dir.glob("*.yaml"))
    if not packs:
        raise SystemExit(f"no *.yaml policy files in {rules_dir}")
    return {p.name: p.read_text(encoding="utf-8") for p in packs}


def rules_document(files: dict[str, str], what: str) -> str:
    """The ConfigMap holding ``files`` (name -> text), as YAML text."""
    doc = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "escalation-agent-rules",
            "labels": {"app.kubernetes.io/name": "escalation-agent"},
        },
        "data": {name: LiteralScalarString(text) for name, text in files.items()},
    }
    yaml = YAML()
    yaml.width = 4096  # never fold a long line of a policy
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(doc, out)
    return HEADER.format(what=what) + out.getvalue()


def rendered(current: str, rules_dir: Path | None = None) -> str:
    """``current`` with everything after the marker replaced by the rules' ConfigMap."""
    head, found, _ = current.partition(MARKER)
    if not found:
        raise SystemExit(f"{CONFIGMAP} has lost its marker line: {MARKER.strip()}")
    if rules_dir is None:
        return head + MARKER + rules_document(starter_files(), STARTERS)
    return head + MARKER + rules_document(folder_files(rules_dir), YOURS.format(folder=rules_dir))


def main(argv: list[str]) -> int:
    current = CONFIGMAP.read_text(encoding="utf-8")
    if argv == ["--check"]:
        if current != rendered(current):
            sys.stderr.write(f"{CONFIGMAP} is stale; run {Path(__file__).name}\n")
            return 1
        return 0
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        sys.stderr.write(__doc__ or "")
        return 2
    CONFIGMAP.write_text(rendered(current, Path(argv[0]) if argv else None), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
