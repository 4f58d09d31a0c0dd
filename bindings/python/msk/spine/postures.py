"""Postures of the spine models: what a person does, relative to relaxed standing.

A :class:`Posture` states the task (orientation, pelvic tilt, region flexions, a load in the
hands, disc hydration); :func:`msk.equilibrium` finds how the model holds it. The bundled presets
and their sources are in docs/theory/posture.md.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from msk._names import did_you_mean
from msk._runtime import require_core

__all__ = ["DEG", "ORIENTATIONS", "SUPPORTS", "Posture", "as_posture"]

DEG = math.pi / 180.0
"""One degree in radians."""

ORIENTATIONS = ("upright", "supine", "prone", "side")
"""Where gravity points in a posture (:attr:`Posture.orientation`)."""

SUPPORTS = ("", "feet", "seat", "bed")
"""What carries the body (:attr:`Posture.support`; ``""``: from the orientation)."""

_OPTIONAL_ANGLES = ("thigh_flexion_deg", "trunk_flexion_deg", "gaze_flexion_deg")

TASK_FIELDS = (
    "support",
    "thigh_flexion_deg",
    "knee_flexion_deg",
    "trunk_flexion_deg",
    "gaze_flexion_deg",
    "instructed",
    "balance",
    "hold_duration_s",
)
"""Fields of the task mode (posture.md §3.9). Equilibrium files store them; files written before
they were stored read back with their defaults."""


def _deg_or_none(value: float) -> float | None:
    return None if math.isnan(value) else value / DEG


def _rad_or_nan(value: float | None) -> float:
    return float("nan") if value is None else float(value) * DEG


@dataclasses.dataclass
class Posture:
    """A static posture, relative to the model's neutral (relaxed standing) geometry.

    Parameters
    ----------
    name : str
        Label used in results and errors.
    orientation : {"upright", "supine", "prone", "side"}
        Where gravity points: upright, lying on the back, on the front, or on the side (gravity
        across the sagittal plane).
    pelvic_tilt_deg : float
        Anterior tilt of the pelvis from relaxed standing [deg] (sitting tilts it back: < 0).
    lumbar_flexion_deg, neck_flexion_deg : float
        Flexion of the lumbar (L1-S1) and cervical (C2-T1) regions from neutral [deg], shared
        between the region's levels by the model's rhythm.
    thoracic_flexion_deg : float
        Flexion of the thorax over L1 [deg] (tilts a cervical model's ground).
    head_flexion_deg, hip_flexion_deg : float
        Flexion of the head on C2 and of the hips [deg] (models that have those coordinates).
    level_flexion_deg : dict
        ``{level: flexion [deg]}`` replacing a level's rhythm share, e.g. ``{"L4-L5": 5}``.
    load_kg : float
        Mass held in both hands [kg].
    hand_distance_m : float or None
        Horizontal distance of the hands in front of the model's load reference level (L5-S1 for
        the lumbar model) [m]; None: the arms hang and nothing is held.
    hand_height_m : float
        Height of the hands above that level's centre [m] (drawing only).
    hydration : float or None
        Disc fluid content of every level [1] (1 = fully hydrated, the morning; the disc-fluid
        law settles near 0.6 after hours upright, docs/theory/spine.md); None: the model's
        values.
    supported : bool or None
        Whether a support (a bed) carries every body's weight; None: True when lying.
    support : {"", "feet", "seat", "bed"}
        What carries the body: the feet (standing: the pelvis turns on the hips), a seat under
        the ischial tuberosities, or a bed; ``""``: from the orientation.
    thigh_flexion_deg : float or None
        Forward inclination of the thighs from vertical [deg] (standing 0, sitting about 90);
        None: ``hip_flexion_deg - pelvic_tilt_deg``.
    knee_flexion_deg : float
        Knee flexion [deg] (models with knees).
    trunk_flexion_deg, gaze_flexion_deg : float or None
        The task: forward inclination of the trunk (thorax) and of the gaze body (head) in the
        world [deg], from their inclination in the model's geometry; None: what the nominal
        angles give. In the ``"task"`` mode the pelvis and the levels follow from gravity,
        passive tissues and tone with these held.
    instructed : bool
        Whether the task instructs the spine's shape ("sit up straight", a lifting technique):
        then the equilibrium prefers the nominal angles (hypothesis H11).
    balance : bool
        Standing balanced (support ``"feet"``): in the ``"task"`` mode, on a model with feet
        (the lumbar model), the thighs' inclination is found so that the body's weight has no
        moment about the feet's centre of pressure; ``thigh_flexion_deg`` is where the search
        starts. The free-standing presets set it.
    hold_duration_s : float
        How long the posture has been held [s]: the tonic reflex habituates over minutes
        (hypothesis H18).
    source : str
        Where the kinematics come from.
    """

    name: str = "custom"
    orientation: str = "upright"
    pelvic_tilt_deg: float = 0.0
    lumbar_flexion_deg: float = 0.0
    thoracic_flexion_deg: float = 0.0
    neck_flexion_deg: float = 0.0
    head_flexion_deg: float = 0.0
    hip_flexion_deg: float = 0.0
    level_flexion_deg: dict[str, float] = dataclasses.field(default_factory=dict)
    load_kg: float = 0.0
    hand_distance_m: float | None = None
    hand_height_m: float = 0.0
    hydration: float | None = None
    supported: bool | None = None
    support: str = ""
    thigh_flexion_deg: float | None = None
    knee_flexion_deg: float = 0.0
    trunk_flexion_deg: float | None = None
    gaze_flexion_deg: float | None = None
    instructed: bool = False
    balance: bool = False
    hold_duration_s: float = 600.0
    source: str = ""

    def __post_init__(self) -> None:
        if self.orientation not in ORIENTATIONS:
            raise ValueError(
                f"orientation: expected one of {', '.join(ORIENTATIONS)}, got {self.orientation!r}"
            )
        for name in (
            "pelvic_tilt_deg",
            "lumbar_flexion_deg",
            "thoracic_flexion_deg",
            "neck_flexion_deg",
            "head_flexion_deg",
            "hip_flexion_deg",
            "thigh_flexion_deg",
            "knee_flexion_deg",
            "trunk_flexion_deg",
            "gaze_flexion_deg",
        ):
            value = getattr(self, name)
            if value is None and name in _OPTIONAL_ANGLES:
                continue
            if not isinstance(value, (int, float)) or not math.isfinite(value) or abs(value) > 120:
                raise ValueError(f"{name}: expected a finite angle within 120 deg, got {value!r}")
        if self.support not in SUPPORTS:
            raise ValueError(
                f"support: expected one of {', '.join(map(repr, SUPPORTS))}, got {self.support!r}"
            )
        if not (
            isinstance(self.hold_duration_s, (int, float))
            and math.isfinite(self.hold_duration_s)
            and self.hold_duration_s >= 0
        ):
            raise ValueError(
                f"hold_duration_s: expected a finite duration >= 0 s, got {self.hold_duration_s!r}"
            )
        if not (isinstance(self.load_kg, (int, float)) and 0 <= self.load_kg <= 500):
            raise ValueError(f"load_kg: expected a mass in [0, 500] kg, got {self.load_kg!r}")
        if self.load_kg > 0 and self.hand_distance_m is None:
            raise ValueError(
                f"hand_distance_m: expected a distance [m] for a load of {self.load_kg} kg, "
                "got None"
            )

    @classmethod
    def presets(cls) -> list[str]:
        """Names of the bundled postures (kinematics and sources: docs/theory/posture.md).

        Returns
        -------
        list of str

        Raises
        ------
        ImportError
            The compiled core is not available.
        """
        return list(require_core().posture_preset_names())

    @classmethod
    def preset(cls, name: str, **params: Any) -> Posture:
        """A bundled posture, with any field replaced by ``params``.

        The lifts (``lift_round_back``, ``lift_bent_knees``, ``lift_close``) hold ``load_kg``
        (default 20 kg) at their documented hand distance.

        Parameters
        ----------
        name : str
            A preset of :meth:`presets`.
        **params
            Fields of :class:`Posture` to replace, e.g. ``load_kg=10``, ``hydration=0.7``.

        Returns
        -------
        Posture

        Raises
        ------
        ValueError
            Unknown preset name or field (the message suggests the closest and lists the valid
            ones), or a field out of its range.
        """
        core = require_core()
        names = list(core.posture_preset_names())
        if name not in names:
            hint = did_you_mean(name, names)
            raise ValueError(
                f"posture preset: expected one of {', '.join(names)}, got {name!r}"
                + (f"; {hint}" if hint else "")
            )
        load = params.get("load_kg")
        p = core.posture_preset(name, float("nan") if load is None else float(load))
        posture = cls._from_core(p)
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(params) - fields)
        if unknown:
            hints = [h for h in (did_you_mean(u, fields) for u in unknown) if h]
            raise ValueError(
                f"Posture.preset({name!r}): unknown field(s) {', '.join(unknown)}; "
                + (f"{'; '.join(hints)} " if hints else "")
                + f"expected some of {', '.join(sorted(fields))}"
            )
        return dataclasses.replace(posture, **params)

    @classmethod
    def _from_core(cls, p: Any) -> Posture:
        return cls(
            name=p.name,
            orientation=p.orientation,
            pelvic_tilt_deg=p.pelvic_tilt / DEG,
            lumbar_flexion_deg=p.lumbar_flexion / DEG,
            thoracic_flexion_deg=p.thoracic_flexion / DEG,
            neck_flexion_deg=p.neck_flexion / DEG,
            head_flexion_deg=p.head_flexion / DEG,
            hip_flexion_deg=p.hip_flexion / DEG,
            level_flexion_deg={k: v / DEG for k, v in p.level_flexion.items()},
            load_kg=p.load_mass,
            hand_distance_m=None if math.isnan(p.hand_distance) else p.hand_distance,
            hand_height_m=p.hand_height,
            hydration=None if math.isnan(p.hydration) else p.hydration,
            supported=p.supported,
            support=p.support,
            thigh_flexion_deg=_deg_or_none(p.thigh_flexion),
            knee_flexion_deg=p.knee_flexion / DEG,
            trunk_flexion_deg=_deg_or_none(p.trunk_flexion),
            gaze_flexion_deg=_deg_or_none(p.gaze_flexion),
            instructed=p.instructed,
            balance=p.balance,
            hold_duration_s=p.hold_duration,
            source=p.source,
        )

    def replace(self, **changes: Any) -> Posture:
        """A copy with some fields changed (the original is unchanged).

        Parameters
        ----------
        **changes
            Fields of :class:`Posture` and their new values.

        Returns
        -------
        Posture

        Raises
        ------
        TypeError
            An unknown field.
        ValueError
            A field out of its range.
        """
        return dataclasses.replace(self, **changes)

    def to_core(self) -> Any:
        """The posture as the core takes it.

        Returns
        -------
        msk._core.Posture
            SI units (radians, kilograms, metres).

        Raises
        ------
        msk.InvalidArgument
            The core refuses a value (e.g. ``hydration`` outside (0, 1]).
        """
        core = require_core()
        p = core.Posture()
        p.name = self.name
        p.orientation = self.orientation
        p.supported = self.orientation != "upright" if self.supported is None else self.supported
        p.pelvic_tilt = self.pelvic_tilt_deg * DEG
        p.lumbar_flexion = self.lumbar_flexion_deg * DEG
        p.thoracic_flexion = self.thoracic_flexion_deg * DEG
        p.neck_flexion = self.neck_flexion_deg * DEG
        p.head_flexion = self.head_flexion_deg * DEG
        p.hip_flexion = self.hip_flexion_deg * DEG
        p.level_flexion = {str(k): float(v) * DEG for k, v in self.level_flexion_deg.items()}
        p.load_mass = float(self.load_kg)
        p.hand_distance = float("nan") if self.hand_distance_m is None else self.hand_distance_m
        p.hand_height = float(self.hand_height_m)
        p.hydration = float("nan") if self.hydration is None else float(self.hydration)
        p.support = self.support
        p.thigh_flexion = _rad_or_nan(self.thigh_flexion_deg)
        p.knee_flexion = self.knee_flexion_deg * DEG
        p.trunk_flexion = _rad_or_nan(self.trunk_flexion_deg)
        p.gaze_flexion = _rad_or_nan(self.gaze_flexion_deg)
        p.instructed = bool(self.instructed)
        p.balance = bool(self.balance)
        p.hold_duration = float(self.hold_duration_s)
        p.source = self.source
        p.validate()
        return p


def as_posture(posture: Posture | str) -> Posture:
    """A posture, or the bundled preset of that name.

    Parameters
    ----------
    posture : Posture or str
        A posture, or a preset's name (:meth:`Posture.presets`).

    Returns
    -------
    Posture

    Raises
    ------
    ValueError
        Unknown preset name (the message suggests the closest and lists the presets).
    """
    return Posture.preset(posture) if isinstance(posture, str) else posture
