"""The package's shape: no import loop inside the sandbox, no two modules with one name.

A loop makes every module in it load, and change, with all the others (the sandbox was one
loop of 62 modules through ``SandboxContext``); two modules with one file name make a reader,
a traceback and a search ask "which one?". The imports are read from the source, so an
import under ``TYPE_CHECKING`` or inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import agent

PACKAGE = Path(agent.__file__).parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of ``agent`` that ``name`` imports anywhere in its source.

    ``from package import thing`` is an import of the submodule when ``thing`` is one,
    else of the package itself; the parent packages Python loads on the way are not
    counted (a package's ``__init__`` registering its own submodules is no loop).
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in modules:
                    found.add(submodule)
                elif source in modules:
                    found.add(source)
    found.discard(name)
    return found


def loops(graph: dict[str, list[str]]) -> list[list[str]]:
    """Each set of nodes that reach one another, of two or more (Tarjan's strongly
    connected components, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, edge = work.pop()
            if edge == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if edge < len(graph[node]):
                work.append((node, edge + 1))
                target = graph[node][edge]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def import_loops(prefix: str) -> list[list[str]]:
    """The import loops of ``agent`` with a module under ``prefix``."""
    modules = _modules()
    graph = {name: sorted(_imports(name, path, modules)) for name, path in modules.items()}
    return [loop for loop in loops(graph) if any(m.startswith(prefix) for m in loop)]


def test_the_sandbox_has_no_import_loop() -> None:
    assert import_loops("agent.sandbox") == []


def test_the_loop_finder_finds_loops_and_only_loops() -> None:
    graph = {
        "a": ["b"],
        "b": ["c", "d"],
        "c": ["a"],
        "d": ["e"],
        "e": ["d", "f"],
        "f": [],
        "g": ["a"],
    }
    assert sorted(loops(graph)) == [["a", "b", "c"], ["d", "e"]]
    assert loops({"a": ["b"], "b": [], "c": ["a", "b"]}) == []


def test_the_import_reader_sees_every_kind_of_import() -> None:
    """Top-level, relative-free ``from`` imports of a module and of a name: the app
    imports the context by name and the services it registers as a module."""
    modules = _modules()
    app = "agent.sandbox.app"
    seen = _imports(app, modules[app], modules)
    assert {"agent.sandbox.context", "agent.sandbox.services", "agent.sandbox.api_errors"} <= seen


def test_no_two_modules_share_a_file_name() -> None:
    names = Counter(path.name for path in PACKAGE.rglob("*.py") if path.name != "__init__.py")
    shared = {
        name: sorted(str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob(name))
        for name, count in names.items()
        if count > 1
    }
    assert shared == {}
