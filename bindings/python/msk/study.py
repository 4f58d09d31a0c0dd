"""Parameter sweeps and cohorts: many episodes of one protocol, or many lifetimes, gathered in one
xarray Dataset.

Lifetime cohorts (:func:`lifetime_cohort`, people drawn with :func:`draw_people`): simulated
people living a scenario for days to years, with and without programmes, summarised per person
and programme; written as they finish to a folder that ``resume=True`` continues
(:func:`load_cohort` reads the result back). Guide: docs/guide/python.md ("Lifetime cohorts")
and docs/guide/cluster.md.

:func:`sweep` runs a protocol on every combination (or, with ``mode="zip"``, on matched tuples)
of parameter values; :func:`cohort` runs it on a list of people, each a set of overrides. Both
return an :class:`xarray.Dataset` with one dimension per swept parameter (``person`` for a
cohort), coordinates holding the values with their units, and

- one variable per number that ``reduce(results)`` returns (scalar summaries of each run),
- one variable per requested output channel along a last dimension ``time`` [s],
- ``error``: ``""`` for a run that worked, else the stage and the message of its failure
  (the run's summaries and series are NaN; ``ds.attrs["errors"]`` lists the failures and
  :func:`failures` returns them as a table).

A parameter is a field path: a model override (``"muscles.BIClong.tone.gain"``, as in
:func:`msk.load_model`) or, with the prefix ``protocol.``, a field of the protocol dict of
:meth:`msk.protocols.Protocol.to_dict` (``"protocol.phases.1.speed_deg_s"``,
``"protocol.initial.angles_deg.r_elbow_flex"``). :class:`Axis` names a dimension and may set
several fields to each of its values (all three elbow flexors at once, say).

Runs go to a local thread pool by default (the core releases the GIL while it integrates, so
threads run in parallel, and a run gives the same numbers on any thread), or to a Dask cluster
when ``client=`` is a ``dask.distributed.Client`` (an optional dependency, installed with
``pip install 'dask[distributed]'``; the workers need msk installed).

Example::

    import msk
    from msk import protocols as p, study

    FLEXORS = ["BIClong", "BICshort", "BRA"]
    stretch = p.Protocol(
        [p.hold("r_elbow_flex", 1.0), p.passive_stretch("r_elbow_flex", FLEXORS, speed_deg_s=30)],
        initial_angles_deg={"r_elbow_flex": 90.0},
    )

    def outcome(results):
        return {"peak_resisting_torque": results["examiner.r_elbow_flex.resisting_torque"].max()}

    gains = study.Axis([1.0, 3.0, 6.0], sets=[f"muscles.{m}.tone.gain" for m in FLEXORS])
    ds = study.sweep(
        msk.load_model("elbow"),
        stretch,
        grid={"flexor_gain": gains, "protocol.phases.1.speed_deg_s": [10.0, 30.0, 90.0]},
        reduce=outcome,
        units={"peak_resisting_torque": "N m"},
    )
    ds["peak_resisting_torque"].plot(x="protocol.phases.1.speed_deg_s", hue="flexor_gain")
"""

from __future__ import annotations

import copy
import difflib
import fnmatch
import functools
import inspect
import itertools
import json
import math
import os
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Optional, Union

import numpy as np

from msk._cohorts import CohortError, draw_people, lifetime_cohort, load_cohort, save_cohort
from msk._parallel import check_client, reduced_scalars, resolve_workers, run_tasks
from msk._runtime import installed_version
from msk.protocols import ProtocolLike, as_protocol_dict

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from msk._api import Model
    from msk.results import Results

__all__ = [
    "FIELD_UNITS",
    "PROTOCOL_PREFIX",
    "Axis",
    "CohortError",
    "Reducer",
    "StudyError",
    "cohort",
    "draw_people",
    "failures",
    "lifetime_cohort",
    "load_cohort",
    "save_cohort",
    "sweep",
    "units_of",
]

PROTOCOL_PREFIX = "protocol."
"""Field paths starting with this address the protocol dict instead of the model."""

Reducer = Callable[["Results"], Mapping[str, float]]
"""``reduce(results) -> {name: number}``: the scalar summaries of one run."""

