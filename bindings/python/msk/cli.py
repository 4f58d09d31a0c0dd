"""The ``msk`` command.

::

    msk                              run the bundled demo in the current directory
    msk demo [-o DIR]                run the bundled demos: DIR/msk_demo.h5 and .png (an elbow
                                     PIR episode), DIR/msk_spine.h5 and .png (lumbar postures)
    msk run RUN.yaml [-o OUT.h5] [--report REPORT.png] [--resume]
    msk run A.yaml B.yaml ... [--output-dir DIR] [--reports]
                                     several run files, one after the other (DIR/<stem>.h5)
    msk info FILE.h5 [--channels]    episode: duration, metadata, events, channels by kind (each
                                     channel with --channels); equilibrium: labels, postures,
                                     loads per posture
    msk plot FILE.h5 [-o FILE.png] [--force]
                                     episode: dashboard figure; equilibrium: the spines (an
                                     existing figure is kept unless --force)
    msk pose MODEL POSTURE [--tone NAME=PRESET ...] [--set KEY=VALUE ...] [--profile NAME]
             [-o DIR] [--force]      one posture: DIR/<model>_<posture>.csv (levels) and .png
                                     (existing files are kept unless --force)
    msk validate [--cases DIR]       validation table against published measurements

A run file is YAML, either an episode::

    model: elbow                 # bundled name, or a .yaml/.yml/.osim path relative to the run file
    overrides:                   # optional, dotted paths or nested
      muscles.BIClong.tone: hypertonic
    protocol:                    # as in msk.protocols
      initial: {angles_deg: {r_elbow_flex: 90}}
      phases:
        - {type: rest, duration: 1.0}
        - {type: pir, joint: r_elbow_flex, muscles: [BIClong, BRA], cycles: 3}
    options: {output_dt: 0.01, stepper: dopri5}   # optional, as msk.simulate's keywords

or postures at equilibrium (msk.equilibrium), written to an equilibrium file (msk.spine.load)::

    model: lumbar
    overrides: {}                # optional, as above
    equilibrium:
      postures:                  # preset names, {preset: NAME, FIELD: value}, or Posture fields
        - standing_relaxed
        - {preset: lift_round_back, load_kg: 10}
        - {name: bent, lumbar_flexion_deg: 30}
      mode: rhythm               # optional: fixed, rhythm (default) or relaxed
      compare:                   # optional: label -> overrides on top of the run's overrides
        normal: {}
        hypertonic: {groups.erector_spinae.tone: hypertonic}

or a lifetime (msk.lifetime), whose days stream to a lifetime file (msk.load_lifetime)::

    model: lumbar
    overrides: {groups.erector_spinae.tone: hypertonic}
    lifetime:
      scenario: office_worker    # bundled name, or a .yaml/.yml path relative to the run file
      duration_days: 28
      seed: -1                   # optional: the day-to-day variation (-1: the scenario's)
      interventions:             # optional: as msk.lifetimes.intervention's keywords
        - {kind: stretch, muscles: [psoas], every_days: 2, duration_s: 300}
      parameters: {damage.ultimate_strength: 5000}   # optional, as msk.lifetime's
      mode: fixed                # optional: the posture mode of the equilibria
      adapted_to: scenario       # optional: scenario (default) or standing
      record_muscles: false      # optional

``msk run RUN.yaml --resume`` continues a lifetime run file whose results file was left by a
killed or stopped run, from its checkpoint, to the file an uninterrupted run writes (without the
file it starts from day 0).

An ``excitation_file`` of a voluntary phase is a path relative to the run file's directory, without
``..``, ending in .sto, .mot or .csv.

An episode with a ``pir`` phase prints the barrier angle after each cycle and the range gained
(:func:`msk.protocols.pir_summary`).

Bad input ends with a one-line message on stderr and a non-zero exit status: 2 for a bad file or
model (missing file, invalid YAML, msk.ModelError, invalid arguments, an existing figure without
``--force``), 3 for a failed simulation (msk.SimulationError; for an equilibrium run, any posture
the muscles cannot hold, after every other posture is written), 1 for other errors (and for
``msk validate``, a case that fails unexpectedly or errors), 130 when interrupted. With several
run files, each failure is reported and the others run; the status is the first failure's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from msk.spine import EquilibriumResult, Posture, StoredEquilibrium

__all__ = ["EXIT_BAD_INPUT", "EXIT_ERROR", "EXIT_SIMULATION", "main"]

EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_SIMULATION = 3
EXIT_INTERRUPTED = 130

_RUN_KEYS = ("model", "overrides", "protocol", "equilibrium", "lifetime", "options")
_OPTION_KEYS = ("output_dt", "stepper", "rtol", "atol", "max_steps", "seed")
_EQUILIBRIUM_KEYS = ("postures", "mode", "compare")
_LIFETIME_KEYS = (
    "scenario",
    "duration_days",
    "seed",
    "interventions",
    "parameters",
    "mode",
    "adapted_to",
    "record_muscles",
)
_INTERVENTION_KEYS = (
    "kind",
    "muscles",
    "first_day",
    "last_day",
    "every_days",
    "duration_s",
    "outcome",
    "rest_day",
)
_DEFAULT_LABEL = "default"


class UsageError(Exception):
    """Bad input detected by the command itself (exit status 2)."""


# --- exit codes ------------------------------------------------------------------------------


def _exit_code(error: BaseException) -> int:
    """Exit status for an exception (see the module docstring)."""
    core = sys.modules.get("msk._core")
    if core is not None:
        failures = tuple(
            getattr(core, name)
            for name in ("SimulationError", "EquilibriumError")
            if hasattr(core, name)
        )
        if isinstance(error, failures):
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
    """Validate a run mapping; return it in canonical form: for an episode, ``model``,
    ``overrides``, ``protocol`` and ``options``; for postures, ``kind = "equilibrium"``, ``model``,
    ``overrides``, ``postures`` (Posture objects), ``mode`` and ``compare`` ({label: overrides})."""
    from msk.protocols import as_protocol_dict

    if not isinstance(run, Mapping):
        raise UsageError(f"{path}: expected a mapping with keys {list(_RUN_KEYS)}")
    unknown = sorted(set(run) - set(_RUN_KEYS))
    if unknown:
        raise UsageError(f"{path}: unknown key(s) {unknown}; expected some of {list(_RUN_KEYS)}")
    sections = [k for k in ("protocol", "equilibrium", "lifetime") if k in run]
    if not sections:
        raise UsageError(
            f"{path}: missing key 'protocol' (an episode), 'equilibrium' (postures) or "
            "'lifetime' (days of a scenario)"
        )
    if len(sections) > 1:
        raise UsageError(
            f"{path}: expected one of 'protocol' (an episode), 'equilibrium' (postures) or "
            f"'lifetime' (days of a scenario), got {' and '.join(repr(k) for k in sections)}"
        )
    overrides = run.get("overrides") or {}
    if not isinstance(overrides, Mapping):
        raise UsageError(f"{path}: overrides: expected a mapping of field paths to values")
    if "lifetime" in run:
        if "options" in run:
            raise UsageError(
                f"{path}: options: the solver options of an episode (protocol); a lifetime run "
                "takes its settings in 'lifetime'"
            )
        return {
            "kind": "lifetime",
            "file": str(path),
            "model": _check_model(run, path),
            "overrides": dict(overrides),
            **_check_lifetime(run["lifetime"], path),
        }
    if "equilibrium" in run:
        if "options" in run:
            raise UsageError(
                f"{path}: options: the solver options of an episode (protocol); an equilibrium "
                "run takes none"
            )
        return {
            "kind": "equilibrium",
            "file": str(path),
            "model": _check_model(run, path),
            "overrides": dict(overrides),
            **_check_equilibrium(run["equilibrium"], path),
        }
    options = run.get("options") or {}
    if not isinstance(options, Mapping) or set(options) - set(_OPTION_KEYS):
        raise UsageError(f"{path}: options: expected some of {list(_OPTION_KEYS)}, got {options!r}")
    try:
        protocol = as_protocol_dict(_resolve_excitation_files(run["protocol"], path))
    except ValueError as error:
        raise UsageError(f"{path}: protocol: {error}") from None
    model = _check_model(run, path)
    return {
        "file": str(path),
        "model": model,
        "overrides": dict(overrides),
        "protocol": protocol,
        "options": options,
    }


def _check_model(run: Mapping[str, Any], path: Path) -> str:
    """The run's model: a bundled name, or a path resolved relative to the run file."""
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
    return model


