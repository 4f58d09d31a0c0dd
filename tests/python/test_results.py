"""Results: reading msk files with h5py, conversions that keep units, saving, plotting, and the
``load_model``/``simulate`` front (against a stand-in core, then the real one)."""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

import h5py
import msk
import numpy as np
import pytest
from conftest import JOINT, MUSCLES, PAIR, FakeCore, write_results_file
from msk import protocols as p
from msk.results import Results


def _io_errors() -> tuple[type[BaseException], ...]:
    """Errors Results.load raises for a bad file: msk.IoError, or OSError without the core."""
    try:
        from msk import _core
    except ImportError:
        return (OSError,)
    return (OSError, _core.IoError)


# --- loading --------------------------------------------------------------------------------------


def test_load_reads_every_part_of_the_documented_layout(
    results_file: Path, episode: dict[str, Any]
) -> None:
    results = Results.load(results_file)

    np.testing.assert_array_equal(results.time, episode["time"])
    assert set(results.channels) == set(episode["channels"])
    assert results.values.shape == (episode["time"].size, len(episode["channels"]))
    for name, values in episode["channels"].items():
        np.testing.assert_array_equal(results[name], values)
        assert results.units[name] == episode["units"][name]
        assert results.descriptions[name] == episode["descriptions"][name]
    assert results.meta["model_name"] == "elbow"
    assert results.meta["seed"] == 7 and isinstance(results.meta["seed"], int)
    assert results.meta["msk_version"] == "0.1.0-test"
    assert list(results.events["label"]) == episode["event_labels"]
    np.testing.assert_array_equal(results.events["time"], episode["event_times"])
    assert results.path == results_file
    assert results.stats == {}


def test_entities_are_parsed_from_channel_names(results_file: Path) -> None:
    results = Results.load(results_file)
    assert results.joints == [JOINT]
    assert sorted(results.muscles) == sorted(MUSCLES)
    assert results.pairs == [PAIR]
    assert results.duration == pytest.approx(31.0)
    assert results.n_samples == 3101


def test_channel_order_of_the_file_is_kept(tmp_path: Path, episode: dict[str, Any]) -> None:
    path = write_results_file(tmp_path / "ordered.h5", episode, track_order=True)
    assert Results.load(path).channels == list(episode["channels"])


def test_fixed_length_labels_and_missing_events_are_read(
    tmp_path: Path, episode: dict[str, Any]
) -> None:
    fixed = write_results_file(tmp_path / "fixed.h5", episode, fixed_length_labels=True)
    assert list(Results.load(fixed).events["label"]) == episode["event_labels"]

    bare = write_results_file(tmp_path / "bare.h5", episode, with_events=False)
    events = Results.load(bare).events
    assert list(events.columns) == ["time", "label"] and len(events) == 0


def test_unknown_channel_names_the_closest_ones(results_file: Path) -> None:
    results = Results.load(results_file)
    with pytest.raises(KeyError, match=r"did you mean muscle\.BIClong\.force"):
        results["muscle.BIClong.forse"]
    assert "muscle.BIClong.force" in results
    assert "muscle.BIClong.forse" not in results


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no such results file"):
        Results.load(tmp_path / "nope.h5")


def test_non_hdf5_file_is_an_io_error(tmp_path: Path) -> None:
    path = tmp_path / "text.h5"
    path.write_text("not hdf5")
    with pytest.raises(_io_errors(), match=r"not a readable HDF5 file"):
        Results.load(path)


def test_foreign_hdf5_file_is_an_io_error(tmp_path: Path, episode: dict[str, Any]) -> None:
    path = write_results_file(tmp_path / "other.h5", episode, file_format="something-else")
    with pytest.raises(_io_errors(), match=r"expected attribute format = 'msk-results'"):
        Results.load(path)


def test_newer_format_version_asks_for_an_upgrade(tmp_path: Path, episode: dict[str, Any]) -> None:
    path = write_results_file(tmp_path / "future.h5", episode, format_version=2)
    with pytest.raises(_io_errors(), match=r"upgrade msk"):
        Results.load(path)


