"""Running the sandbox: a threaded HTTP server, in the foreground or in a thread.

The request handler can drop a connection without answering (an injected
"dropped connection" fault), which only the socket layer can do.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from agent.sandbox.app import create_app
from agent.sandbox.context import SandboxContext
from agent.sandbox.seed import apply_seed


class _FaultAwareHandler(WSGIRequestHandler):
    """Decides injected faults before the app runs, so it can drop the connection."""

    def run_wsgi(self) -> None:
        ctx: SandboxContext = self.server.app.extensions["sandbox"]  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        self._sandbox_fault = ctx.faults.decide(path)
        if self._sandbox_fault is not None and self._sandbox_fault.drop:
            ctx.requests.record(
                {
                    "method": self.command,
                    "path": path,
                    "query": "",
                    "status": 0,
                    "service": "dropped",
                    "at": ctx.clock.now().isoformat(),
                    "wall": 0.0,
                    "ms": 0.0,
                }
            )
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                return  # the client had already gone; nothing left to drop
            return
        super().run_wsgi()

    def make_environ(self) -> Any:
        environ = super().make_environ()
        environ["sandbox.fault"] = getattr(self, "_sandbox_fault", None)
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Quiet: the request log at /_sandbox/requests records every call."""


@dataclass
class SandboxUrls:
    base: str
    deployment: str = "cloud"

    @property
    def jira(self) -> str:
        return self.base

    @property
    def confluence(self) -> str:
        """Cloud serves Confluence under ``/wiki``; Data Center at its own root."""
        return self.base if self.deployment == "datacenter" else f"{self.base}/wiki"

    @property
    def slack(self) -> str:
        return f"{self.base}/api/"


class SandboxServer:
    """A sandbox listening on host:port; ``start()`` runs it in a background thread."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        data_dir: Path | None = None,
        token: str,
        seed: str = "empty",
        deployment: str = "cloud",
    ) -> None:
        fresh = data_dir is None or not (data_dir / "sandbox.sqlite3").exists()
        self.ctx = SandboxContext.open(data_dir, token, deployment)
        if fresh:
            apply_seed(self.ctx, seed)
        self.app = create_app(self.ctx)
        self._server: BaseWSGIServer = make_server(
            host, port, self.app, threaded=True, request_handler=_FaultAwareHandler
        )
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    @property
    def urls(self) -> SandboxUrls:
        host = self._server.host
        shown = f"[{host}]" if ":" in host else host
        return SandboxUrls(f"http://{shown}:{self.port}", self.ctx.deployment)

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="sandbox-http", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.ctx.store.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def env_block(urls: SandboxUrls, token: str) -> str:
    """The .env lines that point the agent at this sandbox."""
    return "\n".join(
        [
            f"JIRA_URL={urls.jira}",
            "JIRA_EMAIL=agent@sandbox.example",
            f"JIRA_API_TOKEN={token}",
            f"CONFLUENCE_URL={urls.confluence}",
            "CONFLUENCE_EMAIL=agent@sandbox.example",
            f"CONFLUENCE_API_TOKEN={token}",
            f"SLACK_API_URL={urls.slack}",
            f"SLACK_BOT_TOKEN={token}",
        ]
    )
