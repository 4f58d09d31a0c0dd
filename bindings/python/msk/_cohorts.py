"""Cohorts of lifetimes: many simulated people living a scenario, with and without programmes.

Re-exported by :mod:`msk.study` (:func:`draw_people`, :func:`lifetime_cohort`,
:func:`load_cohort`, :func:`save_cohort`). A cohort is a table of people, one row each, whose
columns are model overrides (``subject.mass``, ``subject.height``, ``groups.psoas.tone``, ...),
lifetime law parameters (``damage.ultimate_strength``, ``disc.fluid_time_constant``, ...) and the
seed of the person's day-to-day variation (``seed``). Every person lives the scenario for
``duration_days`` under each programme (lists of :func:`msk.lifetimes.intervention`), and the
end of each run is summarised into an :class:`xarray.Dataset` with dimensions ``person`` and
``programme`` (and ``level``, ``group`` where a quantity has them).

The people run on the project's one parallel runner (:func:`msk._parallel.run_tasks`): local
threads by default, a Dask cluster with ``client=``. A person is a pure function of its row, the
model, the scenario and the programmes, so every run of the same cohort gives the same numbers,
wherever it runs; a person whose Dask worker dies is run again by the scheduler and the dataset
says so (``recomputed``). With ``output_dir`` each finished person is written as it finishes
(its lifetime files and a summary), and ``resume=True`` continues a cohort that was stopped,
killed or lost its machine, to the dataset an uninterrupted run gives.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Optional, Union

import numpy as np

from msk._api import Model, check_override_keys, flatten_overrides, load_model
from msk._parallel import check_client, reduced_scalars, resolve_workers, run_tasks
from msk._runtime import installed_version, require_core
from msk.lifetimes import lifetime, load_lifetime, load_scenario

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = [
    "CUMULATIVE",
    "DEFAULT_TONE",
    "PARAMETER_PREFIXES",
    "CohortError",
    "draw_people",
    "lifetime_cohort",
    "load_cohort",
    "save_cohort",
]

PARAMETER_PREFIXES = ("disc.", "sarcomere.", "damage.", "sessions.")
"""Columns of a people table that are lifetime law parameters (``parameters=`` of
:func:`msk.lifetime`); ``seed`` is the person's seed; every other column is a model override."""

_RUN_PARAMETERS = ("stature_factor", "hydration_bucket", "length_bucket")

CUMULATIVE = ("fatigue_damage",)
"""Quantities summarised by their value on the last day (they add up over the run); every other
quantity by its mean over the last ``window_days`` days."""

DEFAULT_TONE: dict[str, dict[str, float]] = {
    "erector_spinae": {"normal": 0.5, "hypertonic": 0.5},
    "psoas": {"normal": 0.5, "hypertonic": 0.5},
}
"""Tone presets per muscle group and their probabilities, for :func:`draw_people` (assumption:
half of the office workers with the lumbar half of the lower-crossed pattern; no prevalence is
published that the model's presets could be matched to)."""

_NAME = re.compile(r"[A-Za-z0-9_-]+")
_MANIFEST = "cohort.json"
_DATASET = "cohort.h5"
_FORMAT = "msk-lifetime-cohort"


class CohortError(RuntimeError):
    """No person of a lifetime cohort could be run (the message gives the first failures)."""


# --- the people ------------------------------------------------------------------------------


def _truncated_normal(rng: np.random.Generator, limit: float = 2.5) -> float:
    """A standard normal number redrawn until it lies within ±``limit``."""
    while True:
        z = float(rng.standard_normal())
        if abs(z) <= limit:
            return z


def _pair(where: str, value: Any) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: expected two numbers, got {value!r}") from None
    if not (math.isfinite(a) and math.isfinite(b)) or a <= 0 or b < 0:
        raise ValueError(f"{where}: expected a positive centre and a spread >= 0, got {value!r}")
    return a, b


