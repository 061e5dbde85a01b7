"""The known risk of retrying a write: the service did it, but its answer was lost.

A WSGI wrapper lets the first request of each kind below reach the sandbox (the
effect happens) and then answers 502 instead of the real answer, as a proxy
that timed out would. The agent retries; the retry must not write a second
comment, message, page or log row.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.drill import Drill, compare, fresh_sandbox, seed, zygote

# (method, path pattern) of writes that are not idempotent by nature
LOSE_FIRST_ANSWER = [
    ("POST", r"/rest/api/2/issue/[^/]+/comment$"),
    ("POST", r"/api/chat\.postMessage$"),
    ("POST", r"/wiki/rest/api/content/?$"),
    ("PUT", r"/wiki/rest/api/content/\d+$"),
]

StartResponse = Callable[..., Any]


class LoseAnswers:
    """Runs the request, throws the answer away and says 502, once per pattern."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.pending = list(LOSE_FIRST_ANSWER)
        self.lost: list[str] = []
        self._lock = threading.Lock()

    def _take(self, method: str, path: str) -> bool:
        with self._lock:
            for entry in self.pending:
                if entry[0] == method and re.search(entry[1], path):
                    self.pending.remove(entry)
                    self.lost.append(f"{method} {path}")
                    return True
        return False

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not self._take(environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")):
            return self.app(environ, start_response)
        answer = self.app(environ, lambda *args, **kwargs: lambda _data: None)
        b"".join(answer)  # the effect happens; its answer goes nowhere
        close = getattr(answer, "close", None)
        if close is not None:
            close()
        start_response("502 Bad Gateway", [("Content-Type", "text/plain")])
        return [b"upstream answer lost"]


@pytest.mark.slow
def test_a_write_whose_answer_was_lost_is_not_repeated(tmp_path: Path) -> None:
    with zygote() as launcher:
        with fresh_sandbox() as server:
            seed(server)
            expected = Drill(server, tmp_path / "plain", launcher).play()
        with fresh_sandbox() as server:
            seed(server)
            wrapper = LoseAnswers(server.app.wsgi_app)
            server.app.wsgi_app = wrapper  # type: ignore[method-assign]
            drill = Drill(server, tmp_path / "lossy", launcher)
            end = drill.play()

    duplicates, losses = compare(expected, end)
    print(f"\nanswers lost after the effect: {wrapper.lost}")
    print(f"duplicates: {duplicates or 'none'}; losses: {losses or 'none'}")
    assert len(wrapper.lost) == len(LOSE_FIRST_ANSWER), wrapper.pending
    assert not duplicates
    assert not losses
