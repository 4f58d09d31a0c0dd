"""The headline study (examples/python/lifetime_office_worker.py) runs, here for one week."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.core

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "python" / "lifetime_office_worker.py"


def test_a_week_of_the_four_programmes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("lifetime_office_worker", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    datasets = module.run(7, tmp_path)
    assert list(datasets) == ["untreated", "stretching", "PIR", "stretching + strengthening"]
    table = module.summary(datasets)
    # Only the strengthening programme trains the abdominals; the sessions leave tolerance.
    strength = table.loc["abdominals' strength, end [1]"]
    assert strength["stretching + strengthening"] > strength["untreated"] + 0.01
    tolerance = table.loc["erector tolerance, days 1-56 mean [1]"]
    assert tolerance["untreated"] == 0.0 and tolerance["stretching"] > 0.0
    assert (module.plot(datasets, tmp_path / "week.png")).exists()
