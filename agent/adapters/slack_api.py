"""The Slack adapter's one way to call the Web API: through the call point, answers as dicts.

Each call goes through :class:`~agent.adapters.calls.ServiceCaller` (retries,
typed errors). Some Slack errors mean "already done" for the agent
(``already_pinned``, ``already_in_channel``, ``users_not_found``...): a call can
``tolerate`` them and gets Slack's answer back (``ok: false``) instead of an
exception, with the whole body (e.g. ``errors`` per user of an invite).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from slack_sdk.errors import SlackApiError

from agent.adapters.service_errors import UnexpectedAnswer
from agent.adapters.slack_port import Caller

PAGE_SIZE = 200
MAX_PAGES = 500  # a guard against a cursor that never ends
# Errors after which Slack says part of the work may have been done.
MAYBE_DONE_ERRORS = frozenset({"fatal_error", "internal_error", "request_timeout"})


def _data(response: Any, method: str) -> dict[str, Any]:
    data = getattr(response, "data", None)
    if not isinstance(data, dict):
        raise UnexpectedAnswer(
            "slack",
            method,
            f"Slack answered {type(data).__name__}, not a JSON object; is SLACK_API_URL the "
            "Web API address (https://slack.com/api/)?",
        )
    return data


def member(answer: Mapping[str, Any], method: str, *path: str) -> Any:
    """``answer[path[0]][path[1]]...``; a missing member is an error naming the method.

    A bare ``KeyError: 'ts'`` would tell a person nothing about which call went wrong.
    """
    value: Any = answer
    for name in path:
        if not isinstance(value, Mapping) or value.get(name) in (None, ""):
            raise UnexpectedAnswer(
                "slack",
                method,
                f"the answer has no {'.'.join(path)!r} ({answer!r:.120}); is SLACK_API_URL "
                "the Web API address (https://slack.com/api/)?",
            )
        value = value[name]
    return value


def _refused(exc: SlackApiError) -> bool:
    """Slack answered and did nothing: a 4xx, or an ``ok: false`` error at HTTP 200 or 429."""
    status = getattr(exc.response, "status_code", None)
    data = getattr(exc.response, "data", None)
    error = data.get("error") if isinstance(data, dict) else None
    return isinstance(status, int) and status < 500 and error not in MAYBE_DONE_ERRORS


def sdk_method_name(method: str) -> str:
    """``chat.postMessage`` -> ``chat_postMessage`` (slack_sdk's naming)."""
    return method.replace(".", "_")


class SlackApi:
    """Calls ``client.<method>`` through ``caller``; returns the answer's JSON as a dict."""

    def __init__(self, client: Any, caller: Caller) -> None:
        self._client = client
        self._caller = caller

    def call(
        self,
        method: str,
        *,
        tolerate: frozenset[str] = frozenset(),
        before_retry: Callable[[], dict[str, Any] | None] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """One Web API call; an error named in ``tolerate`` is returned, not raised.

        ``before_retry`` runs before every retry of a call that may have taken
        effect although it failed (a 5xx, a lost connection); an answer from it
        is used instead of calling again.
        """
        fn: Callable[..., Any] = getattr(self._client, sdk_method_name(method))
        unclear = False  # did an earlier attempt fail in a way that may have taken effect?

        def attempt() -> dict[str, Any]:
            nonlocal unclear
            if unclear and before_retry is not None:
                done = before_retry()
                if done is not None:
                    return done
            try:
                return _data(fn(**kwargs), method)
            except SlackApiError as exc:
                data = getattr(exc.response, "data", None)
                if isinstance(data, dict) and data.get("error") in tolerate:
                    return data
                unclear = unclear or not _refused(exc)
                raise
            except Exception:
                unclear = True  # a lost connection or time-out: Slack may have done it
                raise

        return self._caller.call(method, attempt)

    def paged(self, method: str, item_key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every item of a cursor-paged method (``conversations.list``...), page after page."""
        cursor = ""
        for _ in range(MAX_PAGES):
            args = {**kwargs, "limit": PAGE_SIZE}
            if cursor:
                args["cursor"] = cursor
            page = self.call(method, **args)
            items = page.get(item_key) or []
            yield from (item for item in items if isinstance(item, dict))
            cursor = next_cursor(page)
            if not cursor:
                return
        raise RuntimeError(f"Slack {method} still had pages after {MAX_PAGES}: giving up")


def next_cursor(page: dict[str, Any]) -> str:
    """The ``response_metadata.next_cursor`` of a page, or "" on the last one."""
    metadata = page.get("response_metadata")
    cursor = metadata.get("next_cursor") if isinstance(metadata, dict) else None
    return cursor if isinstance(cursor, str) else ""