FIELD_UNITS: dict[str, str] = {
    # muscles (docs/theory/muscle.md)
    "max_isometric_force": "N",
    "optimal_fibre_length": "m",
    "tendon_slack_length": "m",
    "pennation_at_optimal": "rad",
    "max_contraction_velocity": "L_opt/s",
    "fibre_damping": "1",
    "activation_time_constant": "s",
    "deactivation_time_constant": "s",
    "minimum_activation": "1",
    # tone and reflexes (docs/theory/neural.md)
    "threshold": "L_opt",
    "threshold_offset": "L_opt",
    "gain": "1/L_opt",
    "velocity_sensitivity": "s",
    "reflex_time_constant": "s",
    "pad_depth": "1",
    "pad_recovery_time_constant": "s",
    "pad_charge_time_constant": "s",
    "reciprocal_inhibition": "1",
    "branch_gain": "1",
    "branch_time_constant": "s",
    "stiffening": "1",
    "formation_time_constant": "s",
    "breaking_rate": "1/L_opt",
    # bodies and joints (docs/guide/model_files.md)
    "mass": "kg",
    "damping": "N m s/rad",
    "limit_stiffness": "N m",
    "limit_sharpness": "1/rad",
    "default": "rad",
    "radius": "m",
    # protocol phases (msk.protocols)
    "duration": "s",
    "max_duration": "s",
    "barrier_torque": "N m",
    "effort_pct_mvc": "% MVC",
    "cycles": "1",
}
"""Units of model and protocol fields by the last part of their path (e.g. ``gain`` -> ``1/L_opt``).

Names with a unit suffix need no entry: ``*_deg`` [deg], ``*_deg_s`` [deg/s], ``*_pct_mvc``
[% MVC], ``*_s`` [s]; so do the joints under ``protocol.initial.angles_deg`` [deg]."""

_SUFFIX_UNITS = (("_deg_s", "deg/s"), ("_deg", "deg"), ("_pct_mvc", "% MVC"), ("_s", "s"))
_RESERVED = ("error", "file", "time")


class StudyError(RuntimeError):
    """No run of a sweep or cohort succeeded (the message lists the first failures)."""


def units_of(name: str) -> str | None:
    """Units of a field path or an output name, when the name tells them.

    Parameters
    ----------
    name : str
        A field path (``"muscles.BIClong.tone.gain"``, ``"protocol.phases.1.speed_deg_s"``) or a
        summary name (``"barrier_angle_deg"``).

    Returns
    -------
    str or None
        ``"1/L_opt"``, ``"deg/s"``, ...; ``None`` when unknown.

    Raises
    ------
    Nothing
    """
    parts = name.split(".")
    if len(parts) >= 2 and parts[-2] == "angles_deg":
        return "deg"
    last = parts[-1]
    if last in FIELD_UNITS:
        return FIELD_UNITS[last]
    for suffix, units in _SUFFIX_UNITS:
        if last.endswith(suffix) and len(last) > len(suffix):
            return units
    return None


# --- the grid --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    """One dimension of a sweep, whose values set one or several fields together.

    Parameters
    ----------
    values : sequence of numbers, strings or bools
        The values of the dimension (its coordinate), distinct, at least one.
    sets : str or sequence of str
        Field paths set to each value: model overrides (``"muscles.BRA.tone.gain"``) or
        protocol fields (``"protocol.phases.1.speed_deg_s"``). Several paths move together: one
        dimension, not one per path.
    units : str, optional
        Units of the values, stored in the coordinate's attrs; by default
        :func:`units_of` the first path.

    Examples
    --------
    >>> flexors = ["BIClong", "BICshort", "BRA"]
    >>> gain = Axis([1.0, 3.0], sets=[f"muscles.{m}.tone.gain" for m in flexors])
    """

    values: Sequence[Any]
    sets: Union[str, Sequence[str]]
    units: Optional[str] = None


@dataclass(frozen=True)
class _Dimension:
    """A dimension of the result: its labels (coordinate), extra coordinates along it, and the
    fields each label sets."""

    name: str
    labels: list[Any]
    assignments: list[dict[str, Any]]
    attrs: dict[str, str] = field(default_factory=dict)
    coords: dict[str, tuple[list[Any], dict[str, str]]] = field(default_factory=dict)


def _scalar(where: str, value: Any) -> Any:
    """``value`` as a plain bool, int, float or str, or ``ValueError``."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{where}: expected a finite number, got {value!r}")
        return value
    raise ValueError(
        f"{where}: expected a number, a string or a bool, got {type(value).__name__} {value!r}"
        " (set structured fields one leaf at a time, e.g. 'muscles.BRA.tone.gain')"
    )


