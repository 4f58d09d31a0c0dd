"""``msk run`` on equilibrium run files, the equilibrium file it writes, and reading it back."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

msk = pytest.importorskip("msk")
pytest.importorskip("msk._core")

from msk.cli import EXIT_BAD_INPUT, EXIT_SIMULATION, _exit_code, main  # noqa: E402

pytestmark = pytest.mark.core

LEVELS = ["L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"]
HYPERTONIC = {"groups.erector_spinae.tone": "hypertonic", "groups.psoas.tone": "hypertonic"}

RUN_FILE = """\
model: lumbar
equilibrium:
  postures:
    - standing_relaxed
    - {preset: lift_round_back, load_kg: 10}
  compare:
    normal: {}
    hypertonic: {groups.erector_spinae.tone: hypertonic, groups.psoas.tone: hypertonic}
"""

INFEASIBLE_RUN_FILE = """\
model: lumbar
equilibrium:
  postures:
    - {preset: standing_relaxed, load_kg: 150, hand_distance_m: 0.6}
    - sitting_slouched
  mode: fixed
"""


def _stored(posture: msk.Posture) -> dict:
    """The posture's fields an equilibrium file holds: all of them, the task fields included."""
    import dataclasses

    return dataclasses.asdict(posture)


def _one_line_error(err: str) -> str:
    """The single stderr line of a refused run (no traceback)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("msk: error: ")
    return lines[0]


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """RUN_FILE run once with a report: the run file, the results and the picture."""
    directory = tmp_path_factory.mktemp("equilibrium")
    run_file = directory / "postures.yaml"
    run_file.write_text(RUN_FILE)
    output, report = directory / "out" / "postures.h5", directory / "out" / "postures.png"
    status = main(
        ["run", str(run_file), "-o", str(output), "--report", str(report), "--no-progress"]
    )
    assert status == 0
    return {"run_file": run_file, "output": output, "report": report}


# --- the run and the file's layout ------------------------------------------------------------


def test_run_writes_every_label_and_posture_in_the_documented_layout(
    solved: dict[str, Path],
) -> None:
    assert solved["report"].stat().st_size > 10_000
    with h5py.File(solved["output"], "r") as f:
        assert f.attrs["format"] == "msk-equilibrium" and f.attrs["format_version"] == 1
        meta = f["meta"].attrs
        assert meta["kind"] == "equilibrium"
        assert meta["msk_version"] == msk.__version__
        assert meta["model_name"] == "lumbar" and "segments:" in meta["model_text"]
        assert meta["run_text"] == RUN_FILE and meta["mode"] == "rhythm"
        assert json.loads(meta["labels"]) == ["normal", "hypertonic"]
        assert json.loads(meta["postures"]) == ["standing_relaxed", "lift_round_back"]

        assert list(f["equilibrium"]) == ["normal", "hypertonic"]
        hyper = f["equilibrium/hypertonic"]
        assert json.loads(hyper.attrs["overrides"]) == HYPERTONIC
        assert list(hyper) == ["standing_relaxed", "lift_round_back"]

        g = f["equilibrium/hypertonic/lift_round_back"]
        assert "error" not in g.attrs
        assert g.attrs["name"] == "lift_round_back" and g.attrs["load_kg"] == 10.0
        assert g.attrs["lumbar_flexion_deg"] == pytest.approx(65.0)
        assert g.attrs["hand_distance_m"] == pytest.approx(0.5)
        assert "hydration" not in g.attrs  # None fields are left out
        assert g.attrs["label"] == "hypertonic" and g.attrs["mode"] == "rhythm"

        assert g["levels/level"].asstr()[()].tolist() == LEVELS
        assert g["levels/compression_N"].shape == (5,)
        assert g["levels/compression_N"].attrs["units"] == "N"
        assert g["levels/pressure_MPa"].attrs["units"] == "MPa"
        assert g["levels/region"].asstr()[()].tolist() == ["lumbar"] * 5
        n_muscles = g["muscles/muscle"].shape[0]
        assert n_muscles == g["muscles/force_N"].shape[0] > 50
        assert g["muscles/activation"].attrs["units"] == "1"
        groups = g["groups/group"].asstr()[()].tolist()
        assert {"erector_spinae", "psoas"} <= set(groups)
        assert g["groups/n_muscles"].dtype.kind == "i"

        n_bodies = g["body"].shape[0]
        assert g["joint_origin"].shape == (n_bodies, 3) and g["joint_origin"].attrs["units"] == "m"
        assert g["body_position"].shape == (n_bodies, 3)
        assert g["body_rotation"].shape == (n_bodies, 3, 3)
        offsets = g["muscle_path_offsets"][()]
        assert offsets.shape == (n_muscles + 1,) and offsets[0] == 0
        assert offsets[-1] == g["muscle_path"].shape[0] and g["muscle_path"].shape[1] == 3
        assert (np.diff(offsets) >= 2).all()
        assert g["loads/body"].shape[0] == g["loads/point"].shape[0] == g["loads/force"].shape[0]
        assert g["gravity"].shape == (3,) and np.linalg.norm(g["gravity"][()]) == pytest.approx(
            9.80665
        )

        # The stored numbers are the equilibrium's.
        model = msk.load_model("lumbar").with_overrides(HYPERTONIC)
        live = msk.equilibrium(model, msk.Posture.preset("lift_round_back", load_kg=10))
        np.testing.assert_allclose(
            g["levels/compression_N"][()], live.levels["compression_N"].to_numpy()
        )
        np.testing.assert_allclose(g["muscles/force_N"][()], live.muscles["force_N"].to_numpy())


def test_load_gives_the_tables_the_posture_and_a_drawable_result(
    solved: dict[str, Path], tmp_path: Path
) -> None:
    stored = msk.spine.load(solved["output"])
    assert list(stored) == [
        ("normal", "standing_relaxed"),
        ("normal", "lift_round_back"),
        ("hypertonic", "standing_relaxed"),
        ("hypertonic", "lift_round_back"),
    ]
    assert msk.spine.load_errors(solved["output"]) == {}
    r = stored["hypertonic", "lift_round_back"]
    assert isinstance(r, msk.spine.StoredEquilibrium)
    assert r.label == "hypertonic" and r.mode == "rhythm" and r.model_name == "lumbar"
    assert _stored(r.posture) == _stored(msk.Posture.preset("lift_round_back", load_kg=10))
    assert list(r.levels.index) == LEVELS and r.levels.index.name == "level"
    assert r.levels.attrs["units"]["compression_N"] == "N"
    assert r.levels["stenosis"].dtype == bool
    assert r.muscles.index.name == "muscle" and r.muscles.attrs["units"]["force_N"] == "N"
    assert r.groups.attrs["units"]["force_N"] == "N"
    assert r.ligaments.shape[0] == 5

    model = msk.Model.from_text(r.model_text)
    # The file holds the whole posture, task fields included: it solves again as it was.
    assert r.posture == msk.Posture.preset("lift_round_back", load_kg=10)
    live = msk.equilibrium(model, r.posture, mode=r.mode)
    for column in ("compression_N", "pressure_MPa", "facet_share", "foramen_height_mm"):
        np.testing.assert_allclose(r.levels[column], live.levels[column], err_msg=column)
    np.testing.assert_allclose(r.groups["force_N"], live.groups["force_N"])
    assert r.effort == pytest.approx(live.effort)
    np.testing.assert_allclose(r.geometry.joint_origin, live.geometry.joint_origin)
    for a, b in zip(r.geometry.muscle_path, live.geometry.muscle_path):
        np.testing.assert_allclose(a, b)

    import matplotlib.pyplot as plt

    fig = msk.plot.spine(r, path=tmp_path / "stored.png")
    assert (tmp_path / "stored.png").stat().st_size > 10_000
    fig2 = msk.plot.spine_postures(
        list(stored.values()), ncols=2, path=tmp_path / "grid.png", suptitle="stored"
    )
    assert (tmp_path / "grid.png").stat().st_size > 10_000
    plt.close(fig)
    plt.close(fig2)


def test_load_table_has_a_label_posture_level_index(solved: dict[str, Path]) -> None:
    table = msk.spine.load_table(solved["output"])
    assert table.index.names == ["label", "posture", "level"]
    assert len(table) == 4 * 5
    assert table.attrs["units"]["pressure_MPa"] == "MPa" and table.attrs["errors"] == []
    difference = table.loc["hypertonic", "compression_N"] - table.loc["normal", "compression_N"]
    assert difference.index.names == ["posture", "level"] and len(difference) == 10


def test_save_and_load_round_trip_in_python(tmp_path: Path) -> None:
    lumbar = msk.load_model("lumbar")
    r = msk.equilibrium(lumbar, "sitting_slouched", mode="fixed")
    path = msk.spine.save(tmp_path / "one.h5", {("mine", "sitting_slouched"): r})
    back = msk.spine.load(path)["mine", "sitting_slouched"]
    assert back.mode == "fixed" and _stored(back.posture) == _stored(r.posture)
    np.testing.assert_allclose(back.levels["compression_N"], r.levels["compression_N"])
    assert msk.spine.is_equilibrium_file(path)
    with pytest.raises(ValueError, match="expected keys"):
        msk.spine.save(tmp_path / "two.h5", {("mine", "other_name"): r})


def test_load_refuses_missing_and_episode_files(tmp_path: Path, results_file: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such equilibrium file"):
        msk.spine.load(tmp_path / "missing.h5")
    with pytest.raises(msk.IoError, match="expected an equilibrium file"):
        msk.spine.load(results_file)
    assert not msk.spine.is_equilibrium_file(results_file)


# --- info and plot ----------------------------------------------------------------------------


def test_info_summarises_an_equilibrium_file(
    solved: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", str(solved["output"])]) == 0
    out = capsys.readouterr().out
    assert "kind      equilibrium (mode rhythm)" in out
    assert "model     lumbar" in out
    assert "2 label(s) ['normal', 'hypertonic'] x 2 posture(s)" in out
    assert "4 solved, 0 failed" in out
    assert "run_text       <8 lines>" in out
    rows = [line for line in out.splitlines() if "L5-S1" in line and "MPa" in line]
    assert len(rows) == 4 and rows[-1].split()[:2] == ["hypertonic", "lift_round_back"]


def test_plot_draws_an_equilibrium_file(
    solved: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "spines.png"
    assert main(["plot", str(solved["output"]), "-o", str(target), "--title", "tone"]) == 0
    assert target.stat().st_size > 10_000
    assert capsys.readouterr().out.strip() == str(target)
    assert main(["plot", str(solved["output"]), "--muscles", "rect_abd"]) == EXIT_BAD_INPUT
    assert "only for episode files" in _one_line_error(capsys.readouterr().err)


def test_info_and_plot_still_read_episode_files(
    results_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", str(results_file)]) == 0
    assert "model     elbow" in capsys.readouterr().out
    assert main(["plot", str(results_file)]) == 0
    assert results_file.with_suffix(".png").is_file()


# --- bad run files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("equilibrium", "message"),
    [
        (
            "{postures: [standing_relaxed, handstand]}",
            "equilibrium.postures[1]: posture preset: expected one of",
        ),
        (
            "{postures: [standing_relaxed], modes: fixed}",
            "equilibrium: unknown key(s) ['modes']; expected some of",
        ),
        (
            "{postures: [standing_relaxed], mode: bent}",
            "equilibrium.mode: expected one of task, fixed, rhythm, relaxed, got 'bent'",
        ),
        (
            "{postures: [standing_relaxed], compare: [normal, hypertonic]}",
            "equilibrium.compare: expected a mapping of labels to overrides",
        ),
        (
            "{postures: [standing_relaxed], compare: {normal: {}, hyper: 3}}",
            "equilibrium.compare.hyper: expected a mapping of field paths to values",
        ),
        ("{postures: []}", "equilibrium.postures: expected a non-empty list"),
        ("{postures: standing_relaxed}", "equilibrium.postures: expected a non-empty list"),
        ("{mode: fixed}", "equilibrium: missing key 'postures'"),
        ("[standing_relaxed]", "equilibrium: expected a mapping with keys"),
        (
            "{postures: [{preset: standing_relaxed, trunk_deg: 5}]}",
            "equilibrium.postures[0]: Posture.preset('standing_relaxed'): unknown field(s)",
        ),
        (
            "{postures: [{name: bent, lumbar_flex: 30}]}",
            "equilibrium.postures[0]: unknown field(s) lumbar_flex; expected 'preset' or",
        ),
        (
            "{postures: [{name: bent, lumbar_flexion_deg: 300}]}",
            "equilibrium.postures[0]: lumbar_flexion_deg: expected a finite angle",
        ),
        ("{postures: [{name: a/b}]}", "equilibrium.postures[0]: name: expected a non-empty name"),
        (
            "{postures: [standing_relaxed, {preset: standing_relaxed, load_kg: 5, "
            "hand_distance_m: 0.3}]}",
            "equilibrium.postures[1]: name 'standing_relaxed' is already used by postures[0]",
        ),
        (
            "{postures: [standing_relaxed], compare: {a/b: {}}}",
            "equilibrium.compare: label: expected a non-empty name without '/'",
        ),
    ],
)
def test_bad_equilibrium_run_file_exits_2_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], equilibrium: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"model: lumbar\nequilibrium: {equilibrium}\n")
    output = tmp_path / "bad.h5"
    assert main(["run", str(path), "-o", str(output)]) == EXIT_BAD_INPUT
    line = _one_line_error(capsys.readouterr().err)
    assert message in line and str(path) in line
    assert not output.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "protocol: [{type: rest, duration: 1}]\nequilibrium: {postures: [standing_relaxed]}\n",
            "expected one of 'protocol' (an episode), 'equilibrium' (postures) or 'lifetime' "
            "(days of a scenario), got 'protocol' and 'equilibrium'",
        ),
        (
            "model: lumbar\nequilibrium: {postures: [standing_relaxed]}\noptions: {seed: 1}\n",
            "options: the solver options of an episode",
        ),
        (
            "model: lumbar\n",
            "missing key 'protocol' (an episode), 'equilibrium' (postures) or 'lifetime'",
        ),
    ],
)
def test_run_file_with_both_or_neither_kind_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    assert main(["run", str(path), "-o", str(tmp_path / "bad.h5")]) == EXIT_BAD_INPUT
    line = _one_line_error(capsys.readouterr().err)
    assert message in line and str(path) in line


def test_bad_override_of_a_label_exits_2_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad_override.yaml"
    path.write_text(
        "model: lumbar\nequilibrium:\n  postures: [standing_relaxed]\n"
        "  compare: {normal: {}, odd: {groups.erector_spinae.tone: spastic}}\n"
    )
    output = tmp_path / "bad.h5"
    assert main(["run", str(path), "-o", str(output)]) == EXIT_BAD_INPUT
    assert "spastic" in _one_line_error(capsys.readouterr().err)
    assert not output.exists()


# --- a posture the muscles cannot hold --------------------------------------------------------


def test_an_infeasible_posture_is_recorded_and_the_others_are_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "heavy.yaml"
    path.write_text(INFEASIBLE_RUN_FILE)
    output, report = tmp_path / "heavy.h5", tmp_path / "heavy.png"
    status = main(["run", str(path), "-o", str(output), "--report", str(report), "--no-progress"])
    assert status == EXIT_SIMULATION
    captured = capsys.readouterr()
    assert str(output) in captured.out and str(report) in captured.out
    errors = [line for line in captured.err.splitlines() if line.startswith("msk: error: ")]
    assert len(errors) == 1
    assert "default: posture standing_relaxed: " in errors[0]
    assert "1 of 2 posture(s) failed" in captured.err
    assert report.stat().st_size > 10_000

    with h5py.File(output, "r") as f:
        failed = f["equilibrium/default/standing_relaxed"]
        assert "lack" in failed.attrs["error"] and failed.attrs["load_kg"] == 150.0
        assert "levels" not in failed
        held = f["equilibrium/default/sitting_slouched"]
        assert "error" not in held.attrs and held["levels/compression_N"].shape == (5,)
    assert list(msk.spine.load(output)) == [("default", "sitting_slouched")]
    assert list(msk.spine.load_errors(output)) == [("default", "standing_relaxed")]
    table = msk.spine.load_table(output)
    assert len(table) == 5 and len(table.attrs["errors"]) == 1

    assert main(["info", str(output)]) == 0
    out = capsys.readouterr().out
    assert "1 solved, 1 failed" in out and "failed: posture standing_relaxed" in out


def test_a_value_the_core_refuses_at_the_solve_is_recorded_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import msk.spine

    solve = msk.spine.equilibrium

    def refusing(model: msk.Model, posture: msk.Posture, **kwargs: object) -> object:
        if posture.name == "sitting_slouched":
            raise msk.InvalidArgument("posture.pelvic_tilt: expected less, got more")
        return solve(model, posture, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(msk.spine, "equilibrium", refusing)
    path = tmp_path / "refused.yaml"
    path.write_text(
        "model: lumbar\nequilibrium: {postures: [standing_relaxed, sitting_slouched]}\n"
    )
    output = tmp_path / "refused.h5"
    assert main(["run", str(path), "-o", str(output), "--no-progress"]) == EXIT_BAD_INPUT
    assert "default: posture.pelvic_tilt: expected less" in capsys.readouterr().err
    assert list(msk.spine.load(output)) == [("default", "standing_relaxed")]
    assert "pelvic_tilt" in msk.spine.load_errors(output)["default", "sitting_slouched"]


def test_a_value_out_of_range_exits_2_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "wet.yaml"
    path.write_text(
        "model: lumbar\nequilibrium:\n  postures: [standing_relaxed, "
        "{preset: sitting_slouched, hydration: 3}]\n"
    )
    output = tmp_path / "wet.h5"
    assert main(["run", str(path), "-o", str(output)]) == EXIT_BAD_INPUT
    line = _one_line_error(capsys.readouterr().err)
    assert "equilibrium.postures[1]: posture.hydration: expected" in line
    assert not output.exists()


def test_a_level_the_model_lacks_exits_2_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "levels.yaml"
    path.write_text(
        "model: lumbar\nequilibrium:\n  postures: [standing_relaxed, "
        "{name: odd, level_flexion_deg: {C5-C6: 3}}]\n"
    )
    output = tmp_path / "levels.h5"
    assert main(["run", str(path), "-o", str(output)]) == EXIT_BAD_INPUT
    line = _one_line_error(capsys.readouterr().err)
    assert "equilibrium.postures[1].level_flexion_deg: expected levels of model 'lumbar'" in line
    assert "got C5-C6" in line and not output.exists()


def test_equilibrium_error_maps_to_the_simulation_status() -> None:
    assert _exit_code(msk.EquilibriumError("level L5-S1")) == EXIT_SIMULATION


# --- the bundled run file ---------------------------------------------------------------------


def test_bundled_spine_postures_run_file_validates() -> None:
    import yaml
    from msk.cli import _bundled_spine_file, _check_run, _demo_spine_run

    resource = _bundled_spine_file()
    assert resource is not None
    run = _check_run(yaml.safe_load(resource.read_text()), Path(str(resource)))
    assert run["model"] == "lumbar" and run["mode"] == "rhythm"
    assert [p.name for p in run["postures"]] == [
        "standing_relaxed",
        "sitting_slouched",
        "lift_round_back",
    ]
    assert run["compare"] == {"normal": {}, "hypertonic": HYPERTONIC}
    fallback = _check_run(_demo_spine_run(), Path("<built-in>"))
    assert fallback["compare"] == run["compare"] and fallback["postures"] == run["postures"]


# --- msk pose -----------------------------------------------------------------------------------


def test_pose_writes_the_levels_table_and_the_picture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pandas as pd

    argv = ["pose", "lumbar", "sitting_slouched", "-o", str(tmp_path)]
    argv += [
        "--set",
        "groups.erector_spinae.tone=hypertonic",
        "--set",
        "groups.psoas.tone=hypertonic",
    ]
    assert main(argv) == 0
    table = pd.read_csv(tmp_path / "lumbar_sitting_slouched.csv", index_col=0)
    assert list(table.index) == LEVELS
    assert "compression_N [N]" in table.columns and "pressure_MPa [MPa]" in table.columns
    assert (tmp_path / "lumbar_sitting_slouched.png").stat().st_size > 10_000
    out = capsys.readouterr().out
    assert "groups.erector_spinae.tone=hypertonic" in out and "L4-L5" in out

    # The same numbers as msk.equilibrium with the same overrides.
    model = msk.load_model("lumbar", overrides=HYPERTONIC)
    levels = msk.equilibrium(model, "sitting_slouched").levels
    np.testing.assert_allclose(table["compression_N [N]"], levels["compression_N"])

    # Existing files are kept unless --force.
    assert main(argv) == EXIT_BAD_INPUT
    assert "exists; give --force" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0


def test_pose_errors_guide(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["-o", str(tmp_path)]
    # A tone profile the model does not have: the valid ones are named, no file is written.
    assert main(["pose", "lumbar", "sitting_slouched", "--profile", "crossed", *base]) == (
        EXIT_BAD_INPUT
    )
    err = capsys.readouterr().err
    assert "tone_profile" in err and "lower_crossed" in err
    assert not list(tmp_path.iterdir())

    assert main(["pose", "lumbar", "sitting_slouch", *base]) == EXIT_BAD_INPUT
    assert "did you mean 'sitting_slouched'" in capsys.readouterr().err
    assert main(["pose", "lumbar", "standing_relaxed", "--set", "groups.psoaz.tone=normal"]) == (
        EXIT_BAD_INPUT
    )
    err = capsys.readouterr().err
    assert "msk pose --set: 'groups.psoaz.tone': expected a muscle group of model 'lumbar'" in err
    assert "got 'psoaz'; did you mean 'psoas'?" in err
    assert main(["pose", "lumbar", "standing_relaxed", "--set", "psoas"]) == EXIT_BAD_INPUT
    assert "expected KEY=VALUE" in capsys.readouterr().err
    assert main(["pose", "elbow", "standing_relaxed", *base]) == EXIT_BAD_INPUT
    assert "expected a spine model" in capsys.readouterr().err


def test_pose_tone_sets_the_preset_of_a_group_or_a_muscle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pandas as pd

    argv = ["pose", "lumbar", "sitting_slouched", "--tone", "extensors=hypertonic"]
    assert main([*argv, "-o", str(tmp_path)]) == 0
    stem = tmp_path / "lumbar_sitting_slouched_extensors-hypertonic"
    table = pd.read_csv(stem.with_suffix(".csv"), index_col=0)
    assert stem.with_suffix(".png").stat().st_size > 10_000
    assert "groups.extensors.tone=hypertonic" in capsys.readouterr().out

    # The same numbers as msk.equilibrium with the group override, and not those of normal tone.
    hypertonic = msk.load_model("lumbar", overrides={"groups.extensors.tone": "hypertonic"})
    levels = msk.equilibrium(hypertonic, "sitting_slouched").levels
    np.testing.assert_allclose(table["compression_N [N]"], levels["compression_N"])
    normal = msk.equilibrium("lumbar", "sitting_slouched").levels
    assert not np.allclose(table["compression_N [N]"], normal["compression_N"])

    # A muscle name works too; the file name says what was set.
    assert (
        main(
            ["pose", "lumbar", "standing_relaxed", "--tone", "rect_abd=hypotonic"]
            + [
                "-o",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert (tmp_path / "lumbar_standing_relaxed_rect_abd-hypotonic.csv").is_file()
    assert "muscles.rect_abd.tone=hypotonic" in capsys.readouterr().out


def test_pose_tone_errors_quote_what_was_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["pose", "lumbar", "standing_relaxed", "-o", str(tmp_path)]
    assert main([*base, "--tone", "extensors=hypertonik"]) == EXIT_BAD_INPUT
    line = _one_line_error(capsys.readouterr().err)
    assert line.startswith(
        "msk: error: msk pose --tone extensors=hypertonik: 'groups.extensors.tone': expected one "
        "of hypertonic, normal, hypotonic, got 'hypertonik'; did you mean 'hypertonic'?"
    ), line
    assert main([*base, "--tone", "extensor=hypertonic"]) == EXIT_BAD_INPUT
    line = _one_line_error(capsys.readouterr().err)
    assert "--tone 'extensor=hypertonic': unknown muscle group or muscle 'extensor'" in line
    assert "did you mean 'extensors'" in line and "(valid: erector_spinae, " in line
    assert main([*base, "--tone", "extensors"]) == EXIT_BAD_INPUT
    assert "expected NAME=PRESET" in capsys.readouterr().err
    argv = [*base, "--tone", "psoas=hypertonic", "--set", "groups.psoas.tone=normal"]
    assert main(argv) == EXIT_BAD_INPUT
    assert "groups.psoas.tone is already given" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
