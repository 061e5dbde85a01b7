"""Which loaded policy files are the bundled example packs, unchanged.

They name the demo organisation (its people, Slack groups and channels,
Confluence spaces, Jira project keys), so ``run`` writes with them only to the
sandbox (``agent.runtime.site_identity``). A file counts as an example when it
lies in the bundled folder or has a bundled pack's exact text (a copy made
with ``cp``); a pack a team has edited, or a starter from ``init`` with its
placeholders filled, is theirs.
"""

from __future__ import annotations

from pathlib import Path

from agent.resources import bundled_rules_dir


def policy_files(path: Path) -> list[Path]:
    """The files ``load_policies(path)`` reads: one file, or a folder's ``*.yaml``."""
    if path.is_dir():
        return sorted(path.glob("*.yaml"))
    return [path] if path.is_file() else []


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\r\n", "\n").strip()


def example_files(path: Path) -> list[Path]:
    """The files under ``path`` that are bundled example packs, unchanged."""
    bundled = bundled_rules_dir()
    texts = {_text(p) for p in bundled.glob("*.yaml")}
    return [
        file
        for file in policy_files(path)
        if file.resolve().parent == bundled or _text(file) in texts
    ]
