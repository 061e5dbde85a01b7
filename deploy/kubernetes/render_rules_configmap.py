"""Refresh the escalation-agent-rules ConfigMap in configmap.yaml from rules/*.yaml.

    python deploy/kubernetes/render_rules_configmap.py          # rewrite configmap.yaml
    python deploy/kubernetes/render_rules_configmap.py --check  # exit 1 if it is stale

Everything above the marker line in configmap.yaml (the settings ConfigMap) is
kept as written; everything below it is generated, one key per policy pack.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

ROOT = Path(__file__).resolve().parents[2]
CONFIGMAP = Path(__file__).resolve().parent / "configmap.yaml"
MARKER = "# --- generated below by deploy/kubernetes/render_rules_configmap.py; do not edit ---\n"
HEADER = """\
# The policy packs, one key per file, mounted at /etc/escalation-agent/rules.
# A copy of rules/*.yaml: after editing rules/, run the script named above.
# Check a pack before rolling it out: escalation-agent check --offline
"""


def rules_document(rules_dir: Path) -> str:
    """The ConfigMap holding every ``*.yaml`` pack of ``rules_dir``, as YAML text."""
    packs = sorted(rules_dir.glob("*.yaml"))
    if not packs:
        raise SystemExit(f"no *.yaml policy packs in {rules_dir}")
    doc = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "escalation-agent-rules",
            "labels": {"app.kubernetes.io/name": "escalation-agent"},
        },
        "data": {p.name: LiteralScalarString(p.read_text(encoding="utf-8")) for p in packs},
    }
    yaml = YAML()
    yaml.width = 4096  # never fold a long line of a pack
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(doc, out)
    return HEADER + out.getvalue()


def rendered(current: str, rules_dir: Path) -> str:
    """``current`` with everything after the marker replaced by the packs' ConfigMap."""
    head, found, _ = current.partition(MARKER)
    if not found:
        raise SystemExit(f"{CONFIGMAP} has lost its marker line: {MARKER.strip()}")
    return head + MARKER + rules_document(rules_dir)


def main(argv: list[str]) -> int:
    current = CONFIGMAP.read_text(encoding="utf-8")
    wanted = rendered(current, ROOT / "rules")
    if argv == ["--check"]:
        if current != wanted:
            sys.stderr.write(f"{CONFIGMAP} is stale; run {Path(__file__).name}\n")
            return 1
        return 0
    CONFIGMAP.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