def draw_people(
    n: int,
    seed: int = 0,
    *,
    height_m: tuple[float, float] | None = (1.70, 0.09),
    bmi: tuple[float, float] | None = (26.0, 4.0),
    tone: Mapping[str, Mapping[str, float]] | None = None,
    disc_strength_n: tuple[float, float] | None = (5000.0, 0.25),
    vary_schedule: bool = True,
) -> pd.DataFrame:
    """Draw a cohort of people: one row each, the columns :func:`lifetime_cohort` takes.

    Person ``i`` is drawn from its own stream (``numpy.random.default_rng([seed, i])``): the same
    seed gives the same people, and the first ``m`` people of a cohort of ``n`` are a cohort of
    ``m``. Normal draws are truncated at ±2.5 standard deviations.

    Parameters
    ----------
    n : int
        Number of people, >= 1.
    seed : int
        Seed of the cohort, >= 0.
    height_m : (mean, sd) or None
        Stature [m], normal (default 1.70 ± 0.09 m; assumption of the order of adult national
        surveys, e.g. Fryar et al. 2021, NHANES 2015-2018, men and women together). Column
        ``subject.height``; None: the model's reference stature for everyone.
    bmi : (mean, sd) or None
        Body-mass index [kg/m²], normal (default 26 ± 4, same kind of source); the mass is
        BMI × stature², column ``subject.mass`` [kg]. None: the model's reference mass.
    tone : mapping, optional
        Per muscle group, the probability of each tone preset (``{"psoas": {"normal": 0.7,
        "hypertonic": 0.3}}``); columns ``groups.<group>.tone``. Default :data:`DEFAULT_TONE`
        (the lumbar model's erector spinae and psoas, half of the people hypertonic); ``{}``:
        no tone column.
    disc_strength_n : (median, sigma) or None
        Ultimate compressive strength of the segments [N], log-normal with this median and
        standard deviation of its logarithm (default 5000 N, 0.25: in-vitro lumbar strengths of a
        few kN to over 10 kN, Brinckmann, Biggemann & Hilweg 1989); column
        ``damage.ultimate_strength``. None: the law's default for everyone.
    vary_schedule : bool
        Give each person a seed of the day-to-day variation of the scenario (column ``seed``);
        else everyone lives the scenario's own days.

    Returns
    -------
    pandas.DataFrame
        ``n`` rows, index ``person`` (0 ... n-1); columns as above, in SI units (the units are
        in ``df.attrs["units"]``).

    Raises
    ------
    ValueError
        ``n`` < 1, a negative seed, a spread that is not two numbers, probabilities that are
        negative or do not add up to 1.
    """
    import pandas as pd

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n: expected a whole number >= 1, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected a whole number >= 0, got {seed!r}")
    height = _pair("height_m", height_m) if height_m is not None else None
    index = _pair("bmi", bmi) if bmi is not None else None
    strength = _pair("disc_strength_n", disc_strength_n) if disc_strength_n is not None else None
    tones = dict(DEFAULT_TONE if tone is None else tone)
    for group, choices in tones.items():
        probabilities = np.array([float(p) for p in dict(choices).values()])
        if (
            not len(probabilities)
            or (probabilities < 0).any()
            or abs(probabilities.sum() - 1.0) > 1e-9
        ):
            raise ValueError(
                f"tone[{group!r}]: expected probabilities >= 0 of tone presets that add up to 1, "
                f"got {dict(choices)!r}"
            )
    rows = []
    for i in range(int(n)):
        rng = np.random.default_rng([int(seed), i])
        row: dict[str, Any] = {}
        if height is not None:
            row["subject.height"] = height[0] + height[1] * _truncated_normal(rng)
        if index is not None:
            h = row.get("subject.height", height[0] if height is not None else None)
            if h is None:
                raise ValueError("bmi: needs height_m (the mass is BMI x stature^2)")
            row["subject.mass"] = (index[0] + index[1] * _truncated_normal(rng)) * h * h
        for group, choices in tones.items():
            names = [str(k) for k in choices]
            probabilities = np.array([float(p) for p in dict(choices).values()])
            row[f"groups.{group}.tone"] = names[int(rng.choice(len(names), p=probabilities))]
        if strength is not None:
            row["damage.ultimate_strength"] = strength[0] * math.exp(
                strength[1] * _truncated_normal(rng)
            )
        if vary_schedule:
            row["seed"] = int(rng.integers(0, 2**31 - 1))
        rows.append(row)
    table = pd.DataFrame(rows, index=pd.RangeIndex(int(n), name="person"))
    table.attrs["units"] = {
        "subject.height": "m",
        "subject.mass": "kg",
        "damage.ultimate_strength": "N",
        "seed": "1",
    }
    table.attrs["seed"] = int(seed)
    return table


def _people_rows(people: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    """Labels and rows (column -> value, NaN dropped) of a people table, list or mapping."""
    if hasattr(people, "iterrows") and hasattr(people, "columns"):
        labels = [v.item() if isinstance(v, np.generic) else v for v in people.index]
        rows = [
            {
                str(k): (v.item() if isinstance(v, np.generic) else v)
                for k, v in row.items()
                if not (v is None or (isinstance(v, float) and math.isnan(v)))
            }
            for _, row in people.iterrows()
        ]
    elif isinstance(people, Mapping):
        labels, rows = list(people), [dict(r) for r in people.values()]
    elif isinstance(people, Sequence) and not isinstance(people, (str, bytes)):
        rows = []
        for i, r in enumerate(people):
            if not isinstance(r, Mapping):
                raise ValueError(f"people[{i}]: expected a dict of columns to values, got {r!r}")
            rows.append(dict(r))
        labels = list(range(len(rows)))
    else:
        raise ValueError(
            "people: expected a number of people, a pandas DataFrame (draw_people), a list of "
            f"dicts or a dict of label to dict, got {type(people).__name__}"
        )
    if not rows:
        raise ValueError("people: expected at least one person, got none")
    if len({(type(v), v) for v in labels}) != len(labels):
        raise ValueError(f"people: expected distinct labels, got {labels}")
    return labels, [flatten_overrides(r) for r in rows]


def _split_row(i: int, row: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, float], int]:
    """A person's (model overrides, lifetime parameters, seed)."""
    overrides: dict[str, Any] = {}
    parameters: dict[str, float] = {}
    seed = -1
    for key, value in row.items():
        where = f"people[{i}][{key!r}]"
        if isinstance(value, np.generic):
            value = value.item()
        if key == "seed":
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int) or value < -1:
                raise ValueError(f"{where}: expected a whole number >= -1, got {value!r}")
            seed = int(value)
        elif key.startswith(PARAMETER_PREFIXES) or key in _RUN_PARAMETERS:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{where}: expected a number, got {value!r}")
            if not math.isfinite(float(value)):
                raise ValueError(f"{where}: expected a finite number, got {value!r}")
            parameters[key] = float(value)
        else:
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{where}: expected a finite number, got {value!r}")
            overrides[key] = value
    return overrides, parameters, seed


