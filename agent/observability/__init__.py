"""Health and Prometheus metrics for the long-running agent (``/healthz``, ``/metrics``)."""

from agent.observability.health import HealthReport, HealthState
from agent.observability.metrics import Metrics
from agent.observability.metrics_server import ObservabilityServer, serve_observability

__all__ = [
    "HealthReport",
    "HealthState",
    "Metrics",
    "ObservabilityServer",
    "serve_observability",
]
