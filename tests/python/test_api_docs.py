"""The API reference in docs/api is what scripts/gen_api_docs.py makes of the code (no drift)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("msk._core")  # the exceptions documented on the msk page come from the core
ROOT = Path(__file__).resolve().parents[2]


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_api_docs", ROOT / "scripts" / "gen_api_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_checked_in_api_reference_matches_the_docstrings() -> None:
    gen = generator()
    pages = gen.render_all()
    existing = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "docs" / "api").glob("*.md")}
    fix = (
        "regenerate it: .venv/bin/python scripts/gen_api_docs.py (after scripts/install_python.sh)"
    )
    assert sorted(existing) == sorted(pages), f"docs/api has other pages than the code; {fix}"
    stale = sorted(name for name in pages if pages[name] != existing[name])
    assert not stale, f"docs/api is out of date ({', '.join(stale)}); {fix}"


def test_every_public_module_has_a_page_with_its_names() -> None:
    gen = generator()
    pages = gen.render_all()
    for module in ("msk", "msk.protocols", "msk.curves", "msk.plot", "msk.study", "msk.results"):
        assert f"{module}.md" in pages
        assert f"[`{module}`]({module}.md)" in pages["index.md"]
    study = pages["msk.study.md"]
    assert "## `sweep`" in study and "## `cohort`" in study and "## class `Axis`" in study
    assert "- **`grid`** : *dict of str to list or Axis*" in study
    assert "## `animate`" in pages["msk.plot.md"]
    assert "### `Results.to_xarray`" in pages["msk.results.md"]
    assert "- `Results`: see [`msk.results`](msk.results.md)" in pages["msk.md"]


def test_numpydoc_sections_become_markdown() -> None:
    gen = generator()
    text = gen.markdown(
        """Do a thing.

        Example::

            thing(1)

        Parameters
        ----------
        x : float
            Length [m], see :func:`~msk.simulate` and ``y``.

        Returns
        -------
        float
            Area [m^2].

        Examples
        --------
        >>> thing(2.0)
        4.0
        """
    )
    assert text.splitlines()[0] == "Do a thing."
    assert "Example:\n\n```\nthing(1)\n```" in text
    assert "**Parameters**\n\n- **`x`** : *float*\n  Length [m], see `simulate` and `y`." in text
    assert "**Returns**\n\n- **`float`**\n  Area [m^2]." in text
    assert "```python\n>>> thing(2.0)\n4.0\n```" in text


def _public_functions() -> dict[str, object]:
    """Every function in the ``__all__`` of a public module, and every public method of a
    public class (properties excepted), by qualified name."""
    import importlib
    import inspect

    gen = generator()
    found: dict[str, object] = {}
    seen: set[int] = set()
    for module_name in gen.public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            items = []
            if inspect.isfunction(obj):
                items.append((f"{module_name}.{name}", obj))
            elif inspect.isclass(obj) and (obj.__module__ or "").startswith("msk"):
                for attr, member in vars(obj).items():
                    if isinstance(member, (classmethod, staticmethod)):
                        member = member.__func__
                    if not attr.startswith("_") and inspect.isfunction(member):
                        items.append((f"{module_name}.{name}.{attr}", member))
            for qualified, function in items:
                if id(function) not in seen:
                    seen.add(id(function))
                    found[qualified] = function
    return found


def test_every_public_function_says_what_it_returns_and_raises() -> None:
    import inspect

    functions = _public_functions()
    assert "msk.equilibrium" in functions and "msk.Results.load" in functions
    lacking = []
    for name, function in functions.items():
        doc = "\n" + (inspect.getdoc(function) or "")
        missing = [s for s in ("Returns", "Raises") if f"\n{s}\n{'-' * len(s)}\n" not in doc]
        if missing:
            lacking.append(f"{name} ({', '.join(missing)})")
    assert not lacking, "docstrings without Returns/Raises sections: " + "; ".join(lacking)