# --- one person ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    """Everything one person's runs need (picklable for Dask once ``model`` is dropped)."""

    index: int
    label: Any
    model_text: str
    model_file: str
    overrides: dict[str, Any]
    parameters: dict[str, float]
    seed: int
    scenario: dict[str, Any]
    duration_days: int
    programmes: dict[str, list[dict[str, Any]]]
    mode: str
    adapted_to: str
    record_muscles: bool
    window_days: int
    daily: tuple[str, ...]
    reduce: Optional[Callable[[Any], Mapping[str, float]]]
    folder: str  # "" without output_dir
    keep_files: bool
    record_errors: bool
    model: Any = None  # the base msk.Model, for local runs


def _person_stem(index: int) -> str:
    return f"person_{index:05d}"


def _summarise(ds: xr.Dataset, window_days: int, daily: Sequence[str]) -> dict[str, Any]:
    """End-of-run summaries (and the requested daily series) of one lifetime dataset, as plain
    JSON-able values: ``{"coords": {...}, "variables": {name: {dims, values, units,
    description}}}``."""
    n = int(ds.sizes["day"])
    window = max(1, min(int(window_days), n))
    variables: dict[str, Any] = {}
    for name, var in ds.data_vars.items():
        if name in CUMULATIVE:
            value, how = var.isel(day=-1), "on the last day"
        else:
            value = var.isel(day=slice(n - window, n)).mean("day")
            how = f"mean of the last {window} days"
        description = str(var.attrs.get("description", ""))
        variables[str(name)] = {
            "dims": list(value.dims),
            "values": np.asarray(value.values, dtype=float).tolist(),
            "units": str(var.attrs.get("units", "")),
            "description": f"{description} ({how})".strip(),
        }
    for name in daily:
        var = ds[name]
        variables[f"{name}_daily"] = {
            "dims": list(var.dims),
            "values": np.asarray(var.values, dtype=float).tolist(),
            "units": str(var.attrs.get("units", "")),
            "description": f"{var.attrs.get('description', '')} (every day)".strip(),
        }
    coords: dict[str, list[Any]] = {
        dim: [str(v) for v in ds[dim].values]
        for dim in ("level", "group", "muscle")
        if dim in ds.coords
    }
    coords["day"] = [int(v) for v in ds["day"].values]
    return {"coords": coords, "variables": variables}


class _Cancelled(Exception):
    """The cohort was stopped (Ctrl-C, or another person's failure with errors="raise")."""


def _run_lifetime(
    person: _Person,
    model: Model,
    interventions: list[Any],
    out: str,
    cancel: threading.Event | None = None,
) -> None:
    """One lifetime into ``out``; a file left by an earlier attempt of the same person (killed,
    or on a lost Dask worker) is continued from its checkpoint, or started again when it has
    none. A set ``cancel`` stops the run after its current day (its file can be resumed)."""
    core = require_core()
    options = {
        "duration_days": person.duration_days,
        "interventions": interventions,
        "out": out,
        "seed": person.seed,
        "parameters": person.parameters,
        "record_muscles": person.record_muscles,
        "mode": person.mode,
        "adapted_to": person.adapted_to,
        "progress": (lambda done, total: not cancel.is_set()) if cancel is not None else False,
    }
    summary = None
    if os.path.exists(out):
        try:
            summary = lifetime(model, person.scenario, resume=True, **options)
        except (core.IoError, core.ModelError, core.InvalidArgument, OSError, ValueError):
            os.remove(out)  # no usable checkpoint: start over
    if summary is None:
        summary = lifetime(model, person.scenario, **options)
    if summary.get("stopped"):
        raise _Cancelled("cancelled")


def _run_person(person: _Person, cancel: threading.Event | None = None) -> dict[str, Any]:
    """Run every programme of one person; return its record (also written to ``folder`` as
    ``person_NNNNN.json`` when every programme worked)."""
    record: dict[str, Any] = {"index": person.index, "programmes": {}}
    scratch = ""
    stage = "model"
    try:
        if person.model is not None:
            model = person.model.with_overrides(
                person.overrides, overrides_source=f"people[{person.index}]"
            )
        else:
            model = Model.from_text(
                person.model_text,
                person.overrides or None,
                person.model_file,
                overrides_source=f"people[{person.index}]",
            )
    except Exception as error:
        if not person.record_errors:
            raise
        message = f"{stage}: {type(error).__name__}: {' '.join(str(error).split())}"
        for name in person.programmes:
            record["programmes"][name] = {"error": message}
        return record
    folder = person.folder
    if not folder:
        scratch = tempfile.mkdtemp(prefix="msk_cohort_")
    try:
        for name, interventions in person.programmes.items():
            if cancel is not None and cancel.is_set():
                record["programmes"][name] = {"error": "cancelled"}
                continue
            out = os.path.join(folder or scratch, f"{_person_stem(person.index)}_{name}.h5")
            stage = "lifetime"
            try:
                _run_lifetime(person, model, interventions, out, cancel)
                stage = "summary"
                ds = load_lifetime(out)
                entry = _summarise(ds, person.window_days, person.daily)
                if person.reduce is not None:
                    stage = "reduce"
                    ds.attrs["person"] = person.label
                    ds.attrs["programme"] = name
                    entry["reduce"] = reduced_scalars(person.reduce, ds)
                entry["error"] = ""
                if folder and person.keep_files:
                    entry["file"] = os.path.abspath(out)
                elif os.path.exists(out):
                    os.remove(out)
            except _Cancelled:
                entry = {"error": "cancelled"}
            except Exception as error:
                if not person.record_errors:
                    raise
                entry = {
                    "error": f"{stage}: {type(error).__name__}: {' '.join(str(error).split())}"
                }
            record["programmes"][name] = entry
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    if folder and all(not p["error"] for p in record["programmes"].values()):
        path = os.path.join(folder, f"{_person_stem(person.index)}.json")
        temporary = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    return record


