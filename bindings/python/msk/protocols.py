"""Protocols: what the examiner and the subject do during an episode.

A protocol is an initial posture and a list of phases run one after the other. Each builder below
returns one phase as a plain ``dict`` in the schema that :func:`msk.simulate` passes to the core,
and checks its arguments first so that a typo fails here with a clear :class:`ValueError` instead
of after a long run.

The core owns the schema: the phase types, their fields, units, ranges and defaults are those of
its protocol parser (:func:`phase_schema`, C++ ``msk::phase_types()``). An argument left as
``None`` takes the core's default (documented with each builder, and tested against the core);
the builders check ranges against the core's and write the defaults into the phase, so that a
phase reads the same in Python, in a run file and in a study's sweep.

Units follow the names: durations and times in seconds, angles in degrees (``*_deg``), speeds in
degrees per second (``*_deg_s``), torques in newton metres, efforts in percent of maximal voluntary
contraction (``*_pct_mvc``), excitations normalised to [0, 1].

Examples
--------
>>> from msk import protocols as p
>>> session = p.Protocol(
...     [p.rest(1.0), p.pir("r_elbow_flex", ["BIClong", "BRA"], cycles=3)],
...     initial_angles_deg={"r_elbow_flex": 90.0},
... )
>>> session.to_dict()["phases"][0]
{'type': 'rest', 'duration': 1.0}
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from msk._runtime import core_or_none

if TYPE_CHECKING:
    import pandas as pd

    from msk.results import Results

__all__ = [
    "Phase",
    "Protocol",
    "ProtocolLike",
    "as_protocol_dict",
    "hold",
    "isometric",
    "passive_stretch",
    "phase_from_dict",
    "phase_schema",
    "pir",
    "pir_summary",
    "ramp",
    "rest",
    "voluntary",
]

Phase = dict[str, Any]
"""One phase: a JSON-ready ``dict`` with a ``"type"`` key (see the builders)."""


# --- the core's schema -----------------------------------------------------------------------

_SCHEMA_SNAPSHOT = Path(__file__).with_name("phase_schema.json")
"""The core's schema as ``msk._core.phase_schema()`` returns it, written by
scripts/gen_phase_schema.py (a test keeps it equal to the core's): what the builders use on a
machine without the compiled core."""

_schema_cache: list[Any] = [None, None]  # [source it came from, schema by type]


def _schema() -> dict[str, dict[str, Any]]:
    """``{type: {"description": str, "fields": {name: field}}}`` from the core (its snapshot
    without it)."""
    core = core_or_none()
    source = getattr(core, "phase_schema", None) if core is not None else None
    if _schema_cache[0] is not source or _schema_cache[1] is None:
        raw = source() if source is not None else json.loads(_SCHEMA_SNAPSHOT.read_text("utf-8"))
        _schema_cache[1] = {
            t["name"]: {
                "description": t["description"],
                "fields": {f["name"]: dict(f) for f in t["fields"]},
            }
            for t in raw
        }
        _schema_cache[0] = source
    schema: dict[str, dict[str, Any]] = _schema_cache[1]
    return schema


def phase_schema() -> dict[str, dict[str, Any]]:
    """The phase types of protocols, from the core's protocol parser (one owner of the schema).

    Returns
    -------
    dict
        ``{type: {"description": str, "fields": {name: field}}}`` in the core's order; each
        field is a dict: ``kind`` (``"number"``, ``"whole_number"``, ``"name"``, ``"names"``,
        ``"excitations"``, ``"path"``, ``"text"``), ``unit``, ``required``, ``default`` (None
        for a required field or one that is not a number), ``low``, ``high`` (None: unbounded),
        ``low_open`` (True: ``low`` itself is outside the range) and ``description``.

    Raises
    ------
    Nothing
        Without the compiled core, the schema comes from the snapshot shipped with msk.
    """
    return copy.deepcopy(_schema())


def _field(kind: str, name: str) -> dict[str, Any]:
    field: dict[str, Any] = _schema()[kind]["fields"][name]
    return field


# --- argument checks -------------------------------------------------------------------------


def _suffix(unit: str) -> str:
    return f" [{unit}]" if unit not in ("", "1") else ""


def _number(name: str, value: Any, unit: str = "") -> float:
    """Return ``value`` as a finite float, or raise ``ValueError`` naming the argument."""
    import numpy as np

    suffix = _suffix(unit)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name}: expected a number{suffix}, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name}: expected a finite number{suffix}, got {value!r}")
    return number


def _checked(name: str, value: Any, field: Mapping[str, Any]) -> float:
    """``value`` as a float within the core's range for ``field``, or ``ValueError`` saying the
    range; None gives the core's default."""
    if value is None and field["default"] is not None:
        return float(field["default"])
    unit = str(field["unit"])
    number = _number(name, value, unit)
    low = -math.inf if field["low"] is None else float(field["low"])
    high = math.inf if field["high"] is None else float(field["high"])
    open_low = bool(field["low_open"])
    if (number > low if open_low else number >= low) and number <= high:
        return number
    suffix = _suffix(unit)
    interval = f"{'(' if open_low else '['}{low:g}, {high:g}]"
    wide = high >= 1e6  # a sanity limit (durations), not one a user meets: not worth a mention
    if number <= 0 and low >= 0 and (low > 0 or open_low):
        expected = f"a positive number{suffix}" + ("" if wide else f" in {interval}")
    elif number < 0 and low == 0 and wide:
        expected = f"a number >= 0{suffix}"
    else:
        expected = f"a number in {interval}{suffix}"
    raise ValueError(f"{name}: expected {expected}, got {value!r}")


def _value(kind: str, field: str, value: Any) -> float:
    """A number field of phase type ``kind``, checked (None: the core's default)."""
    return _checked(f"{kind}.{field}", value, _field(kind, field))


def _name(name: str, value: Any) -> str:
    """Return ``value`` if it is a non-empty string (a joint or muscle name)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: expected a non-empty name, got {value!r}")
    return value


def _names(name: str, values: Any) -> list[str]:
    """Return a non-empty list of distinct names."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ValueError(f"{name}: expected a list of muscle names, got {values!r}")
    result = [_name(f"{name}[{i}]", v) for i, v in enumerate(values)]
    if not result:
        raise ValueError(f"{name}: expected at least one muscle, got an empty list")
    duplicates = sorted({v for v in result if result.count(v) > 1})
    if duplicates:
        raise ValueError(f"{name}: expected distinct muscles, got duplicates {duplicates}")
    return result


def _count(kind: str, field: str, value: Any) -> int:
    """A whole-number field (None: the core's default), within the core's range."""
    import numpy as np

    spec = _field(kind, field)
    if value is None:
        return int(spec["default"])
    low, high = int(spec["low"]), int(spec["high"])
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{kind}.{field}: expected a whole number >= {low}, got {value!r}")
    if value > high:
        raise ValueError(
            f"{kind}.{field}: expected a whole number in [{low}, {high}], got {value!r}"
        )
    return int(value)


# --- phase builders --------------------------------------------------------------------------


def rest(duration: float) -> Phase:
    """Rest: joints free under gravity and muscles, no voluntary drive (tone and reflexes act).

    Parameters
    ----------
    duration : float
        Length of the phase [s], in (0, 1e7].

    Returns
    -------
    Phase
        ``{"type": "rest", ...}``: the checked arguments, in SI or the units of their names.

    Raises
    ------
    ValueError
        An argument out of its range;
        the message names it, with the range and units.
    """
    return {"type": "rest", "duration": _value("rest", "duration", duration)}


EXCITATION_FILE_SUFFIXES = (".sto", ".mot", ".csv")
"""The names an excitation file may end in (any case): the tables msk reads."""


def voluntary(
    duration: float,
    excitation: Mapping[str, float] | None = None,
    rise_s: float | None = None,
    excitation_file: str | os.PathLike[str] | None = None,
) -> Phase:
    """Voluntary contraction with the joints free.

    Parameters
    ----------
    duration : float
        Length of the phase [s], in (0, 1e7].
    excitation : mapping of str to float, optional
        Target voluntary excitation per muscle [1], each in [0, 1]; e.g. ``{"BIClong": 0.2}``.
    rise_s : float, optional
        Time to ramp from the previous excitation to the target [s], in [0, 60]; default 0.05
        (not used with ``excitation_file``).
    excitation_file : str or path, optional
        Instead of ``excitation``: excitations over time from an OpenSim storage file (``.sto``,
        e.g. OpenSim's ``controls`` output) or a CSV file, with a ``time`` column [s, from the
        start of the phase] and one column per muscle. Linearly interpolated in time, held before
        the first and after the last row, clamped to [0, 1]; muscles without a column get none.
        A relative path is taken from the working directory; the name must end in ``.sto``,
        ``.mot`` or ``.csv``.

    Returns
    -------
    Phase
        ``{"type": "voluntary", ...}``: the checked arguments (an excitation file as an absolute
        path).

    Raises
    ------
    ValueError
        Both or neither of ``excitation`` and ``excitation_file``, an excitation outside [0, 1], a
        bad duration, or a file name that is not a table.
    FileNotFoundError
        ``excitation_file`` does not exist.
    """
    if (excitation is None) == (excitation_file is None):
        raise ValueError(
            "voluntary: expected either excitation (a mapping of muscle to excitation) or "
            f"excitation_file (a path), got {'both' if excitation is not None else 'neither'}"
        )
    if excitation_file is not None:
        path = os.fspath(excitation_file)
        if not isinstance(path, str) or not path.lower().endswith(EXCITATION_FILE_SUFFIXES):
            raise ValueError(
                "voluntary.excitation_file: expected a table of excitations ending in .sto, .mot "
                f"or .csv, got {path!r}"
            )
        if not os.path.isfile(path):
            raise FileNotFoundError(f"voluntary.excitation_file: no such file {path!r}")
        return {
            "type": "voluntary",
            "duration": _value("voluntary", "duration", duration),
            "excitation_file": os.path.abspath(path),
        }
    if not isinstance(excitation, Mapping) or not excitation:
        raise ValueError(
            f"voluntary.excitation: expected a mapping of muscle name to excitation in [0, 1], "
            f"got {excitation!r}"
        )
    level = _field("voluntary", "excitation")
    targets = {
        _name("voluntary.excitation key", m): _checked(f"voluntary.excitation[{m!r}]", e, level)
        for m, e in excitation.items()
    }
    return {
        "type": "voluntary",
        "duration": _value("voluntary", "duration", duration),
        "excitation": targets,
        "rise_s": _value("voluntary", "rise_s", rise_s),
    }


def _where(kind: str, joint: str | None, region: str | None, hold_others: bool | None) -> Phase:
    """The ``joint`` or ``region`` fields of an examiner phase (exactly one of them), and
    ``hold_others`` when given."""
    if (joint is None) == (region is None):
        raise ValueError(
            f"{kind}: expected either joint (a coordinate) or region (a spinal region such as "
            f"'lumbar'), got {'both' if joint is not None else 'neither'}"
        )
    fields: Phase = (
        {"joint": _name(f"{kind}.joint", joint)}
        if joint is not None
        else {"region": _name(f"{kind}.region", region)}
    )
    if hold_others is not None:
        if not isinstance(hold_others, bool):
            raise ValueError(f"{kind}.hold_others: expected True or False, got {hold_others!r}")
        fields["hold_others"] = hold_others
    return fields


_WHERE_DOC = """joint : str, optional
        Joint name, e.g. ``"r_elbow_flex"``.
    region : str, optional
        Instead of ``joint``: a spinal region of the model (``"lumbar"``, ``"cervical"``). The
        examiner moves its levels together by the model's rhythm and holds every other
        coordinate; the phase's angle is the region's total flexion (channel
        ``region.<name>.angle``) and its torque the rhythm-weighted sum (channel
        ``examiner.<name>.resisting_torque``).
    hold_others : bool, optional
        Whether the examiner also holds the coordinates the phase does not move (default: yes for
        a region, no for a joint)."""


def hold(
    joint: str | None = None,
    duration: float | None = None,
    *,
    region: str | None = None,
    hold_others: bool | None = None,
) -> Phase:
    """The examiner holds ``joint`` (or ``region``) at its current angle.

    Parameters
    ----------
    {where}
    duration : float
        Length of the phase [s], in (0, 1e7].

    Returns
    -------
    dict
        The phase.

    Raises
    ------
    ValueError
        An argument out of its range, both or neither of joint and region;
        the message names it, with the range and units.
    """
    if duration is None:
        raise ValueError("hold.duration: expected a number in (0, 1e+07] [s], got None")
    return {
        "type": "hold",
        **_where("hold", joint, region, hold_others),
        "duration": _value("hold", "duration", duration),
    }


def ramp(
    joint: str | None = None,
    to_deg: float | None = None,
    speed_deg_s: float | None = None,
    *,
    region: str | None = None,
    hold_others: bool | None = None,
) -> Phase:
    """The examiner moves ``joint`` (or ``region``) at constant speed to ``to_deg``.

    Parameters
    ----------
    {where}
    to_deg : float
        Target angle [deg], in [-360, 360] (a region's: its total flexion).
    speed_deg_s : float
        Angular speed [deg/s], in [0.001, 5000]; the direction follows from the current and
        target angles.

    Returns
    -------
    dict
        The phase.

    Raises
    ------
    ValueError
        An argument out of its range, both or neither of joint and region;
        the message names it, with the range and units.
    """
    for name, value in (("to_deg", to_deg), ("speed_deg_s", speed_deg_s)):
        if value is None:
            raise ValueError(f"ramp.{name}: expected a number, got None")
    return {
        "type": "ramp",
        **_where("ramp", joint, region, hold_others),
        "to_deg": _value("ramp", "to_deg", to_deg),
        "speed_deg_s": _value("ramp", "speed_deg_s", speed_deg_s),
    }


def isometric(
    joint: str | None = None,
    muscles: Sequence[str] | None = None,
    effort_pct_mvc: float | None = None,
    duration: float | None = None,
    rise_s: float | None = None,
    *,
    region: str | None = None,
    hold_others: bool | None = None,
) -> Phase:
    """Isometric contraction: the joint (or region) is held while the listed muscles are excited
    voluntarily.

    Parameters
    ----------
    {where}
    muscles : sequence of str
        Muscles excited voluntarily.
    effort_pct_mvc : float, optional
        Voluntary effort [% MVC], in [0, 100]; default 20.
    duration : float, optional
        Length of the contraction [s], in (0, 1e7]; default 5.
    rise_s : float, optional
        Time to reach the effort [s], in [0, 60]; default 0.2.

    Returns
    -------
    dict
        The phase.

    Raises
    ------
    ValueError
        An argument out of its range, both or neither of joint and region, an empty muscle list;
        the message names it, with the range and units.
    """
    return {
        "type": "isometric",
        **_where("isometric", joint, region, hold_others),
        "muscles": _names("isometric.muscles", muscles),
        "effort_pct_mvc": _value("isometric", "effort_pct_mvc", effort_pct_mvc),
        "duration": _value("isometric", "duration", duration),
        "rise_s": _value("isometric", "rise_s", rise_s),
    }


_BARRIER_DOC = """barrier_torque : float, optional
        The examiner's barrier torque [N m], in [1e-06, 10000]; default 2: the resisting torque
        the person tolerates at baseline. The stretch stops where the resisting torque reaches it
        times the stretched muscles' mean stretch tolerance (law ``stretch_tolerance``, 1 at
        baseline; it rises while stretching and fades at rest), and, with
        ``barrier_stiffness_nm_per_deg``, where the tissues also resist with that stiffness.
    barrier_stiffness_nm_per_deg : float, optional
        End-feel: the stiffness the resisting torque must also reach along the stretch
        [N m/deg], in [0, 10000]; default 0 (torque alone). It puts the barrier on the rise of the
        torque-angle curve, not on a plateau."""


def passive_stretch(
    joint: str | None = None,
    muscles: Sequence[str] | None = None,
    speed_deg_s: float | None = None,
    barrier_torque: float | None = None,
    max_duration: float | None = None,
    *,
    region: str | None = None,
    hold_others: bool | None = None,
    barrier_stiffness_nm_per_deg: float | None = None,
) -> Phase:
    """Passive stretch to the barrier.

    The examiner moves ``joint`` (or ``region``) in the direction that lengthens ``muscles``
    until the barrier is reached (event ``barrier:<joint or region>``) or ``max_duration``
    passes.

    Parameters
    ----------
    {where}
    muscles : sequence of str
        Muscles to lengthen; they set the direction of the stretch.
    speed_deg_s : float, optional
        Stretch speed [deg/s], in [0.001, 5000]; default 5.
    {barrier}
    max_duration : float, optional
        The phase ends after this time even without reaching the barrier [s], in [0.001, 1e7];
        default 60.

    Returns
    -------
    dict
        The phase.

    Raises
    ------
    ValueError
        An argument out of its range, both or neither of joint and region, an empty muscle list;
        the message names it, with the range and units.
    """
    return {
        "type": "passive_stretch",
        **_where("passive_stretch", joint, region, hold_others),
        "muscles": _names("passive_stretch.muscles", muscles),
        "speed_deg_s": _value("passive_stretch", "speed_deg_s", speed_deg_s),
        "barrier_torque": _value("passive_stretch", "barrier_torque", barrier_torque),
        "barrier_stiffness_nm_per_deg": _value(
            "passive_stretch", "barrier_stiffness_nm_per_deg", barrier_stiffness_nm_per_deg
        ),
        "max_duration": _value("passive_stretch", "max_duration", max_duration),
    }


def pir(
    joint: str | None = None,
    muscles: Sequence[str] | None = None,
    cycles: int | None = None,
    effort_pct_mvc: float | None = None,
    contraction_s: float | None = None,
    relaxation_s: float | None = None,
    stretch_speed_deg_s: float | None = None,
    barrier_torque: float | None = None,
    *,
    region: str | None = None,
    hold_others: bool | None = None,
    barrier_stiffness_nm_per_deg: float | None = None,
    max_duration: float | None = None,
) -> Phase:
    """Post-isometric relaxation (muscle energy technique) on ``muscles`` about ``joint`` or a
    spinal ``region``.

    An initial stretch to the barrier, then ``cycles`` times: an isometric contraction at
    ``effort_pct_mvc``, a relaxation hold, and a stretch to the new barrier. Events
    ``barrier:<joint or region>`` mark each barrier and ``pir_cycle_start:<k>`` each cycle; see
    :func:`pir_summary`. (A run file's or a phase dict's ``pir`` may also set ``rise_s``, with
    the core's default 0.05 s otherwise.)

    Parameters
    ----------
    {where}
    muscles : sequence of str
        Muscles treated (contracted, then stretched).
    cycles : int, optional
        Number of contraction-relaxation-stretch cycles, in [1, 100]; default 3.
    effort_pct_mvc : float, optional
        Contraction effort [% MVC], in [0, 100]; default 20.
    contraction_s : float, optional
        Contraction length [s], in (0, 600]; default 5.
    relaxation_s : float, optional
        Relaxation hold after each contraction [s], in (0, 600]; default 2.
    stretch_speed_deg_s : float, optional
        Stretch speed [deg/s], in [0.001, 5000]; default 5.
    {barrier}
    max_duration : float, optional
        Time limit of each stretch [s], in [0.001, 1e7]; default 60.

    Returns
    -------
    dict
        The phase.

    Raises
    ------
    ValueError
        An argument out of its range, both or neither of joint and region, an empty muscle list;
        the message names it, with the range and units.
    """
    return {
        "type": "pir",
        **_where("pir", joint, region, hold_others),
        "muscles": _names("pir.muscles", muscles),
        "cycles": _count("pir", "cycles", cycles),
        "effort_pct_mvc": _value("pir", "effort_pct_mvc", effort_pct_mvc),
        "contraction_s": _value("pir", "contraction_s", contraction_s),
        "relaxation_s": _value("pir", "relaxation_s", relaxation_s),
        "stretch_speed_deg_s": _value("pir", "stretch_speed_deg_s", stretch_speed_deg_s),
        "barrier_torque": _value("pir", "barrier_torque", barrier_torque),
        "barrier_stiffness_nm_per_deg": _value(
            "pir", "barrier_stiffness_nm_per_deg", barrier_stiffness_nm_per_deg
        ),
        "max_duration": _value("pir", "max_duration", max_duration),
    }


for _builder in (hold, ramp, isometric, passive_stretch, pir):
    _builder.__doc__ = (_builder.__doc__ or "").format(where=_WHERE_DOC, barrier=_BARRIER_DOC)
del _builder


# Fields a phase needs although its builder gives them a default (None) to allow either a joint
# or a region first.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "hold": ("duration",),
    "ramp": ("to_deg", "speed_deg_s"),
    "isometric": ("muscles",),
    "passive_stretch": ("muscles",),
    "pir": ("muscles",),
}

