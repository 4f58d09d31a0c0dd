"""OpenSim models through the Python package: loading .osim files, their warnings, overrides, and
a forward simulation driven by OpenSim's excitations (Arm26, tests/data/opensim)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

msk = pytest.importorskip("msk")
pytest.importorskip("msk._core")

pytestmark = pytest.mark.core

DATA = Path(__file__).resolve().parents[1] / "data" / "opensim"
ARM26 = DATA / "arm26.osim"


def test_osim_path_loads_through_the_core() -> None:
    model = msk.load_model(str(ARM26))
    assert model.joint_names == ["r_shoulder_elev", "r_elbow_flex"]
    assert model.muscle_names == ["TRIlong", "TRIlat", "TRImed", "BIClong", "BICshort", "BRA"]
    assert any("TRIlonghh" in w for w in model.warnings)
    assert model.file.endswith("arm26.osim")
    assert model.text.startswith("msk_format: 1")
    params = model.muscle_parameters("BIClong")
    assert params["curves"] == "thelen2003"
    assert params["tendon"] == "compliant"
    assert params["tone_gain"] == 0.0


def test_pathlib_path_and_overrides() -> None:
    model = msk.load_model(ARM26, overrides={"muscles.BRA.max_isometric_force": 1000.0})
    assert model.muscle_parameters("BRA")["max_isometric_force"] == 1000.0
    again = model.with_overrides({"muscles.BRA.max_isometric_force": 900.0})
    assert again.muscle_parameters("BRA")["max_isometric_force"] == 900.0
    assert again.warnings == model.warnings


def test_missing_osim_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        msk.load_model(str(tmp_path / "nothing.osim"))


def test_malformed_osim_is_a_model_error_with_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.osim"
    bad.write_text('<OpenSimDocument Version="40000">\n<Model name="x">\n<BodySet>\n</Model>\n')
    with pytest.raises(msk.ModelError, match=r"bad\.osim:4"):
        msk.load_model(bad)


def test_forward_simulation_with_opensim_controls() -> None:
    model = msk.load_model(ARM26)
    phase = msk.protocols.voluntary(0.3, excitation_file=DATA / "forward_controls.sto")
    results = msk.simulate(model, {"phases": [phase]}, output_dt=0.1, rtol=1e-7, atol=1e-9)
    elbow = np.asarray(results["joint.r_elbow_flex.angle"])
    # OpenSim 4.6 (tests/data/opensim/arm26_reference.json): the elbow is at 40.6 deg at 0.3 s.
    assert math.degrees(elbow[-1]) == pytest.approx(40.6, abs=1.5)


def test_voluntary_needs_excitation_or_file() -> None:
    with pytest.raises(ValueError, match="either excitation"):
        msk.protocols.voluntary(1.0)
    with pytest.raises(FileNotFoundError):
        msk.protocols.voluntary(1.0, excitation_file="no_such_file.sto")