def _values(where: str, values: Any) -> list[Any]:
    """The values of a dimension: a non-empty 1-D sequence of distinct scalars."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, (Sequence, np.ndarray)):
        raise ValueError(f"{where}: expected a list of values, got {values!r}")
    array = np.asarray(values, dtype=object)
    if array.ndim != 1:
        raise ValueError(f"{where}: expected a 1-D list of values, got shape {array.shape}")
    result = [_scalar(f"{where}[{i}]", v) for i, v in enumerate(array.tolist())]
    if not result:
        raise ValueError(f"{where}: expected at least one value, got an empty list")
    for k, value in enumerate(result):
        if any(isinstance(s, str) == isinstance(value, str) and s == value for s in result[:k]):
            raise ValueError(f"{where}: expected distinct values, got {value!r} twice")
    return result


def _field_paths(where: str, sets: Any) -> list[str]:
    paths = [sets] if isinstance(sets, str) else list(sets) if isinstance(sets, Sequence) else None
    if not paths or any(not isinstance(s, str) or not s or s.endswith(".") for s in paths):
        raise ValueError(f"{where}: expected a field path or a list of field paths, got {sets!r}")
    if len(set(paths)) != len(paths):
        raise ValueError(f"{where}: expected distinct field paths, got {paths}")
    return paths


def _axes(grid: Mapping[str, Any], units: Mapping[str, str]) -> list[tuple[str, list, list, str]]:
    """(name, values, field paths, units) of each grid entry, checked."""
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(
            "grid: expected a dict of field path (or dimension name) to values, e.g. "
            "{'muscles.BIClong.tone.gain': [1.0, 2.0]}"
        )
    axes = []
    owner: dict[str, str] = {}
    for name, entry in grid.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"grid: expected string keys, got {name!r}")
        if name in _RESERVED:
            raise ValueError(f"grid[{name!r}]: {name!r} is reserved; name the dimension otherwise")
        if isinstance(entry, Axis):
            paths = _field_paths(f"grid[{name!r}].sets", entry.sets)
            values = _values(f"grid[{name!r}].values", entry.values)
            unit = entry.units or units.get(name) or units_of(paths[0]) or ""
        else:
            paths = [name]
            values = _values(f"grid[{name!r}]", entry)
            unit = units.get(name) or units_of(name) or ""
        for path in paths:
            if path in owner:
                raise ValueError(
                    f"grid: field {path!r} is set by both {owner[path]!r} and {name!r}"
                )
            owner[path] = name
        axes.append((name, values, paths, unit))
    return axes


def _coordinate_attrs(paths: Sequence[str], unit: str) -> dict[str, str]:
    attrs = {"fields": ", ".join(paths)}
    if unit:
        attrs["units"] = unit
    return attrs


def _product_dimensions(axes: list[tuple[str, list, list, str]]) -> list[_Dimension]:
    return [
        _Dimension(
            name,
            values,
            [dict.fromkeys(paths, value) for value in values],
            _coordinate_attrs(paths, unit),
        )
        for name, values, paths, unit in axes
    ]


def _zip_dimension(axes: list[tuple[str, list, list, str]], name: str) -> _Dimension:
    lengths = {axis[0]: len(axis[1]) for axis in axes}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"grid: mode='zip' needs lists of the same length, got {lengths}")
    n = next(iter(lengths.values()))
    assignments = [
        {path: values[k] for _, values, paths, _ in axes for path in paths} for k in range(n)
    ]
    coords = {
        axis_name: (values, _coordinate_attrs(paths, unit))
        for axis_name, values, paths, unit in axes
    }
    return _Dimension(name, list(range(n)), assignments, {"long_name": "run"}, coords)


# --- protocol fields -------------------------------------------------------------------------


def _set_protocol_field(protocol: dict[str, Any], path: str, value: Any) -> None:
    """Set ``protocol.<a>.<b>...`` in a protocol dict (list items by index), in place."""
    parts = path[len(PROTOCOL_PREFIX) :].split(".")
    node: Any = protocol
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = PROTOCOL_PREFIX + ".".join(parts[: depth + 1])
        if isinstance(node, list):
            try:
                index = int(part)
                node[index]  # noqa: B018 (checks the index)
            except (ValueError, IndexError):
                raise ValueError(
                    f"{path}: {where!r}: expected an index in [0, {len(node)}), got {part!r}"
                ) from None
            if last:
                node[index] = value
            else:
                node = node[index]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            elif part not in node:
                raise ValueError(f"{path}: no field {where!r}; the protocol has {sorted(node)}")
            else:
                node = node[part]
        else:
            raise ValueError(f"{path}: {where!r} is not inside a mapping or a list")


def _point_protocol(base: dict[str, Any], assignment: Mapping[str, Any]) -> dict[str, Any]:
    """The protocol dict of one run: ``base`` with the ``protocol.*`` fields set, validated."""
    fields = {k: v for k, v in assignment.items() if k.startswith(PROTOCOL_PREFIX)}
    if not fields:
        return base
    protocol = copy.deepcopy(base)
    for path, value in fields.items():
        _set_protocol_field(protocol, path, value)
    try:
        return as_protocol_dict(protocol)
    except ValueError as error:
        shown = ", ".join(f"{k}={v!r}" for k, v in fields.items())
        raise ValueError(f"protocol with {shown}: {error}") from None


# --- running ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    """Everything one run needs (picklable for Dask once ``model`` is dropped)."""

    index: tuple[int, ...]
    model_text: str
    model_file: str
    overrides: dict[str, Any]
    protocol: dict[str, Any]
    options: dict[str, Any]
    channels: list[str]
    reduce: Reducer | None
    output: str
    record_errors: bool
    source: str = ""  # who gave the overrides, for error messages
    model: Any = None  # the base msk.Model, reused by local runs without model overrides


@dataclass
class _Outcome:
    """What one run returns to the driver."""

    index: tuple[int, ...]
    error: str = ""
    scalars: dict[str, float] = field(default_factory=dict)
    steps: np.ndarray | None = None  # output-grid index of each kept sample, shape (k,)
    series: dict[str, np.ndarray] = field(default_factory=dict)  # channel -> (k,)
    units: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    file: str = ""


def _grid_samples(time: np.ndarray, output_dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``time`` that lie on the output grid k·output_dt, the last row of each k, and k.

    The core adds samples at events and at the end (off the grid); they are left out so that all
    runs share one time axis.
    """
    k = np.rint(time / output_dt)
    on_grid = np.abs(time - k * output_dt) <= 1e-6 * output_dt
    rows = np.flatnonzero(on_grid)
    steps = k[rows].astype(np.int64)
    # Keep the last row of each grid time (after an event at that time).
    last = np.r_[steps[1:] != steps[:-1], True] if steps.size else np.zeros(0, bool)
    return rows[last], steps[last]


