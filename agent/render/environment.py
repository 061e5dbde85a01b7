"""The template environments: sandboxed Jinja2, strict about undefined names.

One environment per destination, because each needs a different escaping
applied to every ``{{ expression }}``: XML autoescape for Confluence storage
format, mrkdwn escaping for Slack, wiki-markup escaping for Jira comments. All
three share one ``ChoiceLoader``: a team's folder (``AGENT_TEMPLATES``) first,
then the built-in templates, so a team overrides any template by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    pass_context,
)
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from agent.render.escaping import (
    JiraWiki,
    Mrkdwn,
    escape_jira_wiki,
    escape_mrkdwn,
    slack_channel,
    slack_link,
    slack_mention,
    strip_xml_illegal,
)
from agent.render.moments import day_text, local_text, parse_moment, slack_date_token
from agent.render.storage_xml import storage_problem
from agent.resources import bundled_templates_dir

DESTINATIONS = ("confluence", "slack", "jira")


class TemplateRenderError(Exception):
    """A template failed to load or render; the message names the template and line."""

    def __init__(self, name: str, message: str, line: int | None = None) -> None:
        self.name = name
        self.line = line
        where = f"{name}:{line}" if line else name
        super().__init__(f"template {where}: {message}")


@dataclass(frozen=True)
class TemplateProblem:
    name: str
    message: str


def _local(moment: datetime | str | None, tz: str = "UTC", fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    """A moment (datetime or ISO-8601 text, as contexts carry it) in a time zone, for people."""
    if moment is None or moment == "":
        return "—"
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return str(moment)  # not a time after all (a custom field's text): shown as it is
    return moment.astimezone(ZoneInfo(tz)).strftime(fmt)


def _duration(delta: timedelta | float | None) -> str:
    """``1 h 05 min``, ``3 d 4 h``: short, for people."""
    if delta is None:
        return "—"
    seconds = int(delta.total_seconds() if isinstance(delta, timedelta) else delta)
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    return f"{sign}{minutes} min"


def _zone(context: Context) -> str:
    """The time zone a template writes times in: the policy's (``timezone``), else UTC."""
    zone = context.get("timezone")
    return zone if isinstance(zone, str) and zone else "UTC"


def _when_filter(destination: str) -> Callable[..., Any]:
    """``{{ due | when }}``: a moment for people. In Slack a date token (each reader's own
    clock, the policy's zone as fallback); elsewhere the policy's zone, named."""

    @pass_context
    def when(context: Context, moment: datetime | str | None) -> str:
        zone = _zone(context)
        if destination == "slack":
            if parse_moment(moment) is None:
                return escape_mrkdwn(local_text(moment, zone))
            return Mrkdwn(slack_date_token(moment, zone))
        if destination == "jira":
            return JiraWiki(escape_jira_wiki(local_text(moment, zone)))
        return local_text(moment, zone)

    return when


_LINK_UNSAFE = str.maketrans({"|": " ", "]": ")", "[": "("})


@pass_context
def _jira_channel_link(context: Context, name: str) -> JiraWiki:
    """``[#name|url]``: a Slack channel named in a Jira comment, as a link to it when the
    channel's address is known (``channel_url``), else its name as text."""
    bare = str(name).removeprefix("#")
    url = context.get("channel_url")
    if isinstance(url, str) and re.fullmatch(r"https?://[^\s\[\]|]+", url):
        return JiraWiki(f"[#{escape_jira_wiki(bare.translate(_LINK_UNSAFE))}|{url}]")
    return JiraWiki("#" + escape_jira_wiki(bare))


@pass_context
def _day(context: Context, moment: datetime | str | None) -> str:
    """``{{ week_of | day }}``: ``30 Nov 2026``, the day in the policy's zone."""
    return day_text(moment, _zone(context))


def _xml_finalize(value: Any) -> Any:
    """Drop characters XML forbids, also from safe text built by ``~`` or ``join``."""
    if isinstance(value, Markup):
        return Markup(strip_xml_illegal(str(value)))  # noqa: S704 - already escaped text
    if isinstance(value, str):
        return strip_xml_illegal(value)
    return "" if value is None else value


def _make_env(loader: ChoiceLoader, destination: str) -> SandboxedEnvironment:
    finalize: Callable[[Any], Any]
    if destination == "confluence":
        env = SandboxedEnvironment(
            loader=loader, autoescape=True, undefined=StrictUndefined, finalize=_xml_finalize
        )
    else:
        escape = escape_mrkdwn if destination == "slack" else escape_jira_wiki
        finalize = lambda value: escape("" if value is None else value)  # noqa: E731
        env = SandboxedEnvironment(
            loader=loader, autoescape=False, undefined=StrictUndefined, finalize=finalize
        )
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.keep_trailing_newline = False
    env.filters["local"] = _local
    env.filters["duration"] = _duration
    env.filters["when"] = _when_filter(destination)
    env.filters["day"] = _day
    if destination == "jira":
        env.filters["channel_link"] = _jira_channel_link
    if destination == "slack":
        env.filters["mention"] = slack_mention
        env.filters["link"] = slack_link
        env.filters["channel"] = slack_channel
    return env


class Renderer:
    """Renders ``<destination>/<name>`` templates, e.g. ``slack/nudge.j2``."""

    def __init__(self, override_dir: Path | None = None) -> None:
        folders = [str(override_dir)] if override_dir else []
        folders.append(str(bundled_templates_dir()))
        self.loader = ChoiceLoader([FileSystemLoader(folder) for folder in folders])
        self._envs = {name: _make_env(self.loader, name) for name in DESTINATIONS}

    def _env_for(self, name: str) -> SandboxedEnvironment:
        destination = name.split("/", 1)[0]
        if destination not in self._envs:
            raise TemplateRenderError(
                name, f"templates live under {', '.join(d + '/' for d in DESTINATIONS)}"
            )
        return self._envs[destination]

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        """Render a template; Confluence output is checked to be well-formed storage XML."""
        env = self._env_for(name)
        try:
            text = env.get_template(name).render(**context)
        except TemplateNotFound:
            raise TemplateRenderError(name, "not found in the template folders") from None
        except TemplateSyntaxError as exc:
            raise TemplateRenderError(
                exc.name or name, exc.message or str(exc), exc.lineno
            ) from exc
        except TemplateError as exc:
            raise TemplateRenderError(name, str(exc), _template_line(exc, name)) from exc
        if name.startswith("confluence/"):
            problem = storage_problem(text)
            if problem:
                raise TemplateRenderError(name, f"produced malformed storage XML: {problem}")
        return text.strip() + ("\n" if name.startswith("confluence/") else "")

    def names(self) -> list[str]:
        return sorted(
            name
            for name in self.loader.list_templates()
            if name.split("/", 1)[0] in DESTINATIONS and name.endswith(".j2")
        )

    def validate(self) -> list[TemplateProblem]:
        """Compile every template (built-in and overrides): syntax errors, for ``check``."""
        problems = []
        for name in self.names():
            try:
                self._env_for(name).get_template(name)
            except TemplateSyntaxError as exc:
                problems.append(
                    TemplateProblem(name, f"line {exc.lineno}: {exc.message or str(exc)}")
                )
        return problems


def _template_line(exc: BaseException, name: str) -> int | None:
    """The template line of a render-time error, from the traceback Jinja rewrites."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.replace("\\", "/").endswith(name):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