def _posture_entry(entry: Any) -> Posture:
    """One item of ``equilibrium.postures``: a preset name, ``{preset: NAME, FIELD: value}`` or
    a mapping of Posture fields; ValueError or TypeError when it is none of these."""
    import dataclasses

    from msk.spine import Posture
    from msk.spine.files import check_name

    if isinstance(entry, str):
        posture = Posture.preset(entry)
    elif isinstance(entry, Mapping):
        fields = dict(entry)
        if "preset" in fields:
            name = fields.pop("preset")
            if not isinstance(name, str):
                raise ValueError(f"preset: expected a preset name, got {name!r}")
            renamed = fields.pop("name", None)  # Posture.preset's own first argument is `name`
            posture = Posture.preset(name, **fields)
            if renamed is not None:
                posture = posture.replace(name=renamed)
        else:
            known = sorted(f.name for f in dataclasses.fields(Posture))
            unknown = sorted(str(k) for k in set(fields) - set(known))
            if unknown:
                raise ValueError(
                    f"unknown field(s) {', '.join(unknown)}; expected 'preset' or some of "
                    f"{', '.join(known)}"
                )
            posture = Posture(**fields)
    else:
        raise ValueError(f"expected a preset name or a mapping of Posture fields, got {entry!r}")
    check_name("name", posture.name)
    posture.to_core()  # the core's own checks of the fields
    return posture


def _check_equilibrium(section: Any, path: Path) -> dict[str, Any]:
    """Validate the ``equilibrium`` section of a run file: ``postures``, ``mode``, ``compare``."""
    from msk._runtime import require_core
    from msk.spine.equilibria import MODES
    from msk.spine.files import check_name

    where = f"{path}: equilibrium"
    if not isinstance(section, Mapping):
        raise UsageError(
            f"{where}: expected a mapping with keys {list(_EQUILIBRIUM_KEYS)}, got {section!r}"
        )
    unknown = sorted(str(k) for k in set(section) - set(_EQUILIBRIUM_KEYS))
    if unknown:
        raise UsageError(
            f"{where}: unknown key(s) {unknown}; expected some of {list(_EQUILIBRIUM_KEYS)}"
        )
    if "postures" not in section:
        raise UsageError(f"{where}: missing key 'postures'")
    mode = section.get("mode", "rhythm")
    if mode not in MODES:
        raise UsageError(f"{where}.mode: expected one of {', '.join(MODES)}, got {mode!r}")

    entries = section["postures"]
    if not isinstance(entries, list) or not entries:
        raise UsageError(
            f"{where}.postures: expected a non-empty list of preset names or posture mappings, "
            f"got {entries!r}"
        )
    core = require_core()
    postures: list[Posture] = []
    first: dict[str, int] = {}
    for i, entry in enumerate(entries):
        try:
            posture = _posture_entry(entry)
        except (ValueError, TypeError, core.Error) as error:
            raise UsageError(f"{where}.postures[{i}]: {_message(error)}") from None
        if posture.name in first:
            raise UsageError(
                f"{where}.postures[{i}]: name {posture.name!r} is already used by "
                f"postures[{first[posture.name]}]; give one of them a 'name:'"
            )
        first[posture.name] = i
        postures.append(posture)

    compare = section.get("compare")
    if compare is None:
        compare = {_DEFAULT_LABEL: {}}
    if not isinstance(compare, Mapping) or not compare:
        raise UsageError(
            f"{where}.compare: expected a mapping of labels to overrides (e.g. normal: {{}}), "
            f"got {compare!r}"
        )
    labelled: dict[str, dict[str, Any]] = {}
    for label, extra in compare.items():
        try:
            check_name("label", label)
        except ValueError as error:
            raise UsageError(f"{where}.compare: {error}") from None
        extra = {} if extra is None else extra
        if not isinstance(extra, Mapping):
            raise UsageError(
                f"{where}.compare.{label}: expected a mapping of field paths to values, "
                f"got {extra!r}"
            )
        labelled[label] = dict(extra)
    return {"postures": postures, "mode": mode, "compare": labelled}


