"""Which official spec, and which path template in it, describes a sandbox request path.

The five spec files mount their paths differently (Jira and Confluence v1 use
absolute paths, Confluence v2 and Slack paths relative to a server URL), and
Confluence Data Center serves ``/rest/api/content`` at the site root. Here every
spec is normalised to absolute paths on one canonical host, and a request path
is matched to the most concrete template the way the real routers do (literal
segments beat variables), with a regex table grouped by segment count so a
lookup does not scan all 400+ Jira paths.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

SPEC_DIR = Path("/work/shared/specs")
DERIVED_DIR = SPEC_DIR / "derived"
CANONICAL_HOST = "http://sandbox.invalid"  # every spec's `servers` is replaced by this
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

_VARIABLE = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True)
class SpecSource:
    """One spec file, the service it describes and where its paths are mounted."""

    name: str
    service: str
    file: Path
    mount: str = ""  # prefix that turns the file's paths into absolute request paths


SOURCES: tuple[SpecSource, ...] = (
    SpecSource("jira-v3", "jira", DERIVED_DIR / "jira-platform-v3.2025-12.sanitized.json"),
    SpecSource("jira-v2", "jira", DERIVED_DIR / "jira-platform-v2-approx-from-v3.2025-12.json"),
    SpecSource("confluence-v1", "confluence", DERIVED_DIR / "confluence-v1.2021-11.sanitized.json"),
    SpecSource(
        "confluence-v2",
        "confluence",
        DERIVED_DIR / "confluence-v2.2025-01.sanitized.json",
        mount="/wiki/api/v2",
    ),
    SpecSource("slack", "slack", DERIVED_DIR / "slack_web_openapi_v3.converted.json", mount="/api"),
)

# Confluence Data Center serves the v1 API at the site root instead of under /wiki.
_CONFLUENCE_DC_PREFIXES = (
    "/rest/api/content",
    "/rest/api/space",
    "/rest/api/search",
    "/rest/api/longtask",
    "/rest/api/user/",
)


def spec_name_for(path: str) -> tuple[str | None, str]:
    """The spec that describes ``path`` and the path to look up in it (None: no spec)."""
    if path.startswith("/rest/api/2/"):
        return "jira-v2", path
    if path.startswith("/rest/api/latest/"):  # Jira's alias of its default version, v2
        return "jira-v2", "/rest/api/2/" + path.removeprefix("/rest/api/latest/")
    if path.startswith("/wiki/api/v2/"):
        return "confluence-v2", path
    if path.startswith("/wiki/rest/api/"):
        return "confluence-v1", path
    if path.startswith(_CONFLUENCE_DC_PREFIXES):
        return "confluence-v1", "/wiki" + path
    if path.startswith("/api/"):
        return "slack", path
    if path.startswith("/rest/"):
        return "jira-v3", path  # v3 also holds /rest/atlassian-connect/... and friends
    return None, path


@dataclass(frozen=True)
class RouteMatch:
    """A request path resolved to a spec path template."""

    spec: str
    template: str
    params: dict[str, str]
    methods: frozenset[str]


@dataclass(frozen=True)
class _Route:
    template: str
    pattern: re.Pattern[str]
    names: tuple[str, ...]
    rank: tuple[int, int]  # fewer variables first, then more literal characters
    methods: frozenset[str]


def _compile(template: str, methods: frozenset[str]) -> _Route:
    names: list[str] = []
    parts: list[str] = []
    position = 0
    for found in _VARIABLE.finditer(template):
        parts.append(re.escape(template[position : found.start()]))
        parts.append(f"(?P<v{len(names)}>[^/]+)")
        names.append(found.group(1))
        position = found.end()
    parts.append(re.escape(template[position:]))
    literal_length = len(_VARIABLE.sub("", template))
    return _Route(
        template=template,
        pattern=re.compile("".join(parts) + r"/?\Z"),
        names=tuple(names),
        rank=(len(names), -literal_length),
        methods=methods,
    )


@dataclass
class RouteTable:
    """The path templates of one spec, matched most-concrete first."""

    spec: str
    _by_depth: dict[int, list[_Route]] = field(default_factory=dict)

    @classmethod
    def build(cls, spec: str, paths: dict[str, Any]) -> RouteTable:
        table = cls(spec)
        for template, item in paths.items():
            methods = frozenset(m.upper() for m in item if m in HTTP_METHODS)
            table._by_depth.setdefault(template.count("/"), []).append(_compile(template, methods))
        for routes in table._by_depth.values():
            routes.sort(key=lambda route: route.rank)
        return table

    def match(self, path: str, method: str) -> RouteMatch | None:
        """The most concrete template that has ``method``; else the most concrete at all."""
        return self._match(path.rstrip("/") or "/", method.upper())

    @lru_cache(maxsize=8192)  # noqa: B019 - tables live for the whole session
    def _match(self, path: str, method: str) -> RouteMatch | None:
        fallback: RouteMatch | None = None
        for route in self._by_depth.get(path.count("/"), []):
            found = route.pattern.match(path)
            if found is None:
                continue
            params = {name: found.group(f"v{i}") for i, name in enumerate(route.names)}
            candidate = RouteMatch(self.spec, route.template, params, route.methods)
            if method in route.methods:
                return candidate
            fallback = fallback or candidate
        return fallback

    def __hash__(self) -> int:
        return id(self)


def _untyped_items_as_alternatives(node: Any, parent_key: str = "") -> int:
    """Fix a conversion artefact in the Slack spec, in place; returns how many were fixed.

    slack-api-specs writes some objects (``objs_conversation``, the
    ``conversations.open`` channel, the ``pins.list`` response, ...) as Swagger
    tuple ``items: [variant, ...]`` without a type, meaning "one of these
    objects". The OpenAPI 3 conversion made that ``items: {anyOf: [...]}``, which
    validates nothing on an object. Here such a schema becomes ``anyOf`` its
    variants, so the objects are really checked.
    """
    fixed = 0
    if isinstance(node, dict):
        items = node.get("items")
        if (
            parent_key not in ("properties", "examples", "value")
            and "type" not in node
            and isinstance(items, dict)
            and isinstance(items.get("anyOf"), list)
        ):
            node["anyOf"] = node.pop("items")["anyOf"]
            fixed += 1
        for key, value in node.items():
            if key not in ("example", "examples"):
                fixed += _untyped_items_as_alternatives(value, key)
    elif isinstance(node, list):
        for value in node:
            fixed += _untyped_items_as_alternatives(value, parent_key)
    return fixed


def load_spec(source: SpecSource) -> dict[str, Any]:
    """The spec as a dict, paths made absolute and `servers` set to the canonical host."""
    with source.file.open(encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    if source.service == "slack":
        _untyped_items_as_alternatives(document)
    if source.mount:
        document["paths"] = {source.mount + path: item for path, item in document["paths"].items()}
    document["servers"] = [{"url": CANONICAL_HOST}]
    return document
