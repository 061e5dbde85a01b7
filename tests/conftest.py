"""Shared fixtures: a fresh sandbox per test, talking HTTP on a loopback port.

All traffic through the ``sandbox`` / ``sandbox_dc`` fixtures is checked against
the official API specs (see ``tests/support/spec_validation.py``): a test whose
exchanges violate a spec fails (traffic after the test body, e.g. from fixture
teardown, is checked at teardown). Mark a test that deliberately sends
invalid requests with ``@pytest.mark.no_spec_check``: its requests are not
checked, its responses still are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from agent.sandbox.server import SandboxServer
from tests.support.sandbox import SLACK_TIME_SCALE, TOKEN, SandboxHandle
from tests.support.spec_exchange import ExchangeRecorder
from tests.support.spec_validation import SpecCoverage, SpecValidator, format_failures

_SPEC_VALIDATOR = pytest.StashKey[SpecValidator]()
_WORKERS_COVERAGE = pytest.StashKey[SpecCoverage]()  # pytest-xdist: what the workers sent
_WORKER_OUTPUT_KEY = "spec_coverage"
_RECORDERS = pytest.StashKey[list[ExchangeRecorder]]()
NO_SPEC_CHECK = "no_spec_check"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{NO_SPEC_CHECK}: the test sends invalid requests on purpose; "
        "only the sandbox's responses are checked against the API specs",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files holding a ``slow`` test run first (order within a file kept): with a test file
    per worker (pytest-xdist ``--dist loadfile``) a long file left to the end keeps one core
    busy while the other idles."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow") is not None}
    items.sort(key=lambda item: item.path not in slow_files)


def spec_validator(config: pytest.Config) -> SpecValidator:
    """The session's validator, loaded on first use (loading the specs takes a moment)."""
    validator = config.stash.get(_SPEC_VALIDATOR, None)
    if validator is None:
        validator = SpecValidator()
        config.stash[_SPEC_VALIDATOR] = validator
    return validator


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its spec coverage to the controller, which sums them."""
    output = getattr(session.config, "workeroutput", None)
    validator = session.config.stash.get(_SPEC_VALIDATOR, None)
    if output is not None and validator is not None:
        output[_WORKER_OUTPUT_KEY] = validator.coverage.export()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """(pytest-xdist, on the controller) a worker finished: add up what it validated."""
    exported = getattr(node, "workeroutput", {}).get(_WORKER_OUTPUT_KEY)
    if exported is not None:
        node.config.stash.setdefault(_WORKERS_COVERAGE, SpecCoverage()).merge(exported)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    stash = terminalreporter.config.stash
    validator = stash.get(_SPEC_VALIDATOR, None)
    lines = validator.coverage_report() if validator is not None else None
    workers = stash.get(_WORKERS_COVERAGE, None)
    if workers is not None:
        lines = workers.report()
    if lines is None:
        return
    terminalreporter.section("API spec validation")
    for line in lines:
        terminalreporter.write_line(line)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Check the test's sandbox traffic right after it ran, so a violation FAILS the test."""
    outcome = yield
    for recorder in item.stash.get(_RECORDERS, []):
        _check_traffic(item.config, recorder)
    return outcome


def _start(seed: str = "empty", deployment: str = "cloud") -> SandboxHandle:
    server = SandboxServer(port=0, token=TOKEN, seed=seed, deployment=deployment)
    handle = SandboxHandle(server)
    server.start()
    handle.realism(slack_time_scale=SLACK_TIME_SCALE)
    return handle


def _record_traffic(request: pytest.FixtureRequest, handle: SandboxHandle) -> ExchangeRecorder:
    validator = spec_validator(request.config)
    check_requests = request.node.get_closest_marker(NO_SPEC_CHECK) is None
    recorder = validator.wrap(
        handle.server.app.wsgi_app,
        check_requests=check_requests,
        deployment=handle.ctx.deployment,
    )
    handle.server.app.wsgi_app = recorder  # type: ignore[method-assign]
    request.node.stash.setdefault(_RECORDERS, []).append(recorder)
    return recorder


def _check_traffic(config: pytest.Config, recorder: ExchangeRecorder) -> None:
    """Validate what ``recorder`` captured since the last check; fail on any violation."""
    results = spec_validator(config).validate_all(recorder.take())
    if any(result.problems for result in results):
        pytest.fail(format_failures(results), pytrace=False)


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[SandboxHandle]:
    """An empty Jira Cloud + Confluence + Slack sandbox; its traffic is spec-checked."""
    handle = _start()
    recorder = _record_traffic(request, handle)
    yield handle
    handle.server.stop()
    _check_traffic(request.config, recorder)  # whatever came after the test body


@pytest.fixture
def sandbox_dc(request: pytest.FixtureRequest) -> Iterator[SandboxHandle]:
    """An empty sandbox whose Jira says it is Data Center (search via /rest/api/2/search)."""
    handle = _start(deployment="datacenter")
    recorder = _record_traffic(request, handle)
    yield handle
    handle.server.stop()
    _check_traffic(request.config, recorder)  # whatever came after the test body
