"""The compiled core through the package: curves, simulation, HDF5 from both libraries."""

from __future__ import annotations

import threading
from pathlib import Path

import h5py
import numpy as np
import pytest

msk = pytest.importorskip("msk")
pytest.importorskip("msk._core")

PROTOCOL = {
    "initial": {"angles_deg": {"r_elbow_flex": 90.0}},
    "phases": [
        {"type": "voluntary", "duration": 0.3, "excitation": {"BIClong": 0.3, "BRA": 0.3}},
        {"type": "rest", "duration": 0.2},
    ],
}


def test_curves_match_de_groote_check_points() -> None:
    f_act = msk.curves.active_force_length([0.5, 1.0, 1.5])
    np.testing.assert_allclose(f_act, [0.054, 0.9994, 0.226], atol=5e-4)
    assert msk.curves.passive_force_length(1.6) == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(msk.curves.force_velocity([-1.0, 0.0]), [0.011, 1.002], atol=5e-4)
    x = np.linspace(0.5, 1.5, 11).reshape(11, 1)
    assert msk.curves.active_force_length(x).shape == (11, 1)


def test_curve_derivatives_against_finite_differences() -> None:
    x = np.linspace(0.45, 1.75, 27)
    h = 1e-6
    for name in ("active_force_length", "passive_force_length"):
        for curves, shape in (("degroote2016", {}), ("thelen2003", msk.curves.ARM26)):
            f = getattr(msk.curves, name)
            d = getattr(msk.curves, name + "_derivative")
            numeric = (f(x + h, curves, **shape) - f(x - h, curves, **shape)) / (2 * h)
            np.testing.assert_allclose(d(x, curves, **shape), numeric, atol=1e-6)


def test_unknown_curve_set_is_an_error() -> None:
    with pytest.raises(msk.InvalidArgument, match="thelen2003"):
        msk.curves.active_force_length(1.0, curves="hill1938")


def test_core_writes_and_h5py_reads_in_one_process(tmp_path: Path) -> None:
    # _core links the system HDF5 while h5py carries its own: both in one process.
    path = tmp_path / "run.h5"
    results = msk.simulate("elbow", PROTOCOL, output=str(path), progress=False)
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "msk-results"
        angle = f["channels/joint.r_elbow_flex.angle"]
        assert angle.attrs["units"] == "rad"
        np.testing.assert_array_equal(angle[:], results["joint.r_elbow_flex.angle"])
        assert "BIClong" in f["meta"].attrs["model_text"]
    again = msk.Results.load(path)
    np.testing.assert_array_equal(again.time, results.time)
    # And the C++ reader reads what h5py wrote.
    copy = again.save(tmp_path / "copy.h5")
    data = msk._core.load_results(str(copy))
    np.testing.assert_array_equal(data["time"], results.time)


def test_overrides_change_the_result() -> None:
    base = msk.simulate("elbow", PROTOCOL, progress=False)
    weak = msk.simulate(
        msk.load_model("elbow", overrides={"muscles.BRA.max_isometric_force": 100.0}),
        PROTOCOL,
        progress=False,
    )
    assert weak["muscle.BRA.force"].max() < 0.2 * base["muscle.BRA.force"].max()
    assert not np.array_equal(weak["joint.r_elbow_flex.angle"], base["joint.r_elbow_flex.angle"])


def test_threads_give_the_serial_result() -> None:
    model = msk.load_model("elbow")
    serial = msk.simulate(model, PROTOCOL, progress=False)["joint.r_elbow_flex.angle"]
    out: list[np.ndarray] = [np.empty(0)] * 8

    def run(k: int) -> None:
        out[k] = msk.simulate(model, PROTOCOL, progress=False)["joint.r_elbow_flex.angle"]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for values in out:
        np.testing.assert_array_equal(values, serial)


def test_model_error_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = (Path(msk.__file__).parent / "models" / "elbow.yaml").read_text()
    bad.write_text(text.replace("max_isometric_force: 624.3", "max_isometric_force: -624.3", 1))
    with pytest.raises(
        msk.ModelError, match=r"bad\.yaml:\d+: muscles\[\d=\w+\]\.max_isometric_force"
    ):
        msk.load_model(str(bad))
