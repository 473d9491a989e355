"""The layout is the architecture: packages by stage, imports that point one way, no cycle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "auditor"

# What each top-level part of `auditor` may import (besides itself). Dependencies point
# down the pipeline: the CLI may use everything; the domain and I/O use only the data model.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "models": set(),
    "io": {"models", "errors"},
    "launchdarkly": {"io", "models", "errors"},
    "language": {"launchdarkly", "io", "models", "errors"},
    "engine": {"language", "launchdarkly", "models", "errors"},
    "rulebook": {"engine", "language", "launchdarkly", "io", "models", "errors"},
    "gate": {"io", "models", "errors"},
    "audit": {"rulebook", "engine", "gate", "launchdarkly", "io", "models", "errors"},
    "changes": {"audit", "engine", "gate", "launchdarkly", "io", "models", "errors"},
    "outputs": {"changes", "engine", "gate", "launchdarkly", "io", "models", "errors"},
    "periodic": {"outputs", "launchdarkly", "io", "models", "errors"},
    "config": {"audit", "outputs", "rulebook", "gate", "io", "models", "errors"},
    "scaffold": {"io", "errors"},
    "cli": {
        "audit",
        "changes",
        "config",
        "engine",
        "errors",
        "gate",
        "io",
        "language",
        "launchdarkly",
        "models",
        "outputs",
        "periodic",
        "rulebook",
        "scaffold",
    },
    "__main__": {"cli"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(path: Path) -> Iterator[str]:
    """The auditor modules a file imports, wherever the import statement stands."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "auditor":
                continue
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                yield submodule if submodule in MODULES else node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == "auditor")


def part(module: str) -> str:
    """`auditor.io.client` -> `io`; `auditor.engine` -> `engine`; `auditor` -> `auditor`."""
    return module.split(".")[1] if "." in module else "auditor"


def test_top_level_reads_as_the_architecture() -> None:
    entries = {p.name for p in PACKAGE.iterdir() if not p.name.startswith(("_", "."))}
    packages = {e for e in entries if (PACKAGE / e).is_dir()}
    assert packages == {
        "changes",
        "cli",
        "gate",
        "io",
        "language",
        "launchdarkly",
        "outputs",
        "periodic",
        "rulebook",
    }
    assert entries - packages == {
        "audit.py",
        "config.py",
        "engine.py",
        "errors.py",
        "models.py",
        "scaffold.py",
    }
    for package in packages:
        init = PACKAGE / package / "__init__.py"
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring and "import" in docstring, f"{package}/__init__.py must say what it owns"


def test_every_package_imports_only_the_layers_below_it() -> None:
    wrong = []
    for module, path in MODULES.items():
        here = part(module)
        for target in imports(path):
            there = part(target)
            if there not in (here, "auditor") and there not in ALLOWED[here]:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_no_import_cycle() -> None:
    graph = {m: {t for t in imports(p) if t in MODULES and t != m} for m, p in MODULES.items()}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