def _check_lifetime(section: Any, path: Path) -> dict[str, Any]:
    """Validate the ``lifetime`` section of a run file; the keyword arguments of msk.lifetime
    (the scenario resolved: a bundled name, or a path relative to the run file)."""
    where = f"{path}: lifetime"
    if not isinstance(section, Mapping):
        raise UsageError(f"{where}: expected a mapping with keys {list(_LIFETIME_KEYS)}")
    unknown = sorted(str(k) for k in set(section) - set(_LIFETIME_KEYS))
    if unknown:
        raise UsageError(
            f"{where}: unknown key(s) {unknown}; expected some of {list(_LIFETIME_KEYS)}"
        )
    for key in ("scenario", "duration_days"):
        if key not in section:
            raise UsageError(f"{where}: missing key {key!r}")
    scenario = section["scenario"]
    if not isinstance(scenario, str) or not scenario:
        raise UsageError(f"{where}.scenario: expected a bundled scenario name or a path")
    if not _BUNDLED_NAME.fullmatch(scenario):
        if not scenario.lower().endswith((".yaml", ".yml")):
            raise UsageError(
                f"{where}.scenario: expected a bundled scenario name or the path of a .yaml or "
                f".yml file, got {scenario!r}"
            )
        scenario = str((path.parent / scenario).resolve())
    whole = {"duration_days": (1, 36500), "seed": (-1, 2**63 - 1)}
    values: dict[str, Any] = {"scenario": scenario}
    for key, (low, high) in whole.items():
        if key not in section:
            continue
        value = section[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise UsageError(
                f"{where}.{key}: expected a whole number in [{low}, {high}], got {value!r}"
            )
        values[key] = value
    parameters = section.get("parameters") or {}
    if not isinstance(parameters, Mapping) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in parameters.values()
    ):
        raise UsageError(f"{where}.parameters: expected a mapping of parameter names to numbers")
    if parameters:
        values["parameters"] = {str(k): float(v) for k, v in parameters.items()}
    for key in ("mode", "adapted_to"):
        if key in section:
            if not isinstance(section[key], str):
                raise UsageError(f"{where}.{key}: expected a string, got {section[key]!r}")
            values[key] = section[key]
    if "record_muscles" in section:
        if not isinstance(section["record_muscles"], bool):
            raise UsageError(f"{where}.record_muscles: expected true or false")
        values["record_muscles"] = section["record_muscles"]
    items = section.get("interventions") or []
    if not isinstance(items, list):
        raise UsageError(f"{where}.interventions: expected a list of interventions")
    from msk.lifetimes import intervention

    interventions = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping) or "kind" not in item:
            raise UsageError(
                f"{where}.interventions[{i}]: expected a mapping with 'kind' (pir, stretch or "
                f"rest) and some of {list(_INTERVENTION_KEYS[1:])}"
            )
        unknown = sorted(str(k) for k in set(item) - set(_INTERVENTION_KEYS))
        if unknown:
            raise UsageError(
                f"{where}.interventions[{i}]: unknown key(s) {unknown}; expected some of "
                f"{list(_INTERVENTION_KEYS)}"
            )
        try:
            interventions.append(intervention(**dict(item)))
        except (TypeError, ValueError) as error:
            raise UsageError(f"{where}.interventions[{i}]: {_message(error)}") from None
    values["interventions"] = interventions
    return {"lifetime": values}


