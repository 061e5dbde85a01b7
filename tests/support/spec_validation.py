"""Validating the sandbox's traffic against the official Jira, Confluence and Slack specs.

One :class:`SpecValidator` is loaded per test session (``tests/conftest.py``).
Each sandbox's WSGI app is wrapped by :meth:`SpecValidator.wrap`; the recorded
exchanges are checked with :meth:`SpecValidator.validate`:

- the request path picks the spec and the path template
  (:mod:`tests.support.spec_routes`); paths no spec has are recorded as
  "not in spec", as are endpoints the gap table marks NOT_IN_SPEC;
- Jira (v3, and the v3-derived v2) and Confluence (v1, v2) are checked by
  openapi-core, plus ADF / plain-text bodies (:mod:`tests.support.spec_openapi`);
- Slack is checked on method, required arguments and response shape
  (:mod:`tests.support.spec_slack`);
- relaxations come only from the gap table (:mod:`tests.support.spec_gaps`),
  and each result lists the gap entries applied to it.

Every result is added to the session's coverage (endpoint, statuses, count),
which ``pytest_terminal_summary`` prints.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from agent.sandbox.app import service_of
from tests.support.spec_exchange import Exchange, ExchangeRecorder, WsgiApp
from tests.support.spec_gaps import GAPS, GapRule, GapTracker, SpecGap, find_gap
from tests.support.spec_openapi import OpenApiChecker
from tests.support.spec_routes import SOURCES, RouteTable, load_spec, spec_name_for
from tests.support.spec_slack import SlackChecker

VALIDATED_SERVICES = ("jira", "confluence", "slack")


@dataclass(frozen=True)
class ExchangeResult:
    """The verdict on one exchange."""

    service: str
    method: str
    path: str
    status: int
    description: str  # "GET /rest/api/3/myself -> 200"
    spec: str | None = None  # which spec file (None: not in any spec)
    template: str | None = None  # the spec path template that matched
    problems: tuple[str, ...] = ()
    gaps: tuple[SpecGap, ...] = ()  # the gap-table entries applied to this exchange
    note: str = ""  # why it was not validated, if it was not

    @property
    def in_spec(self) -> bool:
        return self.template is not None


@dataclass
class _Endpoint:
    statuses: Counter[int] = field(default_factory=Counter)
    count: int = 0


class SpecCoverage:
    """What a session validated: endpoints with their statuses and counts, paths no spec has.

    Kept apart from the validator so that parallel test workers (pytest-xdist) can each send
    theirs to the controller as plain JSON (:meth:`export`), which adds them up (:meth:`merge`)
    and prints one summary for the whole run.
    """

    def __init__(self) -> None:
        self.endpoints: dict[tuple[str, str, str], _Endpoint] = {}
        self.not_in_spec: Counter[tuple[str, str, str]] = Counter()
        self.validated = 0
        self.seconds = 0.0

    def record(self, result: ExchangeResult, seconds: float) -> None:
        self.validated += 1
        self.seconds += seconds
        if result.template is None:
            self.not_in_spec[(result.service, result.method, _generalise(result.path))] += 1
            return
        endpoint = self.endpoints.setdefault(
            (result.service, result.method, result.template), _Endpoint()
        )
        endpoint.statuses[result.status] += 1
        endpoint.count += 1

    def export(self) -> dict[str, Any]:
        """A JSON-safe copy, for a worker to hand to the controller."""
        return {
            "endpoints": [
                [*key, {str(status): n for status, n in endpoint.statuses.items()}, endpoint.count]
                for key, endpoint in self.endpoints.items()
            ],
            "not_in_spec": [[*key, count] for key, count in self.not_in_spec.items()],
            "validated": self.validated,
            "seconds": self.seconds,
        }

    def merge(self, exported: dict[str, Any]) -> None:
        """Add a worker's :meth:`export` to this coverage."""
        for service, method, template, statuses, count in exported["endpoints"]:
            endpoint = self.endpoints.setdefault((service, method, template), _Endpoint())
            endpoint.statuses.update({int(status): n for status, n in statuses.items()})
            endpoint.count += count
        for service, method, path, count in exported["not_in_spec"]:
            self.not_in_spec[(service, method, path)] += count
        self.validated += exported["validated"]
        self.seconds += exported["seconds"]

    def report(self) -> list[str]:
        """Lines for the end-of-session summary."""
        lines = ["Spec coverage:"]
        per_service: Counter[str] = Counter()
        for (service, method, template), endpoint in sorted(self.endpoints.items()):
            statuses = ",".join(str(s) for s in sorted(endpoint.statuses))
            lines.append(f"  {service:<10} {method:<6} {template}  [{statuses}]  x{endpoint.count}")
            per_service[service] += 1
        summary = ", ".join(f"{s}: {per_service[s]}" for s in VALIDATED_SERVICES)
        lines.append(f"Endpoints covered per service: {summary}")
        each = self.seconds * 1000 / self.validated if self.validated else 0.0
        lines.append(
            f"Validated {self.validated} exchanges in {self.seconds:.1f} s ({each:.1f} ms each)"
        )
        if self.not_in_spec:
            lines.append("Not in spec (recorded, not validated):")
            for (service, method, path), count in sorted(self.not_in_spec.items()):
                lines.append(f"  {service:<10} {method:<6} {path}  x{count}")
        return lines


