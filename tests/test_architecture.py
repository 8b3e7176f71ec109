"""The package's shape: stages import only the stages before them, and nothing forms a cycle.

The order is the pipeline of segdsl/__init__.py. Every import counts, the ones under
`if TYPE_CHECKING:` and the ones inside functions included, so no import inside a
function can be hiding a cycle; imports inside functions are allowed only in the
entry points, which load the SQL stages on demand (importing them loads neither sqlglot
nor duckdb; `segdsl check` loads sqlglot only to read the refusals of the dialects it
checks for, and never duckdb).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "segdsl"

# each stage may import the stages listed before it, never one after it
ORDER = [
    "types",
    "diagnostics",
    "python_values",
    "operators",
    "document",
    "syntax",
    "check",
    "optimize",
    "lower",
    "emit",
    "execute",
    "reference",
    "review",
    "project",
    "lsp",
    "demo",
    "cli",
    "",  # the package itself
]

# entry points that import later stages inside functions, to keep start-up light; every
# module of the command line is one (a module per command)
LAZY = {"segdsl", "segdsl.project", "segdsl.lsp"}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(tree: ast.Module, modules: set[str]) -> list[tuple[str, ast.stmt, bool]]:
    """(imported module, statement, inside a function) for each segdsl import."""
    found: list[tuple[str, ast.stmt, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((a.name, child, in_function) for a in child.names if a.name in modules)
            elif isinstance(child, ast.ImportFrom) and child.module in modules:
                for alias in child.names:
                    sub = f"{child.module}.{alias.name}"
                    found.append((sub if sub in modules else child.module, child, in_function))
            visit(child, inner)

    visit(tree, False)
    return found


def _graph() -> dict[str, list[tuple[str, ast.stmt, bool]]]:
    files = {_module(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    return {m: _imports(ast.parse(p.read_text()), modules) for m, p in files.items()}


GRAPH = _graph()


def test_the_stages_are_the_packages_listed() -> None:
    assert {_stage(m) for m in GRAPH} == set(ORDER)


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_a_stage_imports_only_earlier_stages(module: str) -> None:
    rank = ORDER.index(_stage(module))
    later = [
        f"line {stmt.lineno}: {target}"
        for target, stmt, _ in GRAPH[module]
        if ORDER.index(_stage(target)) > rank
    ]
    assert not later, f"{module} imports a later stage: {later}"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_inside_functions_only_in_entry_points(module: str) -> None:
    inside = [f"line {s.lineno}: {t}" for t, s, local in GRAPH[module] if local]
    assert module in LAZY or _stage(module) == "cli" or not inside, (
        f"{module} imports inside a function: {inside}"
    )


def test_no_import_cycle() -> None:
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target, _, _ in GRAPH[module]:
            # importing a submodule runs its package's __init__, but that is no edge of ours
            if target == module:
                continue
            if state.get(target) == 1:
                cycle = path[path.index(target) :] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_the_entry_points_load_no_sql_library() -> None:
    code = (
        "import sys, segdsl.cli, segdsl.project;"
        "print(sorted(m for m in ('sqlglot', 'duckdb') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_only_the_language_server_loads_pygls() -> None:
    code = (
        "import sys, segdsl.cli, segdsl.project, segdsl.lsp;"
        "print(sorted(m for m in ('pygls', 'lsprotocol') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_graph_is_read() -> None:
    # a broken walker would pass every test above: the known edges must be seen
    targets = {t for t, _, _ in GRAPH["segdsl.project"]}
    assert {"segdsl.emit", "segdsl.execute", "segdsl.optimize"} <= targets
    commands = [m for m in GRAPH if _stage(m) == "cli"]
    assert any(local for m in commands for _, _, local in GRAPH[m])