def _run(task: _Task, cancel: threading.Event | None = None) -> _Outcome:
    """One run: build the model, simulate, reduce, keep the requested channels.

    ``cancel`` (local runs) stops the integration at its next progress call once it is set.
    """
    from msk._api import Model, simulate

    outcome = _Outcome(task.index)
    if cancel is not None and cancel.is_set():
        outcome.error = "cancelled"
        return outcome
    keep_going = (lambda t, t_end: not cancel.is_set()) if cancel is not None else False
    stage = "model"
    try:
        if task.model is not None and not task.overrides:
            model = task.model
        else:
            model = Model.from_text(
                task.model_text,
                task.overrides or None,
                task.model_file,
                overrides_source=task.source or None,
            )
        stage = "simulate"
        results = simulate(
            model, task.protocol, output=task.output or None, progress=keep_going, **task.options
        )
        stage = "reduce"
        if task.reduce is not None:
            outcome.scalars = reduced_scalars(task.reduce, results)
        if task.channels:
            rows, outcome.steps = _grid_samples(results.time, float(task.options["output_dt"]))
            for name in task.channels:
                if name in results:
                    outcome.series[name] = np.array(results[name][rows])
                    outcome.units[name] = results.units[name]
                    outcome.descriptions[name] = results.descriptions[name]
    except Exception as error:
        if not task.record_errors:
            raise
        outcome.error = f"{stage}: {type(error).__name__}: {' '.join(str(error).split())}"
        outcome.scalars, outcome.series, outcome.steps = {}, {}, None
    if task.output and os.path.isfile(task.output):
        outcome.file = task.output
    return outcome


# --- the dataset -----------------------------------------------------------------------------


def _coordinate(values: Sequence[Any]) -> np.ndarray:
    """A coordinate array: numbers as float or int, strings as str, anything mixed as object."""
    if all(isinstance(v, bool) for v in values):
        return np.array(values, dtype=bool)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        kind = int if all(isinstance(v, int) for v in values) else float
        return np.array(values, dtype=kind)
    if all(isinstance(v, str) for v in values):
        return np.array(values, dtype=str)
    return np.array(values, dtype=object)


def _label(dimensions: Sequence[_Dimension], index: tuple[int, ...]) -> str:
    """``"gain=3.0, speed=30.0"`` or ``"person='P2' (muscles.BRA.tone.gain=4.0)"``: the values of
    one run."""
    parts = []
    for d, i in zip(dimensions, index):
        text = f"{d.name}={d.labels[i]!r}"
        shown = [
            f"{name}={values[i]!r}"
            for name, (values, _) in d.coords.items()
            if not (values[i] == "" or (isinstance(values[i], float) and math.isnan(values[i])))
        ]
        if shown:
            text += f" ({', '.join(shown)})"
        parts.append(text)
    return ", ".join(parts)


