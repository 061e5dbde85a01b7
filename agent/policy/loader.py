"""Read policy files with ruamel.yaml (for line numbers) and validate them with pydantic.

Every problem becomes a PolicyError naming file, line and key; all problems of
all files are raised together as PolicyErrors.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from agent.policy.checks import Loc, check_policy
from agent.policy.errors import PolicyError, PolicyErrors
from agent.policy.placeholders import left_message, placeholders_in
from agent.policy.rule_models import RULE_NAMES, AnyRule
from agent.policy.schema import Policy


def load_policies(path: Path, default_zone: str = "UTC") -> list[Policy]:
    """Load one ``.yaml`` file or every ``*.yaml`` in a folder (sorted by file name).

    A policy that names no ``timezone:`` gets ``default_zone`` (``AGENT_TIMEZONE``).
    """
    if path.is_dir():
        files = sorted(path.glob("*.yaml"))
        if not files:
            raise PolicyErrors([PolicyError(str(path), None, "", "no *.yaml policy files here")])
    elif path.exists():
        files = [path]
    else:
        raise PolicyErrors([PolicyError(str(path), None, "", "no such file or folder")])
    policies: list[Policy] = []
    errors: list[PolicyError] = []
    seen: dict[str, str] = {}
    for file in files:
        try:
            policy = load_policy_text(file.read_text(encoding="utf-8"), str(file), default_zone)
        except PolicyErrors as exc:
            errors.extend(exc.errors)
            continue
        if policy.name in seen:
            errors.append(
                PolicyError(
                    str(file), None, "name", f"{policy.name!r} is also in {seen[policy.name]}"
                )
            )
        seen[policy.name] = str(file)
        policies.append(policy)
    if errors:
        raise PolicyErrors(errors)
    return policies


def load_policy_text(text: str, file: str = "<policy>", default_zone: str = "UTC") -> Policy:
    """One policy from its YAML text; ``timezone:`` defaults to ``default_zone``."""
    yaml = YAML(typ="rt")
    try:
        document = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = f"not valid YAML: {exc.problem or exc.context}"
        if "'\\t'" in message:
            message += "; indent with spaces, not tabs"
        started = exc.context_mark
        if exc.problem and exc.context and started is not None and started.line + 1 != line:
            # e.g. an unclosed [ is noticed lines later: point at where it began too
            message += f" ({exc.context} that starts on line {started.line + 1})"
        raise PolicyErrors([PolicyError(file, line, "", message)]) from exc
    if not isinstance(document, CommentedMap):
        raise PolicyErrors([PolicyError(file, 1, "", "a policy file must be a YAML mapping")])
    left = list(placeholders_in(document))
    if left:  # checked first: the example values they replace would validate
        raise PolicyErrors(
            [
                PolicyError(file, _line_of(document, loc), _key_path(loc), left_message(text))
                for loc, text in left
            ]
        )
    data = _plain(document)
    data.setdefault("timezone", default_zone)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        errors = _validation_errors(exc, document, file)
        errors += _checks_of_the_valid_part(data, exc, document, file)
        raise PolicyErrors(_by_line(errors)) from exc
    problems = check_policy(policy)
    if problems:
        raise PolicyErrors(_by_line(_located(problems, document, file)))
    return policy


def _located(
    problems: list[tuple[Loc, str]], document: CommentedMap, file: str
) -> list[PolicyError]:
    return [
        PolicyError(file, _line_of(document, loc), _key_path(loc), msg) for loc, msg in problems
    ]


def _checks_of_the_valid_part(
    data: dict[str, Any], exc: ValidationError, document: CommentedMap, file: str
) -> list[PolicyError]:
    """Cross-reference checks on the policy minus its broken rules and optional sections.

    So one pass reports a bad duration in one rule and an unknown role in another.
    Rule indices are mapped back to the file's; nothing is reported if even the
    reduced policy does not validate.
    """
    broken_rules: set[int] = set()
    broken_sections: set[str] = set()
    for err in exc.errors():
        loc = err["loc"]
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            broken_rules.add(loc[1])
        elif loc:
            broken_sections.add(str(loc[0]))
    if broken_sections & _REQUIRED_SECTIONS:
        return []
    reduced = {k: v for k, v in data.items() if k not in broken_sections}
    rules = reduced.get("rules")
    kept = (
        [i for i in range(len(rules)) if i not in broken_rules] if isinstance(rules, list) else []
    )
    if not kept:
        return []
    reduced["rules"] = [rules[i] for i in kept] if isinstance(rules, list) else rules
    try:
        policy = Policy.model_validate(reduced)
    except ValidationError:
        return []
    hidden = [m for s in broken_sections for m in _DEPENDS_ON_SECTION.get(s, ())]
    problems: list[tuple[Loc, str]] = []
    for loc, message in check_policy(policy):
        if any(marker in message for marker in hidden):
            continue  # a consequence of dropping the broken section, not a second mistake
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            problems.append((("rules", kept[loc[1]], *loc[2:]), message))
        else:
            problems.append((loc, message))
    return _located(problems, document, file)


_REQUIRED_SECTIONS = frozenset({"name", "description", "select"})
# Messages that only follow from a section being dropped as broken.
_DEPENDS_ON_SECTION: dict[str, tuple[str, ...]] = {
    "roles": ("unknown role",),
    "severity": ("severity",),
    "chains": ("chain",),
    "channels": ("channels.",),
}


def _by_line(errors: list[PolicyError]) -> list[PolicyError]:
    return sorted(errors, key=lambda e: (e.line or 0, e.key_path))


def _plain(node: Any) -> Any:
    """ruamel's round-trip types -> plain dict/list/str/int/float/bool."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def _validation_errors(
    exc: ValidationError, document: CommentedMap, file: str
) -> list[PolicyError]:
    result: list[PolicyError] = []
    seen: set[tuple[Loc, str]] = set()
    for err in exc.errors():
        loc = _clean_loc(err["loc"])
        message = _message(err, loc, document)
        if (loc, message) in seen:
            continue
        seen.add((loc, message))
        result.append(PolicyError(file, _line_of(document, loc), _key_path(loc), message))
    return result


