"""The ``msk`` command: info and plot on a synthetic file, run files, and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import h5py
import msk
import pytest
from conftest import JOINT, FakeCore
from msk.cli import EXIT_BAD_INPUT, EXIT_ERROR, EXIT_SIMULATION, _exit_code, main

RUN_FILE = f"""\
model: elbow.yaml
overrides:
  muscles:
    BIClong: {{tone: hypertonic}}
protocol:
  initial: {{angles_deg: {{{JOINT}: 90}}}}
  phases:
    - {{type: rest, duration: 1.0}}
    - {{type: pir, joint: {JOINT}, muscles: [BIClong], cycles: 2}}
options: {{output_dt: 0.02, stepper: rosenbrock4}}
"""


def _one_line_error(err: str) -> str:
    """The single stderr line of a failed command (no traceback)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("msk: error: ")
    return lines[0]


# --- info and plot --------------------------------------------------------------------------------


def test_info_summarises_a_results_file(
    results_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", str(results_file)]) == 0
    out = capsys.readouterr().out
    assert "model     elbow" in out
    assert "0 … 31 s  (3101 samples, dt = 0.01 s)" in out
    assert "barrier:r_elbow_flex" in out and "pir_cycle_start:1" in out
    assert "model_text" in out and "<2 lines>" in out
    assert "seed" in out
    # Channels are counted by kind; --channels lists each one.
    assert "channels (21 by kind; --channels lists them)" in out
    kinds = {
        line.split()[0]: line.split()[1:3]
        for line in out.split("quantities [units]")[1].splitlines()[1:]
        if line.strip()
    }
    assert kinds == {
        "joint": ["2", "1"],
        "examiner": ["1", "1"],
        "muscle": ["16", "2"],
        "pair": ["2", "1"],
    }
    assert "moment.<joint> [N m]" in out and "force [N]" in out
    assert f"joint.{JOINT}.angle" not in out

    assert main(["info", str(results_file), "--channels"]) == 0
    out = capsys.readouterr().out
    assert f"joint.{JOINT}.angle" in out and "[rad" in out
    assert "muscle.BIClong.force" in out and "[N " in out


def test_plot_writes_png_next_to_the_file_or_where_asked(
    results_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plot", str(results_file)]) == 0
    default = results_file.with_suffix(".png")
    assert default.is_file() and default.stat().st_size > 10_000
    assert capsys.readouterr().out.strip() == str(default)

    target = tmp_path / "figs" / "one.png"
    target.parent.mkdir()
    assert main(["plot", str(results_file), "-o", str(target), "--muscles", "BIClong"]) == 0
    assert target.is_file()


def test_plot_keeps_an_existing_figure_unless_forced(
    results_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figure = results_file.with_suffix(".png")
    figure.write_bytes(b"a picture worth keeping")
    assert main(["plot", str(results_file)]) == EXIT_BAD_INPUT
    line = _one_line_error(capsys.readouterr().err)
    assert f"{figure} exists; give --force to overwrite it" in line
    assert figure.read_bytes() == b"a picture worth keeping"
    assert main(["plot", str(results_file), "--force"]) == 0
    assert figure.stat().st_size > 10_000


# --- bad input: exit codes and one-line messages --------------------------------------------------


def test_info_on_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(tmp_path / "missing.h5")]) == EXIT_BAD_INPUT
    assert "no such results file" in _one_line_error(capsys.readouterr().err)


def test_info_on_a_text_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.h5"
    path.write_text("hello")
    assert main(["info", str(path)]) == EXIT_BAD_INPUT
    assert "not a readable HDF5 file" in _one_line_error(capsys.readouterr().err)


def test_info_on_a_foreign_hdf5_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "foreign.h5"
    with h5py.File(path, "w") as f:
        f["x"] = [1, 2, 3]
    assert main(["info", str(path)]) == EXIT_BAD_INPUT
    assert "msk-results" in _one_line_error(capsys.readouterr().err)


def test_plot_with_unknown_muscle_exits_2(
    results_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plot", str(results_file), "--muscles", "DELT1"]) == EXIT_BAD_INPUT
    assert "no muscle ['DELT1']" in _one_line_error(capsys.readouterr().err)


def test_run_with_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path / "nope.yaml")]) == EXIT_BAD_INPUT
    assert "no such file" in _one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("model: elbow\nprotocol: [\n", "invalid YAML"),
        ("- just\n- a list\n", "expected a mapping with keys"),
        ("model: elbow\nprotocl: {}\n", "unknown key(s) ['protocl']"),
        ("model: elbow\n", "missing key 'protocol'"),
        ("protocol: {phases: [{type: sprint}]}\n", "phases[0].type: expected one of"),
        (
            f"protocol: [{{type: isometric, joint: {JOINT}, muscles: [BIClong], "
            "effort_pct_mvc: 150}]\n",
            "isometric.effort_pct_mvc: expected a number in [0, 100]",
        ),
        ("protocol: [{type: rest, duration: 1}]\noptions: {dt: 1}\n", "options: expected some of"),
        (
            "protocol: [{type: rest, duration: 1}]\noverrides: [1]\n",
            "overrides: expected a mapping",
        ),
    ],
)
def test_run_with_bad_run_file_exits_2_before_loading_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    assert main(["run", str(path)]) == EXIT_BAD_INPUT
    line = _one_line_error(capsys.readouterr().err)
    assert message in line and str(path) in line