# --- the dataset -----------------------------------------------------------------------------


def _coordinate(values: Sequence[Any]) -> np.ndarray:
    if all(isinstance(v, bool) for v in values):
        return np.array(values, dtype=bool)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        kind = int if all(isinstance(v, int) for v in values) else float
        return np.array(values, dtype=kind)
    return np.array([str(v) for v in values], dtype=str)


def _assemble(
    labels: list[Any],
    rows: list[dict[str, Any]],
    seeds: list[int],
    programmes: list[str],
    records: dict[int, dict[str, Any]],
    recomputed: dict[int, int],
    units: Mapping[str, str],
    attrs: dict[str, Any],
) -> xr.Dataset:
    import xarray as xr

    n, p = len(labels), len(programmes)
    coords: dict[str, Any] = {
        "person": xr.Variable("person", _coordinate(labels)),
        "programme": xr.Variable("programme", np.array(programmes, dtype=str)),
    }
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(k for k in row if k != "seed"))
    for column in columns:
        values = [row.get(column) for row in rows]
        numeric = all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in values if v is not None
        )
        filled = [
            (float(v) if numeric else str(v)) if v is not None else (math.nan if numeric else "")
            for v in values
        ]
        column_attrs = {"units": units[column]} if column in units else {}
        coords[column] = xr.Variable(
            "person", np.array(filled, dtype=float if numeric else str), attrs=column_attrs
        )
    coords["seed"] = xr.Variable(
        "person",
        np.array(seeds, dtype=np.int64),
        attrs={"description": "seed of the day-to-day variation (-1: the scenario's)"},
    )

    ok = [
        (i, k, records[i]["programmes"][name])
        for i in sorted(records)
        for k, name in enumerate(programmes)
        if not records[i]["programmes"].get(name, {"error": "missing"})["error"]
    ]
    variables: dict[str, Any] = {}
    if ok:
        first = ok[0][2]
        names: dict[str, None] = {}
        for _, _, entry in ok:
            names.update(dict.fromkeys(entry["variables"]))
        used = {d for _, _, e in ok for v in e["variables"].values() for d in v["dims"]}
        for dim, values in first["coords"].items():
            if dim in used:
                coords[dim] = xr.Variable(
                    dim,
                    np.array(values, dtype=int if dim == "day" else str),
                    attrs={"units": "day"} if dim == "day" else {},
                )
        for name in names:
            spec = next(e["variables"][name] for _, _, e in ok if name in e["variables"])
            dims = tuple(spec["dims"])
            sizes = tuple(len(first["coords"][d]) for d in dims)
            data = np.full((n, p, *sizes), np.nan)
            for i, k, entry in ok:
                if name in entry["variables"]:
                    values = np.asarray(entry["variables"][name]["values"], dtype=float)
                    if values.shape == sizes:
                        data[i, k] = values
                    else:  # a run that ended early (daily series): pad with NaN
                        data[(i, k, *tuple(slice(0, s) for s in values.shape))] = values
            variables[name] = xr.Variable(
                ("person", "programme", *dims),
                data,
                attrs={"units": spec["units"], "description": spec["description"]},
            )
        reduced: dict[str, None] = {}
        for _, _, entry in ok:
            reduced.update(dict.fromkeys(entry.get("reduce", {})))
        clash = sorted(set(reduced) & (set(variables) | set(coords) | {"error", "file"}))
        if clash:
            raise ValueError(f"reduce: names {clash} are taken by the cohort's variables")
        for name in reduced:
            data = np.full((n, p), np.nan)
            for i, k, entry in ok:
                data[i, k] = entry.get("reduce", {}).get(name, np.nan)
            unit = units.get(name)
            variables[name] = xr.Variable(
                ("person", "programme"), data, attrs={"units": unit} if unit else {}
            )
    error = np.full((n, p), "", dtype=object)
    file = np.full((n, p), "", dtype=object)
    for i, record in records.items():
        for k, name in enumerate(programmes):
            entry = record["programmes"].get(name, {"error": "not run"})
            error[i, k] = entry["error"]
            file[i, k] = entry.get("file", "")
    for i in range(n):
        if i not in records:
            error[i, :] = "not run"
    variables["error"] = xr.Variable(
        ("person", "programme"),
        error,
        attrs={"description": "why the run failed ('' if it did not)"},
    )
    if any(file.flat):
        variables["file"] = xr.Variable(
            ("person", "programme"), file, attrs={"description": "lifetime file of the run"}
        )
    variables["recomputed"] = xr.Variable(
        "person",
        np.array([recomputed.get(i, 0) for i in range(n)], dtype=np.int64),
        attrs={
            "description": "times the person was run again because its Dask worker was lost "
            "while it held the person (0 on local threads)"
        },
    )
    failed = [
        f"person={labels[i]!r}, programme={name!r}: {error[i, k]}"
        for i in range(n)
        for k, name in enumerate(programmes)
        if error[i, k]
    ]
    again = [f"person={labels[i]!r}: {c}" for i, c in sorted(recomputed.items()) if c]
    attrs = {
        **attrs,
        "n_people": n,
        "n_runs": n * p,
        "n_failed": len(failed),
        "errors": "\n".join(failed),
        "n_recomputed": len(again),
        "recomputed": "\n".join(again),
    }
    return xr.Dataset(variables, coords=coords, attrs=attrs)


