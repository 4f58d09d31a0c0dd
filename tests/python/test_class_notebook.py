"""The class notebook (examples/notebooks/muscle_imbalance_class.ipynb) as stored: what its
teacher's notes cite exists, and the notebooks are kept without outputs (the test suite executes
them with nbmake)."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "examples" / "notebooks").glob("*.ipynb"))
CLASS = ROOT / "examples" / "notebooks" / "muscle_imbalance_class.ipynb"


def _cells(notebook: Path, kind: str) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == kind]


def test_the_class_cites_hypotheses_of_the_register() -> None:
    register = (ROOT / "docs" / "theory" / "hypotheses.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| (H\d+) \|", register, flags=re.MULTILINE))
    assert listed, "no hypotheses found in the register's table"
    text = "\n".join(_cells(CLASS, "markdown") + _cells(CLASS, "code"))
    cited = set(re.findall(r"\bH\d+\b", text))
    assert cited, "the class cites no hypothesis"
    assert cited <= listed, f"cited but not in docs/theory/hypotheses.md: {sorted(cited - listed)}"


def test_the_class_cites_documents_that_exist() -> None:
    text = "\n".join(_cells(CLASS, "markdown"))
    paths = set(re.findall(r"`((?:docs|models)/[\w./-]+\.(?:md|yaml))`", text))
    assert paths, "the class cites no document"
    missing = sorted(p for p in paths if not (ROOT / p).is_file())
    assert not missing, f"cited files that do not exist: {missing}"


def test_notebooks_are_stored_without_outputs() -> None:
    assert NOTEBOOKS, "no notebooks found"
    for notebook in NOTEBOOKS:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        kept = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and c.get("outputs")]
        assert not kept, f"{notebook.name}: cells {kept} keep their outputs; clear them"
