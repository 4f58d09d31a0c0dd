"""msk.study: sweeps and cohorts on threads (same numbers as serial runs), on Dask, with the
grid's shape and units, failures recorded, and arguments checked before anything runs."""

from __future__ import annotations

import sys
import threading
import time
import types
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

msk = pytest.importorskip("msk")
pytest.importorskip("msk._core")
xr = pytest.importorskip("xarray")

from msk import protocols as p  # noqa: E402
from msk import study  # noqa: E402

JOINT = "r_elbow_flex"
FLEXORS = ["BIClong", "BICshort", "BRA"]
ANGLE = f"joint.{JOINT}.angle"
TORQUE = f"examiner.{JOINT}.resisting_torque"

# Hold at 90 deg, extend to 30 deg at 60 deg/s (1 s), hold: no events, every sample on the grid.
RAMP = p.Protocol(
    [p.hold(JOINT, 0.3), p.ramp(JOINT, to_deg=30.0, speed_deg_s=60.0), p.hold(JOINT, 0.3)],
    initial_angles_deg={JOINT: 90.0},
)
# Stretch of the flexors to a 5 N m barrier: ends at a barrier event whose time depends on tone.
STRETCH = p.Protocol(
    [p.hold(JOINT, 0.2), p.passive_stretch(JOINT, FLEXORS, speed_deg_s=30, barrier_torque=5.0)],
    initial_angles_deg={JOINT: 90.0},
)


def outcome(results: msk.Results) -> dict[str, float]:
    """Scalar summaries of a stretch."""
    return {
        "peak_resisting_torque": float(results[TORQUE].max()),
        "final_angle_deg": float(np.degrees(results[ANGLE][-1])),
        "peak_reflex": float(max(results[f"muscle.{m}.reflex_excitation"].max() for m in FLEXORS)),
    }


@pytest.fixture(scope="module")
def hypertonic() -> msk.Model:
    return msk.load_model("elbow", {f"muscles.{m}.tone": "hypertonic" for m in FLEXORS})


