"""msk.study.lifetime_cohort: people drawn under a seed, lifetimes with and without a programme on
the local pool and on Dask (with a worker lost), files as people finish, a killed cohort resumed,
the distribution plots and ``msk run --resume`` for lifetime run files."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path
from typing import Any

import h5py
import msk
import numpy as np
import pytest
import xarray as xr
from msk import lifetimes, study

DAYS = 3
FAST = {"mode": "fixed", "duration_days": DAYS, "progress": False}


def stretch_programme(model: msk.Model) -> list[dict[str, Any]]:
    """Daily stretching of the psoas, its session outcome given by hand (as in
    test_lifetime.py): raises the tolerance of the treated muscles only."""
    outcome = [
        {"muscle": m, "tolerance_change": 0.15, "tolerance_lasts_s": 1800.0}
        for m in model.core.groups["psoas"]
    ]
    return [lifetimes.intervention("stretch", ["psoas"], duration_s=600, outcome=outcome)]


def make_reduce(marker: str = "", victim: Any = None) -> Any:
    """A ``reduce`` giving the last day; with ``marker``, the run of person ``victim`` kills its
    own worker process the first time (the marker file says it did)."""

    def reduce(ds: Any) -> dict[str, float]:
        if marker and ds.attrs["person"] == victim and ds.attrs["programme"] == "none":
            import os
            import signal

            if not os.path.exists(marker):
                with open(marker, "w") as handle:
                    handle.write(str(os.getpid()))
                os.kill(os.getpid(), signal.SIGKILL)
        return {"last_day": float(ds["day"].values[-1])}

    return reduce


def without_files(ds: xr.Dataset) -> xr.Dataset:
    """The cohort without what depends on where and how it ran (file names, resume count)."""
    out = ds.drop_vars([v for v in ("file",) if v in ds])
    out.attrs = {k: v for k, v in ds.attrs.items() if k not in ("n_resumed",)}
    return out


# --- the people (no core needed) ---------------------------------------------------------------


def test_people_are_drawn_under_a_seed() -> None:
    a = study.draw_people(6, seed=3)
    assert a.equals(study.draw_people(6, seed=3))
    assert not a.equals(study.draw_people(6, seed=4))
    # Person i has its own stream: a smaller cohort is the start of a larger one.
    assert a.iloc[:3].equals(study.draw_people(3, seed=3))
    assert list(a.columns) == [
        "subject.height",
        "subject.mass",
        "groups.erector_spinae.tone",
        "groups.psoas.tone",
        "damage.ultimate_strength",
        "seed",
    ]
    bmi = a["subject.mass"] / a["subject.height"] ** 2
    assert ((bmi > 26 - 2.5 * 4) & (bmi < 26 + 2.5 * 4)).all()
    assert ((a["subject.height"] > 1.70 - 2.5 * 0.09) & (a["subject.height"] < 1.925)).all()
    assert set(a["groups.psoas.tone"]) <= {"normal", "hypertonic"}
    assert a["seed"].nunique() == 6
    assert a.attrs["units"]["subject.mass"] == "kg"
    only = study.draw_people(4, 1, tone={"psoas": {"hypertonic": 1.0}}, bmi=None, height_m=None)
    assert list(only.columns) == ["groups.psoas.tone", "damage.ultimate_strength", "seed"]
    assert set(only["groups.psoas.tone"]) == {"hypertonic"}
    with pytest.raises(ValueError, match=r"tone\['psoas'\]: expected probabilities"):
        study.draw_people(2, tone={"psoas": {"normal": 0.5, "hypertonic": 0.6}})
    with pytest.raises(ValueError, match="n: expected a whole number >= 1"):
        study.draw_people(0)


# --- cohorts on the local pool -----------------------------------------------------------------


@pytest.fixture(scope="module")
def lumbar() -> msk.Model:
    pytest.importorskip("msk._core")
    return msk.load_model("lumbar")


@pytest.fixture(scope="module")
def cohort(lumbar: msk.Model) -> xr.Dataset:
    return study.lifetime_cohort(
        lumbar,
        "office_worker",
        4,
        seed=3,
        programmes={"none": [], "stretch": stretch_programme(lumbar)},
        daily="daily_stature_loss",
        reduce=make_reduce(),
        units={"last_day": "day"},
        **FAST,
    )


@pytest.mark.core
def test_a_cohort_summarises_every_person_under_every_programme(cohort: xr.Dataset) -> None:
    ds = cohort
    sizes = {"person": 4, "programme": 2, "level": 5, "group": ds.sizes["group"], "day": DAYS}
    assert dict(ds.sizes) == sizes
    assert ds.attrs["people_seed"] == 3
    assert list(ds["programme"].values) == ["none", "stretch"]
    people = study.draw_people(4, seed=3)
    assert np.array_equal(ds["subject.mass"].values, people["subject.mass"].values)
    assert ds["subject.mass"].attrs["units"] == "kg"
    assert list(ds["seed"].values) == list(people["seed"])
    assert (ds["error"] == "").all() and ds.attrs["n_failed"] == 0
    assert (ds["recomputed"] == 0).all()
    assert ds["fatigue_damage"].dims == ("person", "programme", "level")
    assert ds["optimal_length_ratio"].dims == ("person", "programme", "group")
    assert ds["daily_stature_loss_daily"].dims == ("person", "programme", "day")
    assert ds["hydration_morning"].attrs["units"] == "1"
    assert "mean of the last 3 days" in ds["hydration_morning"].attrs["description"]
    assert "on the last day" in ds["fatigue_damage"].attrs["description"]
    assert (ds["last_day"] == DAYS).all() and ds["last_day"].attrs["units"] == "day"
    assert np.isfinite(ds["fatigue_damage"].values).all()
    # The summaries are those of each run's own file: the last day's damage, the last days' mean.
    daily = ds["daily_stature_loss_daily"]
    assert np.allclose(ds["daily_stature_loss"], daily.mean("day"))
    # Different people, different discs; the programme changes the psoas tolerance only.
    loss = ds["daily_stature_loss"].sel(programme="none").values
    assert len(set(np.round(loss, 9))) == 4
    tolerance = ds["tolerance"]
    assert (tolerance.sel(programme="stretch", group="psoas") > 0).all()
    assert (tolerance.sel(programme="none", group="psoas") == 0).all()
    assert (tolerance.sel(programme="stretch", group="erector_spinae") == 0).all()


@pytest.mark.core
def test_a_person_is_the_same_whatever_runs_it(lumbar: msk.Model, cohort: xr.Dataset) -> None:
    # Serially in the calling thread, and person 2 alone (its row), against the pool of threads.
    people = study.draw_people(4, seed=3)
    programmes = {"none": [], "stretch": stretch_programme(lumbar)}
    serial = study.lifetime_cohort(
        lumbar,
        "office_worker",
        people,
        programmes=programmes,
        daily="daily_stature_loss",
        reduce=make_reduce(),
        units={"last_day": "day"},
        n_workers=1,
        **FAST,
    )
    xr.testing.assert_identical(serial, cohort)
    alone = study.lifetime_cohort(
        lumbar, "office_worker", people.iloc[[2]], programmes=programmes, **FAST
    )
    assert np.array_equal(
        alone["fatigue_damage"].sel(person=2), cohort["fatigue_damage"].sel(person=2)
    )


@pytest.mark.core
def test_a_failed_person_is_reported_and_the_others_kept(lumbar: msk.Model) -> None:
    people = study.draw_people(3, seed=5)
    people.loc[1, "subject.mass"] = -70.0  # the core refuses it: person 1 fails
    with pytest.warns(RuntimeWarning, match="2 of 6 runs failed"):
        ds = study.lifetime_cohort(
            lumbar,
            "office_worker",
            people,
            programmes={"none": [], "again": []},
            **FAST,
        )
    table = study.failures(ds)
    assert list(table["person"]) == [1, 1]
    assert table["error"].str.startswith("model: ").all()
    assert "subject.mass" in table["error"][0]
    assert np.isnan(ds["fatigue_damage"].sel(person=1)).all()
    assert np.isfinite(ds["fatigue_damage"].sel(person=[0, 2])).all()
    assert "person=1, programme='none'" in ds.attrs["errors"]
    # A misspelt column fails at once, before anything runs.
    with pytest.raises(msk.ModelError, match="subjekt"):
        study.lifetime_cohort(lumbar, "office_worker", [{"subjekt.mass": 70.0}], **FAST)
    with pytest.raises(ValueError, match="did you mean 'damage.ultimate_strength'"):
        study.lifetime_cohort(lumbar, "office_worker", [{"damage.ultimate_strenght": 5e3}], **FAST)
    with pytest.raises(study.CohortError, match="all 1 runs failed"):
        study.lifetime_cohort(lumbar, "office_worker", [{"subject.mass": -1.0}], **FAST)


@pytest.mark.core
def test_the_cohort_folder_holds_each_person_and_the_dataset(
    lumbar: msk.Model, tmp_path: Path
) -> None:
    folder = tmp_path / "cohort"
    ds = study.lifetime_cohort(lumbar, "office_worker", 2, seed=1, output_dir=folder, **FAST)
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "cohort.h5",
        "cohort.json",
        "person_00000.json",
        "person_00000_none.h5",
        "person_00001.json",
        "person_00001_none.h5",
    ]
    run = msk.load_lifetime(folder / "person_00001_none.h5")
    assert float(run["fatigue_damage"].sel(level="L4-L5")[-1]) == float(
        ds["fatigue_damage"].sel(person=1, programme="none", level="L4-L5")
    )
    xr.testing.assert_identical(study.load_cohort(folder), ds)
    with pytest.raises(FileExistsError, match="resume=True"):
        study.lifetime_cohort(lumbar, "office_worker", 2, seed=1, output_dir=folder, **FAST)
    with pytest.raises(ValueError, match="duration_days differ"):
        options = {**FAST, "duration_days": DAYS + 1}
        study.lifetime_cohort(
            lumbar, "office_worker", 2, seed=1, output_dir=folder, resume=True, **options
        )
    again = study.lifetime_cohort(
        lumbar, "office_worker", 2, seed=1, output_dir=folder, resume=True, **FAST
    )
    assert again.attrs["n_resumed"] == 2
    xr.testing.assert_identical(without_files(again), without_files(ds))


KILL_SCRIPT = textwrap.dedent(
    """\
    import sys

    from msk import study

    study.lifetime_cohort(
        "lumbar", "office_worker", 6, seed=2, duration_days=5, mode="fixed", n_workers=1,
        programmes={"none": [], "again": []}, output_dir=sys.argv[1], progress=False,
        parameters={"flush_interval_s": 0},  # a checkpoint after every day
    )
    """
)


@pytest.mark.core
def test_a_killed_cohort_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    pytest.importorskip("msk._core")
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    child = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(killed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # SIGKILL once two people are written: the third is then running.
        while len(list(killed.glob("person_*.json"))) < 2:
            assert child.poll() is None, f"the cohort ended early: {child.stderr.read()}"
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stderr is not None:
            child.stderr.close()
    finished = len(list(killed.glob("person_*.json")))
    assert 2 <= finished < 6
    assert not (killed / "cohort.h5").exists()
    options = {
        "duration_days": 5,
        "mode": "fixed",
        "progress": False,
        "parameters": {"flush_interval_s": 0},
    }
    programmes = {"none": [], "again": []}
    resumed = study.lifetime_cohort(
        "lumbar",
        "office_worker",
        6,
        seed=2,
        programmes=programmes,
        output_dir=killed,
        resume=True,
        **options,
    )
    assert resumed.attrs["n_resumed"] == finished
    uninterrupted = study.lifetime_cohort(
        "lumbar", "office_worker", 6, seed=2, programmes=programmes, output_dir=whole, **options
    )
    xr.testing.assert_identical(without_files(resumed), without_files(uninterrupted))
    # And every lifetime file is the uninterrupted run's, value for value.
    for path in sorted(whole.glob("person_*.h5")):
        with h5py.File(path, "r") as a, h5py.File(killed / path.name, "r") as b:
            for name in a["channels"]:
                assert np.array_equal(a["channels"][name][()], b["channels"][name][()]), name


# --- Dask --------------------------------------------------------------------------------------


@pytest.mark.core
def test_on_dask_a_lost_worker_is_replaced_and_the_cohort_is_unchanged(
    lumbar: msk.Model, cohort: xr.Dataset, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    marker = tmp_path / "killed_once"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cluster's own warnings about the dead worker
        with (
            distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=50,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            ds = study.lifetime_cohort(
                lumbar,
                "office_worker",
                4,
                seed=3,
                programmes={"none": [], "stretch": stretch_programme(lumbar)},
                daily="daily_stature_loss",
                reduce=make_reduce(str(marker), victim=1),
                units={"last_day": "day"},
                client=client,
                **FAST,
            )
    assert marker.exists()  # person 1's first attempt killed its worker
    assert int(ds["recomputed"].sel(person=1)) >= 1
    assert ds.attrs["n_recomputed"] >= 1 and "person=1: " in ds.attrs["recomputed"]

    # The same numbers as the uninterrupted run on local threads.
    def unchanged(a: xr.Dataset) -> xr.Dataset:
        b = a.drop_vars("recomputed")
        b.attrs = {k: v for k, v in a.attrs.items() if "recomputed" not in k}
        return b

    xr.testing.assert_identical(unchanged(ds), unchanged(cohort))


# --- plots -------------------------------------------------------------------------------------


@pytest.mark.core
def test_the_distributions_are_drawn_per_programme(cohort: xr.Dataset, tmp_path: Path) -> None:
    path = tmp_path / "cohort.png"
    fig = msk.plot.cohort(cohort, path=path)
    assert path.stat().st_size > 10_000
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 4
    ticks = [t.get_text() for t in axes[0].get_xticklabels()]
    assert [t.split("\n")[0] for t in ticks] == ["none", "stretch"]
    # Under the programme: the median over the people of its paired difference from "none".
    paired = (
        cohort["disc_height_loss_max"].sel(level="L4-L5", programme="stretch")
        - cohort["disc_height_loss_max"].sel(level="L4-L5", programme="none")
    ) * 1000.0
    assert ticks[1] == f"stretch\nmedian Δ {float(paired.median()):+.2g}"
    assert axes[0].get_ylabel() == "[mm]"
    assert axes[1].get_title() == "fatigue damage, end of run (Miner's sum) at L4-L5"
    fig = msk.plot.cohort(cohort, ["daily_stature_loss"], kind="hist")
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 1
    with pytest.raises(ValueError, match="'nope' is not a variable"):
        msk.plot.cohort(cohort, ["nope"])
    with pytest.raises(ValueError, match="level: expected one of"):
        msk.plot.cohort(cohort, level="C5-C6")


# --- msk run --resume --------------------------------------------------------------------------

RUN_FILE = """\
model: lumbar
overrides: {groups.psoas.tone: hypertonic}
lifetime:
  scenario: office_worker
  duration_days: 6
  mode: fixed