def _clean_loc(loc: tuple[int | str, ...]) -> Loc:
    """Drop pydantic's discriminator tags and validator names from a location."""
    cleaned: list[str | int] = []
    for i, part in enumerate(loc):
        after_rule_index = i >= 2 and loc[i - 2] == "rules" and isinstance(loc[i - 1], int)
        if after_rule_index and part in RULE_NAMES:
            continue
        if isinstance(part, str) and ("[" in part or part.startswith("function-")):
            continue
        cleaned.append(part)
    return tuple(cleaned)


def _message(err: Any, loc: Loc, document: CommentedMap) -> str:
    kind = err["type"]
    if kind == "union_tag_invalid":
        return f"unknown rule {err['input'].get('rule')!r}; known rules: {', '.join(RULE_NAMES)}"
    if kind == "union_tag_not_found":
        return f"each rule needs a rule: key; known rules: {', '.join(RULE_NAMES)}"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1], document)
        hint = f"; allowed keys: {', '.join(allowed)}" if allowed else ""
        return f"unknown key{hint}"
    plain = _plain_message(kind, err)
    if plain is not None:
        return plain
    text = str(err["msg"])
    return text.removeprefix("Value error, ")


_TYPE_WORDS = {
    "list_type": "a list: write [a, b] or one '- item' per line",
    "dict_type": "a mapping of key: value lines",
    "string_type": "a text value",
    "bool_type": "a boolean: true or false",
    "bool_parsing": "a boolean: true or false",
    "int_type": "a whole number (integer)",
    "int_parsing": "a whole number (integer)",
    "int_from_float": "a whole number (integer)",
    "model_type": "a mapping of key: value lines",
    "model_attributes_type": "a mapping of key: value lines",
}


def _plain_message(kind: str, err: Any) -> str | None:
    """Pydantic's messages for the common mistakes, in the policy author's words."""
    value = err.get("input")
    shown = value if isinstance(value, str | int | float | bool) else type(value).__name__
    if kind in _TYPE_WORDS:
        return f"{shown!r} is not {_TYPE_WORDS[kind]}"
    ctx = err.get("ctx") or {}
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length', 1)} item(s); this one has none"
    if kind == "greater_than_equal":
        return f"{shown!r} is too small; use {ctx.get('ge')} or more"
    if kind == "string_pattern_mismatch":
        if err["loc"] == ("name",):
            return (
                f"{shown!r} is not a valid policy name; use lower-case letters, digits and "
                "hyphens, e.g. team-escalations"
            )
        return f"{shown!r} does not match the pattern {ctx.get('pattern')}"
    return None


def _allowed_keys(loc: Loc, document: CommentedMap) -> list[str]:
    """The keys the model at ``loc`` accepts (for "unknown key" messages)."""
    target: Any = Policy
    node: Any = document
    for part in loc:
        target = _unwrap(target)
        node = _child(node, part)
        if isinstance(part, int):
            if target is _RULE_UNION:
                target = _RULE_MODELS.get(str(node.get("rule")) if isinstance(node, dict) else "")
            continue
        if part == "rules" and target is Policy:
            target = _RULE_UNION
        elif isinstance(target, type) and issubclass(target, BaseModel):
            field = target.model_fields.get(part)
            if field is None:
                return []
            target = field.annotation
        elif target is not dict:
            return []
    target = _unwrap(target)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return sorted(target.model_fields)
    return []


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict) and part in node:
        return node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


_RULE_UNION = object()
_RULE_MODELS: dict[str, type[BaseModel]] = {
    model.model_fields["rule"].annotation.__args__[0]: model
    for model in typing.get_args(typing.get_args(AnyRule)[0])
}


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (list, dict):
            annotation = typing.get_args(annotation)[-1]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _line_of(document: CommentedMap, loc: Loc) -> int:
    """1-based line of the deepest part of ``loc`` present in the document."""
    node: Any = document
    line: int = document.lc.line + 1
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def _key_path(loc: Loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


__all__ = ["AnyRule", "load_policies", "load_policy_text"]
