"""The packages' floors: each imports only the ones below it, and no two import each other.

Time keeping is the ground floor; the policy is data on top of it; the core reads
the policy's data models (never its loader or checks) and sits below the adapters,
the runtime and the commands; only the commands and the demo start the sandbox. Inside
the runtime, reading the services (``runtime.read``) and carrying out the plan
(``runtime.act``) never import each other, and what they share from ``runtime`` itself
reaches neither: only the cycle above them uses both. The
imports are read from the source (``ast``), so one under ``TYPE_CHECKING`` or inside a
function counts as much as one at the top: a floor that is crossed only for the type
checker is still crossed for the reader.
"""

from __future__ import annotations

from collections import defaultdict

from tests.unit.test_package_layout import _imports, _modules, loops

MODULES = _modules()
IMPORTS = {name: _imports(name, path, MODULES) for name, path in MODULES.items()}


def package(module: str) -> str:
    """``agent.core.rules.clocks`` -> ``agent.core``; a top-level module is its own."""
    return ".".join(module.split(".")[:2])


def imports_of(prefix: str) -> dict[str, set[str]]:
    """What each module of ``prefix`` (a package) imports from outside it."""
    return {
        name: {t for t in targets if package(t) != prefix}
        for name, targets in IMPORTS.items()
        if package(name) == prefix
    }


def crossings(prefix: str, forbidden: tuple[str, ...]) -> list[str]:
    """``module -> target`` for each import of ``prefix`` that reaches into ``forbidden``."""
    return sorted(
        f"{name} -> {target}"
        for name, targets in imports_of(prefix).items()
        for target in targets
        if any(target == f or target.startswith(f"{f}.") for f in forbidden)
    )


def reach(start: str, within: str) -> set[str]:
    """Every module of ``within`` that loading ``start`` loads (its own import, transitively)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [t for t in IMPORTS.get(name, ()) if package(t) == within]
    return seen


def test_no_two_packages_import_each_other() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for name, targets in IMPORTS.items():
        graph[package(name)].update(package(t) for t in targets if package(t) != package(name))
    assert loops({node: sorted(graph[node]) for node in sorted(graph)}) == []


def test_time_keeping_is_the_ground_floor() -> None:
    assert crossings("agent.timekeeping", ("agent",)) == []


def test_the_policy_is_data_on_time_keeping() -> None:
    above = ("agent.core", "agent.adapters", "agent.runtime", "agent.sandbox", "agent.commands")
    assert crossings("agent.policy", above) == []
    assert crossings("agent.policy", ("agent.reference", "agent.demo", "agent.replay")) == []


def test_the_core_reads_the_policy_s_models_but_not_its_loader() -> None:
    above = ("agent.adapters", "agent.runtime", "agent.sandbox", "agent.commands")
    assert crossings("agent.core", above) == []
    loader = {"agent.policy", "agent.policy.loader", "agent.policy.checks"}
    loaded = {
        f"{name} -> {target} loads {sorted(reach(target, 'agent.policy') & loader)}"
        for name, targets in imports_of("agent.core").items()
        for target in targets
        if package(target) == "agent.policy" and reach(target, "agent.policy") & loader
    }
    assert sorted(loaded) == []


def test_only_the_commands_and_the_demo_start_the_sandbox() -> None:
    allowed = {"agent.sandbox", "agent.commands", "agent.demo"}
    users = sorted(
        f"{name} -> {target}"
        for name, targets in IMPORTS.items()
        for target in targets
        if package(target) == "agent.sandbox" and package(name) not in allowed
    )
    assert users == []


RUNTIME_SIDES = ("agent.runtime.read", "agent.runtime.act")


def side(module: str) -> str | None:
    """``agent.runtime.read.reader`` -> ``agent.runtime.read``; None outside both sides."""
    return next((s for s in RUNTIME_SIDES if module == s or module.startswith(f"{s}.")), None)


def test_reading_and_acting_do_not_import_each_other() -> None:
    crossed = sorted(
        f"{name} -> {target}"
        for name, targets in IMPORTS.items()
        for target in targets
        if side(name) and side(target) and side(name) != side(target)
    )
    assert crossed == []


def test_what_reading_and_acting_share_reaches_neither() -> None:
    """A module of ``runtime`` itself that ``read`` or ``act`` uses is below both sides:
    loading it never loads either one (else the arrow would run back up)."""
    shared = {
        target
        for name, targets in IMPORTS.items()
        if side(name)
        for target in targets
        if package(target) == "agent.runtime" and not side(target)
    }
    back = sorted(
        f"{module} loads {sorted(m for m in reach(module, 'agent.runtime') if side(m))}"
        for module in sorted(shared)
        if any(side(m) for m in reach(module, "agent.runtime"))
    )
    assert shared and back == []


def test_the_cycle_uses_both_sides() -> None:
    used = {side(t) for t in IMPORTS["agent.runtime.cycle"]}
    assert set(RUNTIME_SIDES) <= used


def test_the_checks_see_a_crossing_when_there_is_one() -> None:
    """The planner does import the catalogue and the policy's schema: the readers find it."""
    assert "agent.policy.schema" in imports_of("agent.core")["agent.core.planner"]
    assert crossings("agent.core", ("agent.policy.schema",))
    assert "agent.policy.loader" in reach("agent.policy", "agent.policy")