def _execute_lifetime(
    run: Mapping[str, Any], output: Path, progress: bool | None, resume: bool
) -> None:
    """Load the model and run the lifetime into ``output`` (continued with ``resume``)."""
    from msk._api import load_model
    from msk.lifetimes import lifetime

    model = load_model(
        run["model"],
        run["overrides"] or None,
        overrides_source=f"{run.get('file', 'run file')}: overrides",
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    if resume and output.exists():
        print(f"resuming: {output}")
    summary = lifetime(model, out=output, resume=resume, progress=progress, **run["lifetime"])
    print(f"results: {output}")
    print(
        f"days:    {summary['n_days']}"
        + (" (stopped)" if summary.get("stopped") else "")
        + f"; stature loss on the last day {1000 * summary['last_day_stature_loss']:.1f} mm"
    )


def _execute(
    run: Mapping[str, Any], output: Path, report: Path | None, progress: bool | None
) -> None:
    """Load the model, simulate, write results and (optionally) the report; print the paths."""
    from msk._api import load_model, simulate

    model = load_model(
        run["model"],
        run["overrides"] or None,
        overrides_source=f"{run.get('file', 'run file')}: overrides",
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    results = simulate(
        model, run["protocol"], output=output, progress=progress, **dict(run["options"])
    )
    print(f"results: {output}")
    _print_pir_summaries(run["protocol"], results)
    if report is not None:
        from msk.plot import dashboard

        report.parent.mkdir(parents=True, exist_ok=True)
        dashboard(results, path=report)
        print(f"report:  {report}")


def _print_pir_summaries(protocol: Mapping[str, Any], results: Any) -> None:
    """For each joint or region a ``pir`` phase works on: the barrier after each cycle (angle,
    torque, stiffness) and the range gained (:func:`msk.protocols.pir_summary`)."""
    from msk.protocols import pir_summary

    joints = [
        str(phase.get("joint") or phase.get("region"))
        for phase in protocol.get("phases") or []
        if isinstance(phase, Mapping)
        and phase.get("type") == "pir"
        and ("joint" in phase or "region" in phase)
    ]
    for joint in dict.fromkeys(joints):
        table = pir_summary(results, joint)
        print(f"\nPIR on {joint}: barrier after each cycle")
        if not len(table):
            print("  no barrier was reached")
            continue
        print(f"  barrier: {table.attrs['barrier_definition']}")
        print(
            f"  {'cycle':>5}  {'time [s]':>8}  {'barrier [deg]':>13}  {'torque [N m]':>12}  "
            f"{'stiffness [N m/deg]':>19}  {'gain [deg]':>10}"
        )
        for row in table.itertuples(index=False):
            print(
                f"  {row.cycle:>5}  {row.time_s:>8.2f}  {row.barrier_angle_deg:>13.2f}  "
                f"{row.barrier_torque_nm:>12.2f}  {row.barrier_stiffness_nm_per_deg:>19.3f}  "
                f"{row.gain_deg:>10.2f}"
            )
        total = float(table["cumulative_gain_deg"].iloc[-1])
        print(
            f"  range gained: {total:.2f} deg toward the stretch over "
            f"{int(table['cycle'].iloc[-1])} cycle(s)"
        )
        for t in table.attrs.get("exceeded", []):
            print(f"  warning: at t = {t:.2f} s a stretch started past its barrier")


def _execute_equilibrium(
    run: Mapping[str, Any],
    output: Path,
    report: Path | None,
    progress: bool | None,
    *,
    run_file: str = "",
    run_text: str = "",
) -> int:
    """Solve every (label, posture) of an equilibrium run, write them to ``output`` as they
    come and (optionally) the picture; print the paths. A posture that fails is recorded in the
    file and on stderr, and the others go on; the return value is then EXIT_SIMULATION when the
    muscles could not hold it (msk.EquilibriumError), EXIT_BAD_INPUT when the core refused one
    of its values (msk.InvalidArgument), else 0."""
    from msk import spine
    from msk._api import load_model
    from msk._parallel import run_tasks
    from msk._runtime import require_core
    from msk.spine.files import EquilibriumWriter

    core = require_core()
    mode = str(run["mode"])
    postures: list[Posture] = list(run["postures"])
    # Every model variant is built before anything is written: a bad override leaves no file.
    where = run.get("file") or run_file
    base = load_model(
        run["model"], run["overrides"] or None, overrides_source=f"{where}: overrides"
    )
    models = {
        label: base.with_overrides(extra, overrides_source=f"{where}: equilibrium.compare.{label}")
        if extra
        else base
        for label, extra in run["compare"].items()
    }
    levels = list(base.segment_names)
    for i, posture in enumerate(postures):
        unknown = sorted(set(posture.level_flexion_deg) - set(levels))
        if unknown:
            raise UsageError(
                f"{run_file}: equilibrium.postures[{i}].level_flexion_deg: expected levels of "
                f"model {base.name!r} ({', '.join(levels)}), got {', '.join(unknown)}"
            )
    tasks = [(label, posture) for label in models for posture in postures]
    meta = {
        "model_name": base.name,
        "model_file": base.file,
        "model_text": base.text,
        "run_file": run_file,
        "run_text": run_text,
        "mode": mode,
        "overrides": json.dumps(run["overrides"]),
        "labels": json.dumps(list(models)),
        "postures": json.dumps([p.name for p in postures]),
    }

    def solve(task: tuple[str, Posture]) -> tuple[EquilibriumResult | None, BaseException | None]:
        label, posture = task
        try:
            return spine.equilibrium(models[label], posture, mode=mode), None
        except (core.EquilibriumError, core.InvalidArgument) as error:
            return None, error

    output.parent.mkdir(parents=True, exist_ok=True)
    solved: dict[tuple[str, str], EquilibriumResult] = {}
    panels: dict[tuple[str, str], EquilibriumResult | str] = {}  # failed ones by their message
    failures: list[str] = []
    refused = False
    # The postures are solved in parallel and written in order as they come.
    outcomes = run_tasks(
        solve,
        tasks,
        progress=progress,
        description="equilibria",
        unit="posture",
        failed=lambda outcome: outcome[1] is not None,
    )
    # Closing the runner on an error (or Ctrl-C) drops the postures not yet solved.
    with EquilibriumWriter(output, meta) as writer, contextlib.closing(outcomes):
        for label, model in models.items():
            writer.add_label(label, model.name, model.text, run["compare"][label])
        for (label, posture), (result, error) in zip(tasks, outcomes):
            if error is not None:
                writer.add_error(label, posture, mode, str(error))
                panels[(label, posture.name)] = _message(error)
                failures.append(f"{label}: {_message(error)}")
                refused = refused or isinstance(error, core.InvalidArgument)
            else:
                assert result is not None
                writer.add(label, result)
                solved[(label, posture.name)] = result
                panels[(label, posture.name)] = result
    print(f"results: {output}")
    for failure in failures:
        print(f"msk: error: {failure}", file=sys.stderr)
    if report is not None and solved:
        report.parent.mkdir(parents=True, exist_ok=True)
        _equilibrium_figure(panels, report)
        print(f"report:  {report}")
    if failures:
        print(
            f"msk: {len(failures)} of {len(tasks)} posture(s) failed; the others are in {output}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT if refused else EXIT_SIMULATION
    return 0


def _equilibrium_figure(
    results: Mapping[tuple[str, str], EquilibriumResult | StoredEquilibrium | str],
    path: Path,
    title: str | None = None,
) -> None:
    """Draw ``{(label, posture): result}`` with msk.plot.spine_postures, one row per label when
    every label has the same postures, titled "label: posture"; a posture that failed (its
    error message in place of a result) keeps its panel, greyed; write it to ``path``."""
    import matplotlib.pyplot as plt

    from msk._spine_plot import spine_postures, summary_title

    def heading(key: tuple[str, str], r: Any) -> str:
        text = f"{key[0]}: {key[1]}"
        return text if isinstance(r, str) else summary_title(r, text)

    counts: dict[str, int] = {}
    for label, _ in results:
        counts[label] = counts.get(label, 0) + 1
    per_label = set(counts.values())
    ncols = per_label.pop() if len(per_label) == 1 and len(counts) > 1 else None
    if ncols == 1:  # one posture per label: a single row reads better than a column
        ncols = None
    titles = [heading(key, r) for key, r in results.items()]
    figure = spine_postures(
        list(results.values()), titles=titles, suptitle=title, ncols=ncols, path=path
    )
    plt.close(figure)


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


def _bundled_run_file(name: str) -> Any:
    """The packaged ``msk/models/runs/<name>`` if it exists, else None."""
    from importlib.resources import files

    resource = files("msk") / "models" / "runs" / name
    return resource if resource.is_file() else None


def _bundled_demo_file() -> Any:
    """The packaged ``msk/models/runs/demo.yaml`` if it exists, else None."""
    return _bundled_run_file("demo.yaml")


def _bundled_spine_file() -> Any:
    """The packaged ``msk/models/runs/spine_postures.yaml`` if it exists, else None."""
    return _bundled_run_file("spine_postures.yaml")


def _demo_spine_run() -> dict[str, Any]:
    """The spine demo when the packaged run file is missing (as models/runs/spine_postures.yaml):
    normal against hypertonic erector spinae and psoas in three postures."""
    return {
        "model": "lumbar",
        "equilibrium": {
            "postures": ["standing_relaxed", "sitting_slouched", "lift_round_back"],
            "mode": "rhythm",
            "compare": {
                "normal": {},
                "hypertonic": {
                    "groups.erector_spinae.tone": "hypertonic",
                    "groups.psoas.tone": "hypertonic",
                },
            },
        },
    }


# --- commands --------------------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace) -> int:
    directory = Path(args.output_dir)
    directory.mkdir(parents=True, exist_ok=True)
    _demo_episode(directory, args.progress)
    return _demo_equilibrium(directory, args.progress)


def _demo_episode(directory: Path, progress: bool | None) -> None:
    """The elbow PIR episode: DIR/msk_demo.h5 and DIR/msk_demo.png."""
    import yaml

    from msk._api import load_model

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
            "file": "<built-in demo>",
            "overrides": {},
            **_demo_run(model.muscle_names, model.joint_names),
        }
    _execute(run, directory / "msk_demo.h5", directory / "msk_demo.png", progress)


def _demo_equilibrium(directory: Path, progress: bool | None) -> int:
    """The lumbar postures, normal and hypertonic: DIR/msk_spine.h5 and DIR/msk_spine.png."""
    import yaml

    resource = _bundled_spine_file()
    if resource is not None:
        text = resource.read_text(encoding="utf-8")
        run_file = str(resource)
    else:
        text = yaml.safe_dump(_demo_spine_run(), sort_keys=False)
        run_file = "<built-in spine demo>"
    run = _check_run(yaml.safe_load(text), Path(run_file))
    return _execute_equilibrium(
        run,
        directory / "msk_spine.h5",
        directory / "msk_spine.png",
        progress,
        run_file=run_file,
        run_text=text,
    )


def _cmd_run(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.run_files]
    if len(paths) > 1 and (args.output or args.report):
        raise UsageError(
            "-o/--output and --report name the files of one run file; for several run files "
            "use --output-dir DIR (and --reports)"
        )
    directory = Path(args.output_dir) if args.output_dir else Path(".")
    stems: dict[str, Path] = {}
    for path in paths:
        if path.stem in stems and stems[path.stem].resolve() != path.resolve():
            raise UsageError(
                f"{path}: writes {path.stem}.h5, as {stems[path.stem]} does; rename one of them"
            )
        stems[path.stem] = path
    if len(paths) == 1:
        path = paths[0]
        output = Path(args.output) if args.output else directory / f"{path.stem}.h5"
        report = Path(args.report) if args.report else None
        if report is None and args.reports:
            report = output.with_suffix(".png")
        return _run_one(path, output, report, args.progress, args.resume)
    # Several run files: each runs, a failure is reported and the others go on.
    failed: list[tuple[Path, int]] = []
    for k, path in enumerate(dict.fromkeys(paths)):
        if k:
            print()
        print(f"== {path}")
        output = directory / f"{path.stem}.h5"
        report = output.with_suffix(".png") if args.reports else None
        try:
            status = _run_one(path, output, report, args.progress, args.resume)
        except KeyboardInterrupt:
            raise
        except Exception as error:
            if args.traceback:
                raise
            print(f"msk: error: {_message(error)}", file=sys.stderr)
            status = _exit_code(error)
        if status:
            failed.append((path, status))
    if failed:
        names = ", ".join(str(p) for p, _ in failed)
        print(f"msk: {len(failed)} of {len(stems)} run file(s) failed: {names}", file=sys.stderr)
        return failed[0][1]
    return 0


def _run_one(
    path: Path, output: Path, report: Path | None, progress: bool | None, resume: bool = False
) -> int:
    """Run one run file: an episode, postures or a lifetime. Returns the exit status."""
    run = _check_run(_read_yaml(path), path)
    if run.get("kind") == "lifetime":
        _execute_lifetime(run, output, progress, resume)
        if report is not None:
            print(
                f"msk: {path}: no figure for a lifetime run (open {output} with "
                "msk.load_lifetime and plot the days)",
                file=sys.stderr,
            )
        return 0
    if resume:
        raise UsageError(
            f"{path}: --resume continues lifetime run files; this run file is an "
            f"{'equilibrium run' if run.get('kind') == 'equilibrium' else 'episode'}"
        )
    if run.get("kind") == "equilibrium":
        return _execute_equilibrium(
            run,
            output,
            report,
            progress,
            run_file=str(path.resolve()),
            run_text=path.read_text(encoding="utf-8"),
        )
    _execute(run, output, report, progress)
    return 0


def _format_value(value: Any, width: int = 70) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _info_equilibrium(path: Path) -> int:
    """``msk info`` on an equilibrium file: what was solved, and the loads of each posture."""
    import h5py

    from msk.spine import load, load_errors
    from msk.spine.files import read_meta

    meta = read_meta(path)
    stored = load(path)
    errors = load_errors(path)
    with h5py.File(path, "r") as f:
        keys = [(label, name) for label, group in f["equilibrium"].items() for name in group]
    labels = list(dict.fromkeys(label for label, _ in keys))
    postures = list(dict.fromkeys(name for _, name in keys))
    print(f"file      {path}")
    print(f"kind      equilibrium (mode {meta.get('mode', '?')})")
    where = f"  ({meta['model_file']})" if meta.get("model_file") else ""
    print(f"model     {meta.get('model_name', '?')}{where}")
    print(f"msk       {meta.get('msk_version', '?')}")
    print(
        f"content   {len(labels)} label(s) {labels} x {len(postures)} posture(s) {postures}: "
        f"{len(stored)} solved, {len(errors)} failed"
    )

    print("\nmetadata")
    for key, value in meta.items():
        if key in ("kind", "model_name", "model_file", "msk_version", "mode"):
            continue
        texts = ("model_text", "run_text")
        shown = f"<{len(str(value).splitlines())} lines>" if key in texts else value
        print(f"  {key:<14} {_format_value(shown)}")

    print(f"\nequilibria ({len(keys)})")
    lw = max((len(label) for label, _ in keys), default=5)
    pw = max((len(name) for _, name in keys), default=7)
    for key in keys:
        label, name = key
        head = f"  {label:<{lw}}  {name:<{pw}}  "
        if key in errors:
            print(head + _format_value(f"failed: {errors[key]}", 300))
            continue
        levels = stored[key].levels
        if not len(levels):
            print(head + "no levels")
            continue
        worst = levels["pressure_MPa"].idxmax()
        print(
            head + f"{levels.index[0]} {levels['compression_N'].iloc[0]:6.0f} N   "
            f"peak {levels['pressure_MPa'].max():5.2f} MPa at {worst}   "
            f"facet share <= {levels['facet_share'].max():.2f}   "
            f"foramen >= {levels['foramen_height_mm'].min():.1f} mm   "
            f"effort {stored[key].effort:.3g}"
        )
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from msk._names import listing
    from msk.results import Results
    from msk.spine import is_equilibrium_file

    if is_equilibrium_file(args.file):
        return _info_equilibrium(Path(args.file))
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
        f"({listing(results.joints, 10)}), {len(results.muscles)} muscle(s) "
        f"({listing(results.muscles, 10)}), {len(results.pairs)} pair(s) "
        f"({listing(results.pairs, 10)})"
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

    if args.channels:
        print(f"\nchannels ({len(results.channels)})")
        width = max((len(c) for c in results.channels), default=8)
        units_width = max((len(u) for u in results.units.values()), default=5)
        for name in results.channels:
            units = results.units[name] or "-"
            line = f"  {name:<{width}}  [{units:<{units_width}}]  {results.descriptions[name]}"
            print(line.rstrip())
    else:
        _print_channel_kinds(results)
    return 0


def _channel_kinds(
    channels: Sequence[str], units: Mapping[str, str], joints: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Channels grouped by kind (their first part: ``joint``, ``muscle``, ``pair``...): the
    number of channels, the entities (second part) and the quantities (the rest, with a joint
    name shown as ``<joint>``) with their units."""
    kinds: dict[str, dict[str, Any]] = {}
    for name in channels:
        parts = name.split(".")
        kind = parts[0]
        entry = kinds.setdefault(kind, {"count": 0, "entities": {}, "quantities": {}})
        entry["count"] += 1
        if len(parts) >= 3:
            entry["entities"].setdefault(parts[1], None)
            rest = [("<joint>" if p in joints else p) for p in parts[2:]]
        else:
            rest = parts[1:]
        quantity = ".".join(rest) or kind
        entry["quantities"].setdefault(quantity, units.get(name, ""))
    return kinds


def _print_channel_kinds(results: Any) -> None:
    """``msk info`` without ``--channels``: one line per kind of channel."""
    from msk._names import listing

    kinds = _channel_kinds(results.channels, results.units, results.joints)
    print(f"\nchannels ({len(results.channels)} by kind; --channels lists them)")
    kind_width = max([len("kind")] + [len(k) for k in kinds])
    print(f"  {'kind':<{kind_width}}  {'channels':>8}  {'entities':>8}  quantities [units]")
    for kind, entry in kinds.items():
        n_entities = len(entry["entities"])
        quantities = [f"{q} [{u or '-'}]" for q, u in entry["quantities"].items()]
        print(
            f"  {kind:<{kind_width}}  {entry['count']:>8}  {n_entities or '':>8}  "
            f"{listing(quantities, 12)}"
        )


def _with_failures(
    path: str, stored: Mapping[tuple[str, str], StoredEquilibrium]
) -> dict[tuple[str, str], StoredEquilibrium | str]:
    """The solved postures of an equilibrium file and, in their places in run order, the
    messages of those that failed (so the picture keeps a panel for each)."""
    from msk.spine import load_errors

    errors = load_errors(path)
    if not errors:
        return dict(stored)
    keys = list(dict.fromkeys([*stored, *errors]))
    try:
        meta = _run_order(path)
        order = {key: i for i, key in enumerate(meta)}
        keys.sort(key=lambda key: order.get(key, len(order)))
    except (KeyError, ValueError, TypeError):
        pass
    return {key: stored[key] if key in stored else errors[key] for key in keys}


def _run_order(path: str) -> list[tuple[str, str]]:
    """(label, posture) in run order, from the ``labels`` and ``postures`` of the file's meta."""
    from msk.spine.files import read_meta

    meta = read_meta(path)
    labels, postures = json.loads(meta["labels"]), json.loads(meta["postures"])
    return [(str(label), str(posture)) for label in labels for posture in postures]


def _refuse_overwrite(path: Path, force: bool) -> None:
    """UsageError when ``path`` exists and ``force`` is not set."""
    if path.exists() and not force:
        raise UsageError(f"{path} exists; give --force to overwrite it, or -o another file")


def _cmd_plot(args: argparse.Namespace) -> int:
    from msk.plot import dashboard
    from msk.results import Results
    from msk.spine import is_equilibrium_file, load

    output = Path(args.output) if args.output else Path(args.file).with_suffix(".png")
    if is_equilibrium_file(args.file):
        if args.muscles or args.joints:
            raise UsageError(
                f"{args.file}: --muscles, --joints: only for episode files; this is an "
                "equilibrium file"
            )
        stored = load(args.file)
        if not stored:
            raise UsageError(f"{args.file}: no posture was held; nothing to draw")
        _refuse_overwrite(output, args.force)
        _equilibrium_figure(_with_failures(args.file, stored), output, title=args.title)
        print(output)
        return 0
    results = Results.load(args.file)
    _refuse_overwrite(output, args.force)
    dashboard(results, muscles=args.muscles, joints=args.joints, path=output, title=args.title)
    print(output)
    return 0


def _parse_assignments(items: Sequence[str]) -> dict[str, Any]:
    """``["a.b=1", "c=hypertonic"]`` as ``{"a.b": 1, "c": "hypertonic"}`` (values read as
    YAML scalars or lists)."""
    import yaml

    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(
                f"--set {item!r}: expected KEY=VALUE, e.g. groups.psoas.tone=hypertonic"
            )
        try:
            value = yaml.safe_load(text) if text.strip() else ""
        except yaml.YAMLError:
            raise UsageError(f"--set {item!r}: VALUE is not valid YAML") from None
        if key in out:
            raise UsageError(f"--set {key}: given twice")
        out[key] = value
    return out


def _with_tones(model: Any, items: Sequence[str], overrides: dict[str, Any]) -> Any:
    """``model`` with each ``--tone NAME=PRESET`` of ``items`` applied: NAME a muscle group
    (``groups.NAME.tone``) or a muscle (``muscles.NAME.tone``), PRESET a tone preset. Each item
    is added to ``overrides`` (for the title and the printout); an error names the item as typed."""
    from msk._names import unknown_name

    groups = list(dict(getattr(model, "groups", {}) or {}))
    for item in items:
        name, sep, preset = (part.strip() for part in item.partition("="))
        if not sep or not name or not preset:
            raise UsageError(
                f"--tone {item!r}: expected NAME=PRESET, e.g. extensors=hypertonic (NAME a muscle "
                "group or muscle)"
            )
        if name in groups:
            key = f"groups.{name}.tone"
        elif name in model.muscle_names:
            key = f"muscles.{name}.tone"
        else:
            valid = groups + list(model.muscle_names)
            raise UsageError(
                f"--tone {item!r}: "
                + unknown_name("muscle group or muscle", name, valid, f" of model {model.name!r}")
            )
        if key in overrides:
            raise UsageError(f"--tone {item!r}: {key} is already given")
        model = model.with_overrides({key: preset}, overrides_source=f"msk pose --tone {item}")
        overrides[key] = preset
    return model


def _cmd_pose(args: argparse.Namespace) -> int:
    """``msk pose MODEL POSTURE``: one equilibrium, its levels as CSV and its picture."""
    import matplotlib.pyplot as plt

    from msk._api import load_model
    from msk._runtime import require_core
    from msk.spine import Posture, equilibrium

    core = require_core()
    overrides = _parse_assignments(args.overrides)
    if args.profile is not None:
        if "tone_profile" in overrides:
            raise UsageError("--profile and --set tone_profile=...: give one of them")
        overrides["tone_profile"] = args.profile
    try:
        model = load_model(args.model, overrides or None, overrides_source="msk pose --set")
        model = _with_tones(model, args.tones, overrides)
    except core.ModelError as error:
        if (
            args.profile is not None
            and "'tone_profile'" in str(error)
            and "known field" in str(error)
        ):
            raise UsageError(
                f"--profile {args.profile}: this version of msk has no tone profiles (models "
                "have no field tone_profile yet); set the tone of muscle groups with --set, e.g. "
                "--set groups.erector_spinae.tone=hypertonic --set groups.psoas.tone=hypertonic"
            ) from None
        raise
    params = {} if args.load_kg is None else {"load_kg": args.load_kg}
    posture = Posture.preset(args.posture, **params)
    directory = Path(args.output_dir)
    parts = [model.name, posture.name] + ([args.profile] if args.profile else [])
    parts += [item.replace("=", "-") for item in args.tones]
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", "_".join(parts))
    table_path, picture_path = directory / f"{stem}.csv", directory / f"{stem}.png"
    for path in (table_path, picture_path):
        _refuse_overwrite(path, args.force)
    result = equilibrium(model, posture, mode=args.mode)

    directory.mkdir(parents=True, exist_ok=True)
    levels = result.levels
    units = levels.attrs.get("units", {})
    table = levels.copy()
    table.columns = [f"{c} [{units[c]}]" if units.get(c) else c for c in levels.columns]
    table.to_csv(table_path)
    shown = ", ".join(f"{k}={v}" for k, v in overrides.items()) or "no overrides"
    title = f"{model.name}, {posture.name} ({shown})\n{result.summary()}"
    plt.close(result.plot(title=title, path=picture_path))

    print(f"{model.name} in {posture.name}, mode {args.mode}, {shown}")
    print(f"  {'level':<7} {'compression':>11} {'pressure':>9} {'facet':>6} {'foramen':>8}")
    print(f"  {'':<7} {'[N]':>11} {'[MPa]':>9} {'share':>6} {'[mm]':>8}")
    for level, row in levels.iterrows():
        print(
            f"  {level!s:<7} {row['compression_N']:>11.0f} {row['pressure_MPa']:>9.2f} "
            f"{row['facet_share']:>6.2f} {row['foramen_height_mm']:>8.1f}"
        )
    print(f"table:   {table_path}")
    print(f"picture: {picture_path}")
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
    table = validation.run_all(args.cases) if args.cases else validation.run_all()
    if hasattr(validation, "to_text"):
        print(validation.to_text(table))
    elif table is not None:
        print(table.to_string() if hasattr(table, "to_string") else table)
    # A case that fails although its file expects it to pass is a regression; a case documented
    # as failing (expected_status: fail) is reported but does not fail the command. A case whose
    # run raised an error fails the command whatever its file expects.
    columns = getattr(table, "columns", ())
    statuses = table["status"] if "status" in columns else ()
    expected = (
        table["expected_status"] if "expected_status" in columns else ["pass"] * len(statuses)
    )
    errors = table["error"] if "error" in columns else [""] * len(statuses)
    ids = table["id"] if "id" in columns else [""] * len(statuses)
    unexpected = [s == "fail" and e != "fail" for s, e in zip(statuses, expected)]
    broken = [(i, m) for i, m in zip(ids, errors) if isinstance(m, str) and m]
    for case_id, message in broken:
        print(
            f"msk: error: validation case {case_id}: {_message(Exception(message))}",
            file=sys.stderr,
        )
    return EXIT_ERROR if any(unexpected) or broken else 0


# --- parser ----------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    from msk._runtime import installed_version

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
        "demo",
        parents=[progress],
        help="run the bundled demos (an elbow PIR episode; lumbar postures, normal and hypertonic)",
    )
    demo.add_argument(
        "-o",
        "--output-dir",
        default=".",
        help="directory for msk_demo.h5/.png (episode) and msk_spine.h5/.png (postures)",
    )
    demo.set_defaults(handler=_cmd_demo)

    run = commands.add_parser(
        "run", parents=[progress], help="run run files (YAML): episodes, postures or lifetimes"
    )
    run.add_argument(
        "run_files",
        nargs="+",
        metavar="RUN_FILE",
        help="run file(s): model, overrides, and protocol + options, equilibrium or lifetime; "
        "several run one after the other (a failure is reported and the others go on)",
    )
    run.add_argument(
        "-o", "--output", help="results file of one run file (default: <run file stem>.h5)"
    )
    run.add_argument(
        "--output-dir",
        metavar="DIR",
        help="directory of the results files <run file stem>.h5 (default: the current one)",
    )
    run.add_argument(
        "--report",
        help="also write a figure (e.g. report.png) of one run file: the dashboard, or the "
        "spines of the postures",
    )
    run.add_argument(
        "--reports",
        action="store_true",
        help="also write the figure of every run file beside its results (<stem>.png)",
    )
    run.add_argument(
        "--resume",
        action="store_true",
        help="lifetime run files: continue the results file a killed or stopped run left, from "
        "its checkpoint (the same file as an uninterrupted run; without it, start at day 0)",
    )
    run.set_defaults(handler=_cmd_run)

    info = commands.add_parser("info", help="summarise a results file")
    info.add_argument("file", help="results file (.h5)")
    info.add_argument(
        "--max-events", type=int, default=30, help="events listed at most (default 30)"
    )
    info.add_argument(
        "--channels",
        action="store_true",
        help="list every channel with its units (default: a count per kind of channel)",
    )
    info.set_defaults(handler=_cmd_info)

    plot = commands.add_parser(
        "plot", help="draw a results file: an episode's dashboard, or the postures' spines"
    )
    plot.add_argument("file", help="results file (.h5)")
    plot.add_argument("-o", "--output", help="figure file (default: FILE with .png)")
    plot.add_argument(
        "--muscles", nargs="+", metavar="MUSCLE", help="muscles to draw (episode files)"
    )
    plot.add_argument("--joints", nargs="+", metavar="JOINT", help="joints to draw (episode files)")
    plot.add_argument("--title", help="figure title")
    plot.add_argument("--force", action="store_true", help="overwrite an existing figure")
    plot.set_defaults(handler=_cmd_plot)

    pose = commands.add_parser(
        "pose",
        help="one posture of a spine model: the levels table (CSV) and the picture",
        description="Solve one posture (msk.equilibrium) and write the levels table (CSV) and "
        "the picture. Example: msk pose lumbar sitting_slouched --tone extensors=hypertonic "
        "-o out",
    )
    pose.add_argument("model", help="a spine model: bundled name (lumbar, cervical) or path")
    pose.add_argument("posture", help="a posture preset (e.g. standing_relaxed, sitting_slouched)")
    pose.add_argument(
        "--profile",
        help="a tone profile (e.g. lower_crossed), passed as the override tone_profile",
    )
    pose.add_argument(
        "--tone",
        dest="tones",
        action="append",
        default=[],
        metavar="NAME=PRESET",
        help="the tone preset of a muscle group or muscle, e.g. extensors=hypertonic "
        "(repeatable; short for --set groups.NAME.tone=PRESET)",
    )
    pose.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a model override, e.g. groups.psoas.tone=hypertonic (repeatable; VALUE is YAML)",
    )
    pose.add_argument(
        "--mode",
        default="rhythm",
        help="posture mode: fixed, rhythm (default) or relaxed (the posture relaxes)",
    )
    pose.add_argument("--load-kg", type=float, help="mass held in the hands [kg] (lifting presets)")
    pose.add_argument(
        "-o",
        "--output-dir",
        default=".",
        help="directory of <model>_<posture>[_<profile>][_<NAME>-<PRESET>...].csv and .png "
        "(default: the current one)",
    )
    pose.add_argument("--force", action="store_true", help="overwrite existing files")
    pose.set_defaults(handler=_cmd_pose)

    validate = commands.add_parser(
        "validate",
        help="compare msk with published measurements (exit 1 on an unexpected failure or an "
        "error)",
    )
    validate.add_argument(
        "--cases", metavar="DIR", help="folder of case files (default: the bundled cases)"
    )
    validate.set_defaults(handler=_cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``msk`` command with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after ``msk``.

    Returns
    -------
    int
        The exit status (module docstring): 0, 1, 2, 3 or 130.

    Raises
    ------
    SystemExit
        ``--help``, ``--version`` or arguments argparse refuses.
    Exception
        Any error, with ``--traceback`` (without it the error is printed on one line and its
        exit status returned).
    """
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