# --- the driver ------------------------------------------------------------------------------


def _manifest(
    model: Model, spec: Mapping[str, Any], settings: Mapping[str, Any], people: Any
) -> dict[str, Any]:
    digest = hashlib.sha256(model.text.encode("utf-8")).hexdigest()
    scenario = hashlib.sha256(str(spec.get("text", "")).encode("utf-8")).hexdigest()
    return {
        "format": _FORMAT,
        "version": 1,
        "model_name": model.name,
        "model_sha256": digest,
        "scenario": str(spec.get("name", "")),
        "scenario_sha256": scenario,
        **settings,
        "people": people,
    }


def _prepare_folder(
    folder: Path, manifest: dict[str, Any], resume: bool, overwrite: bool
) -> dict[int, dict[str, Any]]:
    """Make ``folder`` the cohort's; return the records of the people already finished there
    (with ``resume``)."""
    path = folder / _MANIFEST
    folder.mkdir(parents=True, exist_ok=True)
    finished: dict[int, dict[str, Any]] = {}
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ValueError(f"{path}: not a cohort manifest ({error})") from None
        if resume:
            changed = sorted(k for k in set(old) | set(manifest) if old.get(k) != manifest.get(k))
            if changed:
                raise ValueError(
                    f"{path}: resume=True continues the same cohort, but {', '.join(changed)} "
                    "differ from the cohort in this folder"
                )
            for entry in sorted(folder.glob("person_*.json")):
                try:
                    record = json.loads(entry.read_text(encoding="utf-8"))
                    finished[int(record["index"])] = record
                except (OSError, ValueError, KeyError, TypeError):
                    continue  # an unreadable summary: that person runs again
            return finished
        if not overwrite:
            raise FileExistsError(
                f"{folder}: holds a cohort already ({_MANIFEST}); give resume=True to continue "
                "it, overwrite=True to start it again, or another folder"
            )
        for entry in folder.glob("person_*"):
            entry.unlink()
    elif resume:
        pass  # nothing to continue: a fresh cohort
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.replace(temporary, path)
    return finished


def _check_programmes(programmes: Any) -> dict[str, list[dict[str, Any]]]:
    if programmes is None:
        return {"none": []}
    if not isinstance(programmes, Mapping) or not programmes:
        raise ValueError(
            "programmes: expected a dict of programme name to a list of interventions "
            "(msk.lifetimes.intervention), e.g. {'none': [], 'pir': [pir]}"
        )
    checked: dict[str, list[dict[str, Any]]] = {}
    for name, items in programmes.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError(
                f"programmes: expected names of letters, digits, '_' or '-', got {name!r}"
            )
        if isinstance(items, Mapping) or not isinstance(items, Sequence):
            raise ValueError(f"programmes[{name!r}]: expected a list of interventions")
        checked[name] = [json.loads(json.dumps(dict(item))) for item in items]
    return checked