_BUILDERS: dict[str, Callable[..., Phase]] = {
    "rest": rest,
    "voluntary": voluntary,
    "hold": hold,
    "ramp": ramp,
    "isometric": isometric,
    "passive_stretch": passive_stretch,
    "pir": pir,
}


def _builder_fields(builder: Callable[..., Phase]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The argument names of a phase builder and those it requires (no default, or _REQUIRED)."""
    import inspect

    parameters = inspect.signature(builder).parameters
    required = tuple(
        name
        for name, p in parameters.items()
        if p.default is inspect.Parameter.empty or name in _REQUIRED.get(builder.__name__, ())
    )
    return tuple(parameters), required


# Read once: inspect.signature costs more than the rest of a phase's checks.
_BUILDER_FIELDS = {kind: _builder_fields(builder) for kind, builder in _BUILDERS.items()}


def phase_from_dict(phase: Mapping[str, Any], where: str = "phase") -> Phase:
    """Check a phase given as a mapping (e.g. read from YAML) and return it in canonical form.

    Parameters
    ----------
    phase : mapping
        ``{"type": ..., <the builder's arguments>}``.
    where : str
        Prefix of error messages, e.g. ``"phases[2]"``.

    Returns
    -------
    Phase
        What the phase type's builder returns for those fields.

    Raises
    ------
    ValueError
        Unknown type, unknown or missing field, or a value out of range.
    """
    if not isinstance(phase, Mapping):
        raise ValueError(f"{where}: expected a mapping with a 'type' key, got {phase!r}")
    fields = dict(phase)
    kind = fields.pop("type", None)
    if not isinstance(kind, str) or kind not in _BUILDERS:
        raise ValueError(f"{where}.type: expected one of {sorted(_BUILDERS)}, got {kind!r}")
    builder = _BUILDERS[kind]
    parameters, required = _BUILDER_FIELDS[kind]
    unknown = sorted(set(fields) - set(parameters))
    if unknown:
        raise ValueError(
            f"{where} ({kind}): unknown field(s) {unknown}; expected some of {list(parameters)}"
        )
    missing = [name for name in required if name not in fields]
    if missing:
        raise ValueError(f"{where} ({kind}): missing field(s) {missing}")
    try:
        return builder(**fields)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


# --- protocol --------------------------------------------------------------------------------


class Protocol:
    """An initial posture and a sequence of phases.

    Parameters
    ----------
    phases : sequence of Phase
        Phases built with the functions of this module (or equivalent mappings), run in order.
    initial_angles_deg : mapping of str to float, optional
        Initial joint angles [deg] by joint name; joints not listed start at the model's default.

    Raises
    ------
    ValueError
        No phase, or a phase or an angle that does not validate.
    """

    def __init__(
        self,
        phases: Sequence[Mapping[str, Any]],
        initial_angles_deg: Mapping[str, float] | None = None,
    ) -> None:
        if isinstance(phases, (Mapping, str)):
            raise ValueError(f"phases: expected a list of phases, got {phases!r}")
        self.phases: list[Phase] = [
            phase_from_dict(p, f"phases[{i}]") for i, p in enumerate(phases)
        ]
        if not self.phases:
            raise ValueError("phases: expected at least one phase, got an empty list")
        angles = dict(initial_angles_deg or {})
        self.initial_angles_deg: dict[str, float] = {
            _name("initial_angles_deg key", joint): _number(
                f"initial_angles_deg[{joint!r}]", angle, "deg"
            )
            for joint, angle in angles.items()
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Protocol:
        """Build from ``{"initial": {"angles_deg": {...}}, "phases": [...]}`` (the JSON schema).

        Parameters
        ----------
        data : mapping
            A protocol dict, as :meth:`to_dict` returns or a run file holds.

        Returns
        -------
        Protocol

        Raises
        ------
        ValueError
            Unknown or missing fields, or a phase or angle that does not validate.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"protocol: expected a mapping, got {data!r}")
        unknown = sorted(set(data) - {"initial", "phases"})
        if unknown:
            raise ValueError(f"protocol: unknown field(s) {unknown}; expected 'initial', 'phases'")
        if "phases" not in data:
            raise ValueError("protocol: missing field 'phases'")
        initial = data.get("initial") or {}
        if not isinstance(initial, Mapping) or set(initial) - {"angles_deg"}:
            raise ValueError(
                f"protocol.initial: expected {{'angles_deg': {{joint: angle}}}}, got {initial!r}"
            )
        return cls(data["phases"], initial.get("angles_deg"))

    @classmethod
    def from_json(cls, text: str) -> Protocol:
        """Build from the JSON text written by :meth:`to_json`.

        Parameters
        ----------
        text : str
            JSON text.

        Returns
        -------
        Protocol

        Raises
        ------
        ValueError
            Not JSON (``json.JSONDecodeError`` is a ``ValueError``), or a protocol that does not
            validate.
        """
        return cls.from_dict(json.loads(text))

    def to_dict(self) -> dict[str, Any]:
        """Return the protocol as a JSON-ready dict (a deep copy).

        Returns
        -------
        dict
            ``{"initial": {"angles_deg": {joint: angle [deg]}}, "phases": [phase, ...]}``.

        Raises
        ------
        Nothing
        """
        return {
            "initial": {"angles_deg": dict(self.initial_angles_deg)},
            "phases": json.loads(json.dumps(self.phases)),
        }

    def to_json(self, indent: int | None = None) -> str:
        """Return the protocol as JSON text, the form :func:`msk.simulate` sends to the core.

        Parameters
        ----------
        indent : int, optional
            Indentation of the JSON text (compact by default).

        Returns
        -------
        str

        Raises
        ------
        Nothing
        """
        return json.dumps(self.to_dict(), indent=indent)

    def __len__(self) -> int:
        """Number of phases (a PIR phase counts as one)."""
        return len(self.phases)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Protocol):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        kinds = ", ".join(p["type"] for p in self.phases)
        angles = ", ".join(f"{j}={a:g}°" for j, a in self.initial_angles_deg.items())
        start = f"; start {angles}" if angles else ""
        return f"<msk.protocols.Protocol: {len(self.phases)} phase(s) [{kinds}]{start}>"


