"""The lifetime notebook (examples/notebooks/lifetime_office_worker.ipynb) runs to its end."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.core

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "notebooks" / "lifetime_office_worker.ipynb"


def test_the_lifetime_notebook_runs(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    env_path = os.environ.get("PYTHONPATH", "")
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    os.environ["PYTHONPATH"] = env_path  # the kernel imports the same msk as the tests
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, "the notebook draws its figure"
    figure = base64.b64decode(images[-1]["data"]["image/png"])
    (tmp_path / "figure.png").write_bytes(figure)  # to look at after a run
