"""/healthz and /metrics over real HTTP: scrape, parse with prometheus-client, move the clock."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from agent.adapters.retry import CallStats
from agent.clock import FixedClock
from agent.observability import HealthState, Metrics, ObservabilityServer, serve_observability

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLL = 60


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def metrics(clock: FixedClock) -> Metrics:
    return Metrics(clock=clock)


@pytest.fixture
def health(clock: FixedClock) -> HealthState:
    return HealthState(POLL, clock)


@pytest.fixture
def server(metrics: Metrics, health: HealthState) -> Iterator[ObservabilityServer]:
    handle = serve_observability(0, metrics, health, host="127.0.0.1")
    try:
        yield handle
    finally:
        handle.stop()


def scrape(server: ObservabilityServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of ``/metrics`` keyed by (sample name, sorted labels)."""
    response = requests.get(f"{server.url}/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


# -- /metrics -----------------------------------------------------------------


def test_server_on_port_zero_gets_a_free_port_and_releases_it(
    metrics: Metrics, health: HealthState
) -> None:
    handle = serve_observability(0, metrics, health, host="127.0.0.1")
    assert handle.port > 0
    assert requests.get(f"{handle.url}/metrics", timeout=5).status_code == 200
    handle.stop()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", handle.port), timeout=1):
        pass


def test_cycles_are_counted_by_result_with_duration_and_timestamp(
    server: ObservabilityServer, metrics: Metrics, clock: FixedClock
) -> None:
    before = scrape(server)
    assert value(before, "escalation_agent_cycles_total", result="ok") == 0
    assert value(before, "escalation_agent_cycles_total", result="failed") == 0
    assert value(before, "escalation_agent_last_cycle_timestamp_seconds") == 0

    metrics.record_cycle(1.5, ok=True)
    clock.advance(timedelta(minutes=1))
    metrics.record_cycle(42.0, ok=False)
    metrics.record_cycle(0.2, ok=True, finished_at=START + timedelta(minutes=2))

    after = scrape(server)
    assert value(after, "escalation_agent_cycles_total", result="ok") == 2
    assert value(after, "escalation_agent_cycles_total", result="failed") == 1
    assert value(after, "escalation_agent_cycle_duration_seconds_count") == 3
    assert value(after, "escalation_agent_cycle_duration_seconds_sum") == pytest.approx(43.7)
    assert value(after, "escalation_agent_cycle_duration_seconds_bucket", le="1.0") == 1
    assert value(after, "escalation_agent_cycle_duration_seconds_bucket", le="60.0") == 3
    last = value(after, "escalation_agent_last_cycle_timestamp_seconds")
    assert last == (START + timedelta(minutes=2)).timestamp()


def test_actions_are_counted_by_rule_kind_and_result(
    server: ObservabilityServer, metrics: Metrics
) -> None:
    metrics.record_action("ack_overdue", "slack_post", "done")
    metrics.record_action("ack_overdue", "slack_post", "done", count=2)
    metrics.record_action("clerical_label", "jira_add_label", "failed")
    metrics.record_actions(
        {("ack_overdue", "slack_post"): 4, ("pmo_notify", "slack_dm"): 1}, "skipped"
    )
    metrics.record_action("pmo_notify", "slack_dm", "done", count=0)

    samples = scrape(server)
    name = "escalation_agent_actions_total"
    assert value(samples, name, rule="ack_overdue", kind="slack_post", result="done") == 3
    assert value(samples, name, rule="ack_overdue", kind="slack_post", result="skipped") == 4
    assert value(samples, name, rule="clerical_label", kind="jira_add_label", result="failed") == 1
    assert value(samples, name, rule="pmo_notify", kind="slack_dm", result="skipped") == 1
    # count=0 creates no series
    assert (name, (("kind", "slack_dm"), ("result", "done"), ("rule", "pmo_notify"))) not in samples


def test_action_results_and_counts_are_validated(metrics: Metrics) -> None:
    with pytest.raises(ValueError, match="not one of done, skipped, failed"):
        metrics.record_action("ack_overdue", "slack_post", "ok")
    with pytest.raises(ValueError, match="negative"):
        metrics.record_action("ack_overdue", "slack_post", "done", count=-1)
    with pytest.raises(ValueError, match="negative"):
        metrics.record_cycle(-1.0, ok=True)
    with pytest.raises(ValueError, match="timezone-aware"):
        metrics.record_cycle(1.0, ok=True, finished_at=datetime(2026, 1, 1))


def test_api_counters_start_at_zero_per_service_and_add_up(
    server: ObservabilityServer, metrics: Metrics
) -> None:
    before = scrape(server)
    for service in ("jira", "confluence", "slack"):
        assert value(before, "escalation_agent_api_requests_total", service=service) == 0
        assert value(before, "escalation_agent_api_rate_limited_total", service=service) == 0
        assert value(before, "escalation_agent_api_errors_total", service=service) == 0

    metrics.record_api("jira", requests=10, rate_limited=2, errors=1)
    metrics.record_api("jira", requests=5)
    metrics.record_api("slack", rate_limited=3)
    with pytest.raises(ValueError, match="requests for jira cannot be negative"):
        metrics.record_api("jira", requests=-1)

    after = scrape(server)
    assert value(after, "escalation_agent_api_requests_total", service="jira") == 15
    assert value(after, "escalation_agent_api_rate_limited_total", service="jira") == 2
    assert value(after, "escalation_agent_api_errors_total", service="jira") == 1
    assert value(after, "escalation_agent_api_rate_limited_total", service="slack") == 3
    assert value(after, "escalation_agent_api_requests_total", service="confluence") == 0


def test_call_stats_are_published_as_growth_since_the_last_call(
    server: ObservabilityServer, metrics: Metrics
) -> None:
    jira = CallStats("jira")
    slack = CallStats("slack")
    jira.add(calls=3, attempts=4, retries=1, rate_limited=1)
    slack.add(calls=1, attempts=1, errors=1)
    metrics.record_call_stats({"jira": jira, "slack": slack})

    jira.add(calls=2, attempts=2, errors=1)
    metrics.record_call_stats({"jira": jira, "slack": slack})  # slack unchanged: adds nothing

    samples = scrape(server)
    assert value(samples, "escalation_agent_api_requests_total", service="jira") == 6
    assert value(samples, "escalation_agent_api_rate_limited_total", service="jira") == 1
    assert value(samples, "escalation_agent_api_errors_total", service="jira") == 1
    assert value(samples, "escalation_agent_api_requests_total", service="slack") == 1
    assert value(samples, "escalation_agent_api_errors_total", service="slack") == 1


def test_call_stats_from_a_replaced_caller_or_snapshots_count_in_full(
    server: ObservabilityServer, metrics: Metrics
) -> None:
    old = CallStats("confluence")
    old.add(calls=5, attempts=5)
    metrics.record_call_stats({"confluence": old})
    fresh = CallStats("confluence")  # a new caller starts again from zero
    fresh.add(calls=2, attempts=2, rate_limited=1)
    metrics.record_call_stats({"confluence": fresh.snapshot()})

    samples = scrape(server)
    assert value(samples, "escalation_agent_api_requests_total", service="confluence") == 7
    assert value(samples, "escalation_agent_api_rate_limited_total", service="confluence") == 1


def test_held_escalations_gauge_per_policy(server: ObservabilityServer, metrics: Metrics) -> None:
    metrics.set_held("ds-ticket-escalation", 3)
    metrics.set_held("support-p1-p4", 1)
    metrics.set_held("ds-ticket-escalation", 2)
    with pytest.raises(ValueError, match="negative"):
        metrics.set_held("support-p1-p4", -1)

    samples = scrape(server)
    name = "escalation_agent_held_escalations"
    assert value(samples, name, policy="ds-ticket-escalation") == 2
    assert value(samples, name, policy="support-p1-p4") == 1


def test_each_metrics_object_has_its_own_registry(clock: FixedClock) -> None:
    first, second = Metrics(clock=clock), Metrics(clock=clock)
    first.record_cycle(1.0, ok=True)
    assert first.registry.get_sample_value("escalation_agent_cycles_total", {"result": "ok"}) == 1
    assert second.registry.get_sample_value("escalation_agent_cycles_total", {"result": "ok"}) == 0
    assert REGISTRY.get_sample_value("escalation_agent_cycles_total", {"result": "ok"}) is None


# -- /healthz -----------------------------------------------------------------


def test_healthz_is_ok_during_start_up_grace_then_503_without_a_cycle(
    server: ObservabilityServer, clock: FixedClock
) -> None:
    response = requests.get(f"{server.url}/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "last_cycle": None}

    clock.advance(timedelta(seconds=3 * POLL))
    assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200

    clock.advance(timedelta(seconds=1))
    response = requests.get(f"{server.url}/healthz", timeout=5)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["last_cycle"] is None
    assert "no cycle has finished since the start at 2026-03-02T09:00:00Z" in body["reason"]


def test_healthz_follows_the_last_finished_cycle(
    server: ObservabilityServer, health: HealthState, clock: FixedClock
) -> None:
    clock.advance(timedelta(seconds=30))
    health.cycle_finished()
    response = requests.get(f"{server.url}/healthz?verbose=1", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "last_cycle": "2026-03-02T09:00:30Z"}

    clock.advance(timedelta(seconds=3 * POLL + 1))
    response = requests.get(f"{server.url}/healthz", timeout=5)
    assert response.status_code == 503
    body = response.json()
    assert body["last_cycle"] == "2026-03-02T09:00:30Z"
    assert "181 s ago" in body["reason"]
    assert "loop is stuck" in body["reason"]

    health.cycle_finished(clock.now())
    assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200


def test_unknown_paths_are_404_and_other_methods_405(server: ObservabilityServer) -> None:
    response = requests.get(f"{server.url}/nope", timeout=5)
    assert response.status_code == 404
    assert "/healthz or /metrics" in response.json()["error"]
    response = requests.post(f"{server.url}/metrics", timeout=5)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"


def test_health_state_edges(clock: FixedClock) -> None:
    health = HealthState(10, clock)
    assert health.allowance == timedelta(seconds=30)
    health.cycle_finished(START + timedelta(seconds=20))
    health.cycle_finished(START + timedelta(seconds=5))  # an older report never moves it back
    assert health.last_cycle == START + timedelta(seconds=20)
    assert health.is_healthy(START + timedelta(seconds=50))
    assert not health.is_healthy(START + timedelta(seconds=51))
    with pytest.raises(ValueError, match="timezone-aware"):
        health.cycle_finished(datetime(2026, 3, 2, 9, 0))
    with pytest.raises(ValueError, match="positive"):
        HealthState(0, clock)
