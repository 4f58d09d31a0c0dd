"""The ``msk`` command.

::

    msk                              run the bundled demo in the current directory
    msk demo [-o DIR]                run the bundled demo, write DIR/msk_demo.h5 and .png
    msk run RUN.yaml [-o OUT.h5] [--report REPORT.png]
    msk info FILE.h5                 channels, units, duration, metadata
    msk plot FILE.h5 [-o FILE.png]   dashboard figure
    msk validate                     validation table against published measurements

A run file is YAML::

    model: elbow                 # bundled name, or a .yaml/.yml/.osim path relative to the run file
    overrides:                   # optional, dotted paths or nested
      muscles.BIClong.tone: hypertonic
    protocol:                    # as in msk.protocols
      initial: {angles_deg: {r_elbow_flex: 90}}
      phases:
        - {type: rest, duration: 1.0}
        - {type: pir, joint: r_elbow_flex, muscles: [BIClong, BRA], cycles: 3}
    options: {output_dt: 0.01, stepper: dopri5}   # optional, as msk.simulate's keywords

An ``excitation_file`` of a voluntary phase is a path relative to the run file's directory, without
``..``, ending in .sto, .mot or .csv.

Bad input ends with a one-line message on stderr and a non-zero exit status: 2 for a bad file or
model (missing file, invalid YAML, msk.ModelError, invalid arguments), 3 for a failed simulation
(msk.SimulationError), 1 for other errors, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["EXIT_BAD_INPUT", "EXIT_ERROR", "EXIT_SIMULATION", "main"]

EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_SIMULATION = 3
EXIT_INTERRUPTED = 130

_RUN_KEYS = ("model", "overrides", "protocol", "options")
_OPTION_KEYS = ("output_dt", "stepper", "rtol", "atol", "max_steps", "seed")


class UsageError(Exception):
    """Bad input detected by the command itself (exit status 2)."""


# --- exit codes ------------------------------------------------------------------------------


def _exit_code(error: BaseException) -> int:
    """Exit status for an exception (see the module docstring)."""
    core = sys.modules.get("msk._core")
    if core is not None:
        if isinstance(error, core.SimulationError):
            return EXIT_SIMULATION
        if isinstance(error, (core.ModelError, core.InvalidArgument, core.IoError)):
            return EXIT_BAD_INPUT
        if isinstance(error, core.Error):
            return EXIT_ERROR
    if isinstance(error, (UsageError, ValueError, KeyError, OSError)):
        return EXIT_BAD_INPUT
    return EXIT_ERROR


def _message(error: BaseException) -> str:
    """One line describing ``error``."""
    text = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
    text = " ".join(str(text).split()) or type(error).__name__
    return text


# --- run files -------------------------------------------------------------------------------


_MAX_RUN_FILE_BYTES = 4 << 20  # as the core's limit on model and protocol text


def _read_yaml(path: Path) -> Any:
    """Parse a YAML file; errors become UsageError with the file name."""
    import yaml

    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    size = path.stat().st_size
    if size > _MAX_RUN_FILE_BYTES:
        raise UsageError(f"{path}: expected at most {_MAX_RUN_FILE_BYTES} bytes, got {size} bytes")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except RecursionError:
        # PyYAML composes nodes recursively: nesting deeper than Python's stack is bad input.
        raise UsageError(f"{path}: invalid YAML: nested too deeply") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(error, "problem", None) or str(error)
        raise UsageError(f"{where}: invalid YAML: {problem}") from None


_BUNDLED_NAME = re.compile(r"[A-Za-z0-9_-]+")


def _resolve_excitation_files(protocol: Any, path: Path) -> Any:
    """The protocol of run file ``path`` with each ``excitation_file`` taken from the run file's
    directory. A run file names files beside or below it only (a relative path without ``..``),
    so that a run file from elsewhere cannot make msk read any file of the machine."""
    if isinstance(protocol, Mapping) and "phases" in protocol:
        phases = protocol["phases"]
    elif isinstance(protocol, Mapping):
        phases = [protocol]
    else:
        phases = protocol
    if not isinstance(phases, Sequence) or isinstance(phases, (str, bytes)):
        return protocol
    resolved = []
    for i, phase in enumerate(phases):
        if isinstance(phase, Mapping) and isinstance(phase.get("excitation_file"), str):
            name = phase["excitation_file"]
            relative = Path(name)
            if relative.is_absolute() or ".." in relative.parts or not name:
                raise ValueError(
                    f"phases[{i}].excitation_file: expected a path relative to the run file's "
                    f"directory, without '..', got {name!r}"
                )
            phase = {**phase, "excitation_file": str(path.parent / relative)}
        resolved.append(phase)
    if isinstance(protocol, Mapping) and "phases" in protocol:
        return {**protocol, "phases": resolved}
    if isinstance(protocol, Mapping):
        return resolved[0]
    return resolved


def _check_run(run: Any, path: Path) -> dict[str, Any]:
    """Validate a run mapping; return it with the protocol in canonical form."""
    from msk.protocols import as_protocol_dict

    if not isinstance(run, Mapping):
        raise UsageError(f"{path}: expected a mapping with keys {list(_RUN_KEYS)}")
    unknown = sorted(set(run) - set(_RUN_KEYS))
    if unknown:
        raise UsageError(f"{path}: unknown key(s) {unknown}; expected some of {list(_RUN_KEYS)}")
    if "protocol" not in run:
        raise UsageError(f"{path}: missing key 'protocol'")
    overrides = run.get("overrides") or {}
    if not isinstance(overrides, Mapping):
        raise UsageError(f"{path}: overrides: expected a mapping of field paths to values")
    options = run.get("options") or {}
    if not isinstance(options, Mapping) or set(options) - set(_OPTION_KEYS):
        raise UsageError(f"{path}: options: expected some of {list(_OPTION_KEYS)}, got {options!r}")
    try:
        protocol = as_protocol_dict(_resolve_excitation_files(run["protocol"], path))
    except ValueError as error:
        raise UsageError(f"{path}: protocol: {error}") from None
    model = run.get("model", "elbow")
    if not isinstance(model, str) or not model:
        raise UsageError(f"{path}: model: expected a bundled model name or a path, got {model!r}")
    if not _BUNDLED_NAME.fullmatch(model):
        # A run file names model files only: a path ending in .yaml, .yml or .osim.
        if not model.lower().endswith((".yaml", ".yml", ".osim")):
            raise UsageError(
                f"{path}: model: expected a bundled model name or the path of a .yaml, .yml or "
                f".osim file, got {model!r}"
            )
        model = str((path.parent / model).resolve())
    return {"model": model, "overrides": dict(overrides), "protocol": protocol, "options": options}


def _execute(
    run: Mapping[str, Any], output: Path, report: Path | None, progress: bool | None
) -> None:
    """Load the model, simulate, write results and (optionally) the report; print the paths."""
    from msk._api import load_model, simulate

    model = load_model(run["model"], run["overrides"] or None)
    output.parent.mkdir(parents=True, exist_ok=True)
    results = simulate(
        model, run["protocol"], output=output, progress=progress, **dict(run["options"])
    )
    print(f"results: {output}")
    if report is not None:
        from msk.plot import dashboard

        report.parent.mkdir(parents=True, exist_ok=True)
        dashboard(results, path=report)
        print(f"report:  {report}")


def _demo_run(model_names: Sequence[str], joint_names: Sequence[str]) -> dict[str, Any]:
    """The built-in demo protocol: rest, a voluntary flexion, a passive stretch of the flexors."""
    from msk import protocols as p

    flexor_prefixes = ("BIC", "BRA", "BRD", "PRO", "FLEX")
    flexors = [m for m in model_names if m.upper().startswith(flexor_prefixes)]
    flexors = flexors or list(model_names[:1])
    joint = joint_names[0]
    protocol = p.Protocol(
        [
            p.rest(1.0),
            p.voluntary(1.5, dict.fromkeys(flexors, 0.3), rise_s=0.1),
            p.rest(1.0),
            p.passive_stretch(joint, flexors, speed_deg_s=20.0, barrier_torque=2.0, max_duration=8),
        ],
        initial_angles_deg={joint: 90.0},
    )
    return {"protocol": protocol.to_dict(), "options": {"output_dt": 0.005}}


def _bundled_demo_file() -> Any:
    """The packaged ``msk/models/runs/demo.yaml`` if it exists, else None."""
    from importlib.resources import files

    resource = files("msk") / "models" / "runs" / "demo.yaml"
    return resource if resource.is_file() else None


# --- commands --------------------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace) -> int:
    import yaml

    from msk._api import load_model

    directory = Path(args.output_dir)
    resource = _bundled_demo_file()
    if resource is not None:
        content = yaml.safe_load(resource.read_text(encoding="utf-8"))
        if isinstance(content, Mapping) and "phases" in content:
            content = {"model": "elbow", "protocol": content}
        run = _check_run(content, Path(str(resource)))
    else:
        model = load_model("elbow")
        run = {
            "model": "elbow",
            "overrides": {},
            **_demo_run(model.muscle_names, model.joint_names),
        }
    directory.mkdir(parents=True, exist_ok=True)
    _execute(run, directory / "msk_demo.h5", directory / "msk_demo.png", args.progress)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    path = Path(args.run_file)
    run = _check_run(_read_yaml(path), path)
    output = Path(args.output) if args.output else Path(path.stem + ".h5")
    report = Path(args.report) if args.report else None
    _execute(run, output, report, args.progress)
    return 0


def _format_value(value: Any, width: int = 70) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _cmd_info(args: argparse.Namespace) -> int:
    from msk.results import Results

    results = Results.load(args.file)
    dt = float(results.time[1] - results.time[0]) if results.n_samples > 1 else float("nan")
    print(f"file      {results.path}")
    print(
        f"model     {results.meta.get('model_name', '?')}  ({results.meta.get('model_file', '')})"
    )
    print(f"msk       {results.meta.get('msk_version', '?')}")
    if results.n_samples:
        print(
            f"time      {results.time[0]:g} … {results.time[-1]:g} s  "
            f"({results.n_samples} samples, dt = {dt:g} s)"
        )
    else:
        print("time      no samples")
    print(
        f"content   {len(results.channels)} channels: {len(results.joints)} joint(s) "
        f"{results.joints}, {len(results.muscles)} muscle(s) {results.muscles}, "
        f"{len(results.pairs)} pair(s) {results.pairs}"
    )
    if results.stats:
        stats = ", ".join(f"{k} = {_format_value(v, 20)}" for k, v in results.stats.items())
        print(f"solver    {stats}")

    print("\nmetadata")
    for key, value in results.meta.items():
        if key in ("model_name", "msk_version"):
            continue
        shown = f"<{len(str(value).splitlines())} lines>" if key == "model_text" else value
        print(f"  {key:<14} {_format_value(shown)}")

    events = results.events
    print(f"\nevents ({len(events)})")
    for t, label in list(zip(events["time"], events["label"]))[: args.max_events]:
        print(f"  {t:10.3f} s  {label}")
    if len(events) > args.max_events:
        print(f"  … {len(events) - args.max_events} more")

    print("\nchannels")
    width = max((len(c) for c in results.channels), default=8)
    units_width = max((len(u) for u in results.units.values()), default=5)
    for name in results.channels:
        units = results.units[name] or "-"
        print(f"  {name:<{width}}  [{units:<{units_width}}]  {results.descriptions[name]}".rstrip())
    return 0


def _cmd_plot(args: argparse.Namespace) -> int:
    from msk.plot import dashboard
    from msk.results import Results

    results = Results.load(args.file)
    output = Path(args.output) if args.output else Path(args.file).with_suffix(".png")
    dashboard(results, muscles=args.muscles, joints=args.joints, path=output, title=args.title)
    print(output)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    import importlib

    try:
        validation = importlib.import_module("msk.validation")
    except ModuleNotFoundError as error:
        if error.name != "msk.validation":
            raise
        print(
            "msk: the validation suite (msk.validation) is not part of this build", file=sys.stderr
        )
        return EXIT_ERROR
    table = validation.run_all()
    if hasattr(validation, "to_text"):
        print(validation.to_text(table))
    elif table is not None:
        print(table.to_string() if hasattr(table, "to_string") else table)
    statuses = table["status"] if "status" in getattr(table, "columns", ()) else ()
    return EXIT_ERROR if any(status == "fail" for status in statuses) else 0


# --- parser ----------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    from msk._api import installed_version

    parser = argparse.ArgumentParser(
        prog="msk",
        description="Musculoskeletal simulation: run scenarios, inspect and plot results.",
        epilog="With no command, runs the bundled demo in the current directory.",
    )
    parser.add_argument("--version", action="version", version=f"msk {installed_version()}")
    parser.add_argument(
        "--traceback", action="store_true", help="show the full traceback on errors"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    progress = argparse.ArgumentParser(add_help=False)
    progress.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="always show the progress bar (default: when stderr is a terminal)",
    )
    progress.add_argument(
        "--no-progress", dest="progress", action="store_false", help="never show the progress bar"
    )

    demo = commands.add_parser(
        "demo", parents=[progress], help="run the bundled demo (elbow: rest, flexion, stretch)"
    )
    demo.add_argument(
        "-o", "--output-dir", default=".", help="directory for msk_demo.h5 and msk_demo.png"
    )
    demo.set_defaults(handler=_cmd_demo)

    run = commands.add_parser("run", parents=[progress], help="run a scenario file (YAML)")
    run.add_argument("run_file", help="run file: model, overrides, protocol, options")
    run.add_argument("-o", "--output", help="results file (default: <run file stem>.h5)")
    run.add_argument("--report", help="also write a dashboard figure (e.g. report.png)")
    run.set_defaults(handler=_cmd_run)

    info = commands.add_parser("info", help="summarise a results file")
    info.add_argument("file", help="results file (.h5)")
    info.add_argument(
        "--max-events", type=int, default=30, help="events listed at most (default 30)"
    )
    info.set_defaults(handler=_cmd_info)

    plot = commands.add_parser("plot", help="draw the dashboard of a results file")
    plot.add_argument("file", help="results file (.h5)")
    plot.add_argument("-o", "--output", help="figure file (default: FILE with .png)")
    plot.add_argument("--muscles", nargs="+", metavar="MUSCLE", help="muscles to draw")
    plot.add_argument("--joints", nargs="+", metavar="JOINT", help="joints to draw")
    plot.add_argument("--title", help="figure title")
    plot.set_defaults(handler=_cmd_plot)

    validate = commands.add_parser("validate", help="compare msk with published measurements")
    validate.set_defaults(handler=_cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``msk`` command with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(["--traceback"] if args.traceback else []), "demo"])
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("msk: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        if args.traceback:
            raise
        print(f"msk: error: {_message(error)}", file=sys.stderr)
        return _exit_code(error)
