"""Reading the policy models: each field's type, default, allowed values and description.

Everything comes from pydantic's ``model_fields`` (annotations, defaults,
``annotated_types`` constraints) so the reference follows the schema when it
changes; only the prose falls back to ``descriptions``.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from agent.core.rules.catalogue import CATALOGUE
from agent.policy.loader import load_policy_text
from agent.policy.rule_models import RuleBase
from agent.policy.schema import Policy
from agent.reference.descriptions import COMMON, FIELDS, PARAMS
from agent.timekeeping.durations import format_duration

# Value types recognised by the validator a field carries (see agent.policy.types).
_VALIDATED = {
    "_duration": "duration",
    "_local_time": "time",
    "_regex": "regex",
    "_role_ref": "role source",
    "_notify_target": "notify target",
}
_PLAIN = {str: "text", int: "integer", bool: "boolean", float: "number"}
_MODEL_NAMES = {"ChainStep": "chain step"}
# Fields holding role names (checked against roles: by agent.policy.checks).
ROLE_FIELDS = frozenset({"to", "by", "participants", "mention", "invite", "contacts", "role"})


@dataclass(frozen=True)
class Param:
    """One row of a parameter table."""

    name: str
    type: str
    default: str
    allowed: str
    description: str


def model_doc(model: type[BaseModel]) -> str:
    """The model's own docstring (not an inherited one), as one paragraph of Markdown."""
    doc = model.__dict__.get("__doc__")
    if not isinstance(doc, str):
        return ""
    return " ".join(doc.split()).replace("``", "`")


def params_of(
    model: type[BaseModel], *, skip: frozenset[str] = frozenset(), rule: str | None = None
) -> list[Param]:
    """The model's fields in declaration order (inherited first), minus ``skip``."""
    return [
        describe_field(model, name, field, rule)
        for name, field in model.model_fields.items()
        if name not in skip
    ]


def describe_field(
    model: type[BaseModel], name: str, field: FieldInfo, rule: str | None = None
) -> Param:
    type_text, allowed = render_type(field.annotation, field.metadata)
    if name in ROLE_FIELDS and type_text in ("text", "list of text"):
        type_text = type_text.replace("text", "role")
    constraints = _constraints(field.metadata)
    allowed = "; ".join(part for part in (allowed, constraints) if part)
    own = CATALOGUE.get(rule).params if rule is not None and rule in CATALOGUE else {}
    description = field.description or own.get(name)
    description = (
        description
        or FIELDS.get((model.__name__, name))
        or (COMMON.get(name) if issubclass(model, RuleBase) else None)
        or PARAMS.get(name, "")
    )
    default = "**required**" if field.is_required() else render_default(field.default)
    return Param(name, type_text, default, allowed, description)


def render_type(annotation: Any, metadata: list[Any] | tuple[Any, ...] = ()) -> tuple[str, str]:
    """(type in words, allowed values) for an annotation and its ``Annotated`` metadata."""
    for item in metadata:
        func = getattr(item, "func", None)
        kind = _VALIDATED.get(getattr(func, "__name__", ""))
        if kind:
            return kind, ""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return render_type(args[0], args[1:])
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return render_type(inner[0])
        if all(_is_model(a) and "rule" in a.model_fields for a in inner):
            return "rule", "see [Rules](#rules)"
        return " or ".join(render_type(a)[0] for a in inner), ""
    if origin is typing.Literal:
        return "text", ", ".join(f"`{v}`" for v in args)
    if origin is list:
        inner_text, allowed = render_type(args[0])
        return f"list of {inner_text}", allowed
    if origin is dict:
        inner_text, allowed = render_type(args[1])
        return f"mapping of text to {inner_text}", allowed
    if _is_model(annotation):
        return _MODEL_NAMES.get(annotation.__name__, "mapping"), ""
    if annotation is timedelta:
        return "duration", ""
    if annotation is time:
        return "time", ""
    if annotation in _PLAIN:
        return _PLAIN[annotation], ""
    return str(annotation), ""


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _constraints(metadata: list[Any]) -> str:
    parts = []
    for item in metadata:
        if getattr(item, "min_length", None):
            parts.append(f"at least {item.min_length}")
        if getattr(item, "ge", None) is not None:
            parts.append(f"≥ {item.ge}")
        if getattr(item, "pattern", None):
            parts.append(f"matches `{item.pattern}`")
    return "; ".join(parts)


def render_default(value: Any) -> str:
    if value is None:
        return "unset"
    return f"`{_yaml(value)}`"


def _yaml(value: Any) -> str:
    """A default as it would be written in a policy file (YAML flow style)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, BaseModel):
        items = {k: getattr(value, k) for k in type(value).model_fields}
        return _yaml({k: v for k, v in items.items() if v is not None})
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, str) and (not value or any(c in value for c in ":#{}[],\"'\\ ")):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


@dataclass(frozen=True)
class Pack:
    """A policy pack as loaded from ``rules/``: file name and validated policy."""

    file: str
    policy: Policy


def load_packs(folder: Path) -> list[Pack]:
    """Every ``*.yaml`` in ``folder``, by file name; invalid packs raise PolicyErrors."""
    return [
        Pack(path.name, load_policy_text(path.read_text(encoding="utf-8"), str(path)))
        for path in sorted(folder.glob("*.yaml"))
    ]


def rule_usage(packs: list[Pack]) -> dict[str, list[str]]:
    """Rule identifier -> the pack files that use it (each file once, sorted)."""
    usage: dict[str, set[str]] = {}
    for pack in packs:
        for rule in pack.policy.rules:
            usage.setdefault(rule.kind, set()).add(pack.file)
    return {rule: sorted(files) for rule, files in usage.items()}


def key_usage(packs: list[Pack]) -> dict[str, list[str]]:
    """Top-level key -> the pack files that set it."""
    usage: dict[str, set[str]] = {}
    for pack in packs:
        for key in pack.policy.model_fields_set:
            usage.setdefault(key, set()).add(pack.file)
    return {key: sorted(files) for key, files in usage.items()}


def pack_templates(packs: list[Pack]) -> dict[str, list[str]]:
    """Rule identifier -> ``<template> (<pack file>)`` for each template a shipped pack
    names for a rule of that kind instead of its default (``template:``,
    ``page_template:``), sorted."""
    named: dict[str, set[str]] = {}
    for pack in packs:
        for rule in pack.policy.rules:
            for key in ("template", "page_template"):
                value = getattr(rule, key, None)
                if isinstance(value, str) and value:
                    named.setdefault(rule.kind, set()).add(f"`{value}` ({pack.file})")
    return {rule: sorted(found) for rule, found in named.items()}