def _assemble(
    dimensions: list[_Dimension],
    outcomes: list[_Outcome],
    channels: list[str],
    output_dt: float,
    units: Mapping[str, str],
    attrs: dict[str, Any],
) -> xr.Dataset:
    import xarray as xr

    shape = tuple(len(d.labels) for d in dimensions)
    dims = tuple(d.name for d in dimensions)
    coords: dict[str, Any] = {}
    for d in dimensions:
        coords[d.name] = xr.Variable(d.name, _coordinate(d.labels), attrs=dict(d.attrs))
        for name, (values, coord_attrs) in d.coords.items():
            coords[name] = xr.Variable(d.name, _coordinate(values), attrs=dict(coord_attrs))

    ok = [o for o in outcomes if not o.error]
    variables: dict[str, Any] = {}

    # Scalar summaries, in the order the runs first returned them.
    names: dict[str, None] = {}
    for outcome in sorted(ok, key=lambda o: o.index):
        names.update(dict.fromkeys(outcome.scalars))
    clash = sorted(set(names) & (set(channels) | set(_RESERVED) | set(coords)))
    if clash:
        raise ValueError(f"reduce: names {clash} are taken by outputs, coordinates or 'error'")
    for name in names:
        data = np.full(shape, np.nan)
        for outcome in ok:
            data[outcome.index] = outcome.scalars.get(name, np.nan)
        unit = units.get(name) or units_of(name)
        variables[name] = xr.Variable(dims, data, attrs={"units": unit} if unit else {})

    # Time series on the common output grid, NaN past the end of shorter runs.
    if channels:
        n_time = max(
            (int(o.steps[-1]) + 1 for o in ok if o.steps is not None and o.steps.size), default=0
        )
        coords["time"] = xr.Variable(
            "time", np.arange(n_time) * output_dt, attrs={"units": "s", "long_name": "time"}
        )
        for name in channels:
            data = np.full((*shape, n_time), np.nan)
            channel_attrs: dict[str, str] = {}
            for outcome in ok:
                if name in outcome.series:
                    data[outcome.index][outcome.steps] = outcome.series[name]
                    channel_attrs = {
                        "units": outcome.units[name],
                        "description": outcome.descriptions[name],
                    }
            variables[name] = xr.Variable((*dims, "time"), data, attrs=channel_attrs)

    error = np.full(shape, "", dtype=object)
    for outcome in outcomes:
        error[outcome.index] = outcome.error
    variables["error"] = xr.Variable(
        dims, error, attrs={"description": "why the run failed ('' if it did not)"}
    )
    files = [o for o in outcomes if o.file]
    if files:
        file = np.full(shape, "", dtype=object)
        for outcome in files:
            file[outcome.index] = outcome.file
        variables["file"] = xr.Variable(dims, file, attrs={"description": "HDF5 file of the run"})

    failed = sorted((o for o in outcomes if o.error), key=lambda o: o.index)
    attrs = {
        **attrs,
        "n_runs": len(outcomes),
        "n_failed": len(failed),
        "errors": "\n".join(f"{_label(dimensions, o.index)}: {o.error}" for o in failed),
    }
    return xr.Dataset(variables, coords=coords, attrs=attrs)


# --- shared driver ---------------------------------------------------------------------------


def _output_channels(outputs: Any, available: Sequence[str], has_reduce: bool) -> list[str]:
    """Channel names matching ``outputs`` (names or glob patterns), in model order."""
    if outputs is None:
        return [] if has_reduce else list(available)
    patterns = [outputs] if isinstance(outputs, str) else list(outputs)
    chosen: dict[str, None] = {}
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise ValueError(f"outputs: expected channel names or patterns, got {pattern!r}")
        matched = [c for c in available if fnmatch.fnmatchcase(c, pattern)]
        if not matched:
            close = difflib.get_close_matches(pattern, available, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"outputs: no channel matches {pattern!r}{hint}")
        chosen.update(dict.fromkeys(matched))
    return [c for c in available if c in chosen]