def lifetime_cohort(
    model: Union[Model, str, os.PathLike[str]],
    scenario: Union[str, os.PathLike[str], Mapping[str, Any]],
    people: Union[int, pd.DataFrame, Sequence[Mapping[str, Any]], Mapping[Any, Mapping[str, Any]]],
    *,
    seed: int = 0,
    duration_days: int = 365,
    programmes: Optional[Mapping[str, Sequence[Mapping[str, Any]]]] = None,
    parameters: Optional[Mapping[str, float]] = None,
    mode: str = "",
    adapted_to: str = "scenario",
    record_muscles: bool = False,
    window_days: int = 7,
    daily: Union[str, Sequence[str], None] = None,
    reduce: Optional[Callable[[Any], Mapping[str, float]]] = None,
    units: Optional[Mapping[str, str]] = None,
    output_dir: Union[str, os.PathLike[str], None] = None,
    resume: bool = False,
    overwrite: bool = False,
    keep_files: bool = True,
    n_workers: Optional[int] = None,
    client: Any = None,
    errors: Literal["record", "raise"] = "record",
    progress: Optional[bool] = True,
) -> xr.Dataset:
    """Run lifetimes for a cohort of people, under one or more programmes, and summarise them.

    Each person (a row of ``people``) gets the model with the row's overrides, the row's law
    parameters and seed, and lives ``scenario`` for ``duration_days`` under every programme
    (:func:`msk.lifetime`; the same days under each programme, since they share the seed).
    Each run is summarised at its end: quantities that add up (:data:`CUMULATIVE`, the fatigue
    damage) by their last day, every other daily quantity of :func:`msk.load_lifetime` by its
    mean over the last ``window_days`` days.

    Parameters
    ----------
    model : Model, str or path
        The reference person (a spine model; ``"lumbar"`` for the bundled scenarios but
        ``forward_head_office``).
    scenario : str, path or dict
        As for :func:`msk.lifetime`.
    people : int, pandas.DataFrame, list of dict or dict of label to dict
        The people: a number (drawn with :func:`draw_people` under ``seed``), or one row per
        person whose columns are model overrides (``subject.mass`` [kg], ``subject.height``
        [m], ``groups.<group>.tone``, any field path of :func:`msk.load_model`), lifetime
        parameters (names starting ``disc.``, ``sarcomere.``, ``damage.``, ``sessions.``, see
        :func:`msk.lifetimes.lifetime_laws`) and ``seed`` (the day-to-day variation; -1 or
        missing: the scenario's). A DataFrame's empty cells leave the model's values.
    seed : int
        Seed of :func:`draw_people` when ``people`` is a number.
    duration_days : int
        Days each person lives, 1 ... 36500.
    programmes : dict of str to list, optional
        Programme name (letters, digits, ``_``, ``-``) to its interventions
        (:func:`msk.lifetimes.intervention`); default ``{"none": []}``. Every person runs every
        programme: ``{"none": [], "pir": [pir]}`` compares the same people with and without.
    parameters : dict, optional
        Lifetime parameters for everyone (a person's own columns take precedence), as
        ``parameters=`` of :func:`msk.lifetime`.
    mode, adapted_to, record_muscles
        As for :func:`msk.lifetime` (``mode="fixed"`` is tens of times faster than the default
        posture mode: bench/README.md, "Cohort throughput").
    window_days : int
        Days at the end of a run that the non-cumulative summaries average, >= 1.
    daily : str or list of str, optional
        Variables of :func:`msk.load_lifetime` also kept day by day, as ``<name>_daily`` with a
        dimension ``day``.
    reduce : callable, optional
        ``reduce(ds) -> {name: number}``: more summaries of each run from its lifetime dataset
        (``ds.attrs["person"]`` and ``ds.attrs["programme"]`` say whose); one variable each, dims
        ``(person, programme)``. For Dask it must be picklable, and pure: a person may run twice.
    units : dict, optional
        Units of ``reduce``'s names and of extra people columns.
    output_dir : str or path, optional
        Folder of the cohort: ``cohort.json`` (what the cohort is), per person
        ``person_NNNNN_<programme>.h5`` (the lifetime files, with ``keep_files``) and
        ``person_NNNNN.json`` (its summaries, written the moment the person is done), and at the
        end ``cohort.h5`` (the dataset, :func:`load_cohort`). With Dask, a folder every worker
        can write.
    resume : bool
        Continue the cohort in ``output_dir``: finished people are read back, not run again; a
        person that was running continues its lifetime files from their last checkpoint
        (written with each flush: at most once a second of wall time by default,
        ``parameters={"flush_interval_s": 0}`` after every day, which costs about twice the CPU
        time of a run in the fixed posture mode). The result
        equals an uninterrupted run's. The cohort must be the same (model, scenario, people,
        programmes, options: a difference is a ``ValueError`` naming it); ``reduce`` is not
        compared.
    overwrite : bool
        Start the cohort in ``output_dir`` again when the folder holds one (else
        ``FileExistsError``).
    keep_files : bool
        Keep each run's lifetime file in ``output_dir`` (else only the summaries).
    n_workers : int, optional
        Threads of the local pool (default: one per CPU); ``1`` runs in the calling thread.
    client : dask.distributed.Client, optional
        Run on this Dask cluster instead (msk installed on the workers). A worker that dies is
        replaced by the cluster and its people run again elsewhere (the variable
        ``recomputed`` counts it).
    errors : {"record", "raise"}
        ``"record"``: a failed run (a refused override value, an equilibrium that cannot be
        held, an exception in ``reduce``) leaves NaN and its message in ``error``, the other
        people are kept, with a ``RuntimeWarning``; ``"raise"``: the first failure is raised.
    progress : bool, optional
        A progress bar of finished people (the runner's); None: when stderr is a terminal.

    Returns
    -------
    xarray.Dataset
        Dimensions ``person`` (n), ``programme`` (p), ``level``, ``group`` (and ``day`` with
        ``daily``, ``muscle`` with ``record_muscles``). Coordinates along ``person``: every
        column of ``people`` (with units) and ``seed``. Variables: each quantity of
        :func:`msk.load_lifetime` summarised, dims ``(person, programme[, level | group])``,
        with ``units`` and ``description``; ``reduce``'s; ``error`` (str, ``""`` if the run
        worked); ``file`` (with ``output_dir`` and ``keep_files``); ``recomputed`` (person,).
        Attrs: the model, scenario, programmes and options, ``n_people``, ``n_runs``,
        ``n_failed``, ``errors`` (one line per failed run), ``n_recomputed``, ``recomputed``,
        ``n_resumed`` (people read back from ``output_dir``).

    Raises
    ------
    ValueError
        Bad people, programmes, options or names (checked before anything runs); with
        ``resume``, a folder that holds another cohort.
    FileExistsError
        ``output_dir`` holds a cohort and neither ``resume`` nor ``overwrite`` is given.
    msk.ModelError
        A people column names no field of the model (checked once, up front).
    CohortError
        No run worked.
    TypeError, ImportError
        ``client`` is not a Dask client, or dask.distributed is missing.
    """
    if errors not in ("record", "raise"):
        raise ValueError(f"errors: expected 'record' or 'raise', got {errors!r}")
    if reduce is not None and not callable(reduce):
        raise ValueError(f"reduce: expected a function dataset -> dict, got {reduce!r}")
    if isinstance(duration_days, bool) or not isinstance(duration_days, (int, np.integer)):
        raise ValueError(f"duration_days: expected a whole number of days, got {duration_days!r}")
    if not 1 <= int(duration_days) <= 36500:
        raise ValueError(f"duration_days: expected 1 ... 36500, got {duration_days}")
    if isinstance(window_days, bool) or not isinstance(window_days, (int, np.integer)):
        raise ValueError(f"window_days: expected a whole number >= 1, got {window_days!r}")
    if window_days < 1:
        raise ValueError(f"window_days: expected a whole number >= 1, got {window_days}")
    if resume and output_dir is None:
        raise ValueError("resume: continues the cohort in output_dir; give output_dir")
    if not isinstance(model, Model):
        model = load_model(model)
    spec = load_scenario(scenario)
    plans = _check_programmes(programmes)
    daily_names = [daily] if isinstance(daily, str) else list(daily or [])
    common = {str(k): float(v) for k, v in (parameters or {}).items()}

    table = draw_people(people, seed) if isinstance(people, (int, np.integer)) else people
    labels, rows = _people_rows(table)
    units = {**dict(getattr(table, "attrs", {}).get("units", {})), **dict(units or {})}
    split = [_split_row(i, row) for i, row in enumerate(rows)]
    seeds = [s for _, _, s in split]

    # Checked before anything runs: the runner's arguments, the override keys (one model load),
    # the parameter names and the daily names (one day of the reference person).
    resolve_workers(n_workers, client, len(rows))
    check_client(client)
    keys: dict[str, Any] = {}
    for overrides, _, _ in split:
        for path, value in overrides.items():
            keys.setdefault(path, value)
    check_override_keys(model, keys, overrides_source="msk.study.lifetime_cohort(people=...)")
    names = sorted({k for _, p, _ in split for k in p} | set(common))
    known = (
        {
            f"{short}.{param['name']}"
            for law in require_core().lifetime_laws()
            for short in [_law_short(law["name"])]
            for param in law["params"]
        }
        | set(_RUN_PARAMETERS)
        | {"flush_interval_s"}
    )
    unknown = [k for k in names if k not in known]
    if unknown:
        import difflib

        hints = [difflib.get_close_matches(k, sorted(known), n=1) for k in unknown]
        shown = ", ".join(
            f"{k!r}" + (f" (did you mean {h[0]!r}?)" if h else "") for k, h in zip(unknown, hints)
        )
        raise ValueError(f"people/parameters: unknown lifetime parameters {shown}")
    _check_daily(daily_names)

    folder = Path(output_dir).resolve() if output_dir is not None else None
    settings = {
        "duration_days": int(duration_days),
        "programmes": plans,
        "parameters": common,
        "mode": str(mode),
        "adapted_to": str(adapted_to),
        "record_muscles": bool(record_muscles),
        "window_days": int(window_days),
        "daily": daily_names,
    }
    finished: dict[int, dict[str, Any]] = {}
    if folder is not None:
        people_json = json.loads(
            json.dumps([{"label": str(lab), **row} for lab, row in zip(labels, rows)], default=str)
        )
        finished = _prepare_folder(
            folder, _manifest(model, spec, settings, people_json), resume, overwrite
        )

    tasks = [
        _Person(
            index=i,
            label=labels[i],
            model_text=model.text,
            model_file=model.file,
            overrides=overrides,
            parameters={**common, **params},
            seed=person_seed,
            scenario=spec,
            duration_days=int(duration_days),
            programmes=plans,
            mode=str(mode),
            adapted_to=str(adapted_to),
            record_muscles=bool(record_muscles),
            window_days=int(window_days),
            daily=tuple(daily_names),
            reduce=reduce,
            folder=str(folder) if folder is not None else "",
            keep_files=bool(keep_files),
            record_errors=errors == "record",
            model=model,
        )
        for i, (overrides, params, person_seed) in enumerate(split)
        if i not in finished
    ]
    recomputed: dict[int, int] = {}
    if client is None:
        cancel: threading.Event | None = threading.Event()
        function: Callable[[_Person], dict[str, Any]] = functools.partial(
            _run_person, cancel=cancel
        )
        items = tasks
    else:
        cancel, function = None, _run_person
        items = [replace(t, model=None) for t in tasks]  # the workers compile the model

    def note_recomputed(position: int, count: int) -> None:
        recomputed[items[position].index] = count

    records = dict(finished)
    for record in run_tasks(
        function,
        items,
        n_workers=n_workers,
        client=client,
        progress=progress,
        description="lifetime cohort",
        unit="person",
        ordered=False,
        failed=lambda r: any(p["error"] for p in r["programmes"].values()),
        cancel=cancel,
        recomputed=note_recomputed,
    ):
        records[int(record["index"])] = record

    attrs = {
        "study": "lifetime_cohort",
        "model_name": model.name,
        "model_file": model.file,
        "model_text": model.text,
        "scenario": str(spec.get("name", "")),
        "scenario_text": str(spec.get("text", "")),
        "programmes": json.dumps(plans),
        "options": json.dumps({k: v for k, v in settings.items() if k != "programmes"}),
        "people_seed": int(getattr(table, "attrs", {}).get("seed", -1)),
        "n_resumed": len(finished),
        "msk_version": installed_version(),
    }
    dataset = _assemble(labels, rows, seeds, list(plans), records, recomputed, units, attrs)
    n_failed = int(dataset.attrs["n_failed"])
    if n_failed == dataset.attrs["n_runs"]:
        first = dataset.attrs["errors"].splitlines()[:3]
        raise CohortError(
            f"lifetime_cohort: all {n_failed} runs failed; the first: " + "; ".join(first)
        )
    if n_failed:
        warnings.warn(
            f"lifetime_cohort: {n_failed} of {dataset.attrs['n_runs']} runs failed (NaN in the "
            "results); see ds['error'] or msk.study.failures(ds)",
            RuntimeWarning,
            stacklevel=2,
        )
    if folder is not None:
        save_cohort(dataset, folder / _DATASET)
    return dataset


