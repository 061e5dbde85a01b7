"""Logging: readable text by default, JSON lines for log collectors, secrets always masked.

Each module logs through ``logging.getLogger(__name__)``; this module only
configures the root handler once at start.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

from agent.secrets import Redactor

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class RedactingFilter(logging.Filter):
    """Masks known secret values in the message, its arguments, extras and tracebacks."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.redactor:
            return True
        record.msg = self.redactor(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # render the traceback now, masked, so the formatter reuses the masked text
            record.exc_text = self.redactor(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        for key, value in list(vars(record).items()):
            if key not in _RESERVED and isinstance(value, str):
                setattr(record, key, self.redactor(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any ``extra=`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                payload[key] = (
                    value if isinstance(value, str | int | float | bool | None) else str(value)
                )
        if record.exc_text:
            payload["exception"] = record.exc_text
        elif record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(
    level: str = "INFO",
    fmt: str = "text",
    redactor: Redactor | None = None,
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Install one handler on the root logger (replacing any earlier one of ours)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name("escalation-agent")
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S"
            )
        )
    handler.addFilter(RedactingFilter(redactor or Redactor()))
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == "escalation-agent":
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # the HTTP libraries are chatty at DEBUG and may echo headers; keep them at WARNING
    for noisy in ("urllib3", "requests_oauthlib", "slack_sdk", "atlassian", "jira", "werkzeug"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    return handler
