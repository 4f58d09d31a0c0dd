"""docs/theory/laws.md is what scripts/gen_law_docs.py makes of the core's law registry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

core = pytest.importorskip("msk._core")
ROOT = Path(__file__).resolve().parents[2]


def test_the_law_reference_is_current() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_law_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr + " (regenerate: python scripts/gen_law_docs.py)"


def test_every_builtin_law_is_on_the_page() -> None:
    text = (ROOT / "docs" / "theory" / "laws.md").read_text(encoding="utf-8")
    for law in core.law_registry():
        assert f"## `{law['name']}`" in text
        for p in law["params"]:
            assert f"| `{p['name']}` |" in text, (law["name"], p["name"])