def _law_short(name: str) -> str:
    return {
        "disc_fluid_two_phase": "disc",
        "sarcomere_adaptation": "sarcomere",
        "spine_damage": "damage",
        "session_effects": "sessions",
    }.get(name, name)


_DAILY_NAMES = (
    "daily_stature_loss",
    "stature_loss_morning",
    "stature_loss_evening",
    "lifft_damage",
    "lifft_probability",
    "hydration_morning",
    "hydration_min",
    "hydration_end",
    "disc_height_loss_max",
    "fatigue_damage",
    "sustained_dose",
    "facet_dose",
    "facet_share_mean",
    "compression_max",
    "load_pressure_max",
    "foramen_height_min",
    "nerve_root_risk_time",
    "stenosis_time",
    "optimal_length_ratio",
    "tolerance",
    "tone_shift",
    "muscle_optimal_length_ratio",
)


def _check_daily(names: Sequence[str]) -> None:
    for name in names:
        if name not in _DAILY_NAMES:
            import difflib

            close = difflib.get_close_matches(name, _DAILY_NAMES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"daily: {name!r} is not a variable of msk.load_lifetime{hint} (expected some of "
                f"{', '.join(_DAILY_NAMES)})"
            )


# --- one file --------------------------------------------------------------------------------


def save_cohort(dataset: xr.Dataset, path: Union[str, os.PathLike[str]]) -> Path:
    """Write a cohort dataset to one HDF5 file (read it with :func:`load_cohort`).

    Layout: ``/meta`` (attrs: the dataset's attrs, ``format = "msk-lifetime-cohort"``),
    ``/coords/<name>`` and ``/variables/<name>`` (each with attrs ``dims`` (JSON list),
    ``units``, ``description``). Written beside the target and renamed over it.

    Parameters
    ----------
    dataset : xarray.Dataset
        What :func:`lifetime_cohort` returned.
    path : str or path
        The file (``.h5``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    OSError
        The file cannot be written.
    """
    import h5py

    path = Path(path)
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    text = h5py.string_dtype()

    def write(group: Any, name: str, var: Any) -> None:
        values = var.values
        if values.dtype.kind in ("U", "O", "S"):
            values = np.array([str(v) for v in values.flat], dtype=object).reshape(values.shape)
            item = group.create_dataset(name, data=values, dtype=text)
        else:
            item = group.create_dataset(name, data=values)
        item.attrs["dims"] = json.dumps(list(var.dims))
        for key, value in var.attrs.items():
            item.attrs[key] = str(value)

    with h5py.File(temporary, "w") as f:
        meta = f.create_group("meta")
        meta.attrs["format"] = _FORMAT
        for key, value in dataset.attrs.items():
            meta.attrs[key] = value if isinstance(value, (int, float)) else str(value)
        coords = f.create_group("coords")
        for name, var in dataset.coords.items():
            write(coords, str(name), var.variable)
        variables = f.create_group("variables")
        for name, var in dataset.data_vars.items():
            write(variables, str(name), var.variable)
    os.replace(temporary, path)
    return path


