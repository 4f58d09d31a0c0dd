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
    """Relative drop of the resisting torque over a static hold that follows a stretch."""
    metric, tolerance = case["metric"], case["tolerance"]
    joint = metric["joint"]
    hold_index = int(metric["hold_phase"])
    hold = float(metric["hold_duration_s"])
    times = [float(t) for t in metric["fraction_times_s"]]
    by = tolerance["fraction_of_drop_by"]
    protocol = case["protocol"]
    torque = [f"examiner.{joint}.resisting_torque"]
    stretched = [f"muscle.{m}.moment.{joint}" for m in metric["muscles"]]

    def relax(variant: Mapping[str, Any], results: Results) -> dict[str, Any]:
        t_start = _phase_end_times(variant)[hold_index - 1]
        start, end, drop, fractions = _relaxation(
            results, torque, t_start, hold, [*times, float(by["time_s"])]
        )
        own = _relaxation(results, stretched, t_start, hold, [])[2]
        in_hold = (results.time >= t_start - 1e-9) & (results.time <= t_start + hold + 1e-9)
        excitation = max(
            float(np.max(results[f"muscle.{m}.excitation"][in_hold])) for m in metric["muscles"]
        )
        return {
            "start": start,
            "end": end,
            "drop": drop,
            "fractions": fractions[:-1],
            "fraction_by": fractions[-1],
            "own": own,
            "excitation": excitation,
        }

    model = _model(case)
    base = relax(protocol, _simulate(case, protocol, model))
    drop = base["drop"]

    low, high = (float(v) for v in case["published"]["range"])
    max_excitation = float(tolerance["max_excitation"])
    checks = {
        f"drop inside {low:g}-{high:g}": low <= drop <= high,
        f"{float(by['min']):.0%} of the drop by {float(by['time_s']):g} s": base["fraction_by"]
        >= float(by["min"]),
        f"excitation below {max_excitation:g}": base["excitation"] < max_excitation,
    }
    unmet = [name for name, ok in checks.items() if not ok]

    start_angle = float(protocol["initial"]["angles_deg"][joint])
    end_angle = float(protocol["phases"][hold_index - 1]["to_deg"])
    others = [f"{end_angle:g} deg: {drop:.3f}, stretched muscles alone {base['own']:.3f}"]
    for angle in metric.get("also_report_end_angles_deg", []):
        variant = copy.deepcopy(dict(protocol))
        variant["phases"][hold_index - 1]["to_deg"] = float(angle)
        other = relax(variant, _simulate(case, variant, model))
        others.append(
            f"{float(angle):g} deg: {other['drop']:.3f}, stretched muscles alone {other['own']:.3f}"
        )

    values: dict[str, Any] = {
        "drop": drop,
        "drop_pct": 100.0 * drop,
        "own_drop_pct": 100.0 * base["own"],
        "torque_start": abs(base["start"]),
        "torque_end": abs(base["end"]),
        "max_excitation": base["excitation"],
        "end_angle_report": "; ".join(others),
    }
    for t, fraction in zip(times, base["fractions"]):
        values[f"fraction_{t:g}s_pct"] = 100.0 * fraction
    fraction_text = ", ".join(
        f"{100 * f:.0f} % at {t:g} s" for t, f in zip(times, base["fractions"])
    )
    detail = (
        f"resisting torque {base['start']:.3f} N m at the start of the hold, {base['end']:.3f} "
        f"N m after {hold:g} s: drop {drop:.3f}; share of that drop reached: {fraction_text}; "
        f"largest excitation of the stretched muscles during the hold {base['excitation']:.1e}. "
        f"The moment of the stretched muscles ({', '.join(metric['muscles'])}) alone drops "
        f"{base['own']:.3f}; the rest of the drop is the passive moment of the shortened "
        f"antagonists coming back as their viscoelastic branches relax. Reported only, the drop "
        f"after a stretch from {start_angle:g} deg to {'; to '.join(others)}."
    )
    if unmet:
        detail += " Not met: " + "; ".join(unmet) + "."
    time_30 = next((f for t, f in zip(times, base["fractions"]) if t == 30.0), None)
    predicted = f"{drop:.3f}" + (f" ({100 * time_30:.0f} % of it by 30 s)" if time_30 else "")
    return _Outcome(predicted, _status(not unmet), detail, values)


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


# --- metric: PIR range-of-motion gain ------------------------------------------------------------


