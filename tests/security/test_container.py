"""The container image runs as a non-root user and bakes in no secret (read from the Dockerfile)."""

from __future__ import annotations

import re
import tomllib
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


def _pins() -> dict[str, str]:
    text = (DOCKERFILE.parent / "constraints.txt").read_text(encoding="utf-8")
    pins = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_the_image_is_reproducible_base_by_digest_and_every_package_pinned() -> None:
    instructions = parse(DOCKERFILE.read_text(encoding="utf-8"))
    text = DOCKERFILE.read_text(encoding="utf-8")
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, flags=re.MULTILINE)
    assert base and re.fullmatch(r"python:3\.11-slim-\w+@sha256:[0-9a-f]{64}", base.group(1))
    froms = [ins.argument for ins in instructions if ins.keyword == "FROM"]
    assert froms and all(f.startswith("${PYTHON_IMAGE} AS ") for f in froms)
    installs = [
        ins.argument for ins in instructions if "pip" in ins.argument and "install" in ins.argument
    ]
    assert installs and all("-c constraints.txt" in i for i in installs)
    assert any("PIP_CONSTRAINT=" in ins.argument for ins in instructions)  # the build backend too

    pins = _pins()
    project = tomllib.loads((DOCKERFILE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    for requirement in project["project"]["dependencies"]:
        name = re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0]
        assert re.sub(r"[-_.]+", "-", name).lower() in pins, f"{name} is not in constraints.txt"
    assert {"pip", "build", "setuptools", "wheel", "psycopg-binary"} <= set(pins)


def test_readme_states_the_image_size_and_how_it_was_estimated() -> None:
    readme = (DOCKERFILE.parent / "README.md").read_text(encoding="utf-8")
    assert re.search(r"image is about \d+ MB", readme)
    assert "not measured" in readme or "estimated" in readme
