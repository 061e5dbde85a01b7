"""Evaluating a parsed CQL query over the sandbox's pages, and ordering the hits.

Only current pages and blog posts are searchable: trashed content drops out
of every search, as in Confluence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from agent.sandbox.confluence import content as wiki
from agent.sandbox.confluence.cql import (
    And,
    Clause,
    CqlError,
    Function,
    Node,
    Not,
    Or,
    Query,
    Value,
)
from agent.sandbox.confluence.cql_dates import compare_date, resolve_date
from agent.sandbox.confluence.storage_format import plain_text
from agent.sandbox.context import SandboxContext
from agent.sandbox.store import Doc


class _Evaluator:
    """Matches pages against a query for one acting user at one moment."""

    def __init__(self, ctx: SandboxContext, user: Doc) -> None:
        self.ctx = ctx
        self.user = user
        self.now = ctx.clock.now()
        self._text_cache: dict[str, str] = {}

    # -- values -----------------------------------------------------------------
    def text_value(self, value: Value) -> str:
        if isinstance(value, Function):
            if value.name == "currentuser" and not value.args:
                return str(self.user["accountId"])
            raise CqlError(f"Function {value.name}() cannot be used with this field.")
        return value

    def user_ids(self, value: Value) -> set[str]:
        """A person named by accountId, email, username or currentUser()."""
        text = self.text_value(value)
        person = (
            self.ctx.users.by_account_id(text)
            or self.ctx.users.by_email(text)
            or self.ctx.users.by_name(text)
        )
        return {person["accountId"]} if person else {text}

    # -- page fields --------------------------------------------------------------
    def _page_text(self, page: Doc) -> str:
        key = f"{page['id']}:{page['version']['number']}"
        if key not in self._text_cache:
            labels = " ".join(lb["name"] for lb in page["labels"])
            self._text_cache[key] = f"{page['title']} {plain_text(page['body'])} {labels}".lower()
        return self._text_cache[key]

    def _values(self, page: Doc, field: str) -> set[str]:
        if field == "title":
            # exact, case included: "cql=title=page" does not find "Page", as
            # content?title= does not (only "~" ignores case); see
            # https://community.developer.atlassian.com/t/inconsistencies-with-page-title-case-sensitivity/38664
            return {page["title"]}
        if field in ("space", "space.key"):
            return {page["spaceKey"].lower()}
        if field == "label":
            return {lb["name"].lower() for lb in page["labels"]}
        if field == "parent":
            return {page["parentId"]} if page.get("parentId") else set()
        if field == "ancestor":
            return {a["id"] for a in wiki.ancestors(self.ctx, page)}
        if field == "type":
            return {page["type"]}
        if field in ("id", "content"):
            return {page["id"]}
        if field == "creator":
            return {page["createdBy"]}
        if field == "contributor":
            return {page["createdBy"], page["version"]["by"]} | {v["by"] for v in page["versions"]}
        raise CqlError(f"Field '{field}' cannot be compared this way.")

    def _wanted(self, field: str, value: Value) -> set[str]:
        if field in ("creator", "contributor"):
            return self.user_ids(value)
        text = self.text_value(value)
        if field in ("space", "space.key", "label", "type"):
            return {text.lower()}
        return {text}

    # -- matching -------------------------------------------------------------------
    def matches(self, node: Node, page: Doc) -> bool:
        if isinstance(node, And):
            return all(self.matches(part, page) for part in node.parts)
        if isinstance(node, Or):
            return any(self.matches(part, page) for part in node.parts)
        if isinstance(node, Not):
            return not self.matches(node.part, page)
        return self._clause(node, page)

    def _clause(self, clause: Clause, page: Doc) -> bool:
        field, op = clause.field, clause.op
        if field in ("created", "lastmodified"):
            moment = datetime.fromisoformat(
                (page["createdDate"] if field == "created" else page["version"]["when"]).replace(
                    "Z", "+00:00"
                )
            )
            if op in ("in", "not in"):
                hit = any(
                    compare_date(moment, "=", resolve_date(v, self.now)) for v in clause.values
                )
                return hit if op == "in" else not hit
            return compare_date(moment, op, resolve_date(clause.values[0], self.now))
        if op in ("~", "!~"):
            haystack = page["title"].lower() if field == "title" else self._page_text(page)
            hit = _text_match(haystack, self.text_value(clause.values[0]))
            return hit if op == "~" else not hit
        have = self._values(page, field)
        wanted: set[str] = set()
        for value in clause.values:
            wanted |= self._wanted(field, value)
        hit = bool(have & wanted)
        return not hit if op in ("!=", "not in") else hit


def _text_match(haystack: str, query: str) -> bool:
    """Every word of ``query`` starts a word in ``haystack`` (``*`` and ``?`` are wildcards).

    Matching word starts (``runbook`` finds "runbooks", ``ops`` does not find
    "devops") is a cheap stand-in for Confluence's stemmed full-text index.
    """
    terms = [t for t in re.split(r"\s+", query.lower().strip('"')) if t]
    if not terms:
        raise CqlError("A text search needs at least one word.")
    for term in terms:
        pattern = r"(?<!\w)" + re.escape(term).replace(r"\*", r"\S*").replace(r"\?", r"\S")
        if not re.search(pattern, haystack):
            return False
    return True


_SORT_KEYS: dict[str, Callable[[Doc], Any]] = {
    "title": lambda p: p["title"].lower(),
    "created": lambda p: p["createdDate"],
    "lastmodified": lambda p: p["version"]["when"],
    "id": lambda p: int(p["id"]),
    "type": lambda p: p["type"],
    "space": lambda p: p["spaceKey"],
    "space.key": lambda p: p["spaceKey"],
}


def search(ctx: SandboxContext, query: Query, user: Doc) -> list[Doc]:
    """The current pages matching ``query``, ordered by its ORDER BY (else by creation)."""
    evaluator = _Evaluator(ctx, user)
    hits = [
        page
        for page in wiki.pages(ctx)
        if query.where is None or evaluator.matches(query.where, page)
    ]
    for key in reversed(query.order):
        hits.sort(key=_SORT_KEYS[key.field], reverse=key.descending)
    return hits