def _pir_gains(results: Results, joint: str) -> tuple[float, list[float], list[float], float]:
    """Cumulative gain [deg], gains per cycle [deg], barrier angles [deg] of a PIR run, and the
    time of its first barrier [s]."""
    from msk.protocols import pir_summary

    summary = pir_summary(results, joint)
    if len(summary) < 2:
        raise ValueError(f"the run reached {len(summary)} barrier(s); a PIR needs at least 2")
    return (
        float(summary["cumulative_gain_deg"].iloc[-1]),
        [float(g) for g in summary["gain_deg"].iloc[1:]],
        [float(a) for a in summary["barrier_angle_deg"]],
        float(summary["time_s"].iloc[0]),
    )


def _passive_share(results: Results, joint: str, muscles: Sequence[str], t: float) -> float:
    """Share of the muscles' summed moment about ``joint`` at time ``t`` [s] that their passive
    fibre force gives (passive force times moment arm; exact without pennation) [1]."""
    passive = sum(
        _at(results, f"muscle.{m}.passive_force", t)
        * _at(results, f"muscle.{m}.moment_arm.{joint}", t)
        for m in muscles
    )
    total = sum(_at(results, f"muscle.{m}.moment.{joint}", t) for m in muscles)
    return passive / total


@_metric("pir_rom_gain")
def _pir_rom_gain(case: Mapping[str, Any]) -> _Outcome:
    """Range gained by a PIR session; share lost with each mechanism off; lasting gain."""
    from msk.protocols import pir_summary

    metric = case["metric"]
    joint = metric["joint"]
    protocol = case["protocol"]
    results = _simulate(case, protocol, _model(case))
    gain, per_cycle, barriers, t_first = _pir_gains(results, joint)
    treated = next(p["muscles"] for p in protocol["phases"] if p["type"] == "pir")
    start_angle = float(protocol["initial"]["angles_deg"][joint])
    values: dict[str, Any] = {
        "gain_deg": gain,
        "gain_per_cycle_text": ", ".join(f"{g:.2f}" for g in per_cycle),
        "first_stretch_deg": abs(barriers[0] - start_angle),
        "passive_share_pct": 100.0 * _passive_share(results, joint, treated, t_first),
    }
    lines: list[str] = []
    for variant in metric.get("variants", []):
        key = variant["key"]
        other = _pir_gains(_simulate(case, protocol, _model(case, variant["overrides"])), joint)[0]
        share = (gain - other) / gain if gain != 0 else float("nan")
        values[f"gain_without_{key}_deg"] = other
        values[f"share_{key}_pct"] = 100.0 * share
        lines.append(f"{variant['label']}: {other:.2f} deg ({100 * share:.0f} % of the gain lost)")

    retest = metric.get("retest_phases")
    if retest:
        extended = copy.deepcopy(dict(protocol))
        extended["phases"] = list(extended["phases"]) + copy.deepcopy(list(retest))
        summary = pir_summary(_simulate(case, extended, _model(case)), joint)
        if len(summary) != len(barriers) + 1:
            raise ValueError("the re-test stretch did not reach the barrier")
        lasting = float(summary["cumulative_gain_deg"].iloc[-1])
        values["lasting_gain_deg"] = lasting
        values["retest_barrier_deg"] = float(summary["barrier_angle_deg"].iloc[-1])
        lines.append(
            f"re-test after the session: barrier at {values['retest_barrier_deg']:.2f} deg, "
            f"lasting gain {lasting:.2f} deg"
        )

    minimum = float(case["tolerance"]["min_gain_deg"])
    detail = (
        f"barriers at {', '.join(f'{a:.2f}' for a in barriers)} deg (start {start_angle:g} deg); "
        f"cumulative gain {gain:.2f} deg, per cycle {values['gain_per_cycle_text']} deg; at the "
        f"first barrier the passive fibre force gives {values['passive_share_pct']:.1f} % of the "
        f"treated muscles' moment. " + ". ".join(line[0].upper() + line[1:] for line in lines) + "."
    )
    predicted = f"{gain:.2f} deg (per cycle {values['gain_per_cycle_text']})"
    return _Outcome(predicted, _status(gain > minimum), detail, values)


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
    peak_slow = float(np.max(slow[channel]))
    peak_fast = float(np.max(fast[channel]))
    threshold = float(model.core.muscle_parameters(muscle)["tone_threshold"])
    slow_end_length = float(np.max(slow[f"muscle.{muscle}.norm_fibre_length"]))
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
    value = _level_value(case, model, metric["posture"])
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
