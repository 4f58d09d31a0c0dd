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


def hold(joint: str, duration: float) -> Phase:
    """The examiner holds ``joint`` at its current angle.

    Parameters
    ----------
    joint : str
        Joint name, e.g. ``"r_elbow_flex"``.
    duration : float
        Length of the phase [s], in (0, 1e7].

    Returns
    -------
    Phase
        ``{"type": "hold", ...}``: the checked arguments, in SI or the units of their names.

    Raises
    ------
    ValueError
        An argument out of its range, or an empty joint name;
        the message names it, with the range and units.
    """
    return {
        "type": "hold",
        "joint": _name("hold.joint", joint),
        "duration": _value("hold", "duration", duration),
    }


def ramp(joint: str, to_deg: float, speed_deg_s: float) -> Phase:
    """The examiner moves ``joint`` at constant speed to a target angle.

    Parameters
    ----------
    joint : str
        Joint name.
    to_deg : float
        Target joint angle [deg], in [-360, 360].
    speed_deg_s : float
        Angular speed [deg/s], in [0.001, 5000]; the direction follows from the current and
        target angles.

    Returns
    -------
    Phase
        ``{"type": "ramp", ...}``: the checked arguments, in SI or the units of their names.

    Raises
    ------
    ValueError
        An argument out of its range, or an empty joint name;
        the message names it, with the range and units.
    """
    return {
        "type": "ramp",
        "joint": _name("ramp.joint", joint),
        "to_deg": _value("ramp", "to_deg", to_deg),
        "speed_deg_s": _value("ramp", "speed_deg_s", speed_deg_s),
    }


def isometric(
    joint: str,
    muscles: Sequence[str],
    effort_pct_mvc: float | None = None,
    duration: float | None = None,
    rise_s: float | None = None,
) -> Phase:
    """Isometric contraction: the joint is held while the listed muscles are excited voluntarily.

    Parameters
    ----------
    joint : str
        Joint held by the examiner.
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
    Phase
        ``{"type": "isometric", ...}``: the checked arguments, in SI or the units of their names.

    Raises
    ------
    ValueError
        An argument out of its range, an empty joint name or muscle list;
        the message names it, with the range and units.
    """
    return {
        "type": "isometric",
        "joint": _name("isometric.joint", joint),
        "muscles": _names("isometric.muscles", muscles),
        "effort_pct_mvc": _value("isometric", "effort_pct_mvc", effort_pct_mvc),
        "duration": _value("isometric", "duration", duration),
        "rise_s": _value("isometric", "rise_s", rise_s),
    }


def passive_stretch(
    joint: str,
    muscles: Sequence[str],
    speed_deg_s: float | None = None,
    barrier_torque: float | None = None,
    max_duration: float | None = None,
) -> Phase:
    """Passive stretch to the barrier.

    The examiner moves ``joint`` in the direction that lengthens ``muscles`` until the resisting
    torque reaches ``barrier_torque``; the phase then ends with the event ``barrier:<joint>``.

    Parameters
    ----------
    joint : str
        Joint moved by the examiner.
    muscles : sequence of str
        Muscles to lengthen; they set the direction of the stretch.
    speed_deg_s : float, optional
        Stretch speed [deg/s], in [0.001, 5000]; default 5.
    barrier_torque : float, optional
        Resisting torque that defines the barrier [N m], in [1e-06, 10000]; default 2.
    max_duration : float, optional
        The phase ends after this time even without reaching the barrier [s], in [0.001, 1e7];
        default 60.

    Returns
    -------
    Phase
        ``{"type": "passive_stretch", ...}``: the checked arguments, in SI or the units of
        their names.

    Raises
    ------
    ValueError
        An argument out of its range, an empty joint name or muscle list;
        the message names it, with the range and units.
    """
    return {
        "type": "passive_stretch",
        "joint": _name("passive_stretch.joint", joint),
        "muscles": _names("passive_stretch.muscles", muscles),
        "speed_deg_s": _value("passive_stretch", "speed_deg_s", speed_deg_s),
        "barrier_torque": _value("passive_stretch", "barrier_torque", barrier_torque),
        "max_duration": _value("passive_stretch", "max_duration", max_duration),
    }


