"""A tiny threaded HTTP server for ``GET /healthz`` and ``GET /metrics``.

The standard library's server is enough for two read-only endpoints scraped a
few times a minute, and it runs in a daemon thread beside the loop so a
probe never waits for a cycle.
"""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from prometheus_client import CONTENT_TYPE_LATEST

from agent.observability.health import HealthState
from agent.observability.metrics import Metrics

log = logging.getLogger(__name__)

# How often the serving thread checks for stop(); stopping waits at most this long.
STOP_POLL_SECONDS = 0.05
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - a container's probes and scrapers come from outside


class ObservabilityServer:
    """A running server: ``port`` is the bound port (useful after asking for port 0)."""

    def __init__(self, httpd: ThreadingHTTPServer, thread: threading.Thread) -> None:
        self._httpd = httpd
        self._thread = thread
        self.host = str(httpd.server_address[0])
        self.port = int(httpd.server_address[1])

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host == ALL_INTERFACES else self.host
        return f"http://{host}:{self.port}"

    def stop(self) -> None:
        """Stop answering, release the port and wait for the serving thread."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def serve_observability(
    port: int, metrics: Metrics, health: HealthState, host: str = ALL_INTERFACES
) -> ObservabilityServer:
    """Start serving ``/healthz`` and ``/metrics`` on ``host:port`` (port 0: any free port)."""

    class Handler(_Handler):
        pass

    Handler.metrics = metrics
    Handler.health = health
    httpd = ThreadingHTTPServer((host, port), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(
        target=httpd.serve_forever,
        kwargs={"poll_interval": STOP_POLL_SECONDS},
        name="observability-http",
        daemon=True,
    )
    thread.start()
    server = ObservabilityServer(httpd, thread)
    log.info("serving /healthz and /metrics on %s:%d", server.host, server.port)
    return server


class _Handler(BaseHTTPRequestHandler):
    metrics: Metrics
    health: HealthState
    server_version = "escalation-agent"

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/healthz":
            self._healthz()
        elif path == "/metrics":
            self._send(200, CONTENT_TYPE_LATEST, self.metrics.render())
        else:
            self._json(404, {"error": f"no such endpoint {path!r}; use /healthz or /metrics"})

    def do_POST(self) -> None:
        self._not_allowed()

    def do_PUT(self) -> None:
        self._not_allowed()

    def do_DELETE(self) -> None:
        self._not_allowed()

    def _not_allowed(self) -> None:
        self._json(405, {"error": "only GET is supported"}, allow="GET")

    def _healthz(self) -> None:
        report = self.health.report()
        self._json(200 if report.healthy else 503, report.as_json())

    def _json(self, status: int, body: dict[str, object], allow: str | None = None) -> None:
        data = json.dumps(body).encode("utf-8")
        self._send(status, "application/json", data, allow=allow)

    def _send(self, status: int, content_type: str, data: bytes, allow: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if allow:
            self.send_header("Allow", allow)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Probes every few seconds would flood the log: keep them at debug level."""
        log.debug("%s %s", self.address_string(), format % args)