def on_grid(results: msk.Results, dt: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """Output-grid index k of the samples at k·dt, and their rows (the core also records the
    ends of phases and events, between grid times)."""
    k = np.rint(results.time / dt)
    rows = np.flatnonzero(np.abs(results.time - k * dt) < 1e-9)
    return k[rows].astype(int), rows


def flexor_axis(field: str, values: list[float]) -> study.Axis:
    return study.Axis(values, sets=[f"muscles.{m}.tone.{field}" for m in FLEXORS])


# --- threads -------------------------------------------------------------------------------------


def test_the_core_releases_the_gil_while_it_integrates() -> None:
    # With a long switch interval a thread cannot take the GIL from another that holds it, so the
    # main thread ticks during the run only if the core lets the GIL go while it integrates.
    model = msk.load_model("elbow")
    protocol = [p.rest(5.0)] * 40  # the core reports progress at the end of every phase
    ticks = [0]
    seen: list[int] = []

    def record(t: float, t_end: float) -> bool:
        seen.append(ticks[0])
        return True

    previous = sys.getswitchinterval()
    sys.setswitchinterval(30.0)
    try:
        worker = threading.Thread(
            target=msk.simulate, args=(model, protocol), kwargs={"progress": record}
        )
        worker.start()
        while worker.is_alive():
            ticks[0] += 1
            time.sleep(0.0005)  # releases the GIL, so the worker's callbacks never wait for it
        worker.join()
    finally:
        sys.setswitchinterval(previous)
    assert len(seen) >= 40
    assert seen[-1] > seen[0]


def test_threads_give_the_serial_result(hypertonic: msk.Model) -> None:
    grid = {
        "offset": flexor_axis("threshold_offset", [-0.02, 0.05, 0.1]),
        "muscles.BIClong.tone.gain": [1.0, 4.0],
    }
    kwargs: dict[str, Any] = {
        "outputs": [ANGLE, "muscle.*.activation"],
        "reduce": outcome,
        "progress": False,
    }
    serial = study.sweep(hypertonic, STRETCH, grid, n_workers=1, **kwargs)
    threaded = study.sweep(hypertonic, STRETCH, grid, n_workers=4, **kwargs)
    xr.testing.assert_identical(serial, threaded)
    assert serial.attrs["n_failed"] == 0


# --- the grid ------------------------------------------------------------------------------------


def test_product_grid_has_one_dimension_per_entry_with_units(hypertonic: msk.Model) -> None:
    ds = study.sweep(
        hypertonic,
        RAMP,
        {
            "gain": flexor_axis("gain", [1.0, 3.0, 6.0]),
            "protocol.phases.1.speed_deg_s": [30.0, 90.0],
        },
        outputs=[ANGLE, TORQUE],
        reduce=outcome,
        units={"peak_resisting_torque": "N m", "peak_reflex": "1"},
        progress=False,
    )
    speed = "protocol.phases.1.speed_deg_s"
    assert dict(ds.sizes) == {"gain": 3, speed: 2, "time": ds.sizes["time"]}
    np.testing.assert_array_equal(ds["gain"], [1.0, 3.0, 6.0])
    np.testing.assert_array_equal(ds[speed], [30.0, 90.0])
    assert ds["gain"].attrs["units"] == "1/L_opt"
    assert ds["gain"].attrs["fields"] == ", ".join(f"muscles.{m}.tone.gain" for m in FLEXORS)
    assert ds[speed].attrs["units"] == "deg/s"
    assert ds["time"].attrs["units"] == "s"
    assert ds["peak_resisting_torque"].dims == ("gain", speed)
    assert ds["peak_resisting_torque"].attrs["units"] == "N m"
    assert ds["final_angle_deg"].attrs["units"] == "deg"  # from the name
    assert ds[ANGLE].dims == ("gain", speed, "time")
    assert ds[ANGLE].attrs["units"] == "rad" and ds[TORQUE].attrs["units"] == "N m"
    assert ds[ANGLE].attrs["description"]
    assert (ds["error"] == "").all()
    assert ds.attrs["study"] == "sweep" and ds.attrs["mode"] == "product"
    assert ds.attrs["n_runs"] == 6 and ds.attrs["model_name"] == "elbow"
    assert "hypertonic" in ds.attrs["model_text"]

    # Every point is the episode msk.simulate gives for its overrides and protocol.
    model = hypertonic.with_overrides({f"muscles.{m}.tone.gain": 6.0 for m in FLEXORS})
    fast = p.Protocol.from_dict(RAMP.to_dict())
    fast.phases[1]["speed_deg_s"] = 90.0
    direct = msk.simulate(model, fast, progress=False)
    point = ds.sel({"gain": 6.0, speed: 90.0})
    steps, rows = on_grid(direct)
    assert len(rows) < direct.n_samples  # the 90 deg/s ramp ends between two samples
    np.testing.assert_allclose(point["time"][steps], direct.time[rows], atol=1e-12)
    np.testing.assert_array_equal(point[TORQUE][steps], direct[TORQUE][rows])
    assert np.isnan(point[TORQUE][steps[-1] + 1 :]).all()  # and the whole episode sooner
    assert float(point["peak_resisting_torque"]) == direct[TORQUE].max()


def test_zip_mode_runs_matched_values_along_one_dimension(hypertonic: msk.Model) -> None:
    ds = study.sweep(
        hypertonic,
        STRETCH,
        {"offset": flexor_axis("threshold_offset", [0.0, 0.1]), "muscles.BRA.tone.gain": [2, 5]},
        mode="zip",
        reduce=outcome,
        progress=False,
    )
    assert dict(ds.sizes) == {"point": 2}
    np.testing.assert_array_equal(ds["offset"], [0.0, 0.1])
    np.testing.assert_array_equal(ds["muscles.BRA.tone.gain"], [2, 5])
    assert ds["offset"].dims == ("point",) and ds["offset"].attrs["units"] == "L_opt"
    model = hypertonic.with_overrides(
        {**{f"muscles.{m}.tone.threshold_offset": 0.1 for m in FLEXORS}, "muscles.BRA.tone.gain": 5}
    )
    direct = outcome(msk.simulate(model, STRETCH, progress=False))
    assert float(ds["final_angle_deg"][1]) == direct["final_angle_deg"]


def test_runs_of_different_lengths_share_the_output_grid(hypertonic: msk.Model) -> None:
    ds = study.sweep(
        hypertonic,
        STRETCH,
        {"offset": flexor_axis("threshold_offset", [0.0, 0.2])},
        outputs=ANGLE,
        progress=False,
    )
    angle = ds[ANGLE].values
    ends = [np.flatnonzero(np.isfinite(row))[-1] for row in angle]
    assert ends[0] < ends[1]  # a higher threshold: the barrier comes later
    assert np.isnan(angle[0, ends[0] + 1 :]).all()
    np.testing.assert_allclose(ds["time"], np.arange(ds.sizes["time"]) * 0.01, atol=1e-12)


# --- failures ------------------------------------------------------------------------------------


def test_failed_runs_are_recorded_not_lost(hypertonic: msk.Model) -> None:
    def fragile(results: msk.Results) -> dict[str, float]:
        if results["muscle.BRA.reflex_excitation"].max() == 0.0:
            raise ZeroDivisionError("no reflex to divide by")
        return outcome(results)

    with pytest.warns(RuntimeWarning, match=r"3 of 4 runs failed"):
        ds = study.sweep(
            hypertonic,
            RAMP,
            {
                "muscles.BIClong.max_isometric_force": [600.0, -5.0],
                "muscles.BRA.tone.gain": [0.0, 9.0],
            },
            reduce=fragile,
            progress=False,
        )
    force, gain = "muscles.BIClong.max_isometric_force", "muscles.BRA.tone.gain"
    assert ds.attrs["n_failed"] == 3
    bad_model = ds["error"].sel({force: -5.0, gain: 0.0}).item()
    assert bad_model.startswith("model: ModelError:") and "max_isometric_force" in bad_model
    assert np.isnan(ds["peak_resisting_torque"].sel({force: -5.0})).all()
    # No BRA reflex makes the user's summary fail: recorded as a failure of the reduce stage.
    assert ds["error"].sel({force: 600.0, gain: 0.0}).item().startswith("reduce: ZeroDivisionError")
    assert ds["error"].sel({force: 600.0, gain: 9.0}).item() == ""
    assert np.isfinite(ds["peak_resisting_torque"].sel({force: 600.0, gain: 9.0}))
    assert f"{force}=-5.0, {gain}=0.0: model: ModelError" in ds.attrs["errors"]

    table = study.failures(ds)
    assert len(table) == 3 and set(table.columns) == {force, gain, "error"}
    assert set(table[force]) == {-5.0, 600.0}


def test_a_failed_integration_is_recorded(hypertonic: msk.Model) -> None:
    # A compliant tendon needs about three times the steps of a rigid one here.
    with pytest.warns(RuntimeWarning, match=r"1 of 2 runs failed"):
        ds = study.sweep(
            hypertonic,
            RAMP,
            {"muscles.BRA.tendon": ["rigid", "compliant"]},
            reduce=outcome,
            options={"max_steps": 200},
            progress=False,
        )
    assert ds["error"].sel({"muscles.BRA.tendon": "rigid"}).item() == ""
    failure = ds["error"].sel({"muscles.BRA.tendon": "compliant"}).item()
    assert failure.startswith("simulate: SimulationError: t = ") and "step limit" in failure
    assert np.isnan(ds["peak_resisting_torque"].sel({"muscles.BRA.tendon": "compliant"}))


def test_errors_raise_stops_at_the_first_failure(hypertonic: msk.Model) -> None:
    with pytest.raises(msk.ModelError, match=r"max_isometric_force"):
        study.sweep(
            hypertonic,
            RAMP,
            {"muscles.BIClong.max_isometric_force": [-1.0, 600.0]},
            reduce=outcome,
            errors="raise",
            n_workers=2,
            progress=False,
        )


def test_a_study_where_every_run_fails_is_an_error(hypertonic: msk.Model) -> None:
    with pytest.raises(study.StudyError, match=r"all 2 runs failed; the first: .*ModelError"):
        study.sweep(
            hypertonic, RAMP, {"muscles.BIClong.max_isometric_force": [-1.0, -2.0]}, progress=False
        )


def test_every_override_key_is_checked_before_the_first_run(
    hypertonic: msk.Model, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A misspelt key fails once, up front, naming the call and the key with a suggestion."""
    runs: list[object] = []
    monkeypatch.setattr(study, "_run", lambda *args, **kwargs: runs.append(args))
    grid = {
        "muscles.BIClong.tone.gain": [1.0, 2.0, 3.0],
        "muscles.BIClong.tone.threshhold_offset": [0.0, 0.1],
    }
    with pytest.raises(msk.ModelError) as info:
        study.sweep(hypertonic, RAMP, grid, reduce=outcome, progress=False)
    message = str(info.value)
    assert message.startswith(
        "msk.study.sweep(grid=...): 'muscles.BIClong.tone.threshhold_offset': expected a known "
        "field"
    ), message
    assert "did you mean 'threshold_offset'" in message
    assert runs == []

    # A misspelt key after one whose first value the core refuses is still found up front.
    grid = {
        "muscles.BIClong.max_isometric_force": [-1.0, 600.0],
        "muscles.BIClong.tone.gian": [1.0, 2.0],
    }
    with pytest.raises(msk.ModelError, match=r"'muscles.BIClong.tone.gian': .*did you mean 'gain'"):
        study.sweep(hypertonic, RAMP, grid, reduce=outcome, progress=False)

    with pytest.raises(
        msk.ModelError, match=r"a muscle of model 'elbow' .*got 'BICLong'; did you mean 'BIClong'"
    ):
        study.cohort(hypertonic, RAMP, [{"muscles.BICLong.tone.gain": 2.0}], progress=False)
    with pytest.raises(ValueError, match=r"expected a finite number, got nan"):
        study.sweep(hypertonic, RAMP, {"muscles.BIClong.tone.gain": [1.0, float("nan")]})
    assert runs == []


@pytest.mark.parametrize(
    ("grid", "kwargs", "message"),
    [
        ({}, {}, r"grid: expected a dict"),
        ({"muscles.BRA.tone.gain": []}, {}, r"expected at least one value"),
        ({"muscles.BRA.tone.gain": [1.0, 1.0]}, {}, r"expected distinct values"),
        ({"muscles.BRA.tone.gain": [float("nan")]}, {}, r"expected a finite number"),
        ({"muscles.BRA.tone.gain": [{"a": 1}]}, {}, r"expected a number, a string or a bool"),
        ({"muscles.BRA.tone.gain": 2.0}, {}, r"expected a list of values"),
        ({"time": [1.0]}, {}, r"'time' is reserved"),
        (
            {"a": study.Axis([1.0], sets="x.y"), "b": study.Axis([2.0], sets=["x.y"])},
            {},
            r"field 'x.y' is set by both 'a' and 'b'",
        ),
        ({"a": [1.0], "b": [1.0, 2.0]}, {"mode": "zip"}, r"same length"),
        ({"a": [1.0]}, {"mode": "grid"}, r"mode: expected 'product' or 'zip'"),
        ({"protocol.phases.7.duration": [1.0]}, {}, r"expected an index in \[0, 3\)"),
        ({"protocol.phases.1.nope": [1.0]}, {}, r"unknown field\(s\) \['nope'\]"),
        ({"protocol.phases.1.speed_deg_s": [-5.0]}, {}, r"speed_deg_s: expected a positive"),
        ({"a": [1.0]}, {"outputs": "muscle.BIClong.forse"}, r"did you mean muscle\.BIClong\.force"),
        ({"a": [1.0]}, {"n_workers": 0}, r"n_workers: expected a whole number >= 1"),
        ({"a": [1.0]}, {"n_workers": 2, "client": object()}, r"not both"),
        ({"a": [1.0]}, {"options": {"dt": 0.1}}, r"options: unknown \['dt'\]"),
        ({"a": [1.0]}, {"options": {"output_dt": -1}}, r"output_dt: expected a positive"),
        ({"a": [1.0]}, {"errors": "ignore"}, r"errors: expected 'record' or 'raise'"),
    ],
)
def test_bad_arguments_fail_before_anything_runs(
    hypertonic: msk.Model, grid: dict[str, Any], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        study.sweep(hypertonic, RAMP, grid, progress=False, **kwargs)


# --- cohorts -------------------------------------------------------------------------------------


def test_cohort_has_a_person_dimension_and_the_overrides_as_coordinates(
    hypertonic: msk.Model,
) -> None:
    people = {
        "P1": {"muscles.BRA.tone.gain": 4.0},
        "P2": {
            "muscles": {"BIClong": {"tone": {"gain": 1.0}}},
            "protocol.phases.1.speed_deg_s": 60,
        },
    }
    ds = study.cohort(hypertonic, STRETCH, people, reduce=outcome, progress=False)
    assert dict(ds.sizes) == {"person": 2}
    assert list(ds["person"].values) == ["P1", "P2"]
    np.testing.assert_array_equal(ds["muscles.BRA.tone.gain"], [4.0, np.nan])
    np.testing.assert_array_equal(ds["muscles.BIClong.tone.gain"], [np.nan, 1.0])
    assert ds["muscles.BRA.tone.gain"].attrs["units"] == "1/L_opt"
    assert ds["protocol.phases.1.speed_deg_s"].attrs["units"] == "deg/s"
    fast = p.Protocol.from_dict(STRETCH.to_dict())
    fast.phases[1]["speed_deg_s"] = 60
    direct = msk.simulate(
        hypertonic.with_overrides({"muscles.BIClong.tone.gain": 1.0}), fast, progress=False
    )
    assert float(ds["peak_reflex"].sel(person="P2")) == outcome(direct)["peak_reflex"]


def test_cohort_from_a_dataframe_with_a_grid_per_person(hypertonic: msk.Model) -> None:
    pd = pytest.importorskip("pandas")
    table = pd.DataFrame(
        {"muscles.BIClong.tone.gain": [2.0, np.nan], "muscles.BRA.tone.gain": [np.nan, 5.0]},
        index=pd.Index(["anna", "ben"], name="person"),
    )
    ds = study.cohort(
        hypertonic,
        STRETCH,
        table,
        grid={"protocol.phases.1.speed_deg_s": [10.0, 90.0]},
        reduce=outcome,
        progress=False,
    )
    assert ds["peak_reflex"].dims == ("person", "protocol.phases.1.speed_deg_s")
    assert list(ds["person"].values) == ["anna", "ben"]
    faster = ds["peak_reflex"].sel({"protocol.phases.1.speed_deg_s": 90.0})
    slower = ds["peak_reflex"].sel({"protocol.phases.1.speed_deg_s": 10.0})
    assert (faster > slower).all()  # the reflex is velocity-dependent


def test_cohort_checks_people_and_labels(hypertonic: msk.Model) -> None:
    with pytest.raises(ValueError, match=r"at least one person"):
        study.cohort(hypertonic, RAMP, [], progress=False)
    with pytest.raises(ValueError, match=r"expected 2 labels, got 1"):
        study.cohort(hypertonic, RAMP, [{}, {}], labels=["a"], progress=False)
    with pytest.raises(ValueError, match=r"distinct labels"):
        study.cohort(hypertonic, RAMP, [{}, {}], labels=["a", "a"], progress=False)
    with pytest.raises(ValueError, match=r"also set by the people"):
        study.cohort(
            hypertonic,
            RAMP,
            [{"muscles.BRA.tone.gain": 1.0}],
            grid={"muscles.BRA.tone.gain": [2.0]},
            progress=False,
        )


def test_failed_person_is_named_with_its_overrides(hypertonic: msk.Model) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ds = study.cohort(
            hypertonic,
            RAMP,
            [{"muscles.BRA.max_isometric_force": 900.0}, {"muscles.BRA.max_isometric_force": -1}],
            reduce=outcome,
            progress=False,
        )
    assert ds.attrs["errors"].startswith("person=1 (muscles.BRA.max_isometric_force=-1.0): model:")


# --- files, progress -----------------------------------------------------------------------------


def test_output_dir_keeps_every_run_as_a_results_file(
    hypertonic: msk.Model, tmp_path: Path
) -> None:
    ds = study.sweep(
        hypertonic,
        RAMP,
        {"muscles.BRA.tone.gain": [1.0, 2.0]},
        outputs=[TORQUE],
        output_dir=tmp_path / "runs",
        progress=False,
    )
    files = list(ds["file"].values)
    assert [Path(f).name for f in files] == ["run_00000.h5", "run_00001.h5"]
    again = msk.Results.load(files[1])
    steps, rows = on_grid(again)
    torque = ds[TORQUE].sel({"muscles.BRA.tone.gain": 2.0})
    np.testing.assert_array_equal(torque[steps], again[TORQUE][rows])


def test_progress_bar_counts_runs(
    hypertonic: msk.Model, capsys: pytest.CaptureFixture[str]
) -> None:
    study.sweep(hypertonic, RAMP, {"muscles.BRA.tone.gain": [1.0, 2.0, 3.0]}, reduce=outcome)
    err = capsys.readouterr().err
    assert "sweep" in err and "3/3" in err and "run" in err


# --- Dask ----------------------------------------------------------------------------------------


def test_dask_client_gives_the_thread_result(hypertonic: msk.Model) -> None:
    distributed = pytest.importorskip("distributed")

    def peak(results: msk.Results) -> dict[str, float]:  # pickled by value for the workers
        return {"peak_resisting_torque": float(results[TORQUE].max())}

    grid = {
        "offset": flexor_axis("threshold_offset", [0.0, 0.1]),
        "muscles.BRA.tone.gain": [2.0, 4.0],
    }
    local = study.sweep(hypertonic, STRETCH, grid, reduce=peak, outputs=ANGLE, progress=False)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = study.sweep(
            hypertonic, STRETCH, grid, reduce=peak, outputs=ANGLE, client=client, progress=False
        )
    xr.testing.assert_identical(local, remote)


def test_client_needs_dask_distributed(
    hypertonic: msk.Model, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    fake_client = types.SimpleNamespace(map=lambda *args, **kwargs: [])
    with pytest.raises(ImportError, match=r"pip install 'dask\[distributed\]'"):
        study.sweep(hypertonic, RAMP, {"a": [1.0]}, client=fake_client, progress=False)
    with pytest.raises(TypeError, match=r"client: expected a dask\.distributed\.Client"):
        study.sweep(hypertonic, RAMP, {"a": [1.0]}, client=object(), progress=False)


def test_units_of_fields_and_names() -> None:
    assert study.units_of("muscles.BIClong.tone.threshold_offset") == "L_opt"
    assert study.units_of("bodies.forearm.joint.damping") == "N m s/rad"
    assert study.units_of("protocol.initial.angles_deg.r_elbow_flex") == "deg"
    assert study.units_of("protocol.phases.2.effort_pct_mvc") == "% MVC"
    assert study.units_of("barrier_angle_deg") == "deg"
    assert study.units_of("time_to_barrier_s") == "s"
    assert study.units_of("peak_torque") is None
