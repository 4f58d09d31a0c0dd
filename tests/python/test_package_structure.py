"""How the modules of the package ``msk`` depend on each other (STYLE.md, "Habits").

- The import graph is acyclic: imports at module level and inside functions both count (only the
  ``if TYPE_CHECKING:`` blocks, which never run, are left out).
- Modules import downwards: core access and shared helpers, then results and protocols, models,
  the spine, studies and validation, plots, and the command on top. The few calls upwards (a
  result drawing itself) are listed in ``UPWARD`` with their reason.
- No module takes another module's private names (``from msk.x import _name``); private modules
  (``msk._core``, ``msk._runtime``, ...) may be imported, for their public names.
- ``import msk`` loads neither pandas, xarray nor matplotlib (they load on first use), and
  ``dir(msk)`` shows msk's own names only.

The tests read the source tree with :mod:`ast`; nothing is imported except in the last two.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "bindings" / "python" / "msk"

# Layers, lowest first: a module imports modules of its own layer or of lower layers only.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("msk._core", "msk._runtime", "msk._names", "msk._hdf5", "msk._parallel", "msk._overrides"),
    ("msk.state",),
    ("msk.results", "msk.protocols", "msk.curves"),
    ("msk._api",),
    (
        "msk.spine.postures",
        "msk.spine.equilibria",
        "msk.spine.files",
        "msk.spine.studies",
        "msk._muscle_moments",
    ),
    ("msk.spine",),
    ("msk.study", "msk.sessions", "msk.lifetimes", "msk._cohorts", "msk.validation"),
    ("msk._animation", "msk._spine_plot", "msk._study_plot", "msk.plot"),
    ("msk.cli", "msk.__main__"),
    ("msk",),
)

# Imports that go up a layer, each inside the one method that needs it (run on call only).
UPWARD = {
    ("msk.results", "msk.plot"): "Results.plot() draws the dashboard",
    ("msk.spine.equilibria", "msk.plot"): "EquilibriumResult.plot() draws the spine",
}


@dataclass(frozen=True)
class Import:
    """One import statement of a module of msk: where it is and what it takes."""

    module: str  # the importing module, e.g. "msk.spine.files"
    target: str  # the imported module, e.g. "msk._hdf5"
    names: tuple[str, ...]  # names taken with ``from target import ...``
    line: int


def module_name(path: Path) -> str:
    """``msk.spine.files`` for .../msk/spine/files.py, ``msk.spine`` for its __init__.py."""
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    """Every module of the package (the compiled core has no source here but is a module)."""
    modules = {module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}
    modules["msk._core"] = PACKAGE_DIR / "_core.pyi"
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node`` except the bodies of ``if TYPE_CHECKING:`` blocks."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield other
                yield from _statements(other)
            continue
        yield child
        yield from _statements(child)


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """The imports of msk modules made by module ``name`` (file ``path``)."""
    if path.suffix != ".py":
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []
    for node in _statements(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "msk" or alias.name.startswith("msk."):
                    found.append(Import(name, alias.name, (), node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if not (source == "msk" or source.startswith("msk.")):
                continue
            plain_names = []
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in modules:  # "from msk import protocols": the module itself
                    found.append(Import(name, submodule, (), node.lineno))
                else:
                    plain_names.append(alias.name)
            if plain_names:
                found.append(Import(name, source, tuple(plain_names), node.lineno))
    return found


def import_graph() -> tuple[dict[str, set[str]], list[Import]]:
    modules = package_modules()
    imports = [i for name, path in modules.items() for i in imports_of(name, path, modules)]
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for item in imports:
        assert item.target in modules, f"{item.module}:{item.line}: no module {item.target}"
        if item.target != item.module:
            graph[item.module].add(item.target)
    return graph, imports


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as [a, b, ..., a], or None (depth-first search, three colours)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_find_cycle_names_the_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"a"}}) == ["a", "a"]


def test_the_import_graph_is_acyclic() -> None:
    graph, _ = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_every_module_has_a_layer() -> None:
    layered = [m for layer in LAYERS for m in layer]
    assert len(layered) == len(set(layered))
    assert sorted(layered) == sorted(package_modules()), "add the new module to LAYERS"


def test_modules_import_downwards() -> None:
    rank = {m: k for k, layer in enumerate(LAYERS) for m in layer}
    _, imports = import_graph()
    upward = sorted(
        f"{i.module}:{i.line} imports {i.target}"
        for i in imports
        if rank[i.target] > rank[i.module] and (i.module, i.target) not in UPWARD
    )
    assert not upward, "imports upwards (see LAYERS): " + "; ".join(upward)
    used = {(i.module, i.target) for i in imports}
    assert set(UPWARD) <= used, f"stale entries in UPWARD: {sorted(set(UPWARD) - used)}"


def test_no_module_takes_another_modules_private_names() -> None:
    _, imports = import_graph()
    private = sorted(
        f"{i.module}:{i.line} takes {', '.join(n for n in i.names if n.startswith('_'))} "
        f"from {i.target}"
        for i in imports
        if any(n.startswith("_") for n in i.names)
    )
    assert not private, "private names imported: " + "; ".join(private)


def test_the_graph_sees_imports_inside_functions_and_skips_type_checking(tmp_path: Path) -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from msk.results import Results\n"
        "if TYPE_CHECKING:\n"
        "    from msk.plot import dashboard\n"
        "def f():\n"
        "    from msk import protocols\n"
        "    from . import _api\n"
    )
    path = tmp_path / "probe.py"
    path.write_text(source)
    modules = {"msk.results": path, "msk.protocols": path, "msk._api": path, "msk.plot": path}
    found = {(i.target, i.names) for i in imports_of("msk.probe", path, modules)}
    assert found == {("msk.results", ("Results",)), ("msk.protocols", ()), ("msk._api", ())}


# --- what importing msk costs ----------------------------------------------------------------


def test_import_msk_leaves_pandas_xarray_and_matplotlib_unloaded() -> None:
    """The heavy libraries load on first use; the import itself is timed in the CHANGELOG, never
    here (no timing in tests)."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import msk"],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = {
        line.rsplit("|", 1)[-1].strip()
        for line in run.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "msk" in loaded, run.stderr[-2000:]
    heavy = sorted(
        name for name in loaded if re.match(r"(pandas|xarray|matplotlib|h5py)(\.|$)", name)
    )
    assert not heavy, f"import msk loads {heavy}"


def test_dir_msk_shows_msk_names_only() -> None:
    import msk

    names = dir(msk)
    for foreign in ("Any", "annotations", "importlib", "TYPE_CHECKING"):
        assert foreign not in names
    assert set(msk.__all__) <= set(names)
    assert not [n for n in names if n.startswith("_") and not n.startswith("__")]


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])