def _same_results(a: Results, b: Results) -> None:
    """Identical arrays, channels, meta (values and types), events, statistics and final state."""
    np.testing.assert_array_equal(a.time, b.time)
    np.testing.assert_array_equal(a.values, b.values)
    assert a.values.dtype == b.values.dtype and a.values.shape == b.values.shape
    assert a.channels == b.channels and a.units == b.units and a.descriptions == b.descriptions
    assert a.meta == b.meta
    assert {k: type(v) for k, v in a.meta.items()} == {k: type(v) for k, v in b.meta.items()}
    assert a.stats == b.stats
    assert {k: type(v) for k, v in a.stats.items()} == {k: type(v) for k, v in b.stats.items()}
    assert a.events.equals(b.events)
    assert (a.final_state is None) == (b.final_state is None)
    if a.final_state is not None and b.final_state is not None:
        assert a.final_state.time == b.final_state.time
        assert a.final_state.names == b.final_state.names
        np.testing.assert_array_equal(a.final_state.values, b.final_state.values)


@pytest.mark.core
@pytest.mark.parametrize(
    "kind", ["h5py", "ordered", "fixed_labels", "no_events", "saved", "core_written"]
)
def test_the_core_and_h5py_read_the_same(
    kind: str, tmp_path: Path, episode: dict[str, Any]
) -> None:
    # Results.load reads through the core; the h5py reader, for machines without it, must give
    # the same on every file msk (or a tool following the layout) writes.
    pytest.importorskip("msk._core")
    path = tmp_path / f"{kind}.h5"
    if kind in ("h5py", "ordered", "fixed_labels", "no_events"):
        write_results_file(
            path,
            episode,
            track_order=kind == "ordered",
            fixed_length_labels=kind == "fixed_labels",
            with_events=kind != "no_events",
        )
    else:
        session = p.Protocol([p.rest(0.2), p.voluntary(0.2, {"BIClong": 0.3})])
        run = msk.simulate("elbow", session, output=path if kind == "core_written" else None)
        if kind == "saved":  # statistics and the final state, written by Results.save (core)
            run.meta["seed"] = 11
            run.meta["converged"] = True
            run.save(path)
    through_core = Results.load(path)
    with_h5py = Results._load_with_h5py(path)
    _same_results(through_core, with_h5py)
    if kind in ("saved", "core_written"):
        assert through_core.final_state is not None and through_core.final_state.names
    if kind == "saved":
        assert through_core.stats and through_core.meta["seed"] == 11
        assert through_core.meta["converged"] == 1


