"""``escalation-agent init [DIR] --from PACK...``: a starter rules folder from bundled packs.

Each chosen pack is copied to ``DIR`` with every site-specific value made a
``<CHANGE ME: ...>`` placeholder (``agent.policy.starter``). ``check`` names
each placeholder left, and ``run`` and ``plan`` refuse the folder until none is.
Files that exist are never overwritten.

Exit codes: 0 written, 2 an unknown pack or a file that exists (nothing written).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from agent.policy.placeholders import MARK
from agent.policy.starter import starter_text
from agent.resources import bundled_rules_dir

EXIT_OK, EXIT_INVALID = 0, 2


def bundled_packs() -> dict[str, Path]:
    """The bundled packs by name (their file name without ``.yaml``)."""
    return {p.stem: p for p in sorted(bundled_rules_dir().glob("*.yaml"))}


def run_init(console: Console, args: argparse.Namespace) -> int:
    packs = bundled_packs()
    wanted = [name.removesuffix(".yaml") for name in args.packs]
    unknown = [name for name in wanted if name not in packs]
    if unknown:
        console.print(
            f"--from {', '.join(unknown)}: no such pack; choose from {', '.join(packs)}",
            markup=False,
        )
        return EXIT_INVALID
    folder = Path(args.dir)
    targets = {name: folder / f"{name}.yaml" for name in dict.fromkeys(wanted)}
    existing = [str(path) for path in targets.values() if path.exists()]
    if existing:
        console.print(
            f"{', '.join(existing)} already exist(s); nothing was written. "
            "Choose another folder or move them away.",
            markup=False,
        )
        return EXIT_INVALID
    folder.mkdir(parents=True, exist_ok=True)
    for name, path in targets.items():
        text = starter_text(packs[name].read_text(encoding="utf-8"), name)
        path.write_text(text, encoding="utf-8")
        left = text.count(f'"<{MARK}: ')  # each is a quoted value
        console.print(f"wrote {path} ({left} placeholder(s) to fill)", markup=False)
    console.print(
        f"Next: replace every <{MARK}: ...> with your site's value, then run "
        f"'escalation-agent check --offline' with AGENT_RULES={folder} (it names each one "
        "left), and 'escalation-agent plan' to see what the rules would do.",
        markup=False,
    )
    return EXIT_OK


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    parser = subparsers.add_parser(
        "init",
        parents=parents,
        help="write a starter rules folder from bundled packs, site values as placeholders",
        description=(
            "Copy the chosen bundled packs into DIR with every site-specific value (people, "
            "Slack groups and channels, Confluence spaces and pages, Jira projects) replaced "
            f"by a <{MARK}: ...> placeholder; 'check' names each one left. Existing files are "
            "never overwritten. Exit 0 written, 2 unknown pack or existing file."
        ),
    )
    parser.add_argument("dir", nargs="?", default="rules", metavar="DIR", help="default: rules")
    parser.add_argument(
        "--from",
        dest="packs",
        nargs="+",
        required=True,
        metavar="PACK",
        help="bundled packs to start from, e.g. incident-critical support-p1-p4",
    )
    parser.set_defaults(handler=run_init, needs_settings=False)