def load_cohort(path: Union[str, os.PathLike[str]]) -> xr.Dataset:
    """A cohort written by :func:`lifetime_cohort` (``output_dir``) or :func:`save_cohort`.

    Parameters
    ----------
    path : str or path
        The file, or the cohort's ``output_dir`` (its ``cohort.h5``).

    Returns
    -------
    xarray.Dataset
        As :func:`lifetime_cohort` returned it.

    Raises
    ------
    OSError
        The file cannot be read.
    ValueError
        The file is not a cohort file.
    """
    import h5py
    import xarray as xr

    from msk._hdf5 import plain

    path = Path(path)
    if path.is_dir():
        path = path / _DATASET
    with h5py.File(path, "r") as f:
        if "meta" not in f or plain(f["meta"].attrs.get("format")) != _FORMAT:
            raise ValueError(f"{path}: not a cohort file (expected /meta@format {_FORMAT!r})")
        attrs = {k: plain(v) for k, v in f["meta"].attrs.items() if k != "format"}

        def read(item: Any) -> Any:
            dims = tuple(json.loads(plain(item.attrs["dims"])))
            var_attrs = {k: plain(v) for k, v in item.attrs.items() if k != "dims"}
            if h5py.check_string_dtype(item.dtype) is not None:
                values = np.array([plain(v) for v in item[()].flat], dtype=object).reshape(
                    item.shape
                )
            else:
                values = item[()]
            return xr.Variable(dims, values, attrs=var_attrs)

        coords = {name: read(item) for name, item in f["coords"].items()}
        for name, var in coords.items():
            if var.dtype == object:
                coords[name] = var.astype(str)
        variables = {name: read(item) for name, item in f["variables"].items()}
    return xr.Dataset(variables, coords=coords, attrs=attrs)