class SpecValidator:
    """The session's spec validator: specs loaded once, validators compiled once per op."""

    def __init__(self, gaps: tuple[SpecGap, ...] = GAPS) -> None:
        self.gaps = gaps
        documents = {source.name: load_spec(source) for source in SOURCES}
        self._routes = {
            name: RouteTable.build(name, document["paths"]) for name, document in documents.items()
        }
        self._slack = SlackChecker(documents.pop("slack"))
        self._openapi = OpenApiChecker(documents)
        self._lock = threading.Lock()
        self.coverage = SpecCoverage()

    # -- wiring ----------------------------------------------------------------
    @staticmethod
    def is_validated_path(path: str) -> bool:
        """False for the sandbox's own pages: the control surface and the viewer."""
        return service_of(path) in VALIDATED_SERVICES

    def wrap(
        self, app: WsgiApp, *, check_requests: bool = True, deployment: str = "cloud"
    ) -> ExchangeRecorder:
        """WSGI middleware recording the traffic of ``app`` for :meth:`validate`."""
        return ExchangeRecorder(
            app,
            skip=lambda path: not self.is_validated_path(path),
            check_requests=check_requests,
            deployment=deployment,
        )

    def validate_all(self, exchanges: Iterable[Exchange]) -> list[ExchangeResult]:
        return [self.validate(exchange) for exchange in exchanges]

    # -- one exchange ------------------------------------------------------------
    def validate(self, exchange: Exchange) -> ExchangeResult:
        """Check one exchange against its spec and add it to the session's coverage."""
        with self._lock:
            started = time.perf_counter()
            result = self._validate(exchange)
            self.coverage.record(result, time.perf_counter() - started)
        return result

    def _validate(self, exchange: Exchange) -> ExchangeResult:
        service = service_of(exchange.path)
        result = ExchangeResult(
            service, exchange.method, exchange.path, exchange.status, exchange.describe()
        )
        if service_of(exchange.path, exchange.deployment) != service:
            # a Confluence path of the other deployment: this site has no such resource
            return replace(result, note=f"not in spec: not served on {exchange.deployment}")
        spec_name, lookup_path = spec_name_for(exchange.path)
        match = self._routes[spec_name].match(lookup_path, exchange.method) if spec_name else None
        if match is None:
            return replace(result, note="not in spec: no such path")
        if exchange.method not in match.methods and match.spec != "slack":
            # (Slack's spec lists GET for read methods; the Slack checker applies that gap.)
            return replace(result, note=f"not in spec: {exchange.method} {match.template}")
        removed = find_gap(
            GapRule.NOT_IN_SPEC,
            service,
            exchange.method,
            match.template,
            deployment=exchange.deployment,
            gaps=self.gaps,
        )
        if removed is not None:
            return replace(result, note=f"not in spec: {removed.reason}", gaps=(removed,))
        gaps = GapTracker(service, exchange.method, match.template, exchange.deployment, self.gaps)
        if match.spec == "slack":
            operation = self._slack.operation(match.template)
            if operation is None:  # cannot happen: the routes come from the same document
                raise LookupError(f"no Slack operation for {match.template}")
            problems = self._slack.check(exchange, operation, gaps)
        else:
            problems = self._openapi.check(exchange, service, lookup_path, match, gaps)
        problems = gaps.drop_ignored(problems, exchange.status)
        return replace(
            result,
            spec=match.spec,
            template=match.template,
            problems=tuple(problems),
            gaps=tuple(gaps.used),
        )

    # -- coverage ---------------------------------------------------------------
    def coverage_report(self) -> list[str]:
        """Lines for the end-of-session summary."""
        with self._lock:
            return self.coverage.report()


def _generalise(path: str) -> str:
    """Collapse ids and issue keys so unspecified endpoints group in the summary."""
    path = re.sub(r"/[A-Z][A-Z0-9_]+-\d+(?=/|$)", "/{key}", path)
    return re.sub(r"(?<!/api)/\d+(?=/|$)", "/{id}", path)  # keep /rest/api/2


def format_failures(results: Iterable[ExchangeResult]) -> str:
    """The failure message: each violating exchange and what the validator said."""
    failing = [result for result in results if result.problems]
    lines = [f"{len(failing)} exchange(s) violate the official API specs:"]
    for result in failing:
        lines.append(f"  {result.description}  [{result.spec} {result.method} {result.template}]")
        lines.extend(f"    - {problem}" for problem in result.problems)
    return "\n".join(lines)
