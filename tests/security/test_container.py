"""The container image runs as a non-root user and bakes in no secret (read from the Dockerfile)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from agent.config import SECRET_VARIABLES

DOCKERFILE = Path(__file__).resolve().parents[2] / "Dockerfile"
ROOT_NAMES = {"root", "0", "0:0", "root:root"}


@dataclass(frozen=True)
class Instruction:
    line: int
    keyword: str
    argument: str


def parse(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined and comments dropped."""
    found: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if not pending:
            start = number
        if stripped.startswith("#"):
            continue
        pending.append(stripped.removesuffix("\\").strip())
        if not stripped.endswith("\\"):
            keyword, _, argument = " ".join(pending).partition(" ")
            found.append(Instruction(start, keyword.upper(), argument.strip()))
            pending = []
    assert not pending, "the Dockerfile ends inside a continued line"
    return found


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    starts = [i for i, ins in enumerate(instructions) if ins.keyword == "FROM"]
    assert starts, "no FROM in the Dockerfile"
    return instructions[starts[-1] :]


def test_the_parser_joins_continuations_and_skips_comments() -> None:
    text = "# c\nFROM x AS y\nRUN a \\\n    && b\n# note\nUSER app\n"
    assert parse(text) == [
        Instruction(2, "FROM", "x AS y"),
        Instruction(3, "RUN", "a && b"),
        Instruction(6, "USER", "app"),
    ]


def test_the_runtime_stage_switches_to_a_non_root_user_after_every_install() -> None:
    stage = final_stage(parse(DOCKERFILE.read_text(encoding="utf-8")))
    users = [ins for ins in stage if ins.keyword == "USER"]
    assert users, "the runtime stage never leaves root: add USER <non-root user>"
    last_user = users[-1]
    assert last_user.argument.lower() not in ROOT_NAMES, last_user
    installs = [ins for ins in stage if ins.keyword in ("RUN", "COPY", "ADD")]
    assert installs and installs[-1].line < last_user.line, (
        f"line {installs[-1].line} ({installs[-1].keyword}) runs after USER on line "
        f"{last_user.line}: it would run as the unprivileged user, or USER comes too early"
    )
    assert stage[-1].keyword in ("CMD", "ENTRYPOINT") or any(
        ins.keyword == "ENTRYPOINT" for ins in stage
    )


def test_the_user_is_created_with_a_non_zero_uid() -> None:
    stage = final_stage(parse(DOCKERFILE.read_text(encoding="utf-8")))
    name = [ins for ins in stage if ins.keyword == "USER"][-1].argument.split(":")[0]
    created = " ".join(ins.argument for ins in stage if ins.keyword == "RUN")
    match = re.search(rf"useradd\b[^&;]*?--uid\s+(\d+)[^&;]*\b{re.escape(name)}\b", created)
    assert match, f"USER {name} is not created with useradd --uid in the runtime stage"
    assert int(match.group(1)) != 0


def test_no_secret_is_baked_into_the_image() -> None:
    instructions = parse(DOCKERFILE.read_text(encoding="utf-8"))
    for ins in instructions:
        if ins.keyword in ("ENV", "ARG"):
            for name in SECRET_VARIABLES:
                assert name not in ins.argument, f"line {ins.line}: {name} set in the image"
        if ins.keyword in ("COPY", "ADD"):
            assert ".env" not in ins.argument.split(), f"line {ins.line} copies a .env file"


def test_the_build_context_leaves_out_env_files() -> None:
    ignored = (DOCKERFILE.parent / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored
