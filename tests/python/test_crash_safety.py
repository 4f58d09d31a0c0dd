"""Crash safety and determinism of runs that write results files.

- A child process runs a long episode into a file and is killed with SIGKILL once the file holds
  its first flushes: the file must open with h5py and with ``msk.Results.load`` and hold a
  consistent ``/time`` and channels with every flushed row.
- 16 Python threads simulating at once give the results of the same runs made one after another.
- Two runs with the same seed write files whose datasets are identical.

The kills land while the child is in its progress callback, a point where the recorder makes no
HDF5 call: the recorder promises a valid file for a kill between two flushes, while a kill in the
middle of a flush can damage the last chunk of a channel (docs/guide/results_format.md, "When a
run is killed"). The kills come at different quiet points (so at different file sizes) and
different delays into their quiet window.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

msk = pytest.importorskip("msk")
pytest.importorskip("msk._core")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

OUTPUT_DT = 0.001
MIN_BYTES = 1_000_000  # the file holds its first flushes (its empty layout is far smaller)
# (quiet point to kill at, delay into its quiet window [s]) for each kill: later quiet points find
# a bigger file.
KILLS = [(1, 0.0), (1, 0.1), (2, 0.03), (2, 0.15), (3, 0.06)]
QUIET_S = 0.3  # how long the child stays at a quiet point
RUN_S = 0.2  # how long the child integrates between two quiet points [s of wall time]

CHILD = f"""
import sys
import time

import msk

last = [time.monotonic()]


def quiet_point(t_done, t_end):
    # Called between integration steps: the recorder makes no HDF5 call until this returns.
    if time.monotonic() - last[0] < {RUN_S}:
        return True
    sys.stdout.write("quiet\\n")
    sys.stdout.flush()
    time.sleep({QUIET_S})
    last[0] = time.monotonic()
    return True


msk.simulate("elbow", duration=200.0, output=sys.argv[1], output_dt={OUTPUT_DT},
             progress=quiet_point)
"""


def kill_while_writing(path: Path, quiet_point: int, delay_s: float) -> None:
    """Start the child; at its quiet_point-th quiet point with the file past its first flushes,
    wait delay_s, then SIGKILL it."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60.0
        assert child.stdout is not None
        seen = 0
        while True:
            line = child.stdout.readline()
            assert line == "quiet\n", f"child ended early: {child.wait()} {child.stderr.read()}"
            assert time.monotonic() < deadline, "the results file never grew"
            seen += 1
            if seen >= quiet_point and path.exists() and path.stat().st_size >= MIN_BYTES:
                break
        time.sleep(delay_s)
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()


def check_killed_file(path: Path) -> int:
    """The file left by a killed run opens and is consistent; return its number of rows."""
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "msk-results"
        t = f["time"][()]
        n = t.shape[0]
        assert n >= 1
        np.testing.assert_allclose(t, OUTPUT_DT * np.arange(n), rtol=0, atol=1e-9)
        names = list(f["channels"])
        assert names
        for name in names:
            data = f["channels"][name][()]
            assert data.shape == (n,), name
            assert np.all(np.isfinite(data)), name
        assert f["events/time"].shape == f["events/label"].shape
        assert f["meta"].attrs.get("status", "") != "complete"
    results = msk.Results.load(path)
    assert results.n_samples == n
    assert results.values.shape == (n, len(names))
    assert results.channels == names
    return n


@pytest.mark.parametrize(("quiet_point", "delay_s"), KILLS)
def test_sigkill_leaves_a_readable_file(quiet_point: int, delay_s: float, tmp_path: Path) -> None:
    path = tmp_path / "killed.h5"
    kill_while_writing(path, quiet_point, delay_s)
    rows = check_killed_file(path)
    # Past the first flushes, and far from the 200 000 rows of the whole run.
    assert 256 <= rows < 200_000


def voluntary(level: float) -> dict[str, Any]:
    return {
        "initial": {"angles_deg": {"r_elbow_flex": 90.0}},
        "phases": [
            {"type": "voluntary", "duration": 0.3, "excitation": {"BIClong": level, "BRA": level}},
            {"type": "rest", "duration": 0.2},
        ],
    }


def test_threads_match_serial_runs(tmp_path: Path) -> None:
    model = msk.load_model("elbow")
    levels = [0.02 * (k + 1) for k in range(16)]

    def run(k: int, directory: Path) -> Any:
        return msk.simulate(
            model,
            voluntary(levels[k]),
            output=directory / f"{k}.h5",
            output_dt=0.005,
            progress=False,
        )

    (tmp_path / "serial").mkdir()
    (tmp_path / "threads").mkdir()
    serial = [run(k, tmp_path / "serial") for k in range(16)]
    threaded: list[Any] = [None] * 16
    failures: list[BaseException] = []
    start = threading.Barrier(16)

    def worker(k: int) -> None:
        try:
            start.wait()
            threaded[k] = run(k, tmp_path / "threads")
        except BaseException as error:  # reported below, with the thread's result
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    for k in range(16):
        np.testing.assert_array_equal(threaded[k].time, serial[k].time)
        np.testing.assert_array_equal(threaded[k].values, serial[k].values)
        assert threaded[k].channels == serial[k].channels
        assert_same_datasets(tmp_path / "threads" / f"{k}.h5", tmp_path / "serial" / f"{k}.h5")
    # The runs differ from one another, so the comparison means something.
    assert not np.array_equal(serial[0].values, serial[15].values)


def datasets(path: Path) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as f:

        def visit(name: str, item: Any) -> None:
            if isinstance(item, h5py.Dataset):
                found[name] = item[()]

        f.visititems(visit)
    return found


def assert_same_datasets(a: Path, b: Path) -> None:
    left, right = datasets(a), datasets(b)
    assert list(left) == list(right)
    for name in left:
        assert left[name].dtype == right[name].dtype, name
        np.testing.assert_array_equal(left[name], right[name], err_msg=name)


def test_same_seed_writes_identical_datasets(tmp_path: Path) -> None:
    protocol = {
        "initial": {"angles_deg": {"r_elbow_flex": 90.0}},
        "phases": [
            {"type": "hold", "joint": "r_elbow_flex", "duration": 0.2},
            {
                "type": "pir",
                "joint": "r_elbow_flex",
                "muscles": ["BIClong", "BRA"],
                "cycles": 1,
                "contraction_s": 0.3,
                "relaxation_s": 0.2,
                "stretch_speed_deg_s": 40.0,
            },
        ],
    }
    for name in ("a.h5", "b.h5"):
        msk.simulate("elbow", protocol, output=tmp_path / name, seed=7, progress=False)
    assert_same_datasets(tmp_path / "a.h5", tmp_path / "b.h5")
    with h5py.File(tmp_path / "a.h5", "r") as f:
        assert f["events/time"].shape[0] >= 1  # the stretch found its barrier
        assert f["meta"].attrs["seed"] == 7
