"""Numerical faults through the package: loose tolerances run to the end; a state a law refuses,
a step limit or a step-size underflow raises
``msk.SimulationError`` whose message names the time, the channel and the law
(``t = TIME s: CHANNEL (LAW): MESSAGE``), and the results file keeps every row recorded before
the fault; ``msk run`` exits with status 3 and keeps the file too.

(A non-finite state needs parameters the loader refuses; the C++ suite reaches it on a compiled
model, tests/cpp/test_episode.cpp.)
"""

from __future__ import annotations

import re
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

msk = pytest.importorskip("msk")
pytest.importorskip("msk._core")
from msk import cli  # noqa: E402

MESSAGE = re.compile(
    r"^t = (?P<time>[0-9.e+-]+) s: (?P<channel>.+?) \((?P<law>[^)]+)\): (?P<what>.+)$"
)
OUTPUT_DT = 0.01


def parts(error: BaseException) -> dict[str, str]:
    match = MESSAGE.match(str(error))
    assert match, str(error)
    return match.groupdict()


def check_rows_before(path: Path, fault_time: float) -> None:
    """The file opens, holds rows from 0 up to the fault and says the run failed."""
    with h5py.File(path, "r") as f:
        t = f["time"][()]
        assert f["meta"].attrs["status"] == "failed"
        assert t[0] == 0.0
        assert fault_time - OUTPUT_DT - 1e-9 <= t[-1] <= fault_time
        for name in f["channels"]:
            data = f["channels"][name][()]
            assert data.shape == t.shape, name
            assert np.all(np.isfinite(data)), name
    results = msk.Results.load(path)
    assert results.n_samples == t.shape[0]


@pytest.mark.parametrize("stepper", ["dopri5", "rosenbrock4"])
def test_step_limit(stepper: str, tmp_path: Path) -> None:
    path = tmp_path / "limit.h5"
    with pytest.raises(msk.SimulationError) as info:
        msk.simulate(
            "elbow",
            duration=50.0,
            output=path,
            output_dt=OUTPUT_DT,
            stepper=stepper,
            max_steps=200,
            progress=False,
        )
    found = parts(info.value)
    assert found["channel"] == "<all states>"
    assert found["law"] == stepper
    assert found["what"] == "step limit of 200 reached"
    assert 0.0 < float(found["time"]) < 50.0
    check_rows_before(path, float(found["time"]))


def test_step_size_underflow(tmp_path: Path) -> None:
    # A phase shorter than the smallest step (1e-14 s relative to the time) cannot be stepped.
    protocol = [
        {"type": "rest", "duration": 0.3},
        {"type": "rest", "duration": 1e-15},
        {"type": "rest", "duration": 1.0},
    ]
    path = tmp_path / "underflow.h5"
    with pytest.raises(msk.SimulationError) as info:
        msk.simulate("elbow", protocol, output=path, output_dt=OUTPUT_DT, progress=False)
    found = parts(info.value)
    assert found["channel"] == "<step size>"
    assert found["law"] == "dopri5"
    assert found["what"] == "step size underflow"
    assert float(found["time"]) == pytest.approx(0.3, abs=1e-6)
    check_rows_before(path, float(found["time"]))


ARM26_DATA = Path(__file__).resolve().parents[1] / "data" / "opensim"


@pytest.mark.parametrize("stepper", ["dopri5", "rosenbrock4"])
@pytest.mark.parametrize("rtol", [1e-3, 1e-4])
def test_loose_tolerances_run_to_the_end(stepper: str, rtol: float) -> None:
    # Arm26's compliant tendons: a trial stage with a negative fibre length retries the step.
    model = msk.load_model(ARM26_DATA / "arm26.osim")
    phase = msk.protocols.voluntary(1.0, excitation_file=ARM26_DATA / "forward_controls.sto")
    results = msk.simulate(
        model, {"phases": [phase]}, stepper=stepper, rtol=rtol, atol=1e-6, progress=False
    )
    assert results.time[-1] == pytest.approx(1.0)
    assert np.all(np.isfinite(results["joint.r_elbow_flex.angle"]))


def test_a_state_a_law_refuses_names_the_state_and_the_law() -> None:
    model = msk.load_model(ARM26_DATA / "arm26.osim")
    state = msk.simulate(model, duration=0.01, progress=False).final_state.to_dict()
    state["values"][state["names"].index("muscle.BIClong.fibre_length")] = -0.01
    with pytest.raises(msk.SimulationError) as info:
        msk.simulate(model, duration=0.1, state=state, progress=False)
    found = parts(info.value)
    assert found["channel"] == "muscle.BIClong.fibre_length"
    assert found["law"] == "compliant_tendon"
    assert "fibre_length" in found["what"]


def test_msk_run_exits_3_and_keeps_the_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file = tmp_path / "run.yaml"
    run = {
        "model": "elbow",
        "protocol": {"phases": [{"type": "rest", "duration": 50.0}]},
        "options": {"max_steps": 200, "output_dt": OUTPUT_DT},
    }
    run_file.write_text(yaml.safe_dump(run), encoding="utf-8")
    out = tmp_path / "out.h5"
    capsys.readouterr()
    status = cli.main(["run", str(run_file), "-o", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert status == cli.EXIT_SIMULATION, err
    line = err.strip().splitlines()[-1]
    assert line.startswith("msk: error: t = "), line
    assert "<all states> (dopri5): step limit of 200 reached" in line
    fault_time = float(MESSAGE.match(line.removeprefix("msk: error: "))["time"])  # type: ignore[index]
    check_rows_before(out, fault_time)