ProtocolLike = Union[Protocol, Mapping[str, Any], Sequence[Mapping[str, Any]]]
"""What :func:`msk.simulate` accepts as a protocol: a :class:`Protocol`, a protocol dict with
``"phases"``, a single phase dict, or a list of phases."""


def as_protocol_dict(protocol: ProtocolLike) -> dict[str, Any]:
    """Validate any protocol form and return the JSON-ready dict.

    Parameters
    ----------
    protocol : Protocol, mapping or sequence of mappings
        A :class:`Protocol`; a mapping with ``"phases"`` (and optionally ``"initial"``); a single
        phase mapping (with ``"type"``); or a list of phase mappings.

    Returns
    -------
    dict
        As :meth:`Protocol.to_dict`.

    Raises
    ------
    ValueError
        The protocol does not validate.
    """
    if isinstance(protocol, Protocol):
        return protocol.to_dict()
    if isinstance(protocol, Mapping):
        if "type" in protocol and "phases" not in protocol:
            return Protocol([protocol]).to_dict()
        return Protocol.from_dict(protocol).to_dict()
    if isinstance(protocol, Sequence) and not isinstance(protocol, (str, bytes)):
        return Protocol(protocol).to_dict()
    raise ValueError(
        f"protocol: expected a msk.protocols.Protocol, a dict or a list of phases, got {protocol!r}"
    )


