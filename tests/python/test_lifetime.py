"""msk.lifetimes: scenarios, lifetime runs streamed to HDF5, the xarray view, a killed run."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import msk
import numpy as np
import pytest
from msk import lifetimes

pytestmark = pytest.mark.core

ROOT = Path(__file__).resolve().parents[2]

DAY = textwrap.dedent(
    """\
    name: test_day
    days:
      day:
        - {label: standing, posture: standing_relaxed, hours: 8}
        - {label: sitting, posture: sitting_slouched, hours: 8}
        - {label: sleep, posture: lying_supine, hours: 8, sleep: true}
    week: [day, day, day, day, day, day, day]
    """
)


@pytest.fixture(scope="module")
def lumbar() -> msk.Model:
    return msk.load_model("lumbar")


@pytest.fixture(scope="module")
def run(lumbar: msk.Model, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("lifetime") / "office.h5"
    summary = msk.lifetime(lumbar, "office_worker", duration_days=3, out=out, progress=False)
    return summary, out


def test_bundled_scenarios_are_listed_and_read() -> None:
    names = lifetimes.scenario_names()
    for name in ("office_worker", "manual_handler", "standing_worker", "forward_head_office"):
        assert name in names
        s = msk.load_scenario(name)
        assert len(s["week"]) == 7
        for day in range(7):
            bouts = lifetimes.scenario_day(s, day)
            assert sum(b["duration_s"] for b in bouts) == pytest.approx(86400.0)
    # A bout carries its whole posture (the forward head of the screen work included).
    screen = next(
        b
        for b in msk.load_scenario("forward_head_office")["days"]["workday"]
        if b["label"] == "screen work"
    )
    assert screen["neck_flexion_deg"] == pytest.approx(25.0)
    assert screen["head_flexion_deg"] == pytest.approx(10.0)
    assert screen["hand_distance_m"] is None


def test_a_bad_scenario_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(DAY.replace("hours: 8}\n    - {label: sleep", "hours: 7}\n    - {label: sleep"))
    with pytest.raises(msk.ModelError, match=r"bad.yaml:4: days.day: expected bouts that add up"):
        msk.load_scenario(path)
    path.write_text(DAY.replace("sitting_slouched", "sitting_on_air"))
    with pytest.raises(msk.ModelError, match=r"bad.yaml:5: days.day\[1\].posture"):
        msk.load_scenario(path)


def test_the_run_streams_days_that_load_as_xarray(run: tuple[dict, Path]) -> None:
    summary, out = run
    assert summary["n_days"] == 3
    assert len(summary["hydration"]) == 5
    ds = msk.load_lifetime(out)
    assert list(ds["day"].values) == [1, 2, 3]
    assert list(ds["level"].values) == ["L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"]  # bottom up
    assert "erector_spinae" in list(ds["group"].values)
    assert ds["hydration_morning"].dims == ("day", "level")
    assert ds["optimal_length_ratio"].dims == ("day", "group")
    assert ds["daily_stature_loss"].attrs["units"] == "m"
    assert ds.attrs["scenario"] == "office_worker"
    # The discs lose height over the day: between 1 and 5 cm of stature (Tyrrell: 1.9 cm).
    assert 0.01 < float(ds["daily_stature_loss"][0]) < 0.05
    assert (ds["hydration_min"] < ds["hydration_morning"]).all()


def test_interventions_leave_the_days_of_the_schedule_alone(
    lumbar: msk.Model, tmp_path: Path
) -> None:
    # Same seed, same scenario: a stretching programme changes the muscles it treats and the
    # tolerance, not the schedule; the discs follow the same days up to the programme's effect.
    base = msk.lifetime(lumbar, "office_worker", duration_days=2, progress=False)
    stretch = lifetimes.intervention(
        "stretch",
        ["psoas"],
        duration_s=600,
        outcome=[
            {"muscle": m, "tolerance_change": 0.15, "tolerance_lasts_s": 1800.0}
            for m in lumbar.core.groups["psoas"]
        ],
    )
    treated = msk.lifetime(
        lumbar, "office_worker", duration_days=2, interventions=[stretch], progress=False
    )
    psoas = [lumbar.muscle_names.index(m) for m in lumbar.core.groups["psoas"]]
    others = [i for i in range(len(lumbar.muscle_names)) if i not in psoas]
    assert all(treated["tolerance"][i] > 0 for i in psoas)
    assert all(treated["tolerance"][i] == 0 for i in others)
    assert np.allclose(base["hydration"], treated["hydration"], atol=0.02)


def test_a_strengthening_programme_shows_in_the_group_strength_channel(
    lumbar: msk.Model, tmp_path: Path
) -> None:
    # 3 weeks: every other day 90 s of loaded contractions of the erector spinae at 80 % MVC.
    strengthen = lifetimes.intervention(
        "strengthen", ["erector_spinae"], every_days=2, duration_s=90, intensity=0.8
    )
    runs = {}
    for name, interventions, parameters in (
        ("trained", [strengthen], {}),
        ("untrained", [], {}),
        ("off", [strengthen], {"strength.enabled": 0.0}),
        ("untrained_off", [], {"strength.enabled": 0.0}),
    ):
        out = tmp_path / f"{name}.h5"
        msk.lifetime(
            lumbar,
            "office_worker",
            duration_days=21,
            interventions=interventions,
            parameters=parameters,
            mode="fixed",
            out=out,
            progress=False,
        )
        runs[name] = msk.load_lifetime(out)
    trained = runs["trained"]["strength_ratio"]
    assert trained.dims == ("day", "group")
    assert trained.attrs["units"] == "1"
    erector = trained.sel(group="erector_spinae").values
    assert erector[-1] > 1.08 and np.all(np.diff(erector[::2]) > 0)
    # The gain is neural first: the neural compartment leads the morphological one.
    neural = runs["trained"]["strength_neural"].sel(group="erector_spinae").values[-1]
    morphological = runs["trained"]["strength_morphological"].sel(group="erector_spinae")
    assert neural - 1 > morphological.values[-1] - 1 > 0
    # Untreated: the groups within 2 % of the model's strength (the week keeps it; single muscles
    # swing by up to 5 % with the week and the discs' slow fluid), and the discs as with the law
    # off to within what a muscle leaving its strength bucket moves (1-2 %, lifetime.md §10).
    assert np.allclose(runs["untrained"]["strength_ratio"].values, 1.0, atol=0.02)
    for name in ("hydration_morning", "fatigue_damage", "compression_max"):
        assert np.allclose(runs["untrained"][name], runs["untrained_off"][name], rtol=0.03), name
    assert np.all(runs["off"]["strength_ratio"].values == 1.0)
    with pytest.raises(msk.InvalidArgument, match="intensity"):
        msk.lifetime(
            lumbar,
            "office_worker",
            duration_days=1,
            interventions=[lifetimes.intervention("strengthen", ["psoas"], intensity=1.5)],
        )


def test_degeneration_grows_under_h23_and_shows_in_its_channel(
    lumbar: msk.Model, tmp_path: Path
) -> None:
    runs = {}
    for name, parameters in (
        ("off", {}),
        # H23 on, with a sustained-load rate that shows in two weeks what decades would.
        ("on", {"degeneration.enabled": 1.0, "degeneration.load_rate": 1e-5}),
    ):
        out = tmp_path / f"{name}.h5"
        summary = msk.lifetime(
            lumbar,
            "office_worker",
            duration_days=14,
            parameters=parameters,
            mode="fixed",
            out=out,
            progress=False,
        )
        runs[name] = (summary, msk.load_lifetime(out))
    off, on = runs["off"][1]["degeneration"], runs["on"][1]["degeneration"]
    assert on.dims == ("day", "level") and on.attrs["units"] == "1"
    names = [f"segments.{lv}.degeneration" for lv in on["level"].values]
    model_index = [lumbar.parameters(names)[n] for n in names]
    assert np.all(off.values == np.array(model_index))  # off (the default): the model's
    assert np.all(np.diff(on.values, axis=0) >= 0.0)  # never repaired
    assert np.all(on.values <= 1.0)
    assert float(on.sel(level="L4-L5")[-1]) > float(on.sel(level="L4-L5")[0]) + 0.01
    assert runs["on"][0]["degeneration"] == list(on.values[-1])
    # A weaker, degenerating level gathers fatigue damage faster.
    fatigue = {k: runs[k][1]["fatigue_damage"].sel(level="L4-L5").values[-1] for k in runs}
    assert fatigue["on"] > fatigue["off"]


def test_posture_retraining_changes_the_days_it_runs_on(lumbar: msk.Model, tmp_path: Path) -> None:
    def doses(fraction: float) -> np.ndarray:
        retrain = lifetimes.intervention(
            "posture_retraining",
            from_posture="sitting_slouched",
            to_posture="sitting_straight",
            fraction=fraction,
            first_day=1,
        )
        out = tmp_path / f"retrain_{fraction}.h5"
        msk.lifetime(
            lumbar,
            "office_worker",
            duration_days=3,
            interventions=[retrain],
            mode="fixed",
            out=out,
            progress=False,
        )
        return msk.load_lifetime(out)["sustained_dose"].sel(level="L4-L5").values

    none, half = doses(0.0), doses(0.5)
    assert half[0] == none[0]  # before the programme
    assert np.all(half[1:] != none[1:])
    with pytest.raises(msk.InvalidArgument, match="to_posture"):
        msk.lifetime(
            lumbar,
            "office_worker",
            duration_days=1,
            interventions=[
                lifetimes.intervention(
                    "posture_retraining", from_posture="sitting_slouched", to_posture="upright"
                )
            ],
        )


def test_progress_can_stop_the_run(lumbar: msk.Model) -> None:
    seen: list[tuple[int, int]] = []

    def stop_after_two(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 2

    summary = msk.lifetime(lumbar, "standing_worker", duration_days=10, progress=stop_after_two)
    assert summary["stopped"] and summary["n_days"] == 2
    assert seen == [(1, 10), (2, 10)]


def test_bad_arguments_raise(lumbar: msk.Model) -> None:
    with pytest.raises(msk.InvalidArgument, match="parameters"):
        msk.lifetime(lumbar, "office_worker", duration_days=1, parameters={"disc.nope": 1.0})
    with pytest.raises(msk.InvalidArgument, match="interventions\\[0\\].muscles"):
        msk.lifetime(
            lumbar,
            "office_worker",
            duration_days=1,
            interventions=[lifetimes.intervention("pir", ["no_such_group"])],
        )
    with pytest.raises(msk.InvalidArgument, match="adapted_to"):
        msk.lifetime(lumbar, "office_worker", duration_days=1, adapted_to="bed")


def test_lifetime_laws_document_every_parameter() -> None:
    laws = lifetimes.lifetime_laws()
    assert {law["name"] for law in laws} == {
        "disc_fluid_two_phase",
        "sarcomere_adaptation",
        "spine_damage",
        "session_effects",
        "strength_adaptation",
        "degeneration_progression",
    }
    theory = (ROOT / "docs" / "theory" / "lifetime.md").read_text(encoding="utf-8")
    hypotheses = (ROOT / "docs" / "theory" / "hypotheses.md").read_text(encoding="utf-8")
    for law in laws:
        assert law["time_scale"] == "lifetime"
        assert f"`{law['name']}`" in theory
        for p in law["params"]:
            assert p["unit"] and p["source"], (law["name"], p["name"])
            assert f"`{p['name']}`" in theory, (law["name"], p["name"])
    for h in ("H20", "H21", "H23"):
        assert f"| {h} |" in hypotheses


KILL_SCRIPT = textwrap.dedent(
    """\
    import sys
    import time

    import msk


    def quiet_point(done, total):
        # After each day the file is flushed and the run makes no HDF5 call until this returns.
        sys.stdout.write(f"day {done}\\n")
        sys.stdout.flush()
        time.sleep(0.2)
        return True


    msk.lifetime("lumbar", "office_worker", duration_days=3650, out=sys.argv[1],
                 progress=quiet_point, parameters={"flush_interval_s": 0})
    """
)


def kill_after_day(out: Path, day: int) -> None:
    """Run the ten-year child into ``out`` and SIGKILL it once it has finished ``day`` days."""
    child = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        while True:
            line = child.stdout.readline()
            assert line.startswith("day "), (
                f"child ended early: {child.wait()} {child.stderr.read()}"
            )
            if int(line.split()[1]) >= day:
                break
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()


def test_a_killed_run_leaves_a_readable_file(tmp_path: Path) -> None:
    # SIGKILL a ten-year run after its third day: every finished day reads back.
    out = tmp_path / "killed.h5"
    kill_after_day(out, 3)
    ds = msk.load_lifetime(out)
    assert ds.sizes["day"] >= 3
    assert list(ds["day"].values) == list(range(1, ds.sizes["day"] + 1))
    assert np.isfinite(ds["hydration_morning"].values).all()


def test_a_killed_run_resumes_to_the_file_of_an_uninterrupted_run(tmp_path: Path) -> None:
    import h5py

    killed, whole = tmp_path / "killed.h5", tmp_path / "whole.h5"
    kill_after_day(killed, 3)
    flush = {"flush_interval_s": 0}
    done = msk.lifetime(
        "lumbar", "office_worker", duration_days=6, out=killed, resume=True, parameters=flush
    )
    assert done["n_days"] == 6
    msk.lifetime("lumbar", "office_worker", duration_days=6, out=whole, parameters=flush)
    with h5py.File(killed, "r") as a, h5py.File(whole, "r") as b:
        assert list(a["channels"]) == list(b["channels"])
        assert np.array_equal(a["time"][()], b["time"][()])
        for name in a["channels"]:
            assert np.array_equal(a["channels"][name][()], b["channels"][name][()]), name
        state = "state/lifetime_checkpoint/values"
        assert np.array_equal(a[state][()], b[state][()])


def test_the_lifetime_figure_draws_levels_and_groups_per_run(
    run: tuple[dict, Path], tmp_path: Path
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    _, out = run
    ds = msk.load_lifetime(out)
    figure = msk.plot.lifetime(
        {"first": ds, "again": msk.load_lifetime(out)}, groups=["psoas"], path=tmp_path / "lt.png"
    )
    assert (tmp_path / "lt.png").stat().st_size > 20_000
    titles = [ax.get_title() for ax in figure.axes if ax.get_visible()]
    assert "disc fluid on waking" in titles and "optimal fibre length / initial" in titles
    fluid = figure.axes[titles.index("disc fluid on waking")]
    # One line per level and per run; the y values are the dataset's, day by day.
    assert len(fluid.get_lines()) == 2 * ds.sizes["level"]
    np.testing.assert_allclose(
        fluid.get_lines()[0].get_ydata(), ds["hydration_morning"].isel(level=0).values
    )
    with pytest.raises(KeyError, match="the runs have"):
        msk.plot.lifetime(ds, variables=["hydration_noon"])
    with pytest.raises(KeyError, match="no group"):
        msk.plot.lifetime(ds, groups=["biceps"])
    with pytest.raises(ValueError, match="msk.load_lifetime"):
        msk.plot.lifetime({"a file": str(out)})