def test_invalid_yaml_message_has_the_line_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("model: elbow\nprotocol:\n  phases: [\n")
    assert main(["run", str(path)]) == EXIT_BAD_INPUT
    assert f"{path}:4: invalid YAML" in _one_line_error(capsys.readouterr().err)


def test_exit_codes_follow_the_error_types(monkeypatch: pytest.MonkeyPatch) -> None:
    core = FakeCore()
    monkeypatch.setitem(sys.modules, "msk._core", core)
    assert _exit_code(core.SimulationError("t = 1 s")) == EXIT_SIMULATION
    assert _exit_code(core.ModelError("elbow.yaml:3: muscles")) == EXIT_BAD_INPUT
    assert _exit_code(core.InvalidArgument("x")) == EXIT_BAD_INPUT
    assert _exit_code(core.IoError("x")) == EXIT_BAD_INPUT
    assert _exit_code(core.Error("cancelled")) == EXIT_ERROR
    assert _exit_code(FileNotFoundError("x")) == EXIT_BAD_INPUT
    assert _exit_code(RuntimeError("x")) == EXIT_ERROR


def test_validate_without_the_suite_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "msk.validation", None)  # as in a build without the suite
    assert main(["validate"]) == EXIT_ERROR
    assert "not part of this build" in capsys.readouterr().err


def test_validate_calls_run_all(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = types.ModuleType("msk.validation")
    suite.run_all = lambda: "case  measured  simulated  ok"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "msk.validation", suite)
    assert main(["validate"]) == 0
    assert "case  measured" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("msk ")