# --- analysis --------------------------------------------------------------------------------


def _stretch_phases(results: Results, target: str) -> list[Mapping[str, Any]]:
    """The stretch and PIR phases of the results' protocol that work on ``target`` (a joint or a
    region), from the metadata (empty when the results carry no protocol)."""
    text = results.meta.get("protocol") if hasattr(results, "meta") else None
    if not text:
        return []
    try:
        protocol = json.loads(text) if isinstance(text, str) else dict(text)
    except (ValueError, TypeError):
        return []
    return [
        phase
        for phase in protocol.get("phases") or []
        if isinstance(phase, Mapping)
        and phase.get("type") in ("pir", "passive_stretch")
        and target in (phase.get("joint"), phase.get("region"))
    ]


def _stretch_direction(
    results: Results,
    target: str,
    angle_deg: Any,
    starts: Sequence[float],
    barriers: Sequence[float],
    phases: Sequence[Mapping[str, Any]],
) -> int:
    """+1 when the stretch increases the angle of ``target``, -1 when it decreases it.

    From the stretched muscles' moment arms when the target is a joint (lengthening needs
    dq of the sign opposite to the summed moment arm), else from the motion between each
    stretch's start and its barrier."""
    import numpy as np

    muscles = [m for phase in phases for m in phase.get("muscles", [])]
    if barriers and muscles:
        arms = [f"muscle.{m}.moment_arm.{target}" for m in muscles]
        if all(a in results for a in arms):
            total = sum(float(np.interp(barriers[0], results.time, results[a])) for a in arms)
            if total != 0.0:
                return -1 if total > 0.0 else 1
    moved = [
        float(np.interp(b, results.time, angle_deg)) - float(np.interp(s, results.time, angle_deg))
        for s, b in zip(starts, barriers)
    ]
    largest = max(moved, key=abs, default=0.0)
    return -1 if largest < 0.0 else 1