"""


@pytest.mark.core
def test_msk_run_resumes_a_lifetime_run_file(tmp_path: Path) -> None:
    pytest.importorskip("msk._core")
    from msk.cli import EXIT_BAD_INPUT, main

    run = tmp_path / "office.yaml"
    run.write_text(RUN_FILE)
    whole, stopped = tmp_path / "whole.h5", tmp_path / "stopped.h5"
    assert main(["run", str(run), "-o", str(whole), "--no-progress"]) == 0
    assert msk.load_lifetime(whole).sizes["day"] == 6
    # A run stopped after 3 days (as a killed one after its last flush), continued by msk run.
    model = msk.load_model("lumbar", {"groups.psoas.tone": "hypertonic"})
    partial = msk.lifetime(
        model,
        "office_worker",
        duration_days=6,
        mode="fixed",
        out=stopped,
        progress=lambda done, total: done < 3,
    )
    assert partial["stopped"] and msk.load_lifetime(stopped).sizes["day"] == 3
    assert main(["run", str(run), "-o", str(stopped), "--resume", "--no-progress"]) == 0
    with h5py.File(whole, "r") as a, h5py.File(stopped, "r") as b:
        assert list(a["channels"]) == list(b["channels"])
        for name in a["channels"]:
            assert np.array_equal(a["channels"][name][()], b["channels"][name][()]), name
    # --resume belongs to lifetime run files; the lifetime section is checked.
    episode = tmp_path / "episode.yaml"
    episode.write_text("model: elbow\nprotocol: [{type: rest, duration: 0.1}]\n")
    assert main(["run", str(episode), "-o", str(tmp_path / "e.h5"), "--resume"]) == EXIT_BAD_INPUT
    bad = tmp_path / "bad.yaml"
    bad.write_text(RUN_FILE.replace("mode: fixed", "modes: fixed"))
    assert main(["run", str(bad), "-o", str(tmp_path / "b.h5")]) == EXIT_BAD_INPUT


@pytest.mark.core
def test_the_bundled_lifetime_run_file_runs(tmp_path: Path) -> None:
    pytest.importorskip("msk._core")
    from msk.cli import main

    path = Path(__file__).resolve().parents[2] / "models" / "runs" / "lifetime_office_worker.yaml"
    out = tmp_path / "office.h5"
    assert main(["run", str(path), "-o", str(out), "--no-progress"]) == 0
    ds = msk.load_lifetime(out)
    assert ds.sizes["day"] == 28 and ds.attrs["scenario"] == "office_worker"
