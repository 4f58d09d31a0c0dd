"""The typed stub _core.pyi lists exactly what the compiled core exports (no drift)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

core = pytest.importorskip("msk._core")
STUBS = Path(__file__).resolve().parents[2] / "bindings" / "python" / "msk"


def stub_names(path: Path) -> dict[str, set[str]]:
    """Top-level names of a stub, and for classes the names of their members."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            members = {n.name for n in getattr(node, "body", []) if isinstance(n, ast.FunctionDef)}
            names[node.name] = members
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = set()
    return names


def public(obj: object) -> set[str]:
    return {n for n in dir(obj) if not n.startswith("_")}


def test_core_stub_matches_the_module() -> None:
    stub = stub_names(STUBS / "_core.pyi")
    exported = public(core) - {"curves", "spine"}
    assert exported == set(stub) - {"__version__"}
    for name in ("Model", "EpisodeResult"):
        assert public(getattr(core, name)) == stub[name], name


@pytest.mark.parametrize("submodule", ["curves", "spine"])
def test_submodule_stub_matches_the_submodule(submodule: str) -> None:
    stub = stub_names(STUBS / f"_core_{submodule}.pyi")
    module = getattr(core, submodule)
    assert public(module) == set(stub)
    for name in stub:
        assert inspect.isroutine(getattr(module, name))
