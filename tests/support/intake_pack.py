"""The support pack (procedure 002) run the way the procedure reads: one shared Slack channel.

The shipped pack still opens a channel per ticket; this is the same pack with intake from
``#operator-support`` (``slack_intake``), nudges in the incident's thread
(``incident_thread``) and no per-ticket channel, for the tests of ``slack_intake``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from agent.policy import Policy, load_policy_text
from agent.resources import bundled_rules_dir

CHANNEL = "#operator-support"


def support_with_intake_text() -> str:
    pack: dict[str, Any] = yaml.safe_load(
        (bundled_rules_dir() / "support-p1-p4.yaml").read_text(encoding="utf-8")
    )
    pack.pop("channels", None)
    rules = [r for r in pack["rules"] if r["rule"] != "clerical_channel"]
    for rule in rules:
        if rule.get("notify") == ["escalation_channel"]:
            rule["notify"] = ["incident_thread"]
    pack["rules"] = [{"rule": "slack_intake", "channel": CHANNEL, "project": "SUP"}, *rules]
    return yaml.safe_dump(pack, sort_keys=False)


def support_with_intake() -> Policy:
    return load_policy_text(support_with_intake_text(), "support-p1-p4.yaml")


def write_support_with_intake(folder: Path) -> Path:
    path = folder / "support-p1-p4.yaml"
    path.write_text(support_with_intake_text(), encoding="utf-8")
    return path
