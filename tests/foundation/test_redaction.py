"""Secrets never reach log output or exception text."""

from __future__ import annotations

import io
import json
import logging

from agent.logging_setup import configure_logging
from agent.secrets import Redactor, Secret

TOKEN = "xoxb-0000-super-secret-token"


def _capture(fmt: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    configure_logging("DEBUG", fmt, Redactor([TOKEN]), stream=stream)
    return logging.getLogger("agent.test.redaction"), stream


def test_text_logs_mask_the_token_in_messages_args_and_tracebacks() -> None:
    logger, stream = _capture("text")
    logger.info("calling Slack with %s", TOKEN)
    logger.warning(f"token inline {TOKEN}")
    try:
        raise RuntimeError(f"HTTP 401 for Authorization: Bearer {TOKEN}")
    except RuntimeError:
        logger.exception("call failed")
    output = stream.getvalue()
    assert TOKEN not in output
    assert output.count("***") >= 3
    assert "RuntimeError: HTTP 401 for Authorization: Bearer ***" in output


def test_json_logs_mask_the_token_and_are_one_object_per_line() -> None:
    logger, stream = _capture("json")
    logger.info("posting", extra={"header": f"Bearer {TOKEN}", "channel": "C1"})
    try:
        raise ValueError(TOKEN)
    except ValueError:
        logger.error("boom", exc_info=True)
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["header"] == "Bearer ***"
    assert first["channel"] == "C1"
    assert first["level"] == "INFO"
    assert "ValueError: ***" in second["exception"]
    assert TOKEN not in stream.getvalue()


def test_secret_wrapper_never_prints_its_value() -> None:
    secret = Secret(TOKEN)
    assert TOKEN not in repr(secret)
    assert TOKEN not in str(secret)
    assert TOKEN not in f"{secret}"
    assert secret.reveal() == TOKEN


def test_redactor_ignores_values_too_short_to_be_tokens() -> None:
    redactor = Redactor(["abc", TOKEN])
    assert redactor("abc and " + TOKEN) == "abc and ***"


def teardown_module() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == "escalation-agent":
            root.removeHandler(handler)
