"""Validation suite: msk against published measurements and qualitative claims.

Each case is one YAML file (``tests/validation/*.yaml`` in the source tree, installed as
``msk/validation_cases/``) holding the citation, the published value, the tolerance, the kind of
comparison, the model with its overrides, the protocol(s) and the name of the metric that this
module computes from the run(s).

Kinds of case:

- ``measurement``: compared with independent data;
- ``calibration``: the model parameter was fitted to these same data (the case checks the fit and
  its implementation, not the physiology);
- ``prediction``: a qualitative claim the model is tested on.

Status of a case: ``"pass"`` or ``"fail"`` against its tolerance, or ``"reported"`` when the case
only reports a number. Each file also states the status it is expected to have
(``expected_status``), which the test suite checks.

Usage::

    import msk.validation as v
    table = v.run_all()                 # pandas.DataFrame, one row per case
    print(v.to_markdown(table))         # the validation report (docs/validation/index.md)

    python -m msk.validation [--markdown FILE] [--cases DIR]
    msk validate
"""

from __future__ import annotations

import argparse
import copy
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from msk._api import Model
    from msk.results import Results

__all__ = [
    "KINDS",
    "STATUSES",
    "errored",
    "failed",
    "load_cases",
    "main",
    "run_all",
    "run_case",
    "to_markdown",
    "to_text",
    "unexpected",
]

KINDS = ("measurement", "calibration", "prediction")
"""Kinds of case (see the module docstring)."""

STATUSES = ("pass", "fail", "reported")
"""Possible statuses of a case."""

_REQUIRED_KEYS = (
    "id",
    "title",
    "source",
    "quantity",
    "published",
    "tolerance",
    "kind",
    "expected_status",
    "model",
    "overrides",
    "metric",
)

_COLUMNS = (
    "id",
    "title",
    "kind",
    "published",
    "predicted",
    "tolerance",
    "status",
    "expected_status",
    "error",
    "conditions",
    "detail",
    "source",
    "quantity",
    "kind_note",
    "what_was_run",
    "meaning",
    "calibrations",
    "values",
    "tables",
)

_INSTALLED_CASES = "validation_cases"


# --- case files ----------------------------------------------------------------------------------


def _yaml_files(directory: Any) -> list[Any]:
    """YAML files of a directory (a ``Path`` or an ``importlib.resources`` traversable)."""
    if not directory.is_dir():
        return []
    found = [p for p in directory.iterdir() if p.name.endswith((".yaml", ".yml")) and p.is_file()]
    return sorted(found, key=lambda p: p.name)


def _default_case_files() -> tuple[list[Any], str]:
    """Case files of the installed package, else of the source tree; and where they were found."""
    from importlib.resources import files

    installed = files("msk") / _INSTALLED_CASES
    found = _yaml_files(installed)
    if found:
        return found, str(installed)
    source_tree = Path(__file__).resolve().parents[3] / "tests" / "validation"
    return _yaml_files(source_tree), str(source_tree)


def _check_case(case: Any, where: str) -> dict[str, Any]:
    """Validate the structure of one case; return it as a dict with ``_file`` set."""
    if not isinstance(case, Mapping):
        raise ValueError(f"{where}: expected a mapping of case fields, got {type(case).__name__}")
    missing = [key for key in _REQUIRED_KEYS if key not in case]
    if missing:
        raise ValueError(f"{where}: missing field(s) {missing}")
    if case["kind"] not in KINDS:
        raise ValueError(f"{where}: kind: expected one of {list(KINDS)}, got {case['kind']!r}")
    if case["expected_status"] not in STATUSES:
        raise ValueError(
            f"{where}: expected_status: expected one of {list(STATUSES)}, "
            f"got {case['expected_status']!r}"
        )
    for key in ("published", "tolerance", "metric"):
        if not isinstance(case[key], Mapping):
            raise ValueError(f"{where}: {key}: expected a mapping, got {case[key]!r}")
    if "text" not in case["published"] or "text" not in case["tolerance"]:
        raise ValueError(f"{where}: published and tolerance need a 'text' field")
    name = case["metric"].get("name")
    if name not in _METRICS:
        raise ValueError(f"{where}: metric.name: expected one of {sorted(_METRICS)}, got {name!r}")
    if not isinstance(case["overrides"] or {}, Mapping):
        raise ValueError(f"{where}: overrides: expected a mapping of field paths to values")
    try:
        _calibrations(case)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    checked = dict(case)
    checked["overrides"] = dict(case["overrides"] or {})
    checked["_file"] = where
    return checked


def load_cases(directory: str | Path | None = None) -> list[dict[str, Any]]:
    """Read and check the validation cases.

    Parameters
    ----------
    directory : str or path, optional
        Folder of case files (``*.yaml``). Default: the cases installed with the package
        (``msk/validation_cases``), or, when running from a source checkout without them, the
        repository's ``tests/validation``.

    Returns
    -------
    list of dict
        One dict per case, in file-name order, with the fields of the file and ``_file`` (where
        it was read from).

    Raises
    ------
    FileNotFoundError
        No case file in the folder.
    ValueError
        A file is not valid YAML, misses a field, names an unknown metric, or two cases share an
        id.
    """
    import yaml

    if directory is None:
        paths, where = _default_case_files()
    else:
        where = str(directory)
        paths = _yaml_files(Path(directory))
    if not paths:
        raise FileNotFoundError(f"no validation case files (*.yaml) in {where}")
    cases: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in paths:
        name = str(path)
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            raise ValueError(f"{name}: invalid YAML: {error}") from None
        case = _check_case(content, name)
        if case["id"] in seen:
            raise ValueError(f"{name}: id {case['id']!r} is also used by {seen[case['id']]}")
        seen[case["id"]] = name
        cases.append(case)
    return cases


# --- helpers -------------------------------------------------------------------------------------


@dataclass
class _Outcome:
    """What a metric returns: the prediction as text, the status, details and raw values."""

    predicted: str
    status: str
    detail: str
    values: dict[str, Any] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)  # Markdown tables for the report


_METRICS: dict[str, Callable[[Mapping[str, Any]], _Outcome]] = {}


def _metric(name: str) -> Callable[[Callable[[Mapping[str, Any]], _Outcome]], Any]:
    """Register a metric function under ``name`` (the ``metric.name`` of case files)."""

    def register(function: Callable[[Mapping[str, Any]], _Outcome]) -> Any:
        _METRICS[name] = function
        return function

    return register