def _study(
    kind: str,
    model: Model | str | os.PathLike[str],
    protocol: ProtocolLike,
    dimensions: list[_Dimension],
    *,
    outputs: Any,
    reduce: Reducer | None,
    units: Mapping[str, str],
    options: Mapping[str, Any] | None,
    output_dir: str | os.PathLike[str] | None,
    n_workers: int | None,
    client: Any,
    errors: str,
    progress: bool,
    extra_attrs: Mapping[str, Any],
) -> xr.Dataset:
    from msk._api import Model, check_override_keys, load_model, simulate, solver_options

    source = f"msk.study.{kind}({'grid' if kind == 'sweep' else 'people, grid'}=...)"
    if errors not in ("record", "raise"):
        raise ValueError(f"errors: expected 'record' or 'raise', got {errors!r}")
    if reduce is not None and not callable(reduce):
        raise ValueError(f"reduce: expected a function results -> dict, got {reduce!r}")
    if not isinstance(model, Model):
        model = load_model(model)
    options = dict(options or {})
    known = ("output_dt", "stepper", "rtol", "atol", "max_steps", "seed", "max_step")
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ValueError(f"options: unknown {unknown}; expected some of {list(known)}")
    # msk.simulate's own defaults, checked as it checks them, and recorded in the dataset.
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(simulate).parameters.items()
        if name in known
    }
    options = dict(solver_options(**{**defaults, **options}))
    channels = _output_channels(outputs, model.channel_names, reduce is not None)
    base_protocol = as_protocol_dict(protocol)

    # One task per point of the grid; protocol fields are checked here, before anything runs.
    folder = Path(output_dir) if output_dir is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    tasks: list[_Task] = []
    protocols: dict[str, dict[str, Any]] = {}
    for flat, index in enumerate(itertools.product(*(range(len(d.labels)) for d in dimensions))):
        assignment: dict[str, Any] = {}
        for d, i in zip(dimensions, index):
            assignment.update(d.assignments[i])
        protocol_fields = {k: v for k, v in assignment.items() if k.startswith(PROTOCOL_PREFIX)}
        key = json.dumps(protocol_fields, sort_keys=True)
        if key not in protocols:
            protocols[key] = _point_protocol(base_protocol, protocol_fields)
        overrides = {k: v for k, v in assignment.items() if not k.startswith(PROTOCOL_PREFIX)}
        tasks.append(
            _Task(
                index=index,
                model_text=model.text,
                model_file=model.file,
                overrides=overrides,
                protocol=protocols[key],
                options=options,
                channels=channels,
                reduce=reduce,
                output=str(folder / f"run_{flat:05d}.h5") if folder is not None else "",
                record_errors=errors == "record",
                source=source,
                model=model,
            )
        )

    # The runner's arguments are checked before anything runs, like the rest; then every
    # override key, with one load of the model, so that a misspelt key fails once, up front.
    resolve_workers(n_workers, client, len(tasks))
    check_client(client)
    keys: dict[str, Any] = {}
    for task in tasks:
        for path, value in task.overrides.items():
            keys.setdefault(path, value)
    check_override_keys(model, keys, overrides_source=source)
    if client is None:
        # On Ctrl-C or a raised failure the runner sets `cancel`: running episodes stop.
        cancel: threading.Event | None = threading.Event()
        function: Callable[[_Task], _Outcome] = functools.partial(_run, cancel=cancel)
        items = tasks
    else:
        cancel, function = None, _run
        items = [replace(t, model=None) for t in tasks]  # the workers rebuild the model
    outcomes = list(
        run_tasks(
            function,
            items,
            n_workers=n_workers,
            client=client,
            progress=progress,
            description=kind,
            unit="run",
            ordered=False,
            failed=lambda outcome: bool(outcome.error),
            cancel=cancel,
        )
    )

    attrs = {
        "study": kind,
        **extra_attrs,
        "model_name": model.name,
        "model_file": model.file,
        "model_text": model.text,
        "protocol": json.dumps(base_protocol),
        "options": json.dumps(options),
        "msk_version": installed_version(),
    }
    dataset = _assemble(dimensions, outcomes, channels, options["output_dt"], units, attrs)
    n_failed = dataset.attrs["n_failed"]
    if n_failed == len(tasks):
        first = dataset.attrs["errors"].splitlines()[:3]
        raise StudyError(f"{kind}: all {len(tasks)} runs failed; the first: " + "; ".join(first))
    if n_failed:
        warnings.warn(
            f"{kind}: {n_failed} of {len(tasks)} runs failed (NaN in the results); "
            "see ds['error'] or msk.study.failures(ds)",
            RuntimeWarning,
            stacklevel=3,
        )
    return dataset


# --- public ----------------------------------------------------------------------------------


