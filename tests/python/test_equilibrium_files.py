"""Equilibrium files through the core: the file the C++ writer wrote (tests/data/equilibrium/
cpp_v1.h5, from tests/cpp/test_equilibrium_file.cpp) read in Python, files written by Python read by
the core, the file msk 0.1's h5py writer wrote still read, and the h5py reader (for machines
without the core) giving what the core's reader gives."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

msk = pytest.importorskip("msk")
core = pytest.importorskip("msk._core")

from msk.spine import files  # noqa: E402

pytestmark = pytest.mark.core

DATA = Path(__file__).resolve().parents[1] / "data" / "equilibrium"
CPP_FILE = DATA / "cpp_v1.h5"  # written by msk::io::save_equilibria (C++)
PYTHON_FILE = DATA / "python_h5py_v1.h5"  # written with h5py by msk.spine of msk 0.1


def assert_same(a: Any, b: Any, where: str = "") -> None:
    """Deep equality of what the two readers return: same keys, types, values and dtypes."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for key in a:
            assert_same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), where
        assert a.dtype == b.dtype and a.shape == b.shape, where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), where
    else:
        assert type(a) is type(b) and a == b, f"{where}: {a!r} != {b!r}"


@pytest.fixture(scope="module")
def python_written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two cervical postures and a failure, written by Python (through the core's writer)."""
    path = tmp_path_factory.mktemp("equilibrium") / "written_by_python.h5"
    cervical = msk.load_model("cervical")
    wet = msk.Posture.preset("sitting_slouched").replace(
        name="slouched_wet", hydration=0.8, level_flexion_deg={"C5-C6": 1.5}
    )
    with files.EquilibriumWriter(path, {"model_name": "cervical", "seed": 7, "ratio": 0.5}) as w:
        w.add_label("normal", cervical.name, cervical.text, {})
        w.add("normal", msk.equilibrium(cervical, "standing_relaxed"))
        w.add("normal", msk.equilibrium(cervical, wet))
        w.add_error("stiff", msk.Posture.preset("lying_supine"), "rhythm", "level C2-C3: no")
    return path


# --- the C++ writer's file, read in Python -----------------------------------------------------


def test_python_reads_the_file_the_cpp_writer_wrote() -> None:
    assert files.is_equilibrium_file(CPP_FILE)
    stored = msk.spine.load(CPP_FILE)
    assert list(stored) == [("normal", "standing_relaxed"), ("normal", "slouched_wet")]
    assert msk.spine.load_errors(CPP_FILE) == {
        ("stiff", "lying_supine"): "level C2-C3: 3.1 N m missing"
    }
    meta = files.read_meta(CPP_FILE)
    assert meta["kind"] == "equilibrium" and meta["seed"] == 7 and isinstance(meta["seed"], int)
    assert meta["reserve_fraction"] == 0.05

    wet = stored["normal", "slouched_wet"]
    assert wet.posture.hydration == 0.8 and wet.posture.supported is False
    assert list(wet.posture.level_flexion_deg) == ["C5-C6"]
    assert wet.levels.index.name == "level" and wet.levels["stenosis"].dtype == bool
    assert wet.groups["n_muscles"].dtype == np.int64
    # The C++ program solved the same posture as msk.equilibrium does. The file was solved before
    # issue 14's faster equilibrium (dual-Newton QP), which differs from it by up to 1.6e-9 here.
    live = msk.equilibrium("cervical", wet.posture, mode=wet.mode)
    for column in ("compression_N", "pressure_MPa", "facet_share", "angle_deg"):
        np.testing.assert_allclose(wet.levels[column], live.levels[column], rtol=1e-8)
    np.testing.assert_allclose(wet.muscles["force_N"], live.muscles["force_N"], rtol=1e-8)
    assert wet.effort == pytest.approx(live.effort, rel=1e-8)
    for a, b in zip(wet.geometry.muscle_path, live.geometry.muscle_path):
        np.testing.assert_allclose(a, b, atol=1e-12)


# --- files written by Python, read by the core --------------------------------------------------


def test_the_core_reads_what_python_wrote(python_written: Path) -> None:
    data = core.load_equilibria(str(python_written))
    assert data["format_version"] == 1 and data["msk_version"] == msk.__version__
    assert list(data["meta"].items())[:2] == [
        ("kind", "equilibrium"),
        ("msk_version", msk.__version__),
    ]
    assert data["meta"]["seed"] == 7 and data["meta"]["ratio"] == 0.5
    assert [label["name"] for label in data["labels"]] == ["normal", "stiff"]
    assert (
        data["labels"][0]["model_name"] == "cervical"
        and "bodies:" in data["labels"][0]["model_text"]
    )
    assert data["labels"][1]["overrides_json"] == "{}"
    first, wet, failed = data["equilibria"]
    assert failed["error"] == "level C2-C3: no" and "levels" not in failed
    assert wet["posture"]["level_flexion_deg"] == {"C5-C6": 1.5}
    live = msk.equilibrium("cervical", "standing_relaxed")
    levels = dict((name, values) for name, _, values in first["levels"]["columns"])
    np.testing.assert_array_equal(levels["compression_N"], live.levels["compression_N"])
    assert first["levels"]["index"] == list(live.levels.index)


@pytest.mark.parametrize("which", ["cpp", "python_0_1", "python_now"])
def test_the_h5py_reader_gives_what_the_core_reads(which: str, python_written: Path) -> None:
    # The h5py reader serves machines without the core: on every file it returns the core's
    # content, key for key, with the same types.
    path = {"cpp": CPP_FILE, "python_0_1": PYTHON_FILE, "python_now": python_written}[which]
    assert_same(core.load_equilibria(str(path)), files._read_with_h5py(path), which)


def test_without_the_core_load_gives_the_same_tables(
    monkeypatch: pytest.MonkeyPatch, python_written: Path, results_file: Path
) -> None:
    with_core = msk.spine.load(PYTHON_FILE)
    table = msk.spine.load_table(PYTHON_FILE)
    monkeypatch.setattr(files, "_core_or_none", lambda: None)
    without = msk.spine.load(PYTHON_FILE)
    assert list(without) == list(with_core)
    for key, a in with_core.items():
        b = without[key]
        assert a.posture == b.posture and a.mode == b.mode and a.effort == b.effort
        for name in ("levels", "muscles", "groups", "ligaments"):
            x, y = getattr(a, name), getattr(b, name)
            assert list(x.columns) == list(y.columns) and list(x.index) == list(y.index)
            assert x.attrs == y.attrs
            for column in x.columns:
                assert x[column].dtype == y[column].dtype, (name, column)
                np.testing.assert_array_equal(x[column].to_numpy(), y[column].to_numpy())
        np.testing.assert_array_equal(a.geometry.body_rotation, b.geometry.body_rotation)
    assert msk.spine.load_table(PYTHON_FILE).equals(table)
    assert files.is_equilibrium_file(python_written)
    assert msk.spine.load_errors(python_written) == {("stiff", "lying_supine"): "level C2-C3: no"}
    # (io_error gives msk.IoError while the core is importable, OSError without it.)
    with pytest.raises((OSError, msk.IoError), match="expected an equilibrium file"):
        msk.spine.load(results_file)
    with pytest.raises((OSError, msk.IoError), match="not a readable HDF5 file"):
        msk.spine.load(Path(__file__))
    with pytest.raises(FileNotFoundError, match="no such equilibrium file"):
        msk.spine.load(DATA / "missing.h5")


# --- msk 0.1's files, and what stays the same ---------------------------------------------------


def test_files_of_msk_0_1_still_load() -> None:
    stored = msk.spine.load(PYTHON_FILE)
    assert list(stored) == [
        ("normal", "standing_relaxed"),
        ("normal", "slouched_wet"),
        ("normal", "lying_supine"),
        ("stiff", "standing_relaxed"),
        ("stiff", "slouched_wet"),
    ]
    assert msk.spine.load_errors(PYTHON_FILE) == {
        ("stiff", "lying_supine"): "level C2-C3: 3.1 N m missing"
    }
    wet = stored["normal", "slouched_wet"]
    assert wet.posture.level_flexion_deg == {"C5-C6": 1.5, "C4-C5": -0.5}
    # Solved by msk 0.1, before issue 14's faster equilibrium (up to 1.6e-9 apart here).
    live = msk.equilibrium("cervical", wet.posture, mode=wet.mode)
    np.testing.assert_allclose(wet.levels["compression_N"], live.levels["compression_N"], rtol=1e-8)
    np.testing.assert_allclose(wet.groups["force_N"], live.groups["force_N"], rtol=1e-8)
    # Written again (through the core), it reads the same.
    table = msk.spine.load_table(PYTHON_FILE)
    assert table.attrs["errors"] == ["stiff/lying_supine: level C2-C3: 3.1 N m missing"]


def test_a_file_that_is_not_hdf5_is_named_so(tmp_path: Path) -> None:
    text = tmp_path / "text.h5"
    text.write_text("not hdf5")
    with pytest.raises(msk.IoError, match="not a readable HDF5 file"):
        msk.spine.load(text)
    assert not msk.spine.is_equilibrium_file(text)


def test_the_python_constants_are_the_cores() -> None:
    units = core.equilibrium_table_units()
    assert list(msk.spine.LEVEL_UNITS.items()) == [tuple(u) for u in units["levels"]]
    assert list(msk.spine.MUSCLE_UNITS.items()) == [tuple(u) for u in units["muscles"]]
    assert list(msk.spine.GROUP_UNITS.items()) == [tuple(u) for u in units["groups"]]
    assert files.EQUILIBRIUM_FORMAT == core.EQUILIBRIUM_FORMAT
    assert files.EQUILIBRIUM_FORMAT_VERSION == core.EQUILIBRIUM_FORMAT_VERSION


def test_writer_refuses_what_it_cannot_store(tmp_path: Path) -> None:
    r = msk.equilibrium("cervical", "standing_relaxed")
    with files.EquilibriumWriter(tmp_path / "x.h5", {}) as writer:
        writer.add("a", r)
        with pytest.raises(ValueError, match="posture written twice"):
            writer.add("a", r)
        with pytest.raises(ValueError, match="label: 'a' is written twice"):
            writer.add_label("a")
        with pytest.raises(ValueError, match="label: expected a non-empty name"):
            writer.add("a/b", r)
    assert list(msk.spine.load(tmp_path / "x.h5")) == [("a", "standing_relaxed")]
