"""Bad input through the package: every file of tests/data/malformed, as listed in its manifest
(expected.yaml), through ``msk.load_model``, ``msk.simulate`` and the ``msk run`` command.

Each must fail fast with the error the manifest names, in one line that names the file (or
``<protocol>`` for protocol text), the line and the field; ``msk run`` must exit with status 2,
print one line on stderr and no traceback, and create no results file.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

msk = pytest.importorskip("msk")
core = pytest.importorskip("msk._core")
from msk import cli  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "malformed"
MANIFEST: dict[str, dict[str, Any]] = yaml.safe_load(
    (DATA / "expected.yaml").read_text(encoding="utf-8")
)["files"]
REST = {"phases": [{"type": "rest", "duration": 0.1}]}


def entries(kind: str) -> list[str]:
    return sorted(name for name, entry in MANIFEST.items() if entry["kind"] == kind)


def pyyaml_reads(name: str) -> bool:
    """Whether PyYAML parses the committed file ``name`` (msk's Python side reads YAML with it)."""
    try:
        yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return False
    return True


def python_protocols() -> list[str]:
    """Protocol files that reach msk.simulate and msk run as a protocol: PyYAML parses them and
    the manifest does not mark them ``pyyaml_ok`` (accepted by PyYAML, refused only by the core's
    reader, which test_protocol_text_through_core covers)."""
    return [
        name
        for name in entries("protocol")
        if not MANIFEST[name].get("pyyaml_ok") and pyyaml_reads(name)
    ]


def write_generated(directory: Path) -> None:
    """Write the files too big (or too odd) to commit; the C++ test writes the same ones."""
    (directory / "deep_nesting.yaml").write_text(
        "name: arm\nsource: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8"
    )
    (directory / "huge_sequence.yaml").write_text(
        "name: arm\nwarnings: [" + ", ".join(["w"] * 10001) + "]\n", encoding="utf-8"
    )
    (directory / "too_large.yaml").write_text(
        "name: arm\ndescription: " + "x" * (5 << 20) + "\n", encoding="utf-8"
    )
    (directory / "long_line.yaml").write_text("name: " + "a" * 1_000_000 + "\n", encoding="utf-8")
    (directory / "file_is_directory.yaml").mkdir()
    star = "".join(
        f"  - {{name: b{i}, joint: {{name: q{i}, type: revolute}}, mass: 1, com: [0, -0.1, 0]}}\n"
        for i in range(501)
    )
    (directory / "too_many_coordinates.yaml").write_text(
        "name: star\nbodies:\n" + star, encoding="utf-8"
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("malformed")
    write_generated(directory)
    return directory


@pytest.fixture(scope="module")
def elbow() -> Any:
    return msk.load_model("elbow")


@pytest.fixture
def out(tmp_path: Path) -> Iterator[Path]:
    """An output path that must still not exist after the test."""
    path = tmp_path / "results.h5"
    yield path
    assert not path.exists(), "a results file was created for a run refused before it started"


def path_of(name: str, generated: Path) -> Path:
    return (generated if MANIFEST[name].get("generated") else DATA) / name


def check_one_line(message: str) -> None:
    assert message and "\n" not in message and "\r" not in message, repr(message[:300])
    assert len(message) < 1000, message[:300]


def check_names(message: str, name: str, line: int, field: str) -> None:
    """The message names the file, the line (when there is one) and the field."""
    check_one_line(message)
    assert name in message, message
    if line > 0:
        assert f":{line}: " in message, message
    assert field in message, message


def error_class(name: str) -> type[BaseException]:
    return {
        "ModelError": msk.ModelError,
        "UsageError": cli.UsageError,
        "ValueError": ValueError,
        "FileNotFoundError": FileNotFoundError,
        "UnicodeDecodeError": UnicodeDecodeError,
    }[name]


def run_command(run_file: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """``msk run`` on ``run_file``: exit status 2, one line on stderr; return that line."""
    capsys.readouterr()
    status = cli.main(["run", str(run_file), "-o", str(out), "--no-progress"])
    captured = capsys.readouterr()
    assert status == cli.EXIT_BAD_INPUT, captured.err
    assert "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("msk: error: "), lines[0]
    assert len(lines[0]) < 1000, lines[0][:300]
    return lines[0]


def test_manifest_lists_every_file() -> None:
    on_disk = {p.name for p in DATA.iterdir()} - {"expected.yaml"}
    committed = {name for name, entry in MANIFEST.items() if not entry.get("generated")}
    assert on_disk == committed
    assert len(MANIFEST) >= 50


@pytest.mark.parametrize("name", entries("model"))
def test_model_file_through_load_model(name: str, generated: Path) -> None:
    entry = MANIFEST[name]
    path = path_of(name, generated)
    expected = error_class(entry.get("python_error", "ModelError"))
    with pytest.raises(expected) as info:
        msk.load_model(path)
    if expected is msk.ModelError:
        field = entry.get("python_field", entry["field"])
        check_names(str(info.value), name, entry["line"], field)
    else:
        check_one_line(str(info.value))


@pytest.mark.parametrize("name", entries("protocol"))
def test_protocol_text_through_core(name: str, elbow: Any, out: Path) -> None:
    entry = MANIFEST[name]
    text = (DATA / name).read_text(encoding="utf-8")
    with pytest.raises(msk.ModelError) as info:
        core.simulate(elbow.core, text, "", str(out), None)
    check_names(str(info.value), "<protocol>", entry["line"], entry["field"])


def test_the_pyyaml_ok_mark_is_true() -> None:
    """A file marked ``pyyaml_ok`` is one PyYAML reads (so that leaving it out of the Python
    paths below leaves out nothing they could test)."""
    marked = [name for name, entry in MANIFEST.items() if entry.get("pyyaml_ok")]
    assert marked
    for name in marked:
        assert pyyaml_reads(name), name


@pytest.mark.parametrize("name", python_protocols())
def test_protocol_file_through_simulate(name: str, elbow: Any, out: Path) -> None:
    protocol = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    with pytest.raises((ValueError, OSError, msk.ModelError)) as info:
        msk.simulate(elbow, protocol, output=out, progress=False)
    check_one_line(str(info.value))


@pytest.mark.parametrize("name", entries("model"))
def test_model_file_through_msk_run(
    name: str, generated: Path, tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = MANIFEST[name]
    run_file = tmp_path / "run.yaml"
    path = path_of(name, generated)
    run_file.write_text(yaml.safe_dump({"model": str(path), "protocol": REST}), encoding="utf-8")
    message = run_command(run_file, out, capsys)
    if "python_error" not in entry:
        check_names(message, name, entry["line"], entry.get("python_field", entry["field"]))


@pytest.mark.parametrize(
    "name", [name for name in entries("protocol") if not MANIFEST[name].get("pyyaml_ok")]
)
def test_protocol_file_through_msk_run(
    name: str, tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (DATA / name).read_text(encoding="utf-8")
    run_file = tmp_path / "run.yaml"
    run_file.write_text("model: elbow\nprotocol:\n" + textwrap.indent(text, "  "), "utf-8")
    run_command(run_file, out, capsys)


@pytest.mark.parametrize("name", entries("run"))
def test_run_file_through_msk_run(name: str, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entry = MANIFEST[name]
    message = run_command(DATA / name, out, capsys)
    check_one_line(message)
    assert entry["field"] in message, message
    if entry["line"] > 0:
        assert f":{entry['line']}: " in message, message
    # With --traceback the command lets the exception through: its class is the manifest's.
    with pytest.raises(error_class(entry["error"])):
        cli.main(["--traceback", "run", str(DATA / name), "-o", str(out), "--no-progress"])


def test_override_error_names_the_call_and_the_key_not_the_model_file() -> None:
    with pytest.raises(msk.ModelError) as info:
        msk.load_model("elbow", overrides={"muscles.BIClong.max_isometric_force": -700})
    message = str(info.value)
    check_one_line(message)
    assert message.startswith(
        "msk.load_model(overrides=...): 'muscles.BIClong.max_isometric_force': "
        "expected a number in [1e-06, 1e+06], got '-700'"
    )
    assert "elbow.yaml" not in message


def test_deeply_nested_run_file_is_bad_input(
    tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # PyYAML composes recursively: past Python's stack the command reports bad input (status 2),
    # not a RecursionError.
    run_file = tmp_path / "deep.yaml"
    run_file.write_text("model: elbow\nprotocol: " + "[" * 3000 + "]" * 3000 + "\n", "utf-8")
    assert "nested too deeply" in run_command(run_file, out, capsys)


def test_too_large_run_file_is_bad_input(
    tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file = tmp_path / "large.yaml"
    run_file.write_text("model: elbow\n# " + "x" * (4 << 20) + "\n", "utf-8")
    assert "expected at most 4194304 bytes" in run_command(run_file, out, capsys)


# --- files are data: a run file names only model files and tables beside it ---------------------

CONTROLS = Path(__file__).resolve().parents[1] / "data" / "opensim" / "forward_controls.sto"


def excitation_run(run_dir: Path, excitation_file: str) -> Path:
    run_file = run_dir / "run.yaml"
    phase = {"type": "voluntary", "duration": 0.05, "excitation_file": excitation_file}
    run_file.write_text(yaml.safe_dump({"model": "elbow", "protocol": [phase]}), "utf-8")
    return run_file


def test_run_file_excitation_file_is_read_beside_the_run_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "study"
    (run_dir / "emg").mkdir(parents=True)
    (run_dir / "emg" / "controls.sto").write_bytes(CONTROLS.read_bytes())
    run_file = excitation_run(run_dir, "emg/controls.sto")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # relative to the run file, not to the working directory
    out = tmp_path / "ok.h5"
    status = cli.main(["run", str(run_file), "-o", str(out), "--no-progress"])
    assert status == 0, capsys.readouterr().err
    assert out.exists()


@pytest.mark.parametrize("name", ["/etc/passwd", "../controls.sto", "emg/../../controls.sto"])
def test_run_file_excitation_file_outside_its_directory_is_refused(
    name: str, tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "controls.sto").write_bytes(CONTROLS.read_bytes())
    run_dir = tmp_path / "study"
    run_dir.mkdir()
    message = run_command(excitation_run(run_dir, name), out, capsys)
    assert "phases[0].excitation_file: expected a path relative to the run file's directory" in (
        message
    )


def test_excitation_file_must_be_a_table(tmp_path: Path, out: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("time,BIClong\n0,0.1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"ending in \.sto, \.mot or \.csv"):
        msk.protocols.voluntary(1.0, excitation_file=notes)
    # Protocol text reaching the core directly: the core refuses it too.
    text = yaml.safe_dump(
        {"phases": [{"type": "voluntary", "duration": 1, "excitation_file": str(notes)}]}
    )
    with pytest.raises(msk.ModelError, match=r"ending in \.sto, \.mot or \.csv"):
        core.simulate(msk.load_model("elbow").core, text, "", str(out), None)


@pytest.mark.parametrize("model", ["/etc/passwd", "../secrets/key", "model.txt"])
def test_run_file_model_must_be_a_model_file(
    model: str, tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file = tmp_path / "run.yaml"
    run_file.write_text(yaml.safe_dump({"model": model, "protocol": REST}), encoding="utf-8")
    message = run_command(run_file, out, capsys)
    assert "model: expected a bundled model name or the path of a .yaml, .yml or .osim file" in (
        message
    )