def pir(
    joint: str,
    muscles: Sequence[str],
    cycles: int | None = None,
    effort_pct_mvc: float | None = None,
    contraction_s: float | None = None,
    relaxation_s: float | None = None,
    stretch_speed_deg_s: float | None = None,
    barrier_torque: float | None = None,
) -> Phase:
    """Post-isometric relaxation (muscle energy technique) on ``muscles`` about ``joint``.

    An initial stretch to the barrier, then ``cycles`` times: an isometric contraction at
    ``effort_pct_mvc``, a relaxation hold, and a stretch to the new barrier. Events
    ``barrier:<joint>`` mark each barrier and ``pir_cycle_start:<k>`` each cycle; see
    :func:`pir_summary`. (A run file's or a phase dict's ``pir`` may also set ``rise_s`` and
    ``max_duration``, with the core's defaults 0.05 s and 60 s otherwise.)

    Parameters
    ----------
    joint : str
        Joint moved and held by the examiner.
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
    barrier_torque : float, optional
        Resisting torque that defines the barrier [N m], in [1e-06, 10000]; default 2.

    Returns
    -------
    Phase
        ``{"type": "pir", ...}``: the checked arguments, in SI or the units of their names.

    Raises
    ------
    ValueError
        An argument out of its range, an empty joint name or muscle list;
        the message names it, with the range and units.
    """
    return {
        "type": "pir",
        "joint": _name("pir.joint", joint),
        "muscles": _names("pir.muscles", muscles),
        "cycles": _count("pir", "cycles", cycles),
        "effort_pct_mvc": _value("pir", "effort_pct_mvc", effort_pct_mvc),
        "contraction_s": _value("pir", "contraction_s", contraction_s),
        "relaxation_s": _value("pir", "relaxation_s", relaxation_s),
        "stretch_speed_deg_s": _value("pir", "stretch_speed_deg_s", stretch_speed_deg_s),
        "barrier_torque": _value("pir", "barrier_torque", barrier_torque),
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
    import inspect

    if not isinstance(phase, Mapping):
        raise ValueError(f"{where}: expected a mapping with a 'type' key, got {phase!r}")
    fields = dict(phase)
    kind = fields.pop("type", None)
    if kind not in _BUILDERS:
        raise ValueError(f"{where}.type: expected one of {sorted(_BUILDERS)}, got {kind!r}")
    builder = _BUILDERS[kind]
    parameters = inspect.signature(builder).parameters
    unknown = sorted(set(fields) - set(parameters))
    if unknown:
        raise ValueError(
            f"{where} ({kind}): unknown field(s) {unknown}; expected some of {list(parameters)}"
        )
    missing = [
        name
        for name, p in parameters.items()
        if p.default is inspect.Parameter.empty and name not in fields
    ]
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


def pir_summary(results: Results | str | os.PathLike[str], joint: str) -> pd.DataFrame:
    """Barrier angles of a PIR session, one row per ``barrier:<joint>`` event.

    Parameters
    ----------
    results : Results or path
        Results of a run with barrier events (a ``pir`` or ``passive_stretch`` phase), or the path
        of its HDF5 file.
    joint : str
        Joint name; the angle is read from channel ``joint.<joint>.angle`` at each event time
        (linear interpolation).

    Returns
    -------
    pandas.DataFrame
        Columns:

        - ``cycle``: number of ``pir_cycle_start`` events before the barrier (0 is the initial
          stretch, k the barrier reached after cycle k),
        - ``time_s``: event time [s],
        - ``barrier_angle_deg``: joint angle at the barrier [deg],
        - ``gain_deg``: range gained since the previous barrier [deg], positive in the direction of
          the stretch (0 for the first row),
        - ``cumulative_gain_deg``: range gained since the first barrier [deg].

        ``df.attrs["units"]`` maps the columns to units and ``df.attrs["stretch_direction"]`` is
        +1 when the stretch increases the joint angle, -1 when it decreases it.

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
    angle_rad = results[f"joint.{joint}.angle"]
    time = results.time

    # Events in time order, ties kept in the order they were recorded.
    events = results.events.sort_values("time", kind="stable")
    barrier_label = f"barrier:{joint}"
    rows: list[tuple[int, float]] = []
    cycle = 0
    for t, label in zip(events["time"].to_numpy(float), events["label"]):
        if str(label).startswith("pir_cycle_start"):
            cycle += 1
        elif label == barrier_label:
            rows.append((cycle, float(t)))

    cycles = np.array([r[0] for r in rows], dtype=int)
    times_s = np.array([r[1] for r in rows], dtype=float)
    angles_deg = np.degrees(np.interp(times_s, time, angle_rad)) if rows else np.zeros(0)

    # Direction of the stretch: how the angle moved over the half second before the first barrier.
    direction = 1
    if rows:
        before_deg = np.degrees(np.interp(max(times_s[0] - 0.5, time[0]), time, angle_rad))
        if angles_deg[0] < before_deg:
            direction = -1
    gain = np.diff(angles_deg, prepend=angles_deg[:1]) * direction + 0.0  # + 0.0: no -0.0
    cumulative = (angles_deg - angles_deg[:1]) * direction + 0.0 if rows else np.zeros(0)

    frame = pd.DataFrame(
        {
            "cycle": cycles,
            "time_s": times_s,
            "barrier_angle_deg": angles_deg,
            "gain_deg": gain,
            "cumulative_gain_deg": cumulative,
        }
    )
    frame.attrs["units"] = {
        "cycle": "1",
        "time_s": "s",
        "barrier_angle_deg": "deg",
        "gain_deg": "deg",
        "cumulative_gain_deg": "deg",
    }
    frame.attrs["stretch_direction"] = direction
    frame.attrs["joint"] = joint
    return frame