def sweep(
    model: Model | str | os.PathLike[str],
    protocol: ProtocolLike,
    grid: Mapping[str, Sequence[Any] | Axis],
    *,
    mode: Literal["product", "zip"] = "product",
    outputs: str | Sequence[str] | None = None,
    reduce: Reducer | None = None,
    units: Mapping[str, str] | None = None,
    options: Mapping[str, Any] | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    n_workers: int | None = None,
    client: Any = None,
    errors: Literal["record", "raise"] = "record",
    progress: bool = True,
) -> xr.Dataset:
    """Run ``protocol`` over a grid of parameter values.

    Parameters
    ----------
    model : Model, str or path
        The base model (a :class:`msk.Model`, or a bundled name / path); each run applies its
        overrides on top of it (the model itself is never changed).
    protocol : Protocol, dict or list of phases
        The protocol of every run (see :mod:`msk.protocols`); grid entries starting with
        ``protocol.`` change fields of its dict form, e.g. ``"protocol.phases.1.speed_deg_s"``.
    grid : dict of str to list or Axis
        ``{field path: [values]}``: one dimension per entry, named after the path, its values as
        coordinate; or ``{dimension name: Axis(values, sets=paths)}`` to set several fields to
        each value. Values are numbers, strings or bools, in the units of the field (SI in model
        files; the unit in the name otherwise, e.g. ``*_deg``).
    mode : {"product", "zip"}
        ``"product"``: every combination, one dimension per grid entry, shape
        ``(len(values_1), len(values_2), ...)``. ``"zip"``: the i-th values of all entries
        together (equal lengths), one dimension ``point`` with each entry a coordinate along it.
    outputs : str or list of str, optional
        Channels to keep as time series (names or glob patterns such as ``"muscle.*.force"``),
        along a last dimension ``time`` [s] on the output grid k·output_dt (samples the core adds
        at events are left out; shorter runs end in NaN). Default: every channel without
        ``reduce``, none with it.
    reduce : callable, optional
        ``reduce(results) -> {name: number}`` (:class:`msk.Results` in): scalar summaries of a
        run, one variable each. A name's units come from ``units`` or its suffix (``*_deg``,
        ``*_s``, see :func:`units_of`). For Dask it must be picklable (notebook functions are).
    units : dict of str to str, optional
        Units of dimensions and summaries by name, where the names do not tell them.
    options : dict, optional
        Keywords of :func:`msk.simulate` for every run: ``output_dt`` [s], ``stepper``, ``rtol``,
        ``atol``, ``max_steps``, ``seed``.
    output_dir : str or path, optional
        Also write each run's HDF5 file there (``run_00000.h5``, ... in grid order; a variable
        ``file`` names them). With Dask, a folder the workers can write.
    n_workers : int, optional
        Threads of the local pool; default: the number of CPUs (at most the number of runs).
        ``1`` runs serially in the calling thread.
    client : dask.distributed.Client, optional
        Run on this Dask cluster instead of local threads (needs ``dask[distributed]`` and msk
        installed on the workers).
    errors : {"record", "raise"}
        ``"record"``: a failed run (invalid override, ``msk.SimulationError``, an exception in
        ``reduce``) leaves NaN and its message in ``error``, with a ``RuntimeWarning`` at the end;
        ``"raise"``: the first failure stops the study and is raised as is.
    progress : bool
        Show a progress bar (tqdm) of finished runs.

    Returns
    -------
    xarray.Dataset
        Dimensions: the grid's (or ``point``), plus ``time`` when there are outputs.
        Coordinates carry ``units`` and ``fields`` (the paths they set) in their attrs.
        Variables: the summaries (float, NaN where a run failed), the outputs
        (``(*grid, time)``, attrs ``units`` and ``description``), ``error`` (str, ``""`` if the
        run worked) and ``file`` with ``output_dir``. Attrs: ``study``, ``mode``, ``model_name``,
        ``model_text`` (the base model), ``protocol``, ``options`` (JSON), ``msk_version``,
        ``n_runs``, ``n_failed`` and ``errors`` (one line per failure, naming its values).

    Raises
    ------
    ValueError
        A bad grid, protocol field, option or output name, ``n_workers`` or a NaN or infinite
        value (checked before anything runs).
    msk.ModelError
        An override key names no field or element of the model: every key is checked with one
        load of the model before the first run (a value the core refuses fails only the runs
        that use it).
    StudyError
        Every run failed.
    TypeError
        ``client`` is not a Dask client.
    ImportError
        ``client`` is given but dask.distributed is not installed.

    Examples
    --------
    >>> ds = sweep("elbow", stretch, {"muscles.BIClong.tone.gain": [1.0, 3.0]},
    ...            reduce=lambda r: {"peak_force": r["muscle.BIClong.force"].max()},
    ...            units={"peak_force": "N"})  # doctest: +SKIP
    >>> ds["peak_force"].sel({"muscles.BIClong.tone.gain": 3.0})  # doctest: +SKIP
    """
    if mode not in ("product", "zip"):
        raise ValueError(f"mode: expected 'product' or 'zip', got {mode!r}")
    axes = _axes(grid, dict(units or {}))
    dimensions = _product_dimensions(axes) if mode == "product" else [_zip_dimension(axes, "point")]
    return _study(
        "sweep",
        model,
        protocol,
        dimensions,
        outputs=outputs,
        reduce=reduce,
        units=dict(units or {}),
        options=options,
        output_dir=output_dir,
        n_workers=n_workers,
        client=client,
        errors=errors,
        progress=progress,
        extra_attrs={"mode": mode},
    )


def _people(people: Any, labels: Sequence[Any] | None) -> tuple[list[Any], list[dict[str, Any]]]:
    """Labels and flat override dicts of a cohort's people."""
    from msk._api import flatten_overrides

    table = None
    if hasattr(people, "to_dict") and hasattr(people, "index") and hasattr(people, "columns"):
        table = people  # a pandas DataFrame: one row per person, NaN = not set
        rows = []
        for _, row in table.iterrows():
            rows.append(
                {
                    str(k): v
                    for k, v in row.items()
                    if not (v is None or (isinstance(v, float) and math.isnan(v)))
                }
            )
        default_labels = list(table.index)
    elif isinstance(people, Mapping):
        rows = list(people.values())
        default_labels = list(people.keys())
    elif isinstance(people, Sequence) and not isinstance(people, (str, bytes)):
        rows = list(people)
        default_labels = list(range(len(rows)))
    else:
        raise ValueError(
            "people: expected a list of override dicts, a dict of label to overrides, or a "
            f"pandas DataFrame, got {type(people).__name__}"
        )
    if not rows:
        raise ValueError("people: expected at least one person, got none")
    flat: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise ValueError(f"people[{i}]: expected a dict of overrides, got {row!r}")
        flat.append(
            {k: _scalar(f"people[{i}][{k!r}]", v) for k, v in flatten_overrides(row).items()}
        )
    chosen = list(labels) if labels is not None else default_labels
    if len(chosen) != len(flat):
        raise ValueError(f"labels: expected {len(flat)} labels, got {len(chosen)}")
    chosen = [_scalar(f"labels[{i}]", v) for i, v in enumerate(chosen)]
    if len({(type(v), v) for v in chosen}) != len(chosen):
        raise ValueError(f"labels: expected distinct labels, got {chosen}")
    return chosen, flat


