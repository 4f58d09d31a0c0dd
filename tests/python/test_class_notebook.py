"""The class notebook (examples/notebooks/muscle_imbalance_class.ipynb): what its teacher's notes
cite exists, it shows its pictures when run without a widget front end, and the notebooks are
kept without outputs (the test suite executes them with nbmake)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

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


@pytest.mark.core
def test_the_class_shows_its_pictures_without_a_widget_front_end(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("msk._core")
    notebook = nbformat.read(CLASS, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    # Every figure a cell shows is in its outputs: the spines, the plots, the sliders' static one.
    images = 0
    for cell in code:
        shown = sum(1 for o in cell.outputs if "image/png" in o.get("data", {}))
        assert shown >= cell.source.count("plt.show()") + cell.source.count("display(fig)")
        images += shown
    assert images >= 12
    sliders = next(c for c in code if "interactive_output" in c.source)
    assert any("image/png" in o.get("data", {}) for o in sliders.outputs)
    story = code[-1]
    text = "".join(o.get("data", {}).get("text/plain", "") for o in story.outputs)
    assert "the model says" in text and "H20" in text
