"""The agent's settings: read once at start from the environment and a ``.env`` file.

Every problem is collected and reported together, each naming the variable, what
is wrong and an example of a good value, so a new user fixes their file in one
pass. Secrets are wrapped in :class:`~agent.secrets.Secret` and never printed.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from agent.resources import bundled_rules_dir
from agent.secrets import Secret

T = TypeVar("T")

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_STATE_URL = "sqlite:///agent-state.db"
SECRET_VARIABLES = (
    "JIRA_API_TOKEN",
    "JIRA_PAT",
    "CONFLUENCE_API_TOKEN",
    "CONFLUENCE_PAT",
    "SLACK_BOT_TOKEN",
)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# A space key: letters and digits; personal spaces are "~" + a user name or account id.
_SPACE_KEY = re.compile(r"~?[A-Za-z0-9][A-Za-z0-9_:.\-]*")
# Paths people paste instead of the site's base URL (an API call or a page of the UI).
_NOT_A_BASE_PATH = re.compile(r"/(rest|browse|display|spaces|jira/software)(/|$)")


@dataclass(frozen=True)
class ConfigProblem:
    variable: str
    message: str
    example: str

    def __str__(self) -> str:
        if not self.example:
            return f"{self.variable}: {self.message}"
        return f"{self.variable}: {self.message} (example: {self.variable}={self.example})"


class ConfigError(Exception):
    """One or more configuration problems; the text lists them all."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"The configuration has {len(problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class AtlassianAuth:
    """Email + API token (Cloud) or a personal access token (Data Center)."""

    email: str | None
    token: Secret | None
    pat: Secret | None

    @property
    def kind(self) -> str:
        return "pat" if self.pat else "basic"

    def secrets(self) -> list[str]:
        return [s.reveal() for s in (self.token, self.pat) if s]


@dataclass(frozen=True)
class Settings:
    jira_url: str
    jira_auth: AtlassianAuth
    confluence_url: str
    confluence_auth: AtlassianAuth
    confluence_space: str
    slack_bot_token: Secret
    slack_api_url: str = DEFAULT_SLACK_API_URL
    rules_path: Path = Path("rules")
    templates_path: Path | None = None
    state_url: str = DEFAULT_STATE_URL
    timezone: str = "UTC"
    poll_seconds: int = 60
    full_sync_minutes: int = 30
    # Lanes of actions carried out at once (AGENT_WRITE_CONCURRENCY); 1 = one after another
    write_concurrency: int = 4
    # Seconds between posts to one Slack channel past a short burst; 0 = no pacing
    # (AGENT_SLACK_POST_SPACING; the demo's fast simulated day turns it off)
    slack_post_spacing: float = 1.05
    # Divides Slack's rate-limit windows (per method and per channel) for the agent's own
    # pacing: 1 against real Slack; a sandbox's slack_time_scale in tests (AGENT_SLACK_TIME_SCALE)
    slack_time_scale: float = 1.0
    dry_run: bool = False
    log_level: str = "INFO"
    log_format: str = "text"
    metrics_port: int | None = None
    user_map_path: Path | None = None
    # Jira account id or email (lowercase) -> Slack user id, from AGENT_USER_MAP
    user_map: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    env_file: Path | None = field(default=None, compare=False)

    def secrets(self) -> list[str]:
        """Every secret value, for the log redactor."""
        values = [*self.jira_auth.secrets(), *self.confluence_auth.secrets()]
        values.append(self.slack_bot_token.reveal())
        password = make_url(self.state_url).password
        if password:
            values.append(str(password))
        return values

    @property
    def state_url_for_display(self) -> str:
        return make_url(self.state_url).render_as_string(hide_password=True)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# Every variable the agent reads (config.example.env documents each; a test keeps them equal).
SETTING_PREFIXES = ("AGENT_", "JIRA_", "CONFLUENCE_", "SLACK_")
KNOWN_VARIABLES = frozenset(
    {
        "JIRA_URL",
        "JIRA_EMAIL",
        "JIRA_API_TOKEN",
        "JIRA_PAT",
        "CONFLUENCE_URL",
        "CONFLUENCE_EMAIL",
        "CONFLUENCE_API_TOKEN",
        "CONFLUENCE_PAT",
        "CONFLUENCE_SPACE",
        "SLACK_BOT_TOKEN",
        "SLACK_API_URL",
        "AGENT_RULES",
        "AGENT_TEMPLATES",
        "AGENT_STATE_URL",
        "AGENT_TIMEZONE",
        "AGENT_POLL_SECONDS",
        "AGENT_FULL_SYNC_MINUTES",
        "AGENT_WRITE_CONCURRENCY",
        "AGENT_SLACK_POST_SPACING",
        "AGENT_SLACK_TIME_SCALE",
        "AGENT_DRY_RUN",
        "AGENT_LOG_LEVEL",
        "AGENT_LOG_FORMAT",
        "AGENT_METRICS_PORT",
        "AGENT_USER_MAP",
    }
)
# Read by the test suite, not by the agent: never reported as unknown.
NOT_SETTINGS = frozenset({"AGENT_TEST_POSTGRES_URL"})


def unknown_variables(names: Iterable[str], where: str) -> list[ConfigProblem]:
    """Names with the agent's prefixes that no setting reads, with the likely one meant.

    A misspelt ``AGENT_DRY_RUNN=1`` would otherwise be ignored silently, and the run
    would write.
    """
    found = []
    for name in sorted(names):
        if not name.startswith(SETTING_PREFIXES) or name in KNOWN_VARIABLES | NOT_SETTINGS:
            continue
        close = difflib.get_close_matches(name, sorted(KNOWN_VARIABLES), n=1, cutoff=0.8)
        hint = (
            f"did you mean {close[0]}?"
            if close
            else "'escalation-agent config example' lists every one"
        )
        found.append(
            ConfigProblem(name, f"{where} is not a setting of escalation-agent; {hint}", "")
        )
    return found


def env_file_path(env_file: Path | None) -> Path | None:
    """The ``.env`` file that is read: ``--env-file``, else ``./.env`` if there is one."""
    if env_file is not None:
        return env_file
    return Path(".env") if Path(".env").is_file() else None


def env_file_names(env_file: Path | None) -> set[str]:
    """The variables the ``.env`` file in use sets (the agent's own file)."""
    path = env_file_path(env_file)
    return set(dotenv_values(path)) if path is not None and path.is_file() else set()


def read_environment(
    env_file: Path | None, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The variables the agent sees: ``.env`` (or ``env_file``) under the real environment.

    The real environment wins, as with python-dotenv's defaults, so a container's
    variables override a file baked next to it.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, str] = {}
    if env_file is not None and not env_file.is_file():
        raise ConfigError([ConfigProblem("--env-file", f"{env_file} does not exist", "config.env")])
    path = env_file_path(env_file)
    if path is not None:
        values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    values.update(environ)
    return values


class _Reader:
    """Parses variables one by one, collecting problems instead of stopping at the first."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[ConfigProblem] = []

    def raw(self, name: str) -> str | None:
        value = self.env.get(name)
        if value is None:
            return None
        value = value.strip()
        return value or None

    def problem(self, name: str, message: str, example: str) -> None:
        self.problems.append(ConfigProblem(name, message, example))

    def required(self, name: str, example: str) -> str:
        value = self.raw(name)
        if value is None:
            self.problem(name, "is not set", example)
            return ""
        return value

    def parsed(self, name: str, default: T, example: str, parse: Callable[[str], T]) -> T:
        value = self.raw(name)
        if value is None:
            return default
        try:
            return parse(value)
        except ValueError as exc:
            self.problem(name, str(exc), example)
            return default

    def url(self, name: str, example: str, default: str | None = None) -> str:
        value = self.raw(name) or default
        if value is None:
            self.problem(name, "is not set", example)
            return ""
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.problem(name, f"{value!r} is not an http(s) URL", example)
        elif name != "SLACK_API_URL" and _NOT_A_BASE_PATH.search(parts.path):
            self.problem(
                name,
                f"{value!r} is a page or API address, not the site's base URL; "
                "drop everything after the site (and /wiki for Confluence)",
                example,
            )
        return value.rstrip("/") if not value.endswith("/api/") else value

    def atlassian_auth(self, prefix: str, example_url: str) -> AtlassianAuth:
        email = self.raw(f"{prefix}_EMAIL")
        token = self.raw(f"{prefix}_API_TOKEN")
        pat = self.raw(f"{prefix}_PAT")
        if pat and (email or token):
            self.problem(
                f"{prefix}_PAT",
                f"set either {prefix}_EMAIL + {prefix}_API_TOKEN (Cloud) or {prefix}_PAT "
                "(Data Center), not both",
                "<your personal access token>",
            )
        elif not pat:
            if not email:
                self.problem(
                    f"{prefix}_EMAIL",
                    f"is not set (or set {prefix}_PAT for Data Center)",
                    "agent@example.com",
                )
            elif "@" not in email:
                self.problem(
                    f"{prefix}_EMAIL", f"{email!r} is not an email address", "agent@example.com"
                )
            if not token:
                self.problem(
                    f"{prefix}_API_TOKEN",
                    f"is not set (a {example_url} API token; create one at "
                    "https://id.atlassian.com/manage-profile/security/api-tokens)",
                    "<your API token>",
                )
        return AtlassianAuth(
            email=email,
            token=Secret(token) if token else None,
            pat=Secret(pat) if pat else None,
        )


def _bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{value!r} is not a yes/no value; use 1 or 0")


def _int_in(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a whole number") from None
        if not low <= number <= high:
            raise ValueError(f"{number} is outside {low}..{high}")
        return number

    return parse


def _seconds_upto(high: float) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a number of seconds") from None
        if not 0 <= number <= high:
            raise ValueError(f"{number:g} is outside 0..{high:g} seconds")
        return number

    return parse


def _time_scale(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None
    if not 1 <= number <= 1_000_000:
        raise ValueError(
            f"{number:g} is outside 1..1000000; keep 1 against real Slack, or give the "
            "sandbox's slack_time_scale"
        )
    return number


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone name") from None
    return value


def _state_url(value: str) -> str:
    try:
        url = make_url(value)
    except ArgumentError:
        raise ValueError(f"{value!r} is not a database URL") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(
            f"the {url.get_backend_name()!r} backend is not supported; use sqlite or postgresql"
        )
    return value


def _choice(options: tuple[str, ...], *, upper: bool = False) -> Callable[[str], str]:
    def parse(value: str) -> str:
        normalised = value.upper() if upper else value.lower()
        if normalised not in options:
            raise ValueError(f"{value!r} is not one of {', '.join(options)}")
        return normalised

    return parse


def _existing_path(kind: str) -> Callable[[str], Path]:
    def parse(value: str) -> Path:
        path = Path(value).expanduser()
        if kind == "dir" and not path.is_dir():
            raise ValueError(f"{value!r} is not a folder")
        if kind == "any" and not path.exists():
            raise ValueError(f"{value!r} does not exist")
        if kind == "file" and not path.is_file():
            raise ValueError(f"{value!r} is not a file")
        return path

    return parse


def load_settings(env: Mapping[str, str], env_file: Path | None = None) -> Settings:
    """Build :class:`Settings` from variables or raise :class:`ConfigError` naming every problem."""
    r = _Reader(env)
    jira_url = r.url("JIRA_URL", "https://your-site.atlassian.net")
    jira_auth = r.atlassian_auth("JIRA", "Jira")
    confluence_url = r.url("CONFLUENCE_URL", "https://your-site.atlassian.net/wiki")
    confluence_auth = r.atlassian_auth("CONFLUENCE", "Confluence")
    confluence_space = r.required("CONFLUENCE_SPACE", "OPS")
    if confluence_space and not _SPACE_KEY.fullmatch(confluence_space):
        r.problem(
            "CONFLUENCE_SPACE",
            f"{confluence_space!r} is not a space key; use the KEY from the space's address "
            "(/wiki/spaces/KEY/...), not its name",
            "OPS",
        )
    if confluence_url.rstrip("/").endswith(".atlassian.net") and "CONFLUENCE_URL" not in {
        p.variable for p in r.problems
    }:
        r.problem(
            "CONFLUENCE_URL",
            "Confluence Cloud is served under /wiki on the site",
            f"{confluence_url.rstrip('/')}/wiki",
        )
    slack_token = r.required("SLACK_BOT_TOKEN", "xoxb-<your bot token>")
    slack_api_url = r.url("SLACK_API_URL", DEFAULT_SLACK_API_URL, default=DEFAULT_SLACK_API_URL)
    if not slack_api_url.endswith("/"):
        slack_api_url += "/"
    if (
        slack_token
        and slack_api_url == DEFAULT_SLACK_API_URL
        and not slack_token.startswith(("xoxb-", "xoxp-"))
    ):
        r.problem(
            "SLACK_BOT_TOKEN", "a Slack bot token starts with 'xoxb-'", "xoxb-<your bot token>"
        )
    settings = Settings(
        jira_url=jira_url,
        jira_auth=jira_auth,
        confluence_url=confluence_url,
        confluence_auth=confluence_auth,
        confluence_space=confluence_space,
        slack_bot_token=Secret(slack_token),
        slack_api_url=slack_api_url,
        rules_path=r.parsed("AGENT_RULES", default_rules_path(), "rules/", _existing_path("any")),
        templates_path=r.parsed("AGENT_TEMPLATES", None, "my-templates/", _existing_path("dir")),
        state_url=r.parsed("AGENT_STATE_URL", DEFAULT_STATE_URL, DEFAULT_STATE_URL, _state_url),
        timezone=r.parsed("AGENT_TIMEZONE", "UTC", "Europe/Kyiv", _timezone),
        poll_seconds=r.parsed("AGENT_POLL_SECONDS", 60, "60", _int_in(5, 86_400)),
        full_sync_minutes=r.parsed("AGENT_FULL_SYNC_MINUTES", 30, "30", _int_in(1, 10_080)),
        write_concurrency=r.parsed("AGENT_WRITE_CONCURRENCY", 4, "4", _int_in(1, 32)),
        slack_post_spacing=r.parsed("AGENT_SLACK_POST_SPACING", 1.05, "1.05", _seconds_upto(60)),
        slack_time_scale=r.parsed("AGENT_SLACK_TIME_SCALE", 1.0, "1", _time_scale),
        dry_run=r.parsed("AGENT_DRY_RUN", False, "1", _bool),
        log_level=r.parsed("AGENT_LOG_LEVEL", "INFO", "INFO", _choice(LOG_LEVELS, upper=True)),
        log_format=r.parsed("AGENT_LOG_FORMAT", "text", "json", _choice(("text", "json"))),
        metrics_port=r.parsed("AGENT_METRICS_PORT", None, "9102", _int_in(1, 65_535)),
        user_map_path=(
            user_map_path := r.parsed("AGENT_USER_MAP", None, "users.yaml", _existing_path("file"))
        ),
        user_map=_read_user_map(user_map_path, r) if user_map_path else {},
        env_file=env_file,
    )
    if r.problems:
        raise ConfigError(r.problems)
    return settings


_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


def _read_user_map(path: Path, r: _Reader) -> dict[str, str]:
    """``AGENT_USER_MAP``: Jira account id or email -> Slack user id, for hidden emails."""
    example = "users.yaml holding lines like '712020:5b10ac8d...: U0123ABCD'"
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as exc:
        r.problem("AGENT_USER_MAP", f"{path} cannot be read as YAML: {exc}", example)
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        r.problem("AGENT_USER_MAP", f"{path} must map Jira users to Slack ids", example)
        return {}
    mapping: dict[str, str] = {}
    for key, value in data.items():
        if value is None or value == "":
            r.problem(
                "AGENT_USER_MAP",
                f"{path}: {key!r} has no Slack id yet: fill in their Slack member id "
                "or delete the line",
                example,
            )
            continue
        if not isinstance(value, str) or not _SLACK_USER_ID.fullmatch(value):
            r.problem(
                "AGENT_USER_MAP", f"{path}: {key!r} maps to {value!r}, not a Slack user id", example
            )
            continue
        name = str(key).strip()
        mapping[name.lower() if "@" in name else name] = value
    return mapping


def default_rules_path() -> Path:
    """``./rules`` when the working folder has one, else the packs shipped with the package."""
    local = Path("rules")
    return local if local.is_dir() else bundled_rules_dir()


def known_secrets(env: Mapping[str, str]) -> list[str]:
    """Secret values present in the environment, even when the rest of it is invalid."""
    return [env[name] for name in SECRET_VARIABLES if env.get(name)]