def test_without_the_core_load_reads_with_h5py(
    results_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import msk.results

    monkeypatch.setattr(msk.results, "core_or_none", lambda: None)
    results = Results.load(results_file)
    assert results.meta["seed"] == 7 and results.n_samples == 3101


def test_constructor_checks_shapes() -> None:
    with pytest.raises(ValueError, match=r"values: expected shape \(n, n_channels\) = \(3, 2\)"):
        Results(np.arange(3.0), np.zeros((3, 1)), ["a.b.c", "a.b.d"], ["1", "1"])
    with pytest.raises(ValueError, match=r"channel_units: expected 1 entries"):
        Results(np.arange(3.0), np.zeros((3, 1)), ["a.b.c"], [])
    with pytest.raises(ValueError, match=r"same length"):
        Results(np.arange(3.0), np.zeros((3, 1)), ["a.b.c"], ["1"], None, [1.0], [])


# --- conversions keep units -----------------------------------------------------------------------


def test_to_pandas_has_time_index_and_units(results_file: Path, episode: dict[str, Any]) -> None:
    results = Results.load(results_file)
    frame = results.to_pandas()

    assert frame.index.name == "time"
    np.testing.assert_array_equal(frame.index.to_numpy(), episode["time"])
    assert list(frame.columns) == results.channels
    assert frame.attrs["units"] == results.units
    assert frame.attrs["units"][f"joint.{JOINT}.angle"] == "rad"
    assert frame.attrs["descriptions"][f"pair.{PAIR}.cci"] == "co-contraction index"
    assert frame.attrs["meta"]["model_name"] == "elbow"
    np.testing.assert_array_equal(
        frame[f"muscle.{MUSCLES[0]}.force"], results[f"muscle.{MUSCLES[0]}.force"]
    )

    subset = results.to_pandas([f"joint.{JOINT}.angle"])
    assert list(subset.columns) == [f"joint.{JOINT}.angle"]
    assert subset.attrs["units"] == {f"joint.{JOINT}.angle": "rad"}
    with pytest.raises(KeyError):
        results.to_pandas(["joint.nope.angle"])


def test_muscle_joint_and_pair_frames_use_short_names(results_file: Path) -> None:
    results = Results.load(results_file)

    muscle = results.muscle("BIClong")
    assert {"excitation", "activation", "force", f"moment.{JOINT}"} <= set(muscle.columns)
    assert muscle.attrs["units"]["force"] == "N"
    assert muscle.attrs["units"]["fibre_velocity"] == "m/s"
    assert muscle.attrs["units"][f"moment.{JOINT}"] == "N m"
    np.testing.assert_array_equal(muscle["force"], results["muscle.BIClong.force"])

    assert results.joint(JOINT).attrs["units"] == {"angle": "rad", "velocity": "rad/s"}
    assert results.pair(PAIR).attrs["units"] == {"cci": "1", "net_moment": "N m"}
    with pytest.raises(KeyError, match=r"these results have muscles"):
        results.muscle("DELT1")


def test_to_xarray_keeps_units_descriptions_and_events(results_file: Path) -> None:
    pytest.importorskip("xarray")
    results = Results.load(results_file)
    dataset = results.to_xarray()

    assert dataset["time"].attrs["units"] == "s"
    for name in results.channels:
        assert dataset[name].dims == ("time",)
        assert dataset[name].attrs["units"] == results.units[name]
        assert dataset[name].attrs["description"] == results.descriptions[name]
    np.testing.assert_array_equal(
        dataset[f"joint.{JOINT}.angle"].values, results[f"joint.{JOINT}.angle"]
    )
    assert dataset["event_time"].attrs["units"] == "s"
    assert list(dataset["event_label"].values) == list(results.events["label"])
    assert dataset.attrs["model_name"] == "elbow"

    subset = results.to_xarray([f"joint.{JOINT}.angle"])
    assert set(subset.data_vars) == {f"joint.{JOINT}.angle", "event_time", "event_label"}
    assert subset[f"joint.{JOINT}.angle"].attrs["units"] == "rad"
    with pytest.raises(KeyError, match=r"did you mean"):
        results.to_xarray([f"joint.{JOINT}.angel"])


# --- saving ---------------------------------------------------------------------------------------


def test_save_then_load_round_trips_everything(results_file: Path, tmp_path: Path) -> None:
    original = Results.load(results_file)
    original.stats = {"steps": 10, "stepper": "dopri5"}
    copy_path = original.save(tmp_path / "copy.h5")
    copy = Results.load(copy_path)

    assert copy.channels == original.channels  # order kept
    np.testing.assert_array_equal(copy.time, original.time)
    np.testing.assert_array_equal(copy.values, original.values)
    assert copy.units == original.units
    assert copy.descriptions == original.descriptions
    assert copy.meta == original.meta
    assert copy.stats == original.stats
    assert copy.events.equals(original.events)


def test_save_without_events_and_with_bool_meta(tmp_path: Path) -> None:
    time = np.linspace(0.0, 1.0, 5)
    results = Results(
        time,
        time[:, None] * 2.0,
        ["joint.k.angle"],
        ["rad"],
        ["angle"],
        meta={"flag": True, "nested": {"a": 1}, "missing": None},
    )
    copy = Results.load(results.save(tmp_path / "plain.h5", compression=None))
    assert len(copy.events) == 0
    assert (
        copy.meta["flag"] == 1 and copy.meta["nested"] == '{"a": 1}' and copy.meta["missing"] == ""
    )
    np.testing.assert_array_equal(copy["joint.k.angle"], time * 2.0)


def test_save_writes_through_the_core_writer_and_its_checks(tmp_path: Path) -> None:
    """One writer owns the format: Results.save goes through msk::io::save_results, so the
    core's checks of names and places apply."""
    time = np.linspace(0.0, 1.0, 3)
    bad = Results(time, time[:, None], ["joint/k.angle"], ["rad"], [""])
    with pytest.raises(msk.InvalidArgument, match="joint/k.angle"):
        bad.save(tmp_path / "bad.h5")
    good = Results(time, time[:, None], ["joint.k.angle"], ["rad"], [""])
    missing = tmp_path / "no_such_directory" / "out.h5"
    with pytest.raises(msk.IoError, match="no_such_directory"):
        good.save(missing)
    with h5py.File(good.save(tmp_path / "good.h5"), "r") as f:
        assert f.attrs["msk_version"] == msk.__version__


def test_saved_file_follows_the_documented_layout(results_file: Path, tmp_path: Path) -> None:
    path = Results.load(results_file).save(tmp_path / "copy.h5")
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "msk-results"
        assert int(f.attrs["format_version"]) == 1
        assert "msk_version" in f.attrs
        assert f["time"].attrs["units"] == "s"
        force = f[f"channels/muscle.{MUSCLES[0]}.force"]
        assert force.shape == f["time"].shape
        assert force.attrs["units"] == "N"
        assert force.attrs["description"] == "muscle-tendon force"
        assert f["meta"].attrs["model_name"] == "elbow"
        assert f["events/label"].asstr()[0] == f"barrier:{JOINT}"


def test_from_episode_wraps_arrays_without_copying(episode: dict[str, Any]) -> None:
    names = list(episode["channels"])
    values = np.column_stack([episode["channels"][c] for c in names])
    core_result = types.SimpleNamespace(
        time=episode["time"],
        values=values,
        channel_names=names,
        channel_units=[episode["units"][c] for c in names],
        channel_descriptions=[episode["descriptions"][c] for c in names],
        event_times=episode["event_times"],
        event_labels=episode["event_labels"],
        stats={"steps": 5},
        output="",
    )
    results = Results.from_episode(core_result, meta={"model_name": "elbow"})
    assert np.shares_memory(results.values, values)
    assert np.shares_memory(results[names[0]], values)
    assert results.stats == {"steps": 5} and results.path is None


def test_repr_summarises(results_file: Path) -> None:
    text = repr(Results.load(results_file))
    assert text.startswith("<msk.Results 'elbow': 3101 samples, 0 to 31 s")
    assert "1 joint(s), 2 muscle(s), 1 pair(s)" in text and "7 event(s)" in text


# --- plots ----------------------------------------------------------------------------------------


def test_dashboard_writes_a_png(results_file: Path, tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    results = Results.load(results_file)
    figure = results.plot(path=tmp_path / "dash.png")
    assert isinstance(figure, Figure)
    assert (tmp_path / "dash.png").stat().st_size > 10_000
    labels = [ax.get_ylabel() for ax in figure.axes]
    assert "Angle [deg]" in labels and "Force [N]" in labels and "Moment [N m]" in labels
    titles = [ax.get_title() for ax in figure.axes]
    assert f"Positive moment at {JOINT}" in titles and f"Negative moment at {JOINT}" in titles
    assert figure._suptitle is not None and figure._suptitle.get_text() == "elbow: 31 s episode"


def test_dashboard_groups_agonists_and_antagonists_from_the_model_pairs(
    tmp_path: Path, episode: dict[str, Any]
) -> None:
    # The bundled elbow's text: the dashboard compiles it and takes the pairs from the model.
    episode["meta"]["model_text"] = msk.load_model("elbow").text
    results = Results.load(write_results_file(tmp_path / "paired.h5", episode))
    figure = results.plot(path=tmp_path / "paired.png")
    titles = [ax.get_title() for ax in figure.axes]
    assert "Agonists (elbow)" in titles and "Antagonists (elbow)" in titles
    legend = figure.axes[2].get_legend()
    assert legend is not None and "BIClong" in [t.get_text() for t in legend.get_texts()]


def test_dashboard_subsets_and_rejects_unknown_names(results_file: Path, tmp_path: Path) -> None:
    results = Results.load(results_file)
    msk.plot.dashboard(results, muscles=["BIClong"], path=tmp_path / "one.png", title="One")
    assert (tmp_path / "one.png").is_file()
    with pytest.raises(KeyError, match=r"no muscle"):
        msk.plot.dashboard(results, muscles=["DELT1"], path=tmp_path / "x.png")


def test_dashboard_without_pairs_or_events(tmp_path: Path) -> None:
    time = np.linspace(0, 1, 11)
    results = Results(
        time, np.column_stack([time, time]), ["joint.k.angle", "muscle.m.force"], ["rad", "N"]
    )
    figure = msk.plot.dashboard(results, path=tmp_path / "few.png")
    assert (tmp_path / "few.png").is_file()
    assert "Muscle activation" in [ax.get_title() for ax in figure.axes]


def test_compare_and_save(results_file: Path, tmp_path: Path) -> None:
    a = Results.load(results_file)
    b = Results(a.time, a.values * 1.1, a.channels, [a.units[c] for c in a.channels])
    figure = msk.plot.compare(a, b, labels=("normal", "hypertonic"))
    written = msk.plot.save(figure, tmp_path / "compare", title="Normal vs hypertonic")
    assert written == tmp_path / "compare.png" and written.stat().st_size > 10_000
    with pytest.raises(ValueError, match=r"expected 2 labels"):
        msk.plot.compare(a, b, labels=("one",))


# --- load_model / simulate against a stand-in core ------------------------------------------------


def test_load_model_from_path_with_nested_overrides(fake_core: FakeCore, tmp_path: Path) -> None:
    path = tmp_path / "arm.yaml"
    path.write_text("name: arm\n")
    model = msk.load_model(path, overrides={"muscles": {"BIClong": {"tone": "hypertonic"}}})

    text, file, overrides_json = fake_core.calls[-1][1]
    assert text == "name: arm\n" and file == str(path.resolve())
    assert json.loads(overrides_json) == {"muscles.BIClong.tone": "hypertonic"}
    assert isinstance(model, msk.Model)
    assert model.joint_names == [JOINT] and model.channels[f"joint.{JOINT}.angle"] == "rad"
    assert repr(model).startswith("<msk.Model 'elbow'")
    assert model.pair_names == ["elbow"] and model.core.name == "elbow"
    with pytest.raises(AttributeError):
        model.no_such_field  # noqa: B018

    variant = model.with_overrides({"muscles.BIClong.max_isometric_force": np.float64(700.0)})
    assert json.loads(fake_core.calls[-1][1][2]) == {"muscles.BIClong.max_isometric_force": 700.0}
    assert variant is not model


def test_load_model_errors(fake_core: FakeCore, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no such model file"):
        msk.load_model(tmp_path / "missing.yaml")
    with pytest.raises(FileNotFoundError, match=r"no bundled model 'nosuchmodel'"):
        msk.load_model("nosuchmodel")
    path = tmp_path / "arm.yaml"
    path.write_text("name: arm\n")
    with pytest.raises(fake_core.ModelError, match=r"expected a number"):
        msk.load_model(path, overrides={"muscles.BIClong.max_isometric_force": "bad"})
    for bad in (float("nan"), float("inf"), np.float64("-inf"), [1.0, float("nan")]):
        with pytest.raises(ValueError) as info:
            msk.load_model(path, overrides={"muscles.BIClong.max_isometric_force": bad})
        assert str(info.value).startswith(
            "msk.load_model(overrides=...): 'muscles.BIClong.max_isometric_force': "
            "expected a finite number, got "
        ), info.value
    assert not [c for c in fake_core.calls if "nan" in str(c).lower()]  # refused before the core


def test_simulate_sends_protocol_and_options_and_returns_results(
    fake_core: FakeCore, tmp_path: Path
) -> None:
    model = msk.Model(fake_core.Model("name: elbow\n", "elbow.yaml", {}))
    session = p.Protocol([p.rest(1.0), p.hold(JOINT, 2.0)], initial_angles_deg={JOINT: 90})
    results = msk.simulate(
        model, session, output=tmp_path / "run.h5", stepper="rosenbrock4", seed=3, progress=False
    )

    _, protocol_json, options_json, output, callback = next(
        args for name, args in reversed(fake_core.calls) if name == "simulate"
    )
    assert json.loads(protocol_json) == session.to_dict()
    assert json.loads(options_json) == {
        "output_dt": 0.01,
        "stepper": "rosenbrock4",
        "rtol": 1e-6,
        "atol": 1e-8,
        "max_steps": 10_000_000,
        "seed": 3,
        "max_step": 0.05,
    }
    assert output == str(tmp_path / "run.h5") and callable(callback)
    assert isinstance(results, Results)
    assert results.channels == model.channel_names
    assert results.meta["model_name"] == "elbow" and results.meta["seed"] == 3
    assert json.loads(results.meta["protocol"]) == session.to_dict()
    assert results.stats["stepper"] == "rosenbrock4"
    assert results.path == tmp_path / "run.h5"


def test_simulate_duration_means_rest(fake_core: FakeCore) -> None:
    model = msk.Model(fake_core.Model("", "elbow.yaml", {}))
    msk.simulate(model, duration=2.5, progress=False)
    protocol = json.loads(fake_core.calls[-1][1][1])
    assert protocol["phases"] == [{"type": "rest", "duration": 2.5}]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give a protocol, or a duration"),
        ({"duration": 1.0, "protocol": [p.rest(1.0)]}, "not both"),
        ({"duration": -1.0}, "rest.duration: expected a positive number"),
        ({"duration": 1.0, "stepper": "euler"}, "stepper: expected one of"),
        ({"duration": 1.0, "output_dt": 0.0}, "output_dt: expected a positive number"),
        ({"duration": 1.0, "rtol": -1e-3}, "rtol: expected a positive number"),
        ({"duration": 1.0, "seed": -1}, "seed: expected a whole number"),
        ({"protocol": [{"type": "jump"}]}, "phases\\[0\\].type: expected one of"),
        ({"duration": 1.0, "progress": "yes"}, "progress: expected None, True, False"),
    ],
)
def test_simulate_checks_arguments_before_running(
    fake_core: FakeCore, kwargs: dict[str, Any], message: str
) -> None:
    model = msk.Model(fake_core.Model("", "elbow.yaml", {}))
    with pytest.raises(ValueError, match=message):
        msk.simulate(model, **kwargs)
    assert not [c for c in fake_core.calls if c[0] == "simulate"]


def test_progress_callback_sees_time_and_can_cancel(fake_core: FakeCore) -> None:
    model = msk.Model(fake_core.Model("", "elbow.yaml", {}))
    seen: list[tuple[float, float]] = []
    msk.simulate(model, duration=1.0, progress=lambda t, t_end: seen.append((t, t_end)))
    assert len(seen) == fake_core.progress_calls and seen[-1] == (31.0, 31.0)

    with pytest.raises(fake_core.Error, match=r"cancelled"):
        msk.simulate(model, duration=1.0, progress=lambda t, t_end: False)


def test_interrupt_and_callback_errors_surface_after_the_core_stops(fake_core: FakeCore) -> None:
    model = msk.Model(fake_core.Model("", "elbow.yaml", {}))

    def interrupt(t: float, t_end: float) -> bool:
        raise KeyboardInterrupt

    def broken(t: float, t_end: float) -> bool:
        raise RuntimeError("plotting failed")

    with pytest.raises(KeyboardInterrupt):
        msk.simulate(model, duration=1.0, progress=interrupt)
    with pytest.raises(RuntimeError, match=r"plotting failed"):
        msk.simulate(model, duration=1.0, progress=broken)


def test_progress_bar_reaches_the_end(
    fake_core: FakeCore, capsys: pytest.CaptureFixture[str]
) -> None:
    model = msk.Model(fake_core.Model("", "elbow.yaml", {}))
    msk.simulate(model, duration=1.0, progress=True)
    err = capsys.readouterr().err
    assert "100%" in err and "31.00/31.00 s simulated" in err


def test_simulation_error_passes_through(fake_core: FakeCore) -> None:
    model = msk.Model(fake_core.Model("", "elbow.yaml", {}))
    fake_core.fail_with = fake_core.SimulationError("t = 0.5 s: joint.k.angle (rigid): not finite")
    with pytest.raises(msk.SimulationError, match=r"not finite"):
        msk.simulate(model, duration=1.0, progress=False)


def test_exceptions_and_version_come_from_the_core(fake_core: FakeCore) -> None:
    assert msk.Error is fake_core.Error
    assert msk.ModelError is fake_core.ModelError
    assert msk.__version__ == "0.0.0-fake"


# --- with the real core (run by `pytest -m core` once msk._core is built) -------------------------


@pytest.mark.core
def test_core_rest_episode_round_trips_through_its_file(tmp_path: Path) -> None:
    pytest.importorskip("msk._core")
    model = msk.load_model("elbow")
    results = msk.simulate(model, duration=0.5, output=tmp_path / "rest.h5", progress=False)

    assert results.channels == model.channel_names
    assert [results.units[c] for c in results.channels] == model.channel_units
    assert results.time[0] == pytest.approx(0.0) and results.time[-1] == pytest.approx(0.5)
    assert results.stats["steps"] > 0
    assert np.isfinite(results.values).all()

    loaded = Results.load(tmp_path / "rest.h5")
    assert set(loaded.channels) == set(results.channels)
    for name in results.channels:
        np.testing.assert_allclose(loaded[name], results[name])
        assert loaded.units[name] == results.units[name]
    assert loaded.meta["model_name"] == model.name
    assert loaded.to_pandas().attrs["units"] == results.units


@pytest.mark.core
def test_core_overrides_flat_and_nested_agree() -> None:
    pytest.importorskip("msk._core")
    base = msk.load_model("elbow")
    muscle = base.muscle_names[0]
    flat = msk.load_model("elbow", {f"muscles.{muscle}.max_isometric_force": 700.0})
    nested = msk.load_model("elbow", {"muscles": {muscle: {"max_isometric_force": 700.0}}})
    assert flat.text == nested.text != base.text
    with pytest.raises(msk.ModelError):
        msk.load_model("elbow", {f"muscles.{muscle}.max_isometric_force": "strong"})


@pytest.mark.core
def test_core_progress_cancel_raises_msk_error() -> None:
    pytest.importorskip("msk._core")
    model = msk.load_model("elbow")
    with pytest.raises(msk.Error, match=r"cancelled"):
        msk.simulate(model, duration=5.0, progress=lambda t, t_end: False)


@pytest.mark.core
def test_core_every_channel_keeps_its_units_in_pandas_and_xarray() -> None:
    pytest.importorskip("msk._core")
    pytest.importorskip("xarray")
    model = msk.load_model("elbow")
    session = p.Protocol(
        [p.voluntary(0.2, {"BIClong": 0.3}), p.passive_stretch(JOINT, ["BIClong"], 30.0, 2.0, 2.0)],
        initial_angles_deg={JOINT: 90.0},
    )
    results = msk.simulate(model, session, progress=False)
    expected = model.channels
    assert results.units == expected and all(expected.values())  # every channel has units

    frame = results.to_pandas()
    assert frame.attrs["units"] == expected
    assert set(frame.columns) == set(expected)

    dataset = results.to_xarray()
    assert {name: dataset[name].attrs["units"] for name in expected} == expected
    assert all(dataset[name].attrs["description"] for name in expected)
    assert dataset["time"].attrs["units"] == "s"
    np.testing.assert_array_equal(dataset["time"].values, results.time)
    assert dataset.attrs["model_name"] == "elbow" and "BIClong" in dataset.attrs["model_text"]
