"""Capturing the sandbox's HTTP traffic as request/response pairs, at the WSGI layer.

The recorder sits between the HTTP server and the Flask app, so it sees exactly
the bytes a real client sent and the bytes the app answered, whatever route or
error handler produced them. Capture is cheap (buffer and append); validation
happens later, in the test's own thread, so the sandbox is not slowed down and
the validators never run concurrently.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Exchange:
    """One request and the response the sandbox gave to it."""

    method: str
    path: str
    query: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes
    check_request: bool = True
    deployment: str = "cloud"  # the sandbox's Jira deployment, for deployment-specific gaps

    @property
    def query_pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query, keep_blank_values=True)

    def request_header(self, name: str) -> str:
        return self.request_headers.get(name.lower(), "")

    def response_header(self, name: str) -> str:
        return self.response_headers.get(name.lower(), "")

    @property
    def request_content_type(self) -> str:
        return self.request_header("content-type").lower()

    @property
    def response_content_type(self) -> str:
        return self.response_header("content-type").lower()

    def describe(self) -> str:
        query = f"?{self.query}" if self.query else ""
        if len(query) > 120:
            query = query[:117] + "..."
        return f"{self.method} {self.path}{query} -> {self.status}"


def _request_headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = str(environ[key])
    return headers


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the whole request body and put an identical stream back for the app."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length_text = environ.get("CONTENT_LENGTH") or ""
    if length_text.isdigit():
        body = stream.read(int(length_text)) if int(length_text) else b""
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    return bytes(body)


@dataclass
class ExchangeRecorder:
    """WSGI middleware: passes every call through to ``app`` and keeps a copy of it.

    ``skip`` decides which paths are not recorded at all (the sandbox's control
    surface and viewer). ``check_requests`` can be switched off for tests that
    deliberately send invalid requests: their exchanges are still recorded, and
    the responses are still checked.
    """

    app: WsgiApp
    skip: Callable[[str], bool] = lambda _path: False
    check_requests: bool = True
    deployment: str = "cloud"
    _exchanges: list[Exchange] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = str(environ.get("PATH_INFO", ""))
        if self.skip(path):
            return self.app(environ, start_response)
        request_body = _read_body(environ)
        request_headers = _request_headers(environ)
        captured: dict[str, Any] = {}

        def capturing_start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            captured["status"] = status
            captured["headers"] = headers
            if exc_info is not None:
                return start_response(status, headers, exc_info)
            return start_response(status, headers)

        result = self.app(environ, capturing_start_response)
        try:
            chunks = list(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status_text = str(captured.get("status", "0"))
        self._append(
            Exchange(
                method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
                path=path,
                query=str(environ.get("QUERY_STRING", "")),
                request_headers=request_headers,
                request_body=request_body,
                status=int(status_text.split(" ", 1)[0]),
                response_headers={
                    name.lower(): value for name, value in captured.get("headers", [])
                },
                response_body=b"".join(chunks),
                check_request=self.check_requests,
                deployment=self.deployment,
            )
        )
        return chunks

    def _append(self, exchange: Exchange) -> None:
        with self._lock:
            self._exchanges.append(exchange)

    def take(self) -> list[Exchange]:
        """The exchanges recorded since the last call (and forget them)."""
        with self._lock:
            taken, self._exchanges = self._exchanges, []
        return taken

    def __iter__(self) -> Iterator[Exchange]:
        with self._lock:
            return iter(list(self._exchanges))
