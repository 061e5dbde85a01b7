"""escalation-agent: enforces written escalation procedures on Jira, Confluence and Slack."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("escalation-agent")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"