def _model(case: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> Model:
    """The case's model with its overrides (and ``extra`` ones on top)."""
    from msk._api import load_model

    overrides = {**dict(case.get("overrides") or {}), **dict(extra or {})}
    source = f"{case.get('_file', case.get('id', 'case'))}: overrides"
    return load_model(str(case["model"]), overrides or None, overrides_source=source)


def _simulate(case: Mapping[str, Any], protocol: Mapping[str, Any], model: Model) -> Results:
    """Run ``protocol`` on ``model`` with the case's solver options, without a progress bar."""
    from msk._api import simulate

    options = dict(case.get("options") or {})
    return simulate(model, copy.deepcopy(dict(protocol)), progress=False, **options)


def _phase_end_times(protocol: Mapping[str, Any]) -> list[float]:
    """End time [s] of each phase of a protocol whose phases all have a fixed duration.

    Ramps take |target - start| / speed, the start being the previous ramp's target or the
    protocol's initial angle of the joint.

    Raises
    ------
    ValueError
        A phase ends on an event (passive_stretch, pir) or a ramp's start angle is unknown.
    """
    angles = dict((protocol.get("initial") or {}).get("angles_deg") or {})
    t = 0.0
    ends: list[float] = []
    for k, phase in enumerate(protocol["phases"]):
        kind = phase["type"]
        if kind in ("rest", "voluntary", "hold", "isometric"):
            t += float(phase["duration"])
        elif kind == "ramp":
            joint = phase["joint"]
            if joint not in angles:
                raise ValueError(
                    f"phases[{k}]: the ramp's start angle is unknown: give "
                    f"protocol.initial.angles_deg.{joint}"
                )
            t += abs(float(phase["to_deg"]) - float(angles[joint])) / float(phase["speed_deg_s"])
            angles[joint] = float(phase["to_deg"])
        else:
            raise ValueError(f"phases[{k}]: a {kind} phase has no fixed duration")
        ends.append(t)
    return ends


def _at(results: Results, channel: str, t: float) -> float:
    """Value of ``channel`` at time ``t`` [s] (linear interpolation between recorded rows)."""
    return float(np.interp(t, results.time, results[channel]))


def _status(ok: bool) -> str:
    return "pass" if ok else "fail"


class _Format(dict[str, Any]):
    """Mapping for ``str.format_map`` that shows a missing value as ``n/a``."""

    def __missing__(self, key: str) -> Any:
        return _Missing()


class _Missing:
    def __format__(self, spec: str) -> str:
        return "n/a"


# --- metric: curve check values ------------------------------------------------------------------


_CURVE_LABELS = {
    "active_force_length": "f_act",
    "passive_force_length": "f_pas",
    "force_velocity": "f_v",
}


def _published_curve(curve: str, x: float, equations: Mapping[str, Any]) -> float:
    """A De Groote 2016 curve evaluated from the published constants in the case file."""
    if curve == "active_force_length":
        total = 0.0
        for b1, b2, b3, b4 in equations["active_force_length"]["gaussians"]:
            total += b1 * math.exp(-0.5 * (x - b2) ** 2 / (b3 + b4 * x) ** 2)
        return total
    if curve == "passive_force_length":
        kpe = float(equations["passive_force_length"]["kpe"])
        e0 = float(equations["passive_force_length"]["e0"])
        return (math.exp(kpe * (x - 1.0) / e0) - 1.0) / (math.exp(kpe) - 1.0)
    if curve == "force_velocity":
        d1, d2, d3, d4 = equations["force_velocity"]["d"]
        y = d2 * x + d3
        return d1 * math.log(y + math.sqrt(y * y + 1.0)) + d4
    raise ValueError(f"metric.checks: unknown curve {curve!r}")


@_metric("curve_check_values")
def _curve_check_values(case: Mapping[str, Any]) -> _Outcome:
    """Curves of ``msk.curves`` at check points, against published values and equations."""
    from msk import curves

    metric = case["metric"]
    equation_tolerance = float(case["tolerance"]["equation_tolerance"])
    shown: list[str] = []
    notes: list[str] = []
    failures: list[str] = []
    max_error = 0.0
    max_equation_error = 0.0
    for check in metric["checks"]:
        name, x = check["curve"], float(check["x"])
        published = float(check["published"])
        decimals = int(check["decimals"])
        tolerance = float(check.get("tolerance", 0.5 * 10.0**-decimals))
        value = float(getattr(curves, name)(x, curves=metric.get("curves", "degroote2016")))
        reference = _published_curve(name, x, metric["equations"])
        error = abs(value - published)
        equation_error = abs(value - reference)
        max_error = max(max_error, error)
        max_equation_error = max(max_equation_error, equation_error)
        label = f"{_CURVE_LABELS.get(name, name)}({x:g})"
        shown.append(f"{label} = {value:.{decimals + 1}f}")
        if error > tolerance:
            failures.append(f"{label}: error {error:.1e} > {tolerance:.1e}")
        if equation_error > equation_tolerance:
            failures.append(f"{label}: {equation_error:.1e} from the published equation")
        if "note" in check:
            half_unit = 0.5 * 10.0**-decimals
            over = " (over half a unit of the last digit)" if error > half_unit else ""
            notes.append(
                f"{label}: error {error:.1e}{over}, tolerance {tolerance:.0e}. "
                + " ".join(str(check["note"]).split())
            )
    detail = (
        f"largest error against the published values {max_error:.1e}; against the published "
        f"equations {max_equation_error:.1e}."
    )
    if failures:
        detail += " Out of tolerance: " + "; ".join(failures) + "."
    if notes:
        detail += " " + " ".join(notes)
    return _Outcome(
        predicted=", ".join(shown),
        status=_status(not failures),
        detail=detail,
        values={"max_error": max_error, "max_equation_error": max_equation_error},
    )


# --- metric: stress relaxation -------------------------------------------------------------------


def _relaxation(
    results: Results, channels: Sequence[str], t_start: float, hold: float, times: Sequence[float]
) -> tuple[float, float, float, list[float]]:
    """Sum of ``channels`` at the start and at the end of a hold, its relative drop [1], and the
    fraction of that drop reached ``times`` [s] into the hold [1]."""
    series = np.sum([results[c] for c in channels], axis=0)

    def at(t: float) -> float:
        return float(np.interp(t, results.time, series))

    start, end = at(t_start), at(t_start + hold)
    drop = (start - end) / start
    fractions = [((start - at(t_start + t)) / start) / drop for t in times]
    return start, end, drop, fractions


@_metric("stress_relaxation_drop")
def _stress_relaxation_drop(case: Mapping[str, Any]) -> _Outcome:
    """Relative drop of the resisting torque over a static hold that follows a stretch, at
    several end angles; the published range applies where the stretched muscles carry the
    torque (the antagonists' share at the end of the hold below ``antagonist_share_max``)."""
    metric, tolerance = case["metric"], case["tolerance"]
    joint = metric["joint"]
    hold_index = int(metric["hold_phase"])
    hold = float(metric["hold_duration_s"])
    times = [float(t) for t in metric["fraction_times_s"]]
    by = tolerance["fraction_of_drop_by"]
    share_max = float(tolerance["antagonist_share_max"])
    protocol = case["protocol"]
    torque = [f"examiner.{joint}.resisting_torque"]
    stretched = [f"muscle.{m}.moment.{joint}" for m in metric["muscles"]]
    low, high = (float(v) for v in case["published"]["range"])
    max_excitation = float(tolerance["max_excitation"])
    model = _model(case)

    rows, unmet, values = [], [], {}
    for angle in [float(a) for a in metric["end_angles_deg"]]:
        variant = copy.deepcopy(dict(protocol))
        variant["phases"][hold_index - 1]["to_deg"] = angle
        results = _simulate(case, variant, model)
        t_start = _phase_end_times(variant)[hold_index - 1]
        start, end, drop, fractions = _relaxation(
            results, torque, t_start, hold, [*times, float(by["time_s"])]
        )
        own = _relaxation(results, stretched, t_start, hold, [])
        share = abs(end - own[1]) / abs(end)  # the antagonists' share at the end of the hold
        in_hold = (results.time >= t_start - 1e-9) & (results.time <= t_start + hold + 1e-9)
        excitation = max(
            float(np.max(results[f"muscle.{m}.excitation"][in_hold])) for m in metric["muscles"]
        )
        applies = share < share_max
        ok_own = low <= own[2] <= high
        ok_joint = (low <= drop <= high) or not applies
        ok_by = fractions[-1] >= float(by["min"])
        ok_exc = excitation < max_excitation
        if not (ok_own and ok_joint and ok_by and ok_exc):
            unmet.append(f"{angle:g} deg")
        rows.append(
            f"| {angle:g} | {start:.2f} | {drop:.3f} | {own[2]:.3f} | {share:.2f} | "
            f"{'yes' if applies else 'no'} | {100 * fractions[-1]:.0f} % | {excitation:.1e} |"
        )
        key = f"{angle:g}"
        values[f"drop_{key}"] = drop
        values[f"own_drop_{key}"] = own[2]
        values[f"share_{key}"] = share
        if angle == float(metric["main_end_angle_deg"]):
            values.update(
                {
                    "drop": drop,
                    "drop_pct": 100.0 * drop,
                    "own_drop_pct": 100.0 * own[2],
                    "torque_start": abs(start),
                    "torque_end": abs(end),
                    "max_excitation": excitation,
                }
            )
            for t, fraction in zip(times, fractions[:-1]):
                values[f"fraction_{t:g}s_pct"] = 100.0 * fraction
    table = "\n".join(
        [
            "| end angle [deg] | resisting torque at the start [N m] | joint drop in "
            f"{hold:g} s | stretched muscles' drop | antagonists' share at the end | range "
            f"applies | drop reached by {float(by['time_s']):g} s | largest excitation |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    own_all = [values[f"own_drop_{float(a):g}"] for a in metric["end_angles_deg"]]
    detail = (
        f"joint drop at {float(metric['main_end_angle_deg']):g} deg {values['drop']:.3f}; the "
        f"stretched muscles' own drop {min(own_all):.3f}-{max(own_all):.3f} at every end angle; "
        f"the joint drop is compared with {low:g}-{high:g} where the antagonists carry less than "
        f"{100 * share_max:.0f} % of the torque at the end of the hold (table)."
    )
    if unmet:
        detail += " Not met at: " + ", ".join(unmet) + "."
    predicted = (
        f"{values['drop']:.3f} at {float(metric['main_end_angle_deg']):g} deg; stretched muscles "
        f"{min(own_all):.2f}-{max(own_all):.2f}"
    )
    return _Outcome(predicted, _status(not unmet), detail, values, [table])


# --- metric: post-activation depression ----------------------------------------------------------


@_metric("pad_depression_time_course")
def _pad_depression_time_course(case: Mapping[str, Any]) -> _Outcome:
    """Depression 1 - P of a muscle's reflex at given times after a contraction ends."""
    metric, published = case["metric"], case["published"]
    muscle = metric["muscle"]
    t_end = _phase_end_times(case["protocol"])[int(metric["contraction_phase"])]
    results = _simulate(case, case["protocol"], _model(case))
    times = [float(t) for t in published["times_s"]]
    expected = [float(v) for v in published["values"]]
    depression = [1.0 - _at(results, f"muscle.{muscle}.pad_factor", t_end + t) for t in times]
    deviations = [d - e for d, e in zip(depression, expected)]
    tolerance = float(case["tolerance"]["absolute"])
    outside = [f"{t:g} s" for t, dev in zip(times, deviations) if abs(dev) > tolerance]
    values: dict[str, Any] = {"max_deviation": max(abs(d) for d in deviations)}
    for t, d in zip(times, depression):
        values[f"depression_{t:g}s"] = d
    detail = (
        f"1 - P of {muscle} after the contraction ends (t = {t_end:g} s): "
        + ", ".join(
            f"{d:.3f} at {t:g} s (published {e:.2f}, deviation {dev:+.3f})"
            for t, d, e, dev in zip(times, depression, expected, deviations)
        )
        + "."
    )
    if outside:
        detail += f" Outside +-{tolerance:g} at: {', '.join(outside)}."
    predicted = ", ".join(f"{d:.2f} at {t:g} s" for t, d in zip(times, depression))
    return _Outcome(predicted, _status(not outside), detail, values)


# --- metrics: stretching and PIR sessions (docs/theory/pir.md) -----------------------------------

_COURSE_CACHE: dict[str, Any] = {}
"""Time courses and ablations by (model text, protocol, settings): the report and the tests run
the same cases more than once in one process."""


def _cached(key: Any, compute: Callable[[], Any]) -> Any:
    import json

    text = json.dumps(key, sort_keys=True, default=str)
    if text not in _COURSE_CACHE:
        _COURSE_CACHE[text] = compute()
    return _COURSE_CACHE[text]


def _target_of(protocol: Mapping[str, Any]) -> str:
    """The joint or region of the protocol's (last) pir or passive_stretch phase."""
    phases = [p for p in protocol["phases"] if p.get("type") in ("pir", "passive_stretch")]
    if not phases:
        raise ValueError("protocol: expected a pir or passive_stretch phase")
    return str(phases[-1].get("joint") or phases[-1].get("region"))


def _session_gain(case: Mapping[str, Any], protocol: Mapping[str, Any], model: Model) -> float:
    """Range gained by a session: its last barrier past its first, toward the stretch [deg]."""
    from msk.protocols import pir_summary

    summary = pir_summary(_simulate(case, protocol, model), _target_of(protocol))
    if len(summary) < 2:
        raise ValueError(f"the run reached {len(summary)} barrier(s); a session needs 2 or more")
    return float(summary["cumulative_gain_deg"].iloc[-1])


def _with_field(protocol: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``protocol`` with ``fields`` set on its pir phase(s)."""
    variant = copy.deepcopy(dict(protocol))
    for phase in variant["phases"]:
        if phase.get("type") == "pir":
            phase.update(fields)
    return variant


def _markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return "n/a" if not math.isfinite(value) else f"{value:.2f}"
        return _cell(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _tendon_stiffness_change(
    model: Model,
    results: Results,
    muscles: Sequence[str],
    t_pre: float,
    t_post: float,
    force: float,
) -> dict[str, float]:
    """Change of each tendon's stiffness from the tendon creep between a pre-test and a post-test.

    The creep law (``tendon_creep``, docs/theory/pir.md §5) adds a series length delta [m] and
    leaves the tendon's force-length curve as it is, so the stiffness at a given force (the
    curve's slope) does not change. Read as a force-elongation slope with the elongation measured
    from the tendon's resting length at the pre-test (one reference for both tests), the
    creep gained between the tests, d = delta(t_post) - delta(t_pre), adds to the elongation at
    the test force F = ``force`` F0:

        k_post / k_pre - 1 = e(F) / (e(F) + d) - 1,     e(F) = L_s (f_T^-1(F / F0) - 1)

    with the muscle's tendon curve f_T (:func:`msk.curves.tendon_force_length_inverse`) and slack
    length L_s. Returns per muscle the change [1] (key = muscle name), and ``creep_<m>_mm``.
    """
    from msk.curves import tendon_force_length_inverse

    out: dict[str, float] = {}
    for m in muscles:
        channel = f"muscle.{m}.tendon_elongation"
        params = model.core.muscle_parameters(m)
        creep = (
            _at(results, channel, t_post) - _at(results, channel, t_pre)
            if channel in results
            else 0.0
        )
        strain = float(tendon_force_length_inverse(force, curves=str(params["curves"]))) - 1.0
        elongation = float(params["tendon_slack_length"]) * strain
        out[m] = elongation / (elongation + creep) - 1.0
        out[f"creep_{m}_mm"] = 1000.0 * creep
    return out


@_metric("contract_relax_session")
def _contract_relax_session(case: Mapping[str, Any]) -> _Outcome:
    """A contract-relax session: change of the tolerated (peak passive) moment, range gained,
    resisting torque at the first barrier's angle, tendon creep and the tendon stiffness change
    it gives; one of them against the published range (``metric.quantity``: ``tolerated_moment``,
    ``rom_gain`` or ``tendon_stiffness``; for the last, ``metric.test_force`` is the force of the
    stiffness test as a fraction of F0, default 1)."""
    from msk.protocols import pir_summary

    metric, tolerance = case["metric"], case["tolerance"]
    protocol = case["protocol"]
    target = _target_of(protocol)
    model = _model(case)
    results = _simulate(case, protocol, model)
    summary = pir_summary(results, target)
    if len(summary) < 2:
        raise ValueError("the session reached fewer than 2 barriers")
    first, last = summary.iloc[0], summary.iloc[-1]
    moment_change = float(last["barrier_torque_nm"] / first["barrier_torque_nm"] - 1.0)
    gain = float(last["cumulative_gain_deg"])
    muscles = [m for p in protocol["phases"] if p.get("type") == "isometric" for m in p["muscles"]]
    muscles = sorted(set(muscles)) or sorted(
        {m for p in protocol["phases"] for m in p.get("muscles", [])}
    )
    elongation_mm = 1000.0 * max(
        (
            float(
                results[f"muscle.{m}.tendon_elongation"][-1]
                - results[f"muscle.{m}.tendon_elongation"][0]
            )
            for m in muscles
            if f"muscle.{m}.tendon_elongation" in results
        ),
        default=0.0,  # the tendon creep law switched off
    )
    values = {
        "moment_change": moment_change,
        "moment_change_pct": 100.0 * moment_change,
        "gain_deg": gain,
        "tolerance_factor": float(last["tolerance_factor"]),
        "tendon_elongation_mm": elongation_mm,
        "first_barrier_deg": float(first["barrier_angle_deg"]),
        "last_barrier_deg": float(last["barrier_angle_deg"]),
        "first_torque_nm": float(first["barrier_torque_nm"]),
        "last_torque_nm": float(last["barrier_torque_nm"]),
        "stiffness_nm_per_deg": float(first["barrier_stiffness_nm_per_deg"]),
    }
    quantity = metric["quantity"]
    if quantity not in ("tolerated_moment", "rom_gain", "tendon_stiffness"):
        raise ValueError(
            "metric.quantity: expected tolerated_moment, rom_gain or tendon_stiffness, "
            f"got {quantity!r}"
        )
    test_force = float(metric.get("test_force", 1.0))
    stiffness = _tendon_stiffness_change(
        model,
        results,
        muscles,
        float(first["time_s"]),
        float(last["time_s"]),
        test_force,
    )
    changes = [stiffness[m] for m in muscles]
    values["tendon_stiffness_change"] = float(np.mean(changes))
    values["tendon_stiffness_change_pct"] = 100.0 * values["tendon_stiffness_change"]
    values["tendon_stiffness_change_min_pct"] = 100.0 * float(min(changes))
    values["tendon_stiffness_change_max_pct"] = 100.0 * float(max(changes))
    values["tendon_creep_between_tests_mm"] = max(stiffness[f"creep_{m}_mm"] for m in muscles)
    for m in muscles:
        values[f"tendon_stiffness_change_{m}"] = stiffness[m]
        values[f"tendon_creep_{m}_mm"] = stiffness[f"creep_{m}_mm"]
    value = {
        "tolerated_moment": moment_change,
        "rom_gain": gain,
        "tendon_stiffness": values["tendon_stiffness_change"],
    }[quantity]
    low, high = float(tolerance["min"]), float(tolerance["max"])
    detail = (
        f"first barrier {values['first_barrier_deg']:.2f} deg at {values['first_torque_nm']:.2f} "
        f"N m (stiffness {values['stiffness_nm_per_deg']:.3f} N m/deg), last "
        f"{values['last_barrier_deg']:.2f} deg at {values['last_torque_nm']:.2f} N m: range gained "
        f"{gain:.2f} deg, tolerated moment {100 * moment_change:+.1f} % (stretch tolerance factor "
        f"{float(last['tolerance_factor']):.3f}), largest tendon creep {elongation_mm:.2f} mm."
    )
    if quantity == "tendon_stiffness":
        detail += (
            " Tendon creep between the pre-test and the post-test "
            + ", ".join(f"{m} {stiffness[f'creep_{m}_mm']:.2f} mm" for m in muscles)
            + f"; tendon stiffness at {test_force:g} F0 from the pre-test's resting length "
            + ", ".join(f"{m} {100 * stiffness[m]:+.1f} %" for m in muscles)
            + f" (mean {values['tendon_stiffness_change_pct']:+.1f} %); at equal force from the "
            "post-test's own resting length 0 % (the creep lengthens the tendon, its curve's "
            "slope is unchanged)."
        )
    ok = low <= value <= high
    if not ok:
        detail += f" {quantity} {value:.3g} outside {low:g}-{high:g}."
    unit = " deg" if quantity == "rom_gain" else ""
    shown = f"{value:.2f}{unit}" if quantity == "rom_gain" else f"{100 * value:+.1f} %"
    return _Outcome(shown, _status(ok), detail, values)


def _deficit_key(stretch_min: float, after_min: float) -> str:
    """``deficit_2min_0p25`` for a 2 min stretch re-tested after 0.25 min (no dots: the key is
    used in format strings)."""
    return f"deficit_{stretch_min:g}min_{after_min:g}".replace(".", "p")


@_metric("stiffness_recovery")
def _stiffness_recovery(case: Mapping[str, Any]) -> _Outcome:
    """Resisting torque at a fixed angle of a test stretch before and at times after static
    stretches of several lengths: how much it drops and how soon it comes back."""
    from msk._api import simulate

    metric, tolerance = case["metric"], case["tolerance"]
    joint = metric["joint"]
    start = float(metric["start_deg"])
    test_to = float(metric["test_to_deg"])
    test_at = float(metric["test_angle_deg"])
    speed = float(metric["speed_deg_s"])
    stretch_to = float(metric["stretch_to_deg"])
    model = _model(case)

    def measured(state: Any = None) -> float:
        phases = [{"type": "ramp", "joint": joint, "to_deg": test_to, "speed_deg_s": speed}]
        protocol = {"phases": phases}
        if state is None:
            protocol["initial"] = {"angles_deg": {joint: start}}
        results = simulate(model, protocol, state=state, progress=False, output_dt=0.05)
        angle = np.degrees(results[f"joint.{joint}.angle"])
        torque = results[f"examiner.{joint}.resisting_torque"]
        order = np.argsort(angle)
        return float(np.interp(test_at, angle[order], torque[order]))

    baseline = measured()
    rows, values, unmet = [], {"baseline_nm": baseline}, []
    waits = [float(w) for w in metric["after_min"]]
    for minutes in [float(m) for m in metric["stretch_min"]]:
        protocol = {
            "initial": {"angles_deg": {joint: start}},
            "phases": [
                {"type": "ramp", "joint": joint, "to_deg": stretch_to, "speed_deg_s": speed},
                {"type": "hold", "joint": joint, "duration": 60.0 * minutes},
                {"type": "ramp", "joint": joint, "to_deg": start, "speed_deg_s": 20.0},
            ],
        }
        rest_options = {
            "stepper": "rosenbrock4",
            "max_step": 10.0,
            "output_dt": 10.0,
            "rtol": 1e-4,
            "atol": 1e-6,
            "progress": False,
        }
        state = simulate(model, protocol, progress=False, output_dt=1.0).final_state
        waited, deficits = 0.0, []
        for wait in waits:
            if wait * 60.0 > waited:
                hold = {"type": "hold", "joint": joint, "duration": 60.0 * wait - waited}
                rest = {"phases": [hold]}
                state = simulate(model, rest, state=state, **rest_options).final_state
                waited = 60.0 * wait
            deficits.append(1.0 - measured(state) / baseline)
        for wait, deficit in zip(waits, deficits):
            values[_deficit_key(minutes, wait)] = deficit
        rows.append([f"{minutes:g} min", *[f"{100 * d:.1f} %" for d in deficits]])
    for check in tolerance["checks"]:
        key = _deficit_key(float(check["stretch_min"]), float(check["after_min"]))
        value = values[key]
        if "max" in check and value > float(check["max"]):
            unmet.append(f"{key} = {value:.3f} > {float(check['max']):g}")
        if "min" in check and value < float(check["min"]):
            unmet.append(f"{key} = {value:.3f} < {float(check['min']):g}")
    table = _markdown_table(
        ["static stretch", *[f"deficit at {w:g} min" for w in waits]],
        rows,
    )
    detail = (
        f"resisting torque at {test_at:g} deg of the test stretch at baseline {baseline:.2f} N m; "
        f"its deficit after each static stretch at {stretch_to:g} deg, at each time after it, is "
        f"in the table."
    )
    if unmet:
        detail += " Not met: " + "; ".join(unmet) + "."
    first = [float(m) for m in metric["stretch_min"]][0]
    predicted = ", ".join(
        f"{100 * values[_deficit_key(first, w)]:.1f} % at {w:g} min" for w in waits
    )
    return _Outcome(predicted, _status(not unmet), detail, values, [table])


def _time_course(
    case: Mapping[str, Any],
    condition: Mapping[str, Any],
    retest: Sequence[float],
    control: bool = False,
):
    from msk import sessions

    overrides = {**dict(case.get("overrides") or {}), **dict(condition.get("overrides") or {})}
    protocol = condition.get("protocol") or case["protocol"]
    key = ("course", case["model"], overrides, protocol, list(retest), control)

    def compute() -> Any:
        model = _model(case, condition.get("overrides"))
        return sessions.time_course(model, protocol, retest, control=control)

    return _cached(key, compute)


@_metric("acute_gain_duration")
def _acute_gain_duration(case: Mapping[str, Any]) -> _Outcome:
    """Range gained by a session and left at re-tests, against published time courses."""
    metric, tolerance = case["metric"], case["tolerance"]
    retest = [float(t) for t in metric["retest_min"]]
    course = _time_course(case, {}, retest)
    table = course.retests
    gains = dict(zip(table["after_min"], table["gain_deg"]))
    ratio = gains[float(metric["ratio_of"][0])] / gains[float(metric["ratio_of"][1])]
    values = {"ratio": ratio, "immediate_deg": course.immediate_gain_deg}
    for t, g in gains.items():
        values[f"gain_{t:g}min_deg"] = g
    low, high = (float(v) for v in tolerance["ratio_range"])
    unmet = [] if low <= ratio <= high else [f"ratio {ratio:.2f} outside {low:g}-{high:g}"]
    for t in tolerance.get("positive_at_min", []):
        if not gains[float(t)] > 0.0:
            unmet.append(f"no gain left at {float(t):g} min")
    rows = [
        [f"{r.after_min:g}", r.gain_deg, r.share_left, r.tolerance_factor, r.barrier_torque_nm]
        for r in table.itertuples()
    ]
    markdown = _markdown_table(
        [
            "after [min]",
            "gain [deg]",
            "share of the immediate gain",
            "tolerance factor",
            "barrier torque [N m]",
        ],
        rows,
    )
    a, b = (float(t) for t in metric["ratio_of"])
    detail = (
        f"immediate gain {course.immediate_gain_deg:.2f} deg; "
        + ", ".join(f"{g:.2f} deg at {t:g} min" for t, g in gains.items() if t > 0)
        + f"; gain at {a:g} min over gain at {b:g} min {ratio:.2f}."
    )
    if unmet:
        detail += " Not met: " + "; ".join(unmet) + "."
    return _Outcome(
        f"{ratio:.2f} ({gains[a]:.2f} / {gains[b]:.2f} deg)",
        _status(not unmet),
        detail,
        values,
        [markdown],
    )


@_metric("pir_time_course")
def _pir_time_course(case: Mapping[str, Any]) -> _Outcome:
    """Sessions, their re-tests, each mechanism's share (ablation) and the session outcome."""
    from msk import sessions

    metric = case["metric"]
    retest = [float(t) for t in metric["retest_min"]]
    labels = ["0"] + [f"{t:g}" for t in retest]
    tables, values, lines = [], {}, []
    for condition in metric["conditions"]:
        name = str(condition["label"])
        key = str(condition["key"])
        course = _time_course(case, condition, retest, control=True)
        overrides = {**dict(case.get("overrides") or {}), **dict(condition.get("overrides") or {})}
        protocol = condition.get("protocol") or case["protocol"]
        ablation = _cached(
            ("ablation", case["model"], overrides, protocol, retest),
            lambda c=condition, pr=protocol: sessions.ablation(
                _model(case, c.get("overrides")), pr, retest
            ),
        )
        gains = [float(ablation[f"gain_{t}_deg"].iloc[0]) for t in labels]
        for t, g in zip(labels, gains):
            values[f"{key}_gain_{t}_deg"] = g
        rows = []
        for condition_name, row in ablation.iterrows():
            cells: list[Any] = [condition_name]
            for t in labels:
                gain = float(row[f"gain_{t}_deg"])
                share = float(row[f"share_{t}"])
                text = f"{gain:.2f}"
                if math.isfinite(share):
                    text += f" ({100 * share:.0f} %)"
                cells.append(text)
            rows.append(cells)
            if row["role"]:
                for t in labels:
                    values[f"{key}_share_{row['role']}_{t}_pct"] = 100.0 * float(row[f"share_{t}"])
        header = ["condition", "immediate"] + [f"at {t} min" for t in labels[1:]]
        tables.append(
            f"**{name}: gain [deg] (share of the full model's gain lost without the mechanism)**"
            "\n\n" + _markdown_table(header, rows)
        )
        control_rows = []
        for r in course.retests.itertuples():
            t = "0" if r.after_min == 0 else f"{r.after_min:g}"
            values[f"{key}_control_gain_{t}_deg"] = float(r.control_gain_deg)
            values[f"{key}_session_effect_{t}_deg"] = float(r.session_effect_deg)
            control_rows.append(
                [
                    "end of session" if r.after_min == 0 else f"{r.after_min:g}",
                    # rounded as shown, without a sign on zero
                    *(
                        round(float(v), 2) + 0.0
                        for v in (r.gain_deg, r.control_gain_deg, r.session_effect_deg)
                    ),
                ]
            )
        tables.append(
            f"**{name}: re-tests against a control without the session (the same time held "
            "where the first stretch started, then the same stretch)**\n\n"
            + _markdown_table(
                [
                    "after [min]",
                    "gain [deg]",
                    "control: gain without the session [deg]",
                    "session effect [deg]",
                ],
                control_rows,
            )
        )
        treated = sorted({m for p in protocol["phases"] for m in p.get("muscles", [])})
        outcome = course.outcome.loc[treated]
        tables.append(
            f"**{name}: session outcome per treated muscle (after minus before)**\n\n"
            + _markdown_table(
                [
                    "muscle",
                    "tolerated torque [%]",
                    "lasts [min]",
                    "reflex gain factor",
                    "lasts [s]",
                    "passive slack [mm]",
                    "lasts [min]",
                    "tendon [mm]",
                    "lasts [min]",
                ],
                [
                    [
                        m,
                        100 * r.tolerance_change,
                        r.tolerance_lasts_s / 60,
                        r.reflex_gain_change,
                        r.reflex_lasts_s,
                        1000 * r.resting_length_change - 1000 * r.tendon_elongation,
                        r.passive_lasts_s / 60,
                        1000 * r.tendon_elongation,
                        r.tendon_lasts_s / 60,
                    ]
                    for m, r in outcome.iterrows()
                ],
            )
        )
        lines.append(
            f"{name}: immediate {gains[0]:.2f} deg, then "
            + ", ".join(f"{g:.2f} deg at {t} min" for t, g in zip(labels[1:], gains[1:]))
        )
    detail = "; ".join(lines) + ". Ablation and session outcome in the tables."
    predicted = "; ".join(
        f"{c['key']}: {values[c['key'] + '_gain_0_deg']:.1f} deg, "
        f"{values[c['key'] + '_gain_' + labels[-1] + '_deg']:.2f} deg at {labels[-1]} min"
        for c in metric["conditions"]
    )
    return _Outcome(predicted, "reported", detail, values, tables)


@_metric("pir_sensitivity")
def _pir_sensitivity(case: Mapping[str, Any]) -> _Outcome:
    """Range gained by a PIR session as one protocol field varies, the others as in the case."""
    metric = case["metric"]
    tables, values, lines = [], {}, []
    for condition in metric["conditions"]:
        model = _model(case, condition.get("overrides"))
        protocol = condition.get("protocol") or case["protocol"]
        rows = []
        for field_name, options in metric["sweeps"].items():
            gains = [
                _session_gain(case, _with_field(protocol, {field_name: v}), model) for v in options
            ]
            for v, g in zip(options, gains):
                values[f"{condition['key']}_{field_name}_{v:g}"] = g
            rows.append(
                [
                    f"{field_name} = {', '.join(f'{v:g}' for v in options)}",
                    ", ".join(f"{g:.2f}" for g in gains),
                ]
            )
            lines.append(f"{condition['key']} {field_name}: {gains[0]:.2f} to {gains[-1]:.2f} deg")
        tables.append(
            f"**{condition['label']}: range gained after the session [deg]**\n\n"
            + _markdown_table(["protocol field and values", "gain [deg]"], rows)
        )
    detail = "; ".join(lines) + "."
    return _Outcome("tables below", "reported", detail, values, tables)


@_metric("pir_field_comparison")
def _pir_field_comparison(case: Mapping[str, Any]) -> _Outcome:
    """Range gained by a session at two or more values of one protocol field, against a
    published comparison: ``increasing`` (each value gains more than the first) or
    ``not_more_than`` (no value gains more than ``ratio`` times the first)."""
    metric, tolerance = case["metric"], case["tolerance"]
    model = _model(case)
    field_name = metric["field"]
    options = [float(v) for v in metric["values"]]
    gains = [
        _session_gain(case, _with_field(case["protocol"], {field_name: v}), model) for v in options
    ]
    values = {f"gain_{v:g}": g for v, g in zip(options, gains)}
    claim = tolerance["claim"]
    if claim == "increasing":
        ok = all(g > gains[0] for g in gains[1:])
    elif claim == "not_more_than":
        ratio = float(tolerance["ratio"])
        ok = all(g <= ratio * gains[0] for g in gains[1:])
    else:
        raise ValueError(f"tolerance.claim: expected increasing or not_more_than, got {claim!r}")
    ratios = [g / gains[0] for g in gains[1:]]
    values["ratio"] = ratios[-1]
    detail = (
        f"range gained with {field_name} = "
        + ", ".join(f"{v:g}: {g:.2f} deg" for v, g in zip(options, gains))
        + f" (ratios to the first: {', '.join(f'{r:.2f}' for r in ratios)})."
    )
    predicted = ", ".join(f"{g:.2f}" for g in gains) + " deg"
    return _Outcome(predicted, _status(ok), detail, values)


@_metric("pir_regions")
def _pir_regions(case: Mapping[str, Any]) -> _Outcome:
    """PIR sessions from bundled run files (a region or a joint of the spine models): barriers,
    gains, warnings."""
    import yaml

    from msk._api import load_model, simulate
    from msk.protocols import pir_summary

    metric = case["metric"]
    runs_dir = Path(__file__).resolve().parent / "models" / "runs"
    if not runs_dir.is_dir():
        runs_dir = Path(__file__).resolve().parents[3] / "models" / "runs"
    rows, values, lines, warnings_seen = [], {}, [], []
    for entry in metric["runs"]:
        run = yaml.safe_load((runs_dir / entry["file"]).read_text(encoding="utf-8"))
        model = load_model(
            str(run["model"]),
            {**dict(run.get("overrides") or {}), **dict(entry.get("overrides") or {})} or None,
            overrides_source=f"{entry['file']}: overrides",
        )
        options = dict(run.get("options") or {})
        results = simulate(model, run["protocol"], progress=False, **options)
        target = _target_of(run["protocol"])
        summary = pir_summary(results, target)
        warnings_seen += results.warnings
        gain = float(summary["cumulative_gain_deg"].iloc[-1]) if len(summary) else float("nan")
        label = str(entry.get("label", entry["file"]))
        values[f"gain_{entry['key']}_deg"] = gain
        rows.append(
            [
                label,
                target,
                float(summary["barrier_angle_deg"].iloc[0]),
                float(summary["barrier_torque_nm"].iloc[0]),
                float(summary["barrier_stiffness_nm_per_deg"].iloc[0]),
                gain,
                len(results.warnings),
            ]
        )
        lines.append(f"{label}: {gain:.2f} deg")
    table = _markdown_table(
        [
            "session",
            "joint or region",
            "first barrier [deg]",
            "torque [N m]",
            "stiffness [N m/deg]",
            "gain [deg]",
            "warnings",
        ],
        rows,
    )
    detail = "; ".join(lines) + "."
    if warnings_seen:
        detail += " Warnings: " + " ".join(warnings_seen)
    return _Outcome(", ".join(lines), "reported", detail, values, [table])


# --- metric: velocity-dependent stretch reflex ---------------------------------------------------


def _threshold_angle(
    case: Mapping[str, Any], model: Model, joint: str, muscle: str, threshold: float
) -> float:
    """Joint angle [deg] at which the muscle's normalised fibre length reaches ``threshold``,
    from a slow probe ramp from the protocol's start angle to the end of the range that
    lengthens the muscle (nan when it is not reached)."""
    protocol = case["protocol"]
    start = float(protocol["initial"]["angles_deg"][joint])
    target = next(float(p["to_deg"]) for p in protocol["phases"] if p["type"] == "ramp")
    low, high = (math.degrees(v) for v in model.core.joint_ranges[joint])
    end = low if target < start else high
    probe = {
        "initial": {"angles_deg": {joint: start}},
        "phases": [{"type": "ramp", "joint": joint, "to_deg": end, "speed_deg_s": 5.0}],
    }
    results = _simulate(case, probe, model)
    length = results[f"muscle.{muscle}.norm_fibre_length"]
    angle = np.degrees(results[f"joint.{joint}.angle"])
    above = np.nonzero(length >= threshold)[0]
    if above.size == 0 or above[0] == 0:
        return float("nan")
    i = int(above[0])
    w = (threshold - length[i - 1]) / (length[i] - length[i - 1])
    return float(angle[i - 1] + w * (angle[i] - angle[i - 1]))


@_metric("reflex_peak_slow_vs_fast")
def _reflex_peak_slow_vs_fast(case: Mapping[str, Any]) -> _Outcome:
    """Peak reflex excitation of a muscle in a slow and a fast stretch."""
    metric, tolerance = case["metric"], case["tolerance"]
    joint, muscle = metric["joint"], metric["muscle"]
    model = _model(case)
    slow = _simulate(case, case["protocol"], model)
    fast = _simulate(case, case["comparison_protocol"], model)
    channel = f"muscle.{muscle}.reflex_excitation"
    # ``after_s``: the peaks after that time (once the reflex of the starting posture has decayed).
    after = float(metric.get("after_s", -math.inf))
    peak_slow = float(np.max(np.asarray(slow[channel])[np.asarray(slow.time) > after]))
    peak_fast = float(np.max(np.asarray(fast[channel])[np.asarray(fast.time) > after]))
    threshold = float(model.core.muscle_parameters(muscle)["tone_threshold"])
    slow_end_length = float(
        np.max(
            np.asarray(slow[f"muscle.{muscle}.norm_fibre_length"])[np.asarray(slow.time) > after]
        )
    )
    threshold_angle = _threshold_angle(case, model, joint, muscle, threshold)
    checks = {
        "slow stretch ends below the static threshold": slow_end_length < threshold,
        f"fast peak > {float(tolerance['fast_min']):g}": peak_fast > float(tolerance["fast_min"]),
        f"slow peak < {float(tolerance['slow_max']):g}": peak_slow < float(tolerance["slow_max"]),
    }
    unmet = [name for name, ok in checks.items() if not ok]
    detail = (
        f"peak reflex excitation of {muscle}: {metric['protocol_label']} {peak_slow:.4f}, "
        f"{metric['comparison_label']} {peak_fast:.4f}. Static threshold lambda = "
        f"{threshold:.4f} L_opt, reached at {threshold_angle:.1f} deg; the slow stretch ends at "
        f"{slow_end_length:.4f} L_opt ({threshold - slow_end_length:.4f} L_opt below it)."
    )
    if unmet:
        detail += " Not met: " + "; ".join(unmet) + "."
    values = {
        "peak_slow": peak_slow,
        "peak_fast": peak_fast,
        "threshold": threshold,
        "slow_end_length": slow_end_length,
        "threshold_angle_deg": threshold_angle,
    }
    predicted = f"slow {peak_slow:.3f}, fast {peak_fast:.3f}"
    return _Outcome(predicted, _status(not unmet), detail, values)


# --- posture equilibrium (spine models) ----------------------------------------------------------


def _posture(spec: Mapping[str, Any]) -> Any:
    """A posture from a case: ``{preset: NAME, <field>: value, ...}`` or the fields alone."""
    from msk.spine import Posture

    spec = dict(spec)
    preset = spec.pop("preset", None)
    return Posture.preset(str(preset), **spec) if preset else Posture(**spec)


def _level_value(case: Mapping[str, Any], model: Model, spec: Mapping[str, Any]) -> float:
    """One column of ``msk.equilibrium(...).levels`` at the case's level (or its maximum over
    the levels when ``level: max``)."""
    from msk.spine import equilibrium

    metric = case["metric"]
    levels = equilibrium(model, _posture(spec), mode=str(metric.get("mode", "rhythm"))).levels
    column = str(metric["column"])
    if metric["level"] == "max":
        return float(levels[column].max())
    return float(levels.loc[str(metric["level"]), column])


@_metric("equilibrium_ratio")
def _equilibrium_ratio(case: Mapping[str, Any]) -> _Outcome:
    """A level's value in one posture over its value in a reference posture, against a
    published ratio with a relative tolerance, or against ``tolerance.min`` / ``max``."""
    metric, published, tolerance = case["metric"], case["published"], case["tolerance"]
    model = _model(case)
    # ``posture_overrides``: the posture side with model overrides on top (e.g. a tone), the
    # reference without them.
    changed = (
        _model(case, metric["posture_overrides"]) if metric.get("posture_overrides") else model
    )
    value = _level_value(case, changed, metric["posture"])
    reference = _level_value(case, model, metric["reference"])
    ratio = value / reference
    column = str(metric["column"])
    unit = "" if column.endswith(("share", "risk", "ratio")) else column.rsplit("_", 1)[-1]
    head = (
        f"{column} at {metric['level']}: {value:.3f} {unit} against {reference:.3f} {unit} in "
        f"the reference posture, a ratio of {ratio:.2f}"
    )
    values = {"value": value, "reference": reference, "ratio": ratio}
    if "ratio" not in published:
        lo = float(tolerance.get("min", -math.inf))
        hi = float(tolerance.get("max", math.inf))
        detail = f"{head} (accepted {lo:g} to {hi:g})."
        return _Outcome(f"{ratio:.2f}", _status(lo <= ratio <= hi), detail, values)
    target = float(published["ratio"])
    error = ratio / target - 1.0
    ok = abs(error) <= float(tolerance["relative"])
    detail = f"{head} (published {target:.2f}; {100 * error:+.0f} %)."
    values["error_pct"] = 100 * error
    return _Outcome(f"{ratio:.2f} ({100 * error:+.0f} %)", _status(ok), detail, values)


def _value_outcome(case: Mapping[str, Any], value: float, where: str) -> _Outcome:
    """A value against ``published.value`` with ``tolerance.relative``, or against
    ``tolerance.min`` / ``tolerance.max``."""
    metric, published, tolerance = case["metric"], case["published"], case["tolerance"]
    column = str(metric["column"])
    unit = "" if column.endswith(("share", "risk", "ratio")) else column.rsplit("_", 1)[-1]
    if "value" in published and "relative" in tolerance:
        target = float(published["value"])
        error = value / target - 1.0
        ok = abs(error) <= float(tolerance["relative"])
        detail = (
            f"{column} at {where}: {value:.3f} {unit} against the published {target:g} {unit} "
            f"({100 * error:+.0f} %; accepted within {100 * float(tolerance['relative']):g} %)."
        )
        values = {"value": value, "published": target, "error_pct": 100 * error}
        return _Outcome(f"{value:.3g} ({100 * error:+.0f} %)", _status(ok), detail, values)
    lo = float(tolerance.get("min", -math.inf))
    hi = float(tolerance.get("max", math.inf))
    detail = f"{column} at {where}: {value:.4g} (accepted {lo:g} to {hi:g})."
    return _Outcome(f"{value:.3g}", _status(lo <= value <= hi), detail, {"value": value})


@_metric("equilibrium_value")
def _equilibrium_value(case: Mapping[str, Any]) -> _Outcome:
    """A level's value in a posture, against ``published.value`` within ``tolerance.relative``
    or against ``tolerance.min`` / ``tolerance.max``."""
    metric = case["metric"]
    model = _model(case)
    value = _level_value(case, model, metric["posture"])
    return _value_outcome(case, value, str(metric["level"]))


def _group_value(case: Mapping[str, Any], model: Model, spec: Mapping[str, Any]) -> float:
    """One column of ``msk.equilibrium(...).groups`` for the case's group."""
    from msk.spine import equilibrium

    metric = case["metric"]
    groups = equilibrium(model, _posture(spec), mode=str(metric.get("mode", "task"))).groups
    return float(groups.loc[str(metric["group"]), str(metric["column"])])


@_metric("equilibrium_group")
def _equilibrium_group(case: Mapping[str, Any]) -> _Outcome:
    """A muscle group's value (e.g. ``mean_activation``) in a posture, or its ratio to the value
    in a ``reference`` posture (e.g. a flexion-relaxation ratio), against ``tolerance.min`` /
    ``tolerance.max``; each posture may add its own model ``overrides`` in ``variants``."""
    metric, tolerance = case["metric"], case["tolerance"]
    base = _model(case)
    parts, unmet, values = [], [], {}
    for item in metric.get("variants") or [{"label": "", "overrides": {}}]:
        model = _model(case, item["overrides"]) if item.get("overrides") else base
        label = str(item.get("label", ""))
        lo = float(item.get("min", tolerance.get("min", -math.inf)))
        hi = float(item.get("max", tolerance.get("max", math.inf)))
        value = _group_value(case, model, item.get("posture", metric["posture"]))
        name = label or "value"
        if "reference" in metric:
            reference = _group_value(case, model, item.get("reference", metric["reference"]))
            ratio = value / reference if reference > 0 else math.inf
            values[f"{name}_value"], values[f"{name}_reference"] = value, reference
            values[name] = ratio
            shown = "inf" if math.isinf(ratio) else f"{ratio:.2f}"
            parts.append(f"{label + ' ' if label else ''}{value:.4f} / {reference:.4f} = {shown}")
            value = ratio
        else:
            values[name] = value
            parts.append(f"{label + ' ' if label else ''}{value:.4f}")
        parts[-1] += f" (accepted {lo:g} to {hi:g})"
        if not (lo <= value <= hi):
            unmet.append(name)
    detail = f"{metric['column']} of {metric['group']}: " + ", ".join(parts) + "."
    if unmet:
        detail += " Not met: " + ", ".join(unmet) + "."
    predicted = ", ".join(
        f"{k} {'inf' if math.isinf(v) else format(v, '.3g')}"
        for k, v in values.items()
        if not k.endswith(("_value", "_reference"))
    )
    return _Outcome(predicted, _status(not unmet), detail, values)


@_metric("level_value")
def _level_state_value(case: Mapping[str, Any]) -> _Outcome:
    """One column of :func:`msk.spine.level_loads`: a level at a prescribed angle, compression,
    shear and hydration (``metric.state``), as on a testing machine; tolerances as
    ``equilibrium_value``."""
    from msk.spine import level_loads

    metric = case["metric"]
    state = dict(metric.get("state") or {})
    row = level_loads(_model(case), str(metric["level"]), **state)
    value = float(row[str(metric["column"])])
    return _value_outcome(case, value, f"{metric['level']} ({_short(state)})")


@_metric("passive_joint_moment")
def _passive_joint_moment(case: Mapping[str, Any]) -> _Outcome:
    """The muscles' passive moment about ``metric.joint`` (:func:`msk.muscle_moments` at zero
    activation) at each of ``metric.points`` (``{angles_deg: {...}, published: N m}``), against
    the published values: the root-mean-square difference within ``tolerance.rms`` [N m]."""
    from msk._muscle_moments import muscle_moments

    metric, tolerance = case["metric"], case["tolerance"]
    model = _model(case)
    joint = str(metric["joint"])
    rows, errors, values = [], [], {}
    for point in metric["points"]:
        angles = {str(k): float(v) for k, v in dict(point["angles_deg"]).items()}
        value = float(muscle_moments(model, angles).moments[joint])
        target = float(point["published"])
        errors.append(value - target)
        label = _short(angles)
        values[label] = value
        rows.append(f"| {label} | {target:.1f} | {value:.1f} | {value - target:+.1f} |")
    rms = math.sqrt(sum(e * e for e in errors) / len(errors))
    limit = float(tolerance["rms"])
    values["rms_N_m"] = rms
    detail = (
        f"Passive {joint} moment at {len(errors)} angles: root-mean-square difference "
        f"{rms:.1f} N m (accepted up to {limit:g} N m); largest {max(errors, key=abs):+.1f} N m."
    )
    table = "\n".join(
        ["| angles [deg] | published [N m] | msk [N m] | difference [N m] |", "|---|---|---|---|"]
        + rows
    )
    return _Outcome(f"rms {rms:.1f} N m", _status(rms <= limit), detail, values, [table])


@_metric("posture_change")
def _posture_change(case: Mapping[str, Any]) -> _Outcome:
    """How the pelvic tilt and the regions' flexion change from ``metric.reference`` to
    ``metric.posture`` (``msk.equilibrium`` in ``metric.mode``, default task): each of
    ``metric.quantities`` (``pelvic_tilt_deg`` or ``<region>_flexion_deg``) against its own
    ``min`` / ``max`` [deg]."""
    from msk.spine import equilibrium

    metric = case["metric"]
    model = _model(case)
    mode = str(metric.get("mode", "task"))
    results = [
        equilibrium(model, _posture(metric[key]), mode=mode) for key in ("reference", "posture")
    ]

    def angle(result: Any, name: str) -> float:
        if name == "pelvic_tilt_deg":
            return float(result.pelvic_tilt_deg)
        region = name.removesuffix("_flexion_deg")
        return float(result.region_flexion_deg[region])

    parts, unmet, values = [], [], {}
    for item in metric["quantities"]:
        name = str(item["name"])
        change = angle(results[1], name) - angle(results[0], name)
        lo, hi = float(item.get("min", -math.inf)), float(item.get("max", math.inf))
        values[name] = change
        parts.append(f"{name} {change:+.1f} deg (accepted {lo:g} to {hi:g})")
        if not lo <= change <= hi:
            unmet.append(name)
    detail = (
        f"From {_posture_text(metric['reference'])} to {_posture_text(metric['posture'])} "
        f"({mode} mode): " + ", ".join(parts) + "."
    )
    if unmet:
        detail += " Not met: " + ", ".join(unmet) + "."
    predicted = ", ".join(f"{k} {v:+.1f}" for k, v in values.items())
    return _Outcome(predicted, _status(not unmet), detail, values)


@_metric("equilibrium_thresholds")
def _equilibrium_thresholds(case: Mapping[str, Any]) -> _Outcome:
    """A level's value in several postures, each above or below a threshold; an item may add
    its own model ``overrides``."""
    metric = case["metric"]
    base = _model(case)
    parts, unmet, values = [], [], {}
    for item in metric["postures"]:
        model = _model(case, item["overrides"]) if item.get("overrides") else base
        value = _level_value(case, model, item["posture"])
        name = str(item.get("label", item["posture"].get("preset", "posture")))
        values[name] = value
        digits = ".0f" if abs(value) >= 10 else ".3g"
        if "above" in item:
            ok = value > float(item["above"])
            parts.append(f"{name} {value:{digits}} (> {float(item['above']):g})")
        else:
            ok = value < float(item["below"])
            parts.append(f"{name} {value:{digits}} (< {float(item['below']):g})")
        if not ok:
            unmet.append(name)
    detail = f"{metric['column']} at {metric['level']}: " + ", ".join(parts) + "."
    if unmet:
        detail += " Not met: " + ", ".join(unmet) + "."
    predicted = ", ".join(
        f"{k} {v:.0f}" if abs(v) >= 10 else f"{k} {v:.3g}" for k, v in values.items()
    )
    return _Outcome(predicted, _status(not unmet), detail, values)


# --- lifetime (docs/theory/lifetime.md) ----------------------------------------------------------


def _range_outcome(value: float, tolerance: Mapping[str, Any], text: str, values: dict) -> _Outcome:
    """A value against ``tolerance.min`` / ``tolerance.max``."""
    lo = float(tolerance.get("min", -math.inf))
    hi = float(tolerance.get("max", math.inf))
    return _Outcome(
        f"{value:.3g}", _status(lo <= value <= hi), f"{text} (accepted {lo:g} to {hi:g}).", values
    )


@_metric("lifetime_daily_stature_loss")
def _lifetime_daily_stature_loss(case: Mapping[str, Any]) -> _Outcome:
    """Mean daily stature loss [mm] over the last ``average_days`` of a lifetime run."""
    import tempfile

    from msk.lifetimes import lifetime, load_lifetime

    metric, published, tolerance = case["metric"], case["published"], case["tolerance"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.h5"
        lifetime(
            _model(case),
            str(metric["scenario"]),
            duration_days=int(metric["days"]),
            out=path,
            progress=False,
        )
        ds = load_lifetime(path)
    days = int(metric.get("average_days", 7))
    loss_mm = 1000.0 * float(ds["daily_stature_loss"][-days:].mean())
    first_mm = 1000.0 * float(ds["daily_stature_loss"][0])
    target = float(published["value"])
    error = loss_mm / target - 1.0
    values = {"value": loss_mm, "first_day": first_mm, "error_pct": 100 * error}
    detail = (
        f"daily stature loss {loss_mm:.1f} mm (mean of the last {days} of {metric['days']} days; "
        f"{first_mm:.1f} mm on the first day) against {target:g} mm ({100 * error:+.0f} %)."
    )
    ok = abs(error) <= float(tolerance["relative"])
    return _Outcome(f"{loss_mm:.1f} mm ({100 * error:+.0f} %)", _status(ok), detail, values)


@_metric("disc_fluid_equilibrium_loss")
def _disc_fluid_equilibrium_loss(case: Mapping[str, Any]) -> _Outcome:
    """Fraction of the disc's fluid lost at equilibrium under a load pressure (law
    disc_fluid_two_phase with its defaults)."""
    from msk._runtime import require_core

    pressure = float(case["metric"]["pressure_MPa"]) * 1e6
    lost = 1.0 - float(require_core().lifetime_disc_equilibrium_hydration(pressure))
    text = f"fluid lost at {pressure / 1e6:g} MPa: {100 * lost:.0f} %"
    return _range_outcome(lost, case["tolerance"], text, {"value": lost})


@_metric("disc_fluid_recovery_ratio")
def _disc_fluid_recovery_ratio(case: Mapping[str, Any]) -> _Outcome:
    """Time to half of the night's regain over time to half of the day's loss, on repeated
    days of ``day_hours`` at ``day_MPa`` and nights at ``night_MPa`` (law disc_fluid_two_phase)."""
    from msk._runtime import require_core

    core = require_core()
    metric = case["metric"]
    day_s, night_s = (
        3600.0 * float(metric["day_hours"]),
        3600.0 * (24.0 - float(metric["day_hours"])),
    )
    p_day, p_night = 1e6 * float(metric["day_MPa"]), 1e6 * float(metric["night_MPa"])
    h = 1.0
    for _ in range(30):  # to the periodic day
        h = core.lifetime_disc_hydration_after(
            core.lifetime_disc_hydration_after(h, p_day, day_s), p_night, night_s
        )
    evening = core.lifetime_disc_hydration_after(h, p_day, day_s)
    change = h - evening

    def half_time(start: float, pressure: float, target: float, sign: float) -> float:
        x, t = start, 0.0
        while sign * (x - target) < 0.0:
            x = core.lifetime_disc_hydration_after(x, pressure, 60.0)
            t += 60.0
        return t

    t_loss = half_time(h, p_day, h - 0.5 * change, -1.0)
    t_gain = half_time(evening, p_night, evening + 0.5 * change, 1.0)
    ratio = t_gain / t_loss
    values = {
        "value": ratio,
        "loss_half_h": t_loss / 3600,
        "regain_half_h": t_gain / 3600,
        "change": change,
    }
    text = (
        f"half of the day's fluid loss ({change:.2f}) in {t_loss / 3600:.2f} h, half of its "
        f"regain in {t_gain / 3600:.2f} h: recovery {ratio:.1f} x slower"
    )
    return _range_outcome(ratio, case["tolerance"], text, values)


@_metric("sarcomere_immobilisation")
def _sarcomere_immobilisation(case: Mapping[str, Any]) -> _Outcome:
    """Optimal length after ``weeks`` immobilised at ``fibre_ratio`` (passive), then after as many
    weeks back at the habitual length (law sarcomere_adaptation with its defaults)."""
    from msk._runtime import require_core

    core = require_core()
    metric, published, tolerance = case["metric"], case["published"], case["tolerance"]
    duration = 7 * 86400.0 * float(metric["weeks"])
    cast = core.lifetime_sarcomere_ratio_after(1.0, float(metric["fibre_ratio"]), 0.0, duration)
    back = core.lifetime_sarcomere_ratio_after(cast, 1.0, 0.0, duration)
    change = cast - 1.0
    target = float(published["change"])
    left = (back - 1.0) / change
    ok = abs(change - target) <= float(tolerance["change"]) and abs(left) <= float(
        tolerance["left"]
    )
    values = {"value": change, "left": left}
    detail = (
        f"L_opt {100 * change:+.1f} % after {metric['weeks']} weeks in the cast (published "
        f"{100 * target:+.0f} %, accepted within {100 * float(tolerance['change']):.0f} points); "
        f"{100 * left:.1f} % of the change left after as many weeks back (accepted "
        f"{100 * float(tolerance['left']):.0f} %)."
    )
    return _Outcome(f"{100 * change:+.1f} %, {100 * left:.1f} % left", _status(ok), detail, values)


def _strength_after_days(metric: Mapping[str, Any]) -> tuple[float, float]:
    """Strength ratio s_n s_m and morphological ratio s_m after ``days`` of a habitual day
    (``awake_hours`` at ``habitual_activation``, the rest asleep at rest), with sessions of
    ``loaded_s`` seconds at ``intensity`` on ``train_weekdays`` (days modulo 7) or every
    ``every_days`` days, or in bed (``bed_rest``: the whole day at rest), by the law
    strength_adaptation's exact solution with its defaults."""
    from msk._runtime import require_core

    core = require_core()
    awake = 3600.0 * float(metric.get("awake_hours", 16.0))
    habitual = float(metric.get("habitual_activation", 0.02))
    activations, durations = [habitual, 0.0], [awake, 86400.0 - awake]
    weekdays = {int(d) for d in metric.get("train_weekdays", [])}
    every = int(metric.get("every_days", 0))
    loaded = float(metric.get("loaded_s", 0.0))
    intensity = float(metric.get("intensity", 0.0))
    bed = bool(metric.get("bed_rest", False))
    ratios = {}
    u = core.lifetime_strength_use_reference(activations, durations)
    for compartment in ("neural", "morphological"):
        s = 1.0
        for day in range(int(metric["days"])):
            if bed:
                s = core.lifetime_strength_ratio_after(compartment, s, 0.0, u, 86400.0)
                continue
            train = loaded if (day % 7 in weekdays or (every and day % every == 0)) else 0.0
            s = core.lifetime_strength_ratio_after(compartment, s, intensity, u, train)
            s = core.lifetime_strength_ratio_after(compartment, s, habitual, u, awake - train)
            s = core.lifetime_strength_ratio_after(compartment, s, 0.0, u, 86400.0 - awake)
        ratios[compartment] = s
    return ratios["neural"] * ratios["morphological"], ratios["morphological"]


@_metric("strength_programme")
def _strength_programme(case: Mapping[str, Any]) -> _Outcome:
    """Change of strength (MVC) and of cross-sectional area (the morphological compartment)
    after a training programme or bed rest (law strength_adaptation), against the published
    ``strength_change`` and/or ``csa_change`` within ``tolerance`` points."""
    metric, published, tolerance = case["metric"], case["published"], case["tolerance"]
    strength, area = _strength_after_days(metric)
    values = {"value": strength - 1.0, "strength_pct": 100 * (strength - 1.0)}
    values["csa_pct"] = 100 * (area - 1.0)
    checks, parts = [], []
    for key, value, what in (
        ("strength_change", strength - 1.0, "MVC"),
        ("csa_change", area - 1.0, "CSA"),
    ):
        if key not in published:
            continue
        target, allowed = float(published[key]), float(tolerance[key])
        checks.append(abs(value - target) <= allowed)
        parts.append(
            f"{what} {100 * value:+.1f} % (published {100 * target:+.1f} %, accepted within "
            f"{100 * allowed:.0f} points)"
        )
    detail = f"after {metric['days']} days: " + "; ".join(parts) + "."
    predicted = f"MVC {100 * (strength - 1.0):+.1f} %, CSA {100 * (area - 1.0):+.1f} %"
    return _Outcome(predicted, _status(all(checks)), detail, values)


# --- running -------------------------------------------------------------------------------------


def _short(value: Any) -> str:
    """A value of a case file on one line: mappings as ``key=value``, lists in brackets."""
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_short(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _posture_text(spec: Any) -> str:
    """``standing_relaxed (lumbar_flexion_deg=-2, hydration=0.7)`` for a posture of a case."""
    if not isinstance(spec, Mapping):
        return str(spec)
    fields = dict(spec)
    head = fields.pop("preset", None) or fields.pop("name", None) or "posture"
    return f"{head} ({_short(fields)})" if fields else str(head)


def _protocol_text(protocol: Any) -> str:
    """``r_elbow_flex at 90 deg; hold (duration=1); ramp (to_deg=20, speed_deg_s=5)``."""
    if not isinstance(protocol, Mapping):
        return str(protocol)
    angles = (protocol.get("initial") or {}).get("angles_deg") or {}
    parts = [f"{joint} at {_short(angle)} deg" for joint, angle in angles.items()]
    for phase in protocol.get("phases") or []:
        fields = dict(phase) if isinstance(phase, Mapping) else {"phase": phase}
        kind = fields.pop("type", "phase")
        fields.pop("joint", None)
        parts.append(f"{kind} ({_short(fields)})" if fields else str(kind))
    return "; ".join(parts)


def _conditions(case: Mapping[str, Any]) -> str:
    """What a case runs, from its file: model, overrides, protocol(s), postures and mode."""
    metric = case.get("metric") or {}
    parts = [f"model {case['model']}" if case.get("model") else "no model"]
    if metric.get("curves"):
        parts.append(f"curves {metric['curves']}")
    if case.get("overrides"):
        parts.append(f"overrides {_short(case['overrides'])}")
    if case.get("protocol"):
        parts.append(f"protocol: {_protocol_text(case['protocol'])}")
    if case.get("comparison_protocol"):
        parts.append(f"comparison protocol: {_protocol_text(case['comparison_protocol'])}")
    if case.get("options"):
        parts.append(f"options {_short(case['options'])}")
    if "posture" in metric:
        parts.append(f"posture {_posture_text(metric['posture'])}")
    if "reference" in metric:
        parts.append(f"reference posture {_posture_text(metric['reference'])}")
    for item in metric.get("postures") or []:
        if isinstance(item, Mapping):
            label = item.get("label", "posture")
            extra = f" with overrides {_short(item['overrides'])}" if item.get("overrides") else ""
            parts.append(f"posture {label}: {_posture_text(item.get('posture'))}{extra}")
    if "state" in metric:
        parts.append(f"level state {_short(metric['state'])} (no muscles, no posture)")
    if "mode" in metric:
        parts.append(f"mode {metric['mode']}")
    if "column" in metric and "level" in metric:
        parts.append(f"{metric['column']} at {metric['level']}")
    return "; ".join(parts)


def _text(value: Any) -> str:
    """Fold a YAML text value onto one line."""
    return " ".join(str(value or "").split())


def _calibrations(case: Mapping[str, Any]) -> str:
    """The case's ``calibrations`` (the fitted parameters it depends on, each with the data it
    was fitted to) on one line: ``NAME = VALUE (where): fitted to DATA; ...``."""
    items = case.get("calibrations") or []
    if not isinstance(items, Sequence) or isinstance(items, str):
        raise ValueError(f"{case.get('id')}: calibrations: expected a list of mappings")
    parts = []
    for item in items:
        if not isinstance(item, Mapping) or not {"parameter", "value", "fitted_to"} <= set(item):
            raise ValueError(
                f"{case.get('id')}: calibrations: each entry needs parameter, value and fitted_to"
            )
        where = f" ({_text(item['where'])})" if item.get("where") else ""
        parts.append(
            f"{_text(item['parameter'])} = {_text(item['value'])}{where}: fitted to "
            f"{_text(item['fitted_to'])}"
        )
    return "; ".join(parts)


def run_case(case: Mapping[str, Any]) -> dict[str, Any]:
    """Run one case and compare it with its published value.

    Parameters
    ----------
    case : mapping
        A case as returned by :func:`load_cases`.

    Returns
    -------
    dict
        ``id``, ``title``, ``kind``, ``source``, ``published`` (text), ``predicted`` (text),
        ``tolerance`` (text), ``status`` (``"pass"``, ``"fail"`` or ``"reported"``), ``detail``
        (what the run gave, with units), and also ``expected_status``, ``quantity``,
        ``kind_note``, ``what_was_run``, ``meaning`` (the case's interpretation filled with the
        numbers of this run), ``calibrations`` (the fitted parameters the case depends on, each
        with the data it was fitted to; ``""`` when none), ``conditions`` (model, overrides,
        protocol or postures, from the case file), ``values`` (the raw numbers, by name) and
        ``error`` (``""``, or the exception of a run that raised: its status is then ``"fail"``
        with the error in ``detail``, and :func:`errored` lists it whatever its expected
        status).

    Raises
    ------
    KeyError
        The case names no registered metric (cases from :func:`load_cases` always do).
    """
    metric = _METRICS[case["metric"]["name"]]
    error_text = ""
    try:
        outcome = metric(case)
    except Exception as error:  # a broken run is a failed case, reported with its cause
        message = " ".join(str(error).split())
        error_text = f"{type(error).__name__}: {message}"
        outcome = _Outcome("n/a", "fail", f"error: {error_text}")
    meaning = _text(case.get("meaning"))
    try:
        meaning = meaning.format_map(_Format(outcome.values))
    except (ValueError, TypeError, IndexError, AttributeError):
        pass
    return {
        "id": str(case["id"]),
        "title": _text(case["title"]),
        "kind": str(case["kind"]),
        "source": _text(case["source"]),
        "published": _text(case["published"]["text"]),
        "predicted": outcome.predicted,
        "tolerance": _text(case["tolerance"]["text"]),
        "status": outcome.status,
        "detail": outcome.detail[:1].upper() + outcome.detail[1:],
        "expected_status": str(case["expected_status"]),
        "error": error_text,
        "conditions": _conditions(case),
        "quantity": _text(case["quantity"]),
        "kind_note": _text(case.get("kind_note")),
        "what_was_run": _text(case.get("what_was_run")),
        "meaning": meaning,
        "calibrations": _calibrations(case),
        "values": dict(outcome.values),
        "tables": "\n\n".join(outcome.tables),
    }


def run_all(directory: str | Path | None = None) -> pd.DataFrame:
    """Run every case.

    Parameters
    ----------
    directory : str or path, optional
        Folder of case files; default as in :func:`load_cases`.

    Returns
    -------
    pandas.DataFrame
        One row per case with the columns of :func:`run_case` (``id``, ``title``, ``kind``,
        ``published``, ``predicted``, ``tolerance``, ``status``, ... ``values``).

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`load_cases`. A case whose run raises does not raise here: it is a failed case
        with its error in the ``error`` column.
    """
    import pandas as pd

    rows = [run_case(case) for case in load_cases(directory)]
    return pd.DataFrame(rows, columns=list(_COLUMNS))


def failed(table: pd.DataFrame) -> list[str]:
    """The cases that fail.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`run_all`.

    Returns
    -------
    list of str
        Ids of the cases whose status is ``"fail"`` (out of tolerance or errored).

    Raises
    ------
    KeyError
        ``table`` has no ``id`` or ``status`` column.
    """
    return [str(i) for i, s in zip(table["id"], table["status"]) if s == "fail"]


def errored(table: pd.DataFrame) -> list[str]:
    """The cases whose run raised an error instead of giving a number.

    An error is never an expected outcome: a case documented as failing
    (``expected_status: fail``) that errors is listed too.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`run_all`.

    Returns
    -------
    list of str
        Ids of the cases with a non-empty ``error`` (none for a table without that column).

    Raises
    ------
    KeyError
        ``table`` has no ``id`` column.
    """
    if "error" not in getattr(table, "columns", ()):
        return []
    return [str(i) for i, e in zip(table["id"], table["error"]) if isinstance(e, str) and e]


def unexpected(table: pd.DataFrame) -> list[str]:
    """The cases that fail although their file expects them to pass (a regression).

    A case documented as failing (``expected_status: fail``) is not one, unless its run raised
    an error (:func:`errored`).

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`run_all`.

    Returns
    -------
    list of str
        Ids, in table order.

    Raises
    ------
    KeyError
        ``table`` has no ``id``, ``status`` or ``expected_status`` column.
    """
    broken = set(errored(table))
    return [
        str(i)
        for i, s, e in zip(table["id"], table["status"], table["expected_status"])
        if (s == "fail" and e != "fail") or str(i) in broken
    ]


# --- reports -------------------------------------------------------------------------------------


def to_text(table: pd.DataFrame, width: int = 100) -> str:
    """A plain-text summary for the terminal: one line per case, then each case's conditions
    and details.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`run_all`.
    width : int
        Lines of the details are wrapped at this many characters.

    Returns
    -------
    str
        The table, its columns as wide as their longest entry (so they stay aligned whatever
        the names), a ``(expected)`` mark on a failure the case file expects and ``ERROR`` on a
        run that raised; then per case the published value, the tolerance, the conditions
        (model, overrides, protocol or postures, from the case file) and what msk gave.

    Raises
    ------
    KeyError
        ``table`` lacks a column of :func:`run_all`.
    """
    import textwrap

    rows = list(table.itertuples(index=False))
    broken = set(errored(table))

    def status(row: Any) -> str:
        if str(row.id) in broken:
            return "ERROR"
        if row.status == "fail" and row.expected_status == "fail":
            return "fail (expected)"
        return str(row.status)

    id_width = max([len("case")] + [len(str(r.id)) for r in rows])
    kind_width = max([len("kind")] + [len(str(r.kind)) for r in rows])
    status_width = max([len("status")] + [len(status(r)) for r in rows])
    header = f"{'case':<{id_width}}  {'kind':<{kind_width}}  {'status':<{status_width}}  msk"
    lines = [header, "-" * max(len(header), min(width, 100))]
    for row in rows:
        lines.append(
            f"{row.id!s:<{id_width}}  {row.kind!s:<{kind_width}}  "
            f"{status(row):<{status_width}}  {row.predicted}"
        )
    lines.append("")

    def wrapped(label: str, text: Any) -> list[str]:
        return textwrap.wrap(
            f"{label}{text}",
            width=width,
            initial_indent="  ",
            subsequent_indent="    ",
            break_on_hyphens=False,
        )

    for row in rows:
        lines.append(f"{row.id}")
        lines += wrapped("published: ", row.published)
        lines += wrapped("tolerance: ", row.tolerance)
        conditions_text = getattr(row, "conditions", "")
        if conditions_text:
            lines += wrapped("conditions: ", conditions_text)
        calibrations_text = getattr(row, "calibrations", "")
        if calibrations_text:
            lines += wrapped("calibrated: ", calibrations_text)
        lines += wrapped("msk: ", row.detail)
    n_pass = sum(s == "pass" for s in table["status"])
    n_expected = sum(
        s == "fail" and e == "fail" and str(i) not in broken
        for i, s, e in zip(table["id"], table["status"], table["expected_status"])
    )
    n_unexpected = len([i for i in unexpected(table) if i not in broken])
    lines.append("")
    lines.append(
        f"{len(rows)} cases: {n_pass} pass, {n_expected} fail as their file expects, "
        f"{n_unexpected} fail unexpectedly, {len(broken)} error(s)"
    )
    return "\n".join(lines)


def _cell(text: Any) -> str:
    """Text safe in a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


_HEADER = """\
# Validation report

This page compares msk with published measurements and with qualitative claims from the
literature. Each case is a file in `tests/validation/` (installed with the package as
`msk/validation_cases/`) holding the citation, the published value, the tolerance and how it is
applied, the model with its overrides, the protocol and the metric; `msk validate` runs them all
and this page is generated from the same files and runs with
`python -m msk.validation --markdown docs/validation/index.md` (msk {version}). Every number below
comes from those runs. The kind of each case says what a pass means: **measurement**, compared with
independent data; **calibration**, the model parameter was fitted to these same data, so a pass
checks the fit and its implementation, not the physiology; **prediction**, a qualitative claim the
model is tested on. A case whose numbers also rest on parameters fitted elsewhere lists them,
each with the data it was fitted to, under *Calibrated parameters it depends on*.
"""


def to_markdown(table: pd.DataFrame) -> str:
    """The validation report in Markdown: header, table, then one section per case.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`run_all`.

    Returns
    -------
    str
        The page docs/validation/index.md holds.

    Raises
    ------
    KeyError
        ``table`` lacks a column of :func:`run_all`.
    """
    from msk._api import installed_version

    try:
        version = installed_version()
    except Exception:
        version = "unknown version"
    lines = [_HEADER.format(version=version)]
    counts = {kind: int(sum(k == kind for k in table["kind"])) for kind in KINDS}
    lines.append(
        "This run: "
        + ", ".join(f"{n} {kind} case{'s' if n != 1 else ''}" for kind, n in counts.items())
        + (
            "; none is yet a comparison with independent data.\n"
            if counts["measurement"] == 0
            else ".\n"
        )
    )
    lines.append("| case | kind | published | msk | tolerance | status |")
    lines.append("|---|---|---|---|---|---|")
    for row in table.itertuples(index=False):
        lines.append(
            f"| [`{row.id}`](#{row.id}) | {row.kind} | {_cell(row.published)} | "
            f"{_cell(row.predicted)} | {_cell(row.tolerance)} | **{row.status}** |"
        )
    passed = sum(s == "pass" for s in table["status"])
    lines.append("")
    lines.append(
        f"{passed} of {len(table)} cases pass; failing: "
        f"{', '.join(f'`{i}`' for i in failed(table)) or 'none'}."
    )
    for row in table.itertuples(index=False):
        lines += [
            "",
            f'<a id="{row.id}"></a>',
            f"## `{row.id}`: {row.title}",
            "",
            f"**Kind:** {row.kind}. {row.kind_note} **Status:** {row.status} (expected "
            f"{row.expected_status}).",
            "",
            f"**Quantity.** {row.quantity}",
            "",
            f"**What was run.** {row.what_was_run}",
            "",
            f"**What msk predicts.** {row.detail}",
            "",
            *([str(row.tables), ""] if getattr(row, "tables", "") else []),
            f"**What it means.** {row.meaning}",
            "",
        ]
        if row.calibrations:
            lines += [f"**Calibrated parameters it depends on.** {row.calibrations}.", ""]
        lines += [
            f"**Source.** {row.source}",
        ]
    return "\n".join(lines) + "\n"


# --- command line --------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m msk.validation [--markdown FILE] [--check FILE] [--cases DIR]``.

    Prints the summary, optionally writes the Markdown report or compares it with a file.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 when no case fails unexpectedly and none errors (:func:`unexpected`, :func:`errored`)
        and the ``--check`` file matches; 1 otherwise.

    Raises
    ------
    SystemExit
        Bad arguments (argparse).
    FileNotFoundError, ValueError
        As :func:`load_cases`.
    """
    parser = argparse.ArgumentParser(
        prog="python -m msk.validation", description="Run the msk validation cases."
    )
    parser.add_argument("--markdown", metavar="FILE", help="write the Markdown report to FILE")
    parser.add_argument(
        "--check",
        metavar="FILE",
        help="exit 1 when FILE (e.g. docs/validation/index.md) differs from this run's report",
    )
    parser.add_argument("--cases", metavar="DIR", help="folder of case files (default: bundled)")
    args = parser.parse_args(argv)
    table = run_all(args.cases)
    print(to_text(table))
    markdown = to_markdown(table)
    stale = False
    if args.markdown:
        path = Path(args.markdown)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
        print(f"\nreport: {path}")
    if args.check:
        path = Path(args.check)
        stale = not path.is_file() or path.read_text(encoding="utf-8") != markdown
        if stale:
            print(
                f"{path} differs from this run; regenerate it with "
                f"python -m msk.validation --markdown {path}",
                file=sys.stderr,
            )
    for case_id, error in zip(table["id"], table["error"]):
        if error:
            print(f"error: {case_id}: {error}", file=sys.stderr)
    return 1 if unexpected(table) or stale else 0


if __name__ == "__main__":
    sys.exit(main())