def pir_summary(results: Results | str | os.PathLike[str], joint: str) -> pd.DataFrame:
    """Barriers of a PIR session (or of any stretches), one row per ``barrier:<joint>`` event.

    Parameters
    ----------
    results : Results or path
        Results of a run with barrier events (a ``pir`` or ``passive_stretch`` phase), or the path
        of its HDF5 file.
    joint : str
        Joint or region name; the angle is read from channel ``joint.<joint>.angle`` (a region:
        ``region.<joint>.angle``, the region's total flexion) at each event time (linear
        interpolation), the torque from ``examiner.<joint>.resisting_torque``.

    Returns
    -------
    pandas.DataFrame
        Columns:

        - ``cycle``: number of ``pir_cycle_start`` events before the barrier (0 is the initial
          stretch, k the barrier reached after cycle k),
        - ``time_s``: event time [s],
        - ``barrier_angle_deg``: joint (or region) angle at the barrier [deg],
        - ``barrier_torque_nm``: resisting torque at the barrier [N m],
        - ``barrier_stiffness_nm_per_deg``: slope of the resisting torque against the angle over
          the last degree of the stretch before the barrier, while the examiner moves [N m/deg]
          (NaN when the stretch moved less than 0.2 deg),
        - ``tolerance_factor``: the stretched muscles' mean stretch tolerance at the barrier (1 at
          baseline; NaN without the law),
        - ``gain_deg``: range gained since the previous barrier [deg],
        - ``cumulative_gain_deg``: range gained since the first barrier [deg].

        Gains are positive toward the stretch (lengthening the stretched muscles) in every case,
        whatever the sign convention of the joint. ``df.attrs`` holds ``units`` (by column),
        ``stretch_direction`` (+1 when the stretch increases the angle, -1 when it decreases it),
        ``joint``, ``barrier_definition`` (the barrier as the protocol defined it, in words) and
        ``exceeded`` (times [s] of stretches that started past their barrier).

    Raises
    ------
    KeyError
        The results have no angle channel for ``joint``.
    """
    import numpy as np
    import pandas as pd

    from msk.results import Results

    if not isinstance(results, Results):
        results = Results.load(results)
    angle_channel = f"joint.{joint}.angle"
    if angle_channel not in results and f"region.{joint}.angle" in results:
        angle_channel = f"region.{joint}.angle"
    angle_deg = np.degrees(results[angle_channel])
    time = results.time
    torque_channel = f"examiner.{joint}.resisting_torque"
    torque = results[torque_channel] if torque_channel in results else None

    # Events in time order, ties kept in the order they were recorded.
    events = results.events.sort_values("time", kind="stable")
    barrier_label = f"barrier:{joint}"
    rows: list[tuple[int, float, float]] = []
    exceeded: list[float] = []
    cycle = 0
    last_start = float(time[0]) if len(time) else 0.0
    for t, label in zip(events["time"].to_numpy(float), events["label"]):
        label = str(label)
        if label.startswith("pir_cycle_start"):
            cycle += 1
            last_start = float(t)
        elif label == "pir_start":
            last_start = float(t)
        elif label == f"barrier_exceeded:{joint}":
            exceeded.append(float(t))
        elif label == barrier_label:
            rows.append((cycle, float(t), last_start))
            last_start = float(t)

    cycles = np.array([r[0] for r in rows], dtype=int)
    times_s = np.array([r[1] for r in rows], dtype=float)
    angles = np.interp(times_s, time, angle_deg) if rows else np.zeros(0)
    phases = _stretch_phases(results, joint)
    direction = _stretch_direction(
        results, joint, angle_deg, [r[2] for r in rows], list(times_s), phases
    )
    gain = np.diff(angles, prepend=angles[:1]) * direction + 0.0  # + 0.0: no -0.0
    cumulative = (angles - angles[:1]) * direction + 0.0 if rows else np.zeros(0)

    # Torque, stiffness over the last degree before each barrier, tolerance factor.
    torques, stiffness, tolerance = [], [], []
    muscles = sorted({m for phase in phases for m in phase.get("muscles", [])})
    factors = [f"muscle.{m}.tolerance_factor" for m in muscles]
    factors = [f for f in factors if f in results]
    # Rows where the examiner moves toward the stretch (not the holds and contractions).
    moving = np.gradient(angle_deg, time) * direction > 0.05 if len(time) > 1 else time > 0
    for (_, t, start), barrier_angle in zip(rows, angles):
        torques.append(float(np.interp(t, time, torque)) if torque is not None else float("nan"))
        window = (time >= start) & (time <= t + 1e-9) & moving
        window &= np.abs(angle_deg - barrier_angle) <= 1.0 + 1e-9
        slope = float("nan")
        if torque is not None and np.count_nonzero(window) >= 3:
            x, y = angle_deg[window], torque[window]
            if np.ptp(x) > 0.2:
                slope = float(np.polyfit(x * direction, y, 1)[0])
        stiffness.append(slope)
        tolerance.append(
            float(np.mean([np.interp(t, time, results[f]) for f in factors]))
            if factors
            else float("nan")
        )

    frame = pd.DataFrame(
        {
            "cycle": cycles,
            "time_s": times_s,
            "barrier_angle_deg": angles,
            "barrier_torque_nm": np.array(torques, dtype=float),
            "barrier_stiffness_nm_per_deg": np.array(stiffness, dtype=float),
            "tolerance_factor": np.array(tolerance, dtype=float),
            "gain_deg": gain,
            "cumulative_gain_deg": cumulative,
        }
    )
    frame.attrs["units"] = {
        "cycle": "1",
        "time_s": "s",
        "barrier_angle_deg": "deg",
        "barrier_torque_nm": "N m",
        "barrier_stiffness_nm_per_deg": "N m/deg",
        "tolerance_factor": "1",
        "gain_deg": "deg",
        "cumulative_gain_deg": "deg",
    }
    frame.attrs["stretch_direction"] = direction
    frame.attrs["joint"] = joint
    frame.attrs["barrier_definition"] = _barrier_definition(phases)
    frame.attrs["exceeded"] = exceeded
    return frame


def _barrier_definition(phases: Sequence[Mapping[str, Any]]) -> str:
    """The barrier of the stretches, in words, from their protocol fields."""
    if not phases:
        return "barrier: as recorded (the results carry no protocol)"
    texts = []
    for phase in phases:
        torque = float(phase.get("barrier_torque", 2.0))
        stiffness = float(phase.get("barrier_stiffness_nm_per_deg", 0.0))
        text = (
            f"resisting torque >= {torque:g} N m x the stretched muscles' stretch tolerance "
            f"(the tolerated torque)"
        )
        if stiffness > 0.0:
            text += f" and resisting stiffness >= {stiffness:g} N m/deg (end-feel)"
        if text not in texts:
            texts.append(text)
    return "; ".join(texts)