def test_python_dash_m_msk(results_file: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(Path(msk.__file__).parents[1]), os.environ.get("PYTHONPATH", "")]
        ),
    }
    ok = subprocess.run(
        [sys.executable, "-m", "msk", "info", str(results_file)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "channels" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "msk", "info", str(tmp_path / "missing.h5")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert bad.returncode == EXIT_BAD_INPUT
    _one_line_error(bad.stderr)


# --- run and demo against a stand-in core ---------------------------------------------------------


def test_run_writes_results_and_report(
    fake_core: FakeCore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "elbow.yaml").write_text("name: elbow\n")
    run_file = tmp_path / "session.yaml"
    run_file.write_text(RUN_FILE)
    output, report = tmp_path / "out" / "session.h5", tmp_path / "out" / "session.png"

    assert (
        main(["run", str(run_file), "-o", str(output), "--report", str(report), "--no-progress"])
        == 0
    )
    assert output.is_file() and report.is_file()
    out = capsys.readouterr().out
    assert str(output) in out and str(report) in out

    _, file, overrides_json = next(c[1] for c in fake_core.calls if c[0] == "load_model_text")
    assert file == str((tmp_path / "elbow.yaml").resolve())  # relative to the run file
    assert '"muscles.BIClong.tone": "hypertonic"' in overrides_json
    _, protocol_json, options_json, *_ = next(c[1] for c in fake_core.calls if c[0] == "simulate")
    assert '"cycles": 2' in protocol_json and '"stepper": "rosenbrock4"' in options_json


def test_run_prints_the_pir_summary(
    fake_core: FakeCore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "elbow.yaml").write_text("name: elbow\n")
    run_file = tmp_path / "session.yaml"
    run_file.write_text(RUN_FILE)
    assert main(["run", str(run_file), "-o", str(tmp_path / "s.h5"), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert f"PIR on {JOINT}: barrier after each cycle" in out
    assert "barrier: resisting torque >=" in out  # the barrier definition, from the protocol
    rows = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    # The synthetic episode: barriers at 60, 55, 52, 50 deg (conftest.BARRIER_ANGLES_DEG).
    assert [float(r[2]) for r in rows] == [60.0, 55.0, 52.0, 50.0]
    assert "range gained: 10.00 deg toward the stretch over 3 cycle(s)" in out


def test_run_several_run_files(
    fake_core: FakeCore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "elbow.yaml").write_text("name: elbow\n")
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    first.write_text(RUN_FILE)
    second.write_text(RUN_FILE.replace("cycles: 2", "cycles: 1"))
    out_dir = tmp_path / "out"
    argv = ["run", str(first), str(second), "--output-dir", str(out_dir), "--no-progress"]
    assert main([*argv, "--reports"]) == 0
    for stem in ("first", "second"):
        assert (out_dir / f"{stem}.h5").is_file() and (out_dir / f"{stem}.png").is_file()
    out = capsys.readouterr().out
    assert f"== {first}" in out and f"== {second}" in out

    # A failing run file is reported; the others still run; the status is the failure's.
    broken = tmp_path / "broken.yaml"
    broken.write_text(RUN_FILE.replace("tone: hypertonic", "tone: bad"))
    (out_dir / "second.h5").unlink()
    assert main(["run", str(broken), str(second), "--output-dir", str(out_dir)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "expected a number, got bad" in err
    assert "msk: 1 of 2 run file(s) failed: " in err
    assert (out_dir / "second.h5").is_file()

    # -o names one file: refused with several run files, as are two files writing one stem.
    assert main(["run", str(first), str(second), "-o", "x.h5"]) == EXIT_BAD_INPUT
    assert "--output-dir" in _one_line_error(capsys.readouterr().err)
    (tmp_path / "other").mkdir()
    twin = tmp_path / "other" / "first.yaml"
    twin.write_text(RUN_FILE)
    assert main(["run", str(first), str(twin)]) == EXIT_BAD_INPUT
    assert "writes first.h5" in _one_line_error(capsys.readouterr().err)


def test_run_model_error_exits_2_and_simulation_error_exits_3(
    fake_core: FakeCore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "elbow.yaml").write_text("name: elbow\n")
    bad_override = tmp_path / "bad_override.yaml"
    bad_override.write_text(RUN_FILE.replace("tone: hypertonic", "tone: bad"))
    assert main(["run", str(bad_override), "-o", str(tmp_path / "a.h5")]) == EXIT_BAD_INPUT
    assert "expected a number, got bad" in _one_line_error(capsys.readouterr().err)

    run_file = tmp_path / "session.yaml"
    run_file.write_text(RUN_FILE)
    fake_core.fail_with = fake_core.SimulationError("t = 3.2 s: muscle.BIClong.activation: NaN")
    assert main(["run", str(run_file), "-o", str(tmp_path / "b.h5")]) == EXIT_SIMULATION
    assert "t = 3.2 s" in _one_line_error(capsys.readouterr().err)


def test_demo_runs_the_built_in_protocol(
    fake_core: FakeCore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import msk._api
    import msk.cli

    monkeypatch.setattr(msk.cli, "_bundled_demo_file", lambda: None)
    monkeypatch.setattr(msk._api, "_model_source", lambda name: ("name: elbow\n", "elbow.yaml"))
    # The spine part of the demo needs the real core (tests/python/test_cli_equilibrium.py and
    # test_core_demo_writes_results_and_figure run it); here it is only called.
    spine_calls: list[Path] = []
    monkeypatch.setattr(
        msk.cli, "_demo_equilibrium", lambda directory, progress: spine_calls.append(directory) or 0
    )
    out_dir = tmp_path / "demo"
    assert main(["demo", "-o", str(out_dir), "--no-progress"]) == 0
    assert (out_dir / "msk_demo.h5").is_file() and (out_dir / "msk_demo.png").is_file()
    assert spine_calls == [out_dir]
    out = capsys.readouterr().out
    assert str(out_dir / "msk_demo.h5") in out and str(out_dir / "msk_demo.png") in out
    _, protocol_json, *_ = next(c[1] for c in fake_core.calls if c[0] == "simulate")
    assert '"type": "passive_stretch"' in protocol_json and '"BIClong"' in protocol_json


# --- with the real core (run by `pytest -m core` once msk._core is built) -------------------------


@pytest.mark.core
def test_core_demo_writes_results_and_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("msk._core")
    assert main(["demo", "-o", str(tmp_path), "--no-progress"]) == 0
    assert (tmp_path / "msk_demo.h5").is_file() and (tmp_path / "msk_demo.png").is_file()
    assert (tmp_path / "msk_spine.h5").is_file() and (tmp_path / "msk_spine.png").is_file()
    out = capsys.readouterr().out
    assert str(tmp_path / "msk_spine.h5") in out and str(tmp_path / "msk_spine.png") in out
    assert main(["info", str(tmp_path / "msk_demo.h5")]) == 0
    assert main(["info", str(tmp_path / "msk_spine.h5")]) == 0
    assert "6 solved, 0 failed" in capsys.readouterr().out


@pytest.mark.core
def test_core_bad_override_in_run_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("msk._core")
    run_file = tmp_path / "bad.yaml"
    run_file.write_text(
        "model: elbow\noverrides: {muscles.NOPE.max_isometric_force: 1}\n"
        "protocol: [{type: rest, duration: 0.1}]\n"
    )
    assert main(["run", str(run_file), "-o", str(tmp_path / "bad.h5")]) == EXIT_BAD_INPUT
    _one_line_error(capsys.readouterr().err)


BUNDLED_RUNS = Path(__file__).resolve().parents[2] / "models" / "runs"
PIR_RUN_FILES = sorted(p.name for p in BUNDLED_RUNS.glob("pir_*.yaml"))


def test_the_hip_sessions_are_bundled() -> None:
    assert {"pir_lumbar_hamstrings.yaml", "pir_lumbar_iliopsoas.yaml"} <= set(PIR_RUN_FILES)


@pytest.mark.core
@pytest.mark.parametrize("name", PIR_RUN_FILES)
def test_core_every_bundled_pir_session_reaches_its_barriers_and_gains(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``msk run`` of each bundled PIR run file: a barrier per cycle plus the first, no stretch
    past its barrier (no warning), every cycle's gain toward the stretch."""
    pytest.importorskip("msk._core")
    import yaml
    from msk.protocols import pir_summary

    run = yaml.safe_load((BUNDLED_RUNS / name).read_text(encoding="utf-8"))
    phase = next(ph for ph in run["protocol"]["phases"] if ph.get("type") == "pir")
    target = phase.get("joint") or phase.get("region")
    output = tmp_path / "session.h5"
    assert main(["run", str(BUNDLED_RUNS / name), "-o", str(output), "--no-progress"]) == 0
    assert "range gained" in capsys.readouterr().out
    summary = pir_summary(output, target)
    assert len(summary) == int(phase["cycles"]) + 1, summary
    assert not summary.attrs["exceeded"]
    assert (summary["gain_deg"].iloc[1:] > 0).all(), summary