def cohort(
    model: Model | str | os.PathLike[str],
    protocol: ProtocolLike,
    people: Sequence[Mapping[str, Any]] | Mapping[Any, Mapping[str, Any]] | pd.DataFrame,
    *,
    labels: Sequence[Any] | None = None,
    grid: Mapping[str, Sequence[Any] | Axis] | None = None,
    outputs: str | Sequence[str] | None = None,
    reduce: Reducer | None = None,
    units: Mapping[str, str] | None = None,
    options: Mapping[str, Any] | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    n_workers: int | None = None,
    client: Any = None,
    errors: Literal["record", "raise"] = "record",
    progress: bool = True,
) -> xr.Dataset:
    """Run ``protocol`` on each person of a cohort (and optionally over a grid for each).

    Parameters
    ----------
    model : Model, str or path
        The model every person starts from.
    protocol : Protocol, dict or list of phases
        The protocol of every run.
    people : list of dict, dict of label to dict, or pandas.DataFrame
        One set of overrides per person: field paths (model overrides or ``protocol.*`` fields,
        flat or nested) to values. A DataFrame has one row per person and one column per field
        path; an empty cell (NaN) leaves the model's own value.
    labels : sequence, optional
        Coordinate of the ``person`` dimension; default: the dict keys, the DataFrame index or
        ``0 .. n-1``.
    grid : dict, optional
        A grid as in :func:`sweep` (product mode) run for every person: dimensions
        ``(person, *grid)``. Its fields must differ from the people's.
    outputs, reduce, units, options, output_dir, n_workers, client, errors, progress
        As in :func:`sweep`.

    Returns
    -------
    xarray.Dataset
        As :func:`sweep`, with first dimension ``person``; each field path that any person sets
        is a coordinate along ``person`` (NaN, or ``""`` for text, where a person leaves it).

    Raises
    ------
    ValueError, msk.ModelError, StudyError, TypeError, ImportError
        As :func:`sweep`; also people that are not override dicts, or labels that are not
        distinct.
    """
    units = dict(units or {})
    chosen, flat = _people(people, labels)
    paths: dict[str, None] = {}
    for row in flat:
        paths.update(dict.fromkeys(row))
    coords: dict[str, tuple[list[Any], dict[str, str]]] = {}
    for path in paths:
        values = [row.get(path) for row in flat]
        present = [v for v in values if v is not None]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)
        filled = [v if v is not None else (math.nan if numeric else "") for v in values]
        if numeric:
            filled = [float(v) for v in filled]
        coords[path] = (filled, _coordinate_attrs([path], units.get(path) or units_of(path) or ""))
    person = _Dimension("person", chosen, flat, {}, coords)
    dimensions = [person]
    if grid:
        dimensions += _product_dimensions(_axes(grid, units))
        taken = set(paths)
        for d in dimensions[1:]:
            for path in d.assignments[0]:
                if path in taken:
                    raise ValueError(f"grid: field {path!r} is also set by the people")
    return _study(
        "cohort",
        model,
        protocol,
        dimensions,
        outputs=outputs,
        reduce=reduce,
        units=units,
        options=options,
        output_dir=output_dir,
        n_workers=n_workers,
        client=client,
        errors=errors,
        progress=progress,
        extra_attrs={},
    )


def failures(dataset: xr.Dataset) -> pd.DataFrame:
    """The failed runs of a sweep or cohort, one row each.

    Parameters
    ----------
    dataset : xarray.Dataset
        What :func:`sweep` or :func:`cohort` returned.

    Returns
    -------
    pandas.DataFrame
        One column per dimension and coordinate of the run (its values), and ``error`` (the
        stage, ``model``, ``simulate`` or ``reduce``, then the exception and its message); no
        rows when every run worked.

    Raises
    ------
    KeyError
        ``dataset`` has no variable ``error`` (it is not from :mod:`msk.study`).
    """
    if "error" not in dataset:
        raise KeyError("failures: expected a dataset from msk.study (no variable 'error')")
    frame = dataset["error"].to_dataframe().reset_index()
    return frame[frame["error"] != ""].reset_index(drop=True)
