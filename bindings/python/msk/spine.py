"""Postures and posture equilibrium of the spine models (docs/theory/posture.md, spine.md).

Quick start::

    import msk

    lumbar = msk.load_model("lumbar")
    result = msk.equilibrium(lumbar, msk.Posture.preset("lift_round_back", load_kg=20))
    result.levels            # one row per level: compression_N, pressure_MPa, facet_share, ...
    result.muscles           # one row per muscle: force_N, activation, tone_activation, group
    result.plot()            # the spine in the sagittal plane

    # hypertonic extensors and psoas against normal tone, in every bundled posture
    table = msk.spine.compare(
        {"normal": lumbar,
         "hypertonic": lumbar.with_overrides({"groups.erector_spinae.tone": "hypertonic",
                                              "groups.psoas.tone": "hypertonic"})},
        msk.Posture.presets())

    # equilibrium files (written by `msk run` on an equilibrium run file, or by save)
    msk.spine.save("postures.h5", {("normal", "standing_relaxed"): result})
    stored = msk.spine.load("postures.h5")      # {(label, posture): StoredEquilibrium}
    msk.plot.spine(stored["normal", "standing_relaxed"])
    msk.spine.load_table("postures.h5")         # (label, posture, level) rows

Units: the Python API speaks degrees, millimetres, megapascals and kilograms where a name says
so (``lumbar_flexion_deg``, ``pressure_MPa``, ``load_kg``); the core is SI throughout.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from msk._api import Model, load_model, require_core

if TYPE_CHECKING:
    import h5py
    import xarray as xr
    from matplotlib.axes import Axes

__all__ = [
    "EQUILIBRIUM_FORMAT",
    "GROUP_UNITS",
    "LEVEL_UNITS",
    "MUSCLE_UNITS",
    "EquilibriumResult",
    "Posture",
    "SpineGeometry",
    "StoredEquilibrium",
    "compare",
    "equilibrium",
    "is_equilibrium_file",
    "load",
    "load_errors",
    "load_table",
    "save",
    "sweep",
]

_DEG = math.pi / 180.0
_ORIENTATIONS = ("upright", "supine", "prone", "side")
_MODES = ("fixed", "rhythm", "relaxed")

#: Units of the columns of :attr:`EquilibriumResult.levels`.
LEVEL_UNITS = {
    "region": "",
    "angle_deg": "deg",
    "compression_N": "N",
    "shear_N": "N",
    "disc_force_N": "N",
    "pressure_MPa": "MPa",
    "facet_force_N": "N",
    "facet_share": "1",
    "ligament_force_N": "N",
    "disc_height_mm": "mm",
    "posterior_disc_height_mm": "mm",
    "foramen_height_mm": "mm",
    "stenosis": "",
    "passive_moment_N_m": "N m",
    "reserve_N_m": "N m",
}

#: Units of the columns of :attr:`EquilibriumResult.muscles`.
MUSCLE_UNITS = {
    "group": "",
    "force_N": "N",
    "activation": "1",
    "tone_activation": "1",
    "voluntary_activation": "1",
}

#: Units of the columns of :attr:`EquilibriumResult.groups`.
GROUP_UNITS = {
    "n_muscles": "",
    "force_N": "N",
    "mean_activation": "1",
    "max_activation": "1",
    "mean_tone_activation": "1",
}


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
    source: str = ""

    def __post_init__(self) -> None:
        if self.orientation not in _ORIENTATIONS:
            raise ValueError(
                f"orientation: expected one of {', '.join(_ORIENTATIONS)}, got {self.orientation!r}"
            )
        for name in (
            "pelvic_tilt_deg",
            "lumbar_flexion_deg",
            "thoracic_flexion_deg",
            "neck_flexion_deg",
            "head_flexion_deg",
            "hip_flexion_deg",
        ):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or abs(value) > 120:
                raise ValueError(f"{name}: expected a finite angle within 120 deg, got {value!r}")
        if not (isinstance(self.load_kg, (int, float)) and 0 <= self.load_kg <= 500):
            raise ValueError(f"load_kg: expected a mass in [0, 500] kg, got {self.load_kg!r}")
        if self.load_kg > 0 and self.hand_distance_m is None:
            raise ValueError(
                f"hand_distance_m: expected a distance [m] for a load of {self.load_kg} kg, "
                "got None"
            )

    @classmethod
    def presets(cls) -> list[str]:
        """Names of the bundled postures (kinematics and sources: docs/theory/posture.md)."""
        return list(require_core().posture_preset_names())

    @classmethod
    def preset(cls, name: str, **params: Any) -> Posture:
        """A bundled posture, with any field replaced by ``params``.

        The lifts (``lift_round_back``, ``lift_bent_knees``, ``lift_close``) hold ``load_kg``
        (default 20 kg) at their documented hand distance.

        Raises
        ------
        ValueError
            Unknown preset name or field.
        """
        core = require_core()
        if name not in core.posture_preset_names():
            raise ValueError(
                f"posture preset: expected one of {', '.join(core.posture_preset_names())}, "
                f"got {name!r}"
            )
        load = params.get("load_kg")
        p = core.posture_preset(name, float("nan") if load is None else float(load))
        posture = cls._from_core(p)
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(params) - fields)
        if unknown:
            raise ValueError(
                f"Posture.preset({name!r}): unknown field(s) {', '.join(unknown)}; expected "
                f"some of {', '.join(sorted(fields))}"
            )
        return dataclasses.replace(posture, **params)

    @classmethod
    def _from_core(cls, p: Any) -> Posture:
        return cls(
            name=p.name,
            orientation=p.orientation,
            pelvic_tilt_deg=p.pelvic_tilt / _DEG,
            lumbar_flexion_deg=p.lumbar_flexion / _DEG,
            thoracic_flexion_deg=p.thoracic_flexion / _DEG,
            neck_flexion_deg=p.neck_flexion / _DEG,
            head_flexion_deg=p.head_flexion / _DEG,
            hip_flexion_deg=p.hip_flexion / _DEG,
            level_flexion_deg={k: v / _DEG for k, v in p.level_flexion.items()},
            load_kg=p.load_mass,
            hand_distance_m=None if math.isnan(p.hand_distance) else p.hand_distance,
            hand_height_m=p.hand_height,
            hydration=None if math.isnan(p.hydration) else p.hydration,
            supported=p.supported,
            source=p.source,
        )

    def replace(self, **changes: Any) -> Posture:
        """A copy with some fields changed (the original is unchanged)."""
        return dataclasses.replace(self, **changes)

    def to_core(self) -> Any:
        """The ``msk._core.Posture`` (SI units)."""
        core = require_core()
        p = core.Posture()
        p.name = self.name
        p.orientation = self.orientation
        p.supported = self.orientation != "upright" if self.supported is None else self.supported
        p.pelvic_tilt = self.pelvic_tilt_deg * _DEG
        p.lumbar_flexion = self.lumbar_flexion_deg * _DEG
        p.thoracic_flexion = self.thoracic_flexion_deg * _DEG
        p.neck_flexion = self.neck_flexion_deg * _DEG
        p.head_flexion = self.head_flexion_deg * _DEG
        p.hip_flexion = self.hip_flexion_deg * _DEG
        p.level_flexion = {str(k): float(v) * _DEG for k, v in self.level_flexion_deg.items()}
        p.load_mass = float(self.load_kg)
        p.hand_distance = float("nan") if self.hand_distance_m is None else self.hand_distance_m
        p.hand_height = float(self.hand_height_m)
        p.hydration = float("nan") if self.hydration is None else float(self.hydration)
        p.source = self.source
        p.validate()
        return p


def _as_model(model: Model | str) -> Model:
    return load_model(model) if isinstance(model, (str, os.PathLike)) else model


def _as_posture(posture: Posture | str) -> Posture:
    return Posture.preset(posture) if isinstance(posture, str) else posture


@dataclasses.dataclass(frozen=True, eq=False)
class SpineGeometry:
    """Where the bodies, muscles and loads of one equilibrium are: what :func:`msk.plot.spine`
    draws. Ground frame (x forward, y up in relaxed standing), SI units.

    Attributes
    ----------
    body_names : tuple of str, length n_bodies
        The model's bodies, in model order.
    segment_bodies : tuple of str, length n_levels
        The body above each spinal level, bottom up (the rows of the levels table).
    stature_m : float
        Standing height of the subject [m] (scales the trunk and head outlines).
    gravity : numpy.ndarray, shape (3,)
        Gravitational acceleration in the ground frame [m/s^2] (its direction tells the
        orientation: lying on the side puts it across the sagittal plane).
    joint_origin : numpy.ndarray, shape (n_bodies, 3)
        Centre of each body's joint (for a vertebra: the centre of the level below it) [m].
    body_position : numpy.ndarray, shape (n_bodies, 3)
        Origin of each body frame [m].
    body_rotation : numpy.ndarray, shape (n_bodies, 3, 3)
        Orientation of each body frame (columns: the body's axes in the ground frame) [1].
    muscle_path : tuple of numpy.ndarray, length n_muscles, each shape (k_i, 3)
        Path points of each muscle, origin to insertion, in the order of the muscles table [m].
    load_body : tuple of str, length n_loads
        Body each external point load acts on (the first is the load in the hands when the
        posture holds one; the arms' weight follows).
    load_point : numpy.ndarray, shape (n_loads, 3)
        Point of application of each load in its body's frame [m].
    load_force : numpy.ndarray, shape (n_loads, 3)
        Force of each load in the ground frame [N].
    """

    body_names: tuple[str, ...]
    segment_bodies: tuple[str, ...]
    stature_m: float
    gravity: np.ndarray
    joint_origin: np.ndarray
    body_position: np.ndarray
    body_rotation: np.ndarray
    muscle_path: tuple[np.ndarray, ...]
    load_body: tuple[str, ...]
    load_point: np.ndarray
    load_force: np.ndarray

    @classmethod
    def from_raw(cls, model: Model, raw: Mapping[str, Any]) -> SpineGeometry:
        """The geometry of an equilibrium the core returned (``EquilibriumResult.raw``)."""
        loads = list(raw.get("loads", []))
        return cls(
            body_names=tuple(model.body_names),
            segment_bodies=tuple(model.segment_bodies),
            stature_m=float(model.subject.get("height") or 1.75),
            gravity=np.asarray(raw["gravity"], dtype=float).reshape(3),
            joint_origin=np.asarray(raw["joint_origin"], dtype=float).reshape(-1, 3),
            body_position=np.asarray(raw["body_position"], dtype=float).reshape(-1, 3),
            body_rotation=np.asarray(raw["body_rotation"], dtype=float).reshape(-1, 3, 3),
            muscle_path=tuple(
                np.asarray(p, dtype=float).reshape(-1, 3) for p in raw["muscle_path"]
            ),
            load_body=tuple(str(load["body"]) for load in loads),
            load_point=np.array([load["point"] for load in loads], dtype=float).reshape(-1, 3),
            load_force=np.array([load["force"] for load in loads], dtype=float).reshape(-1, 3),
        )


class _SpinePicture:
    """What live and stored equilibria share: the picture and the one-line summary."""

    levels: pd.DataFrame
    effort: float

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Any:
        """The spine in the sagittal plane (:func:`msk.plot.spine`)."""
        from msk import plot

        return plot.spine(self, ax=ax, **kwargs)

    def _peak(self) -> str:
        worst = self.levels["compression_N"].idxmax() if len(self.levels) else "-"
        peak = self.levels["compression_N"].max() if len(self.levels) else float("nan")
        return f"peak compression {peak:.0f} N at {worst}, effort {self.effort:.3g}"


class EquilibriumResult(_SpinePicture):
    """What :func:`equilibrium` found at one posture.

    Attributes
    ----------
    model : msk.Model
    posture : Posture
    mode : str
        The posture mode it was solved in (``"fixed"``, ``"rhythm"`` or ``"relaxed"``).
    levels : pandas.DataFrame
        One row per spinal level (index ``level``, bottom up), columns in
        :data:`LEVEL_UNITS` (units also in ``levels.attrs["units"]``).
    muscles : pandas.DataFrame
        One row per muscle (index ``muscle``): ``group``, ``force_N``, ``activation``,
        ``tone_activation`` (the floor the stretch reflex sets) and ``voluntary_activation``.
    groups : pandas.DataFrame
        One row per muscle group (index ``group``): ``n_muscles``, ``force_N`` (sum),
        ``mean_activation``, ``max_activation``, ``mean_tone_activation`` (units in
        :data:`GROUP_UNITS` and ``groups.attrs["units"]``).
    ligaments : pandas.DataFrame
        Ligament tensions [N], one row per level, one column per ligament.
    joint_angles_deg : dict
        The coordinates the equilibrium ended at [deg].
    effort : float
        Sum of squared voluntary activations [1].
    raw : dict
        Everything the core returned (SI units, NumPy arrays).
    geometry : SpineGeometry
        Bodies, muscle paths and loads for drawing (from ``raw`` and the model).
    """

    def __init__(
        self, model: Model, posture: Posture, raw: dict[str, Any], mode: str = "rhythm"
    ) -> None:
        self.model = model
        self.posture = posture
        self.mode = mode
        self.raw = raw
        seg = raw["segments"]
        names = list(model.segment_names)
        levels = pd.DataFrame(
            {
                "region": list(model.segment_regions),
                "angle_deg": np.degrees(seg["angle"]),
                "compression_N": seg["compression"],
                "shear_N": seg["shear"],
                "disc_force_N": seg["disc_force"],
                "pressure_MPa": seg["pressure"] / 1e6,
                "facet_force_N": seg["facet_force"],
                "facet_share": seg["facet_share"],
                "ligament_force_N": seg["ligament_force"],
                "disc_height_mm": seg["disc_height"] * 1e3,
                "posterior_disc_height_mm": seg["posterior_disc_height"] * 1e3,
                "foramen_height_mm": seg["foramen_height"] * 1e3,
                "stenosis": seg["stenosis"] > 0.5,
                "passive_moment_N_m": seg["moment"],
                "reserve_N_m": seg["reserve_moment"],
            },
            index=pd.Index(names, name="level"),
        )
        levels.attrs["units"] = dict(LEVEL_UNITS)
        levels.attrs["posture"] = posture.name
        self.levels = levels

        groups = model.groups
        primary: dict[str, str] = {}
        for group, members in groups.items():
            for m in members:
                primary.setdefault(m, group)
        muscle_names = list(model.muscle_names)
        muscles = pd.DataFrame(
            {
                "group": [primary.get(m, "") for m in muscle_names],
                "force_N": raw["muscle_force"],
                "activation": raw["activation"],
                "tone_activation": raw["tone_activation"],
                "voluntary_activation": raw["voluntary_activation"],
            },
            index=pd.Index(muscle_names, name="muscle"),
        )
        muscles.attrs["units"] = dict(MUSCLE_UNITS)
        self.muscles = muscles
        rows = []
        for group, members in groups.items():
            sub = muscles.loc[members]
            rows.append(
                {
                    "group": group,
                    "n_muscles": len(members),
                    "force_N": float(sub["force_N"].sum()),
                    "mean_activation": float(sub["activation"].mean()),
                    "max_activation": float(sub["activation"].max()),
                    "mean_tone_activation": float(sub["tone_activation"].mean()),
                }
            )
        self.groups = (
            pd.DataFrame(rows).set_index("group")
            if rows
            else pd.DataFrame(
                columns=[
                    "n_muscles",
                    "force_N",
                    "mean_activation",
                    "max_activation",
                    "mean_tone_activation",
                ]
            )
        )
        self.groups.index.name = "group"
        self.groups.attrs["units"] = dict(GROUP_UNITS)
        self.ligaments = pd.DataFrame(list(seg["ligaments"]), index=pd.Index(names, name="level"))
        self.ligaments.attrs["units"] = "N"
        self.joint_angles_deg = dict(zip(model.joint_names, np.degrees(raw["q"])))
        self.effort = float(raw["effort"])
        self._geometry: SpineGeometry | None = None

    @property
    def geometry(self) -> SpineGeometry:
        """Bodies, muscle paths and loads in the ground frame, for drawing."""
        if self._geometry is None:
            self._geometry = SpineGeometry.from_raw(self.model, self.raw)
        return self._geometry

    def to_xarray(self) -> xr.Dataset:
        """The levels and muscles as one ``xarray.Dataset`` (dims ``level``, ``muscle``), units
        in each variable's attrs."""
        import xarray as xr

        levels = self.levels.drop(columns=["region"]).copy()
        levels["stenosis"] = levels["stenosis"].astype(float)
        ds = xr.Dataset.from_dataframe(levels)
        mus = xr.Dataset.from_dataframe(self.muscles.drop(columns=["group"]))
        ds = ds.merge(mus)
        ds = ds.assign_coords(
            region=("level", list(self.levels["region"])),
            group=("muscle", list(self.muscles["group"])),
        )
        for name, unit in {**LEVEL_UNITS, **MUSCLE_UNITS}.items():
            if name in ds and unit:
                ds[name].attrs["units"] = unit
        ds.attrs.update({"model": self.model.name, "posture": self.posture.name})
        return ds

    def __repr__(self) -> str:
        return (
            f"<msk.EquilibriumResult {self.model.name!r} in {self.posture.name!r}: {self._peak()}>"
        )


def equilibrium(
    model: Model | str,
    posture: Posture | str,
    *,
    mode: str = "rhythm",
    posture_stiffness: float = 1000.0,
    reserve_tolerance: float = 1e-3,
    reserve_fraction: float = 0.05,
    effort_weight: Mapping[str, float] | None = None,
) -> EquilibriumResult:
    """Posture equilibrium (static optimisation) of a model at a posture.

    Finds the voluntary activations that minimise effort (sum of squared voluntary
    activations) with moment balance at every level, on top of the tone-driven activations
    (floors no optimisation can remove), and the loads of every level (docs/theory/posture.md).

    Parameters
    ----------
    model : msk.Model or str
        A spine model (or a bundled model's name, e.g. ``"lumbar"``).
    posture : Posture or str
        A posture (or a preset's name).
    mode : {"fixed", "rhythm", "relaxed"}
        ``"fixed"``: exactly the posture's angles; ``"rhythm"`` (default): each region keeps
        its total flexion while its levels may share it differently from the rhythm (at a cost
        of ``posture_stiffness`` per rad^2 of deviation); ``"relaxed"``: the region totals move
        too (the posture relaxes: a hypertonic muscle pulls it out of shape).
    posture_stiffness : float
        Weight of the posture preference in the rhythm and relaxed modes [1/rad^2].
    reserve_tolerance, reserve_fraction : float
        A level whose muscles leave more than ``reserve_tolerance`` [N m] plus
        ``reserve_fraction`` of its demand unbalanced raises :class:`msk.EquilibriumError`.
    effort_weight : mapping, optional
        ``{muscle: weight}`` of the effort sum (default 1 for every muscle).

    Raises
    ------
    msk.EquilibriumError
        No activation can hold the posture; the message names the level and the moment missing.
    """
    m = _as_model(model)
    p = _as_posture(posture)
    if mode not in _MODES:
        raise ValueError(f"mode: expected one of {', '.join(_MODES)}, got {mode!r}")
    weights: list[float] = []
    if effort_weight:
        unknown = sorted(set(effort_weight) - set(m.muscle_names))
        if unknown:
            raise ValueError(f"effort_weight: unknown muscle(s) {', '.join(unknown)}")
        weights = [float(effort_weight.get(name, 1.0)) for name in m.muscle_names]
    raw = require_core().solve_equilibrium(
        m.core,
        p.to_core(),
        mode,
        float(posture_stiffness),
        float(reserve_tolerance),
        float(reserve_fraction),
        weights,
    )
    return EquilibriumResult(m, p, raw, mode)


def _run(task: tuple[Model, Posture, dict[str, Any]]) -> EquilibriumResult:
    model, posture, kwargs = task
    return equilibrium(model, posture, **kwargs)


def _map(tasks: list, n_workers: int | None, progress: bool, label: str) -> list:
    """Runs the tasks on a thread pool (the core releases the GIL), with a progress bar."""
    workers = n_workers or min(len(tasks), os.cpu_count() or 1) or 1
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), desc=label, unit="posture")
    out: list = [None] * len(tasks)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_run, t): i for i, t in enumerate(tasks)}
        for future in futures:
            out[futures[future]] = future.result()
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    return out


def compare(
    models: Mapping[str, Model | str],
    postures: Iterable[Posture | str],
    *,
    columns: Sequence[str] = (
        "compression_N",
        "pressure_MPa",
        "facet_share",
        "foramen_height_mm",
    ),
    n_workers: int | None = None,
    progress: bool = False,
    **kwargs: Any,
) -> pd.DataFrame:
    """The same postures on several models (e.g. normal vs hypertonic tone), side by side.

    Returns a DataFrame with a (posture, level) row index and a (model label, column) column
    index, so that ``table["hypertonic"] - table["normal"]`` gives the differences. ``kwargs``
    go to :func:`equilibrium`.
    """
    labelled = {label: _as_model(m) for label, m in models.items()}
    ps = [_as_posture(p) for p in postures]
    tasks = [(m, p, kwargs) for m in labelled.values() for p in ps]
    results = _map(tasks, n_workers, progress, "equilibria")
    frames = []
    for k, (label, _) in enumerate(labelled.items()):
        for j, p in enumerate(ps):
            r = results[k * len(ps) + j]
            df = r.levels[list(columns)].copy()
            df.index = pd.MultiIndex.from_product([[p.name], df.index], names=["posture", "level"])
            df.columns = pd.MultiIndex.from_product([[label], df.columns])
            frames.append(df)
    table = pd.concat(
        [pd.concat([f for f in frames if f.columns[0][0] == label]) for label in labelled],
        axis=1,
    )
    table.attrs["units"] = {c: LEVEL_UNITS.get(c, "") for c in columns}
    return table


def sweep(
    model: Model | str,
    postures: Iterable[Posture | str],
    grid: Mapping[str, Sequence[Any]] | None = None,
    *,
    n_workers: int | None = None,
    progress: bool = True,
    **kwargs: Any,
) -> xr.Dataset:
    """Equilibria over postures and a grid of model overrides, as an ``xarray.Dataset``.

    Parameters
    ----------
    model : msk.Model or str
    postures : iterable of Posture or preset names
    grid : mapping, optional
        ``{override path: [values]}``; every combination is solved (e.g.
        ``{"groups.erector_spinae.tone.threshold_offset": [-0.04, 0.0, 0.5]}``).
    kwargs
        Passed to :func:`equilibrium` (``mode``, ...).

    Returns
    -------
    xarray.Dataset
        Dimensions ``posture``, ``level`` and one per grid key; variables: every numeric column
        of :attr:`EquilibriumResult.levels` and ``<group>_activation`` for every muscle group
        (dims posture and grid keys). A combination the muscles cannot hold is NaN, with its
        message in ``attrs["errors"]``.
    """
    import itertools

    import xarray as xr

    base = _as_model(model)
    ps = [_as_posture(p) for p in postures]
    grid = dict(grid or {})
    keys = list(grid)
    combos = list(itertools.product(*[list(grid[k]) for k in keys])) if keys else [()]
    models = [base.with_overrides(dict(zip(keys, c))) if keys else base for c in combos]
    tasks = [(m, p, kwargs) for m in models for p in ps]
    errors: list[str] = []

    core = require_core()

    def safe(n: int) -> EquilibriumResult | None:
        try:
            return _run(tasks[n])
        except (core.EquilibriumError, core.ModelError) as error:
            combo = dict(zip(keys, combos[n // len(ps)]))
            errors.append(f"{ps[n % len(ps)].name} {combo}: {error}")
            return None

    results: list[EquilibriumResult | None] = []
    workers = n_workers or min(len(tasks), os.cpu_count() or 1) or 1
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), desc="equilibria", unit="posture")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for r in pool.map(safe, range(len(tasks))):
            results.append(r)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()

    levels = list(base.segment_names)
    groups = list(base.groups)
    numeric = [c for c, u in LEVEL_UNITS.items() if c not in ("region", "stenosis")]
    shape_levels = [len(c) for c in (grid[k] for k in keys)] + [len(ps), len(levels)]
    shape_groups = [len(c) for c in (grid[k] for k in keys)] + [len(ps)]
    data = {c: np.full(shape_levels, np.nan) for c in numeric}
    gdata = {g: np.full(shape_groups, np.nan) for g in groups}
    for n, r in enumerate(results):
        if r is None:
            continue
        ci, pi = divmod(n, len(ps))
        index = np.unravel_index(ci, [len(grid[k]) for k in keys]) if keys else ()
        for c in numeric:
            data[c][(*index, pi)] = r.levels[c].to_numpy()
        for g in groups:
            gdata[g][(*index, pi)] = r.groups.loc[g, "mean_activation"]
    dims = [*keys, "posture", "level"]
    coords: dict[str, Any] = {k: list(grid[k]) for k in keys}
    coords["posture"] = [p.name for p in ps]
    coords["level"] = levels
    ds = xr.Dataset({c: (dims, data[c], {"units": LEVEL_UNITS[c]}) for c in numeric}, coords=coords)
    for g in groups:
        ds[f"{g}_activation"] = ([*keys, "posture"], gdata[g], {"units": "1"})
    ds.attrs["model"] = base.name
    ds.attrs["errors"] = errors
    return ds


# --- equilibrium files -----------------------------------------------------------------------

EQUILIBRIUM_FORMAT = "msk-equilibrium"
"""Value of the root attribute ``format`` of an equilibrium file (``/meta`` has
``kind = "equilibrium"``); layout in docs/guide/results_format.md."""

_EQUILIBRIUM_FORMAT_VERSION = 1

_GEOMETRY_UNITS = {
    "joint_origin": "m",
    "body_position": "m",
    "body_rotation": "1",
    "muscle_path": "m",
    "gravity": "m/s^2",
}


def _check_name(kind: str, name: Any) -> str:
    """``name`` if it can name an HDF5 group (a non-empty str without ``/``), else ValueError."""
    if not isinstance(name, str) or not name.strip() or "/" in name or name in (".", ".."):
        raise ValueError(f"{kind}: expected a non-empty name without '/', got {name!r}")
    return name


def _posture_attrs(posture: Posture) -> dict[str, Any]:
    """The fields of ``posture`` as HDF5 attribute values (None fields are left out)."""
    out: dict[str, Any] = {}
    for field in dataclasses.fields(Posture):
        value = getattr(posture, field.name)
        if value is None:
            continue
        if field.name == "level_flexion_deg":
            value = json.dumps({str(k): float(v) for k, v in value.items()})
        elif isinstance(value, bool):
            value = np.bool_(value)
        elif isinstance(value, (int, float)):
            value = float(value)
        out[field.name] = value
    return out


def _posture_from_attrs(attrs: Mapping[str, Any]) -> Posture:
    """The Posture stored by :func:`_posture_attrs`."""
    from msk.results import _plain

    fields: dict[str, Any] = {}
    for field in dataclasses.fields(Posture):
        if field.name not in attrs:
            continue
        value = _plain(attrs[field.name])
        if field.name == "level_flexion_deg":
            value = {str(k): float(v) for k, v in json.loads(value or "{}").items()}
        elif field.name == "supported":
            value = bool(value)
        elif field.name in ("name", "orientation", "source"):
            value = str(value)
        else:
            value = float(value)
        fields[field.name] = value
    return Posture(**fields)


def _write_strings(group: h5py.Group, name: str, values: Iterable[Any]) -> None:
    import h5py

    group.create_dataset(
        name, data=np.array([str(v) for v in values], dtype=object), dtype=h5py.string_dtype()
    )


def _write_table(
    group: h5py.Group, name: str, frame: pd.DataFrame, units: Mapping[str, str] | str
) -> None:
    """``frame`` as ``name/<index name>`` (the row names) and one dataset per column."""
    table = group.create_group(name, track_order=True)
    _write_strings(table, str(frame.index.name), frame.index)
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            table.create_dataset(str(column), data=series.to_numpy(dtype=bool))
        elif pd.api.types.is_integer_dtype(series):
            table.create_dataset(str(column), data=series.to_numpy(dtype=np.int64))
        elif pd.api.types.is_numeric_dtype(series):
            table.create_dataset(str(column), data=series.to_numpy(dtype=float))
        else:
            _write_strings(table, str(column), series)
        unit = units if isinstance(units, str) else units.get(str(column), "")
        table[str(column)].attrs["units"] = unit


def _read_table(group: h5py.Group, index_name: str) -> pd.DataFrame:
    """A table written by :func:`_write_table`; units in ``attrs["units"]``."""
    from msk.results import _plain, _read_strings

    index = _read_strings(group[index_name])
    data: dict[str, Any] = {}
    units: dict[str, str] = {}
    for name, dataset in group.items():
        if name == index_name:
            continue
        if dataset.dtype.kind in ("S", "O", "U"):
            data[name] = _read_strings(dataset)
        else:
            data[name] = dataset[()]
        units[name] = str(_plain(dataset.attrs.get("units", "")))
    frame = pd.DataFrame(data, index=pd.Index(index, name=index_name))
    frame.attrs["units"] = units
    return frame


class _EquilibriumWriter:
    """Writes an equilibrium file one posture at a time, flushing after each, so that an error
    or a kill later on keeps every posture written before it."""

    def __init__(self, path: str | os.PathLike[str], meta: Mapping[str, Any]) -> None:
        import h5py

        from msk._api import installed_version
        from msk.results import _attr_value

        self.path = Path(path)
        self._file = h5py.File(self.path, "w", track_order=True)
        self._file.attrs["format"] = EQUILIBRIUM_FORMAT
        self._file.attrs["format_version"] = np.int64(_EQUILIBRIUM_FORMAT_VERSION)
        self._file.attrs["msk_version"] = installed_version()
        group = self._file.create_group("meta", track_order=True)
        group.attrs["kind"] = "equilibrium"
        group.attrs["msk_version"] = installed_version()
        for key, value in meta.items():
            if key not in ("kind", "msk_version"):
                group.attrs[key] = _attr_value(value)
        self._root = self._file.create_group("equilibrium", track_order=True)
        self._file.flush()

    def __enter__(self) -> _EquilibriumWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._file.id.valid:
            self._file.close()

    def add_label(
        self,
        label: str,
        model_name: str = "",
        model_text: str = "",
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        """Create ``/equilibrium/<label>``: one model variant (its name, text and the overrides
        that made it from the run's model)."""
        _check_name("label", label)
        if label in self._root:
            raise ValueError(f"label: {label!r} is written twice")
        group = self._root.create_group(label, track_order=True)
        group.attrs["model_name"] = model_name
        group.attrs["model_text"] = model_text
        group.attrs["overrides"] = json.dumps(dict(overrides or {}))

    def _posture_group(self, label: str, posture: Posture, mode: str) -> h5py.Group:
        if label not in self._root:
            self.add_label(label)
        name = _check_name("posture", posture.name)
        if name in self._root[label]:
            raise ValueError(
                f"{label}/{name}: posture written twice (give postures distinct names)"
            )
        group = self._root[label].create_group(name, track_order=True)
        group.attrs["label"] = label
        group.attrs["mode"] = mode
        for key, value in _posture_attrs(posture).items():
            group.attrs[key] = value
        return group

    def add(self, label: str, result: EquilibriumResult | StoredEquilibrium) -> None:
        """Write one solved posture under ``/equilibrium/<label>/<posture name>``."""
        group = self._posture_group(label, result.posture, result.mode)
        group.attrs["effort"] = float(result.effort)
        levels = result.levels.copy()
        levels.index.name = "level"
        _write_table(group, "levels", levels, LEVEL_UNITS)
        _write_table(group, "muscles", result.muscles, MUSCLE_UNITS)
        groups = result.groups.copy()
        groups.index.name = "group"
        _write_table(group, "groups", groups, GROUP_UNITS)
        ligaments = result.ligaments.copy()
        ligaments.index.name = "level"
        _write_table(group, "ligaments", ligaments, "N")

        geometry = result.geometry
        group.attrs["stature_m"] = float(geometry.stature_m)
        _write_strings(group, "joint", result.joint_angles_deg)
        group.create_dataset(
            "joint_angle_deg", data=np.array(list(result.joint_angles_deg.values()), dtype=float)
        ).attrs["units"] = "deg"
        _write_strings(group, "body", geometry.body_names)
        _write_strings(group, "segment_body", geometry.segment_bodies)
        for name in ("joint_origin", "body_position", "body_rotation", "gravity"):
            dataset = group.create_dataset(name, data=getattr(geometry, name))
            dataset.attrs["units"] = _GEOMETRY_UNITS[name]
        counts = [len(p) for p in geometry.muscle_path]
        flat = np.concatenate(geometry.muscle_path) if geometry.muscle_path else np.zeros((0, 3))
        group.create_dataset("muscle_path", data=flat).attrs["units"] = "m"
        group.create_dataset(
            "muscle_path_offsets", data=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        )
        loads = group.create_group("loads", track_order=True)
        _write_strings(loads, "body", geometry.load_body)
        loads.create_dataset("point", data=geometry.load_point).attrs["units"] = "m"
        loads.create_dataset("force", data=geometry.load_force).attrs["units"] = "N"
        self._file.flush()

    def add_error(self, label: str, posture: Posture, mode: str, message: str) -> None:
        """Record a posture that failed (the muscles cannot hold it, or the core refused one of
        its values): the posture's group with attribute ``error`` and no tables."""
        group = self._posture_group(label, posture, mode)
        group.attrs["error"] = str(message)
        self._file.flush()


def save(
    path: str | os.PathLike[str],
    results: Mapping[tuple[str, str], EquilibriumResult | StoredEquilibrium],
    *,
    meta: Mapping[str, Any] | None = None,
) -> Path:
    """Write equilibria to an HDF5 equilibrium file (overwrites ``path``), the format
    ``msk run`` writes for an equilibrium run file and :func:`load` reads.

    Parameters
    ----------
    path : str or path
        Destination file.
    results : mapping
        ``{(label, posture name): result}``, e.g. ``{("normal", "standing_relaxed"): r}``;
        the posture name must be ``result.posture.name``.
    meta : mapping, optional
        Extra ``/meta`` attributes (strings or numbers; others are stored as JSON).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        A key is not a (label, posture name) pair matching its result, or a name contains '/'.
    """
    items = list(results.items())
    for key, result in items:
        if not (isinstance(key, tuple) and len(key) == 2) or key[1] != result.posture.name:
            raise ValueError(
                f"results: expected keys (label, posture name), got {key!r} for posture "
                f"{result.posture.name!r}"
            )
    first = items[0][1] if items else None
    defaults: dict[str, Any] = {}
    if first is not None:
        defaults = {
            "model_name": _model_name(first),
            "model_file": "" if isinstance(first, StoredEquilibrium) else first.model.file,
            "model_text": _model_text(first),
            "mode": first.mode,
        }
    labels: set[str] = set()
    with _EquilibriumWriter(path, {**defaults, **dict(meta or {})}) as writer:
        for (label, _), result in items:
            if label not in labels:
                writer.add_label(label, _model_name(result), _model_text(result))
                labels.add(label)
            writer.add(label, result)
    return Path(path)


def _model_name(result: EquilibriumResult | StoredEquilibrium) -> str:
    if isinstance(result, StoredEquilibrium):
        return result.model_name
    return result.model.name


def _model_text(result: EquilibriumResult | StoredEquilibrium) -> str:
    if isinstance(result, StoredEquilibrium):
        return result.model_text
    return result.model.text


@dataclasses.dataclass(frozen=True, eq=False)
class StoredEquilibrium(_SpinePicture):
    """One posture's equilibrium read back from an equilibrium file (:func:`load`).

    It has the tables and the geometry of the :class:`EquilibriumResult` that was written, and
    draws the same picture (:func:`msk.plot.spine`), without the compiled core.

    Attributes
    ----------
    label : str
        The model variant (a key of the run file's ``compare``; ``"default"`` without one).
    posture : Posture
    mode : str
        ``"fixed"``, ``"rhythm"`` or ``"relaxed"``.
    levels, muscles, groups : pandas.DataFrame
        As :attr:`EquilibriumResult.levels`, ``.muscles``, ``.groups``; units in
        ``attrs["units"]``.
    ligaments : pandas.DataFrame
        Ligament tensions [N], one row per level, one column per ligament.
    geometry : SpineGeometry
    joint_angles_deg : dict
        The coordinates the equilibrium ended at [deg].
    effort : float
        Sum of squared voluntary activations [1].
    model_name, model_text : str
        The model variant (``msk.Model.from_text(model_text)`` rebuilds it).
    path : pathlib.Path or None
        The file it was read from.
    """

    label: str
    posture: Posture
    mode: str
    levels: pd.DataFrame
    muscles: pd.DataFrame
    groups: pd.DataFrame
    ligaments: pd.DataFrame
    geometry: SpineGeometry
    joint_angles_deg: dict[str, float]
    effort: float
    model_name: str = ""
    model_text: str = ""
    path: Path | None = None

    def __repr__(self) -> str:
        return (
            f"<msk.spine.StoredEquilibrium {self.label!r} {self.model_name!r} in "
            f"{self.posture.name!r}: {self._peak()}>"
        )


def _open_equilibrium_file(path: str | os.PathLike[str]) -> h5py.File:
    """Open an equilibrium file for reading, or raise naming what is wrong."""
    import h5py

    from msk.results import _plain, _results_file_error

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such equilibrium file")
    try:
        handle = h5py.File(path, "r")
    except OSError as error:
        raise _results_file_error(f"{path}: not a readable HDF5 file ({error})") from None
    kind = _plain(handle["meta"].attrs.get("kind", "")) if "meta" in handle else ""
    version = int(_plain(handle.attrs.get("format_version", 0)) or 0)
    if kind != "equilibrium" or "equilibrium" not in handle:
        handle.close()
        raise _results_file_error(
            f"{path}: expected an equilibrium file (/meta attribute kind = 'equilibrium' and a "
            f"group /equilibrium), got kind = {kind!r}; episode files open with msk.Results.load"
        )
    if version > _EQUILIBRIUM_FORMAT_VERSION:
        handle.close()
        raise _results_file_error(
            f"{path}: format_version {version} is newer than this msk reads "
            f"({_EQUILIBRIUM_FORMAT_VERSION}); upgrade msk"
        )
    return handle


def is_equilibrium_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is an HDF5 file whose ``/meta`` says ``kind = "equilibrium"``."""
    import h5py

    from msk.results import _plain

    try:
        with h5py.File(path, "r") as f:
            return "meta" in f and _plain(f["meta"].attrs.get("kind", "")) == "equilibrium"
    except (OSError, ValueError):
        return False


def _read_meta(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``/meta`` attributes of an equilibrium file."""
    from msk.results import _plain

    with _open_equilibrium_file(path) as f:
        return {k: _plain(v) for k, v in f["meta"].attrs.items()}


def _read_stored(group: h5py.Group, label_group: h5py.Group, path: Path) -> StoredEquilibrium:
    from msk.results import _plain, _read_strings

    attrs = group.attrs
    posture = _posture_from_attrs(attrs)
    levels = _read_table(group["levels"], "level")
    levels.attrs["posture"] = posture.name
    ligaments = _read_table(group["ligaments"], "level")
    ligaments.attrs["units"] = "N"
    offsets = np.asarray(group["muscle_path_offsets"][()], dtype=np.int64)
    flat = np.asarray(group["muscle_path"][()], dtype=float).reshape(-1, 3)
    loads = group["loads"]
    geometry = SpineGeometry(
        body_names=tuple(_read_strings(group["body"])),
        segment_bodies=tuple(_read_strings(group["segment_body"])),
        stature_m=float(_plain(attrs.get("stature_m", 1.75))),
        gravity=np.asarray(group["gravity"][()], dtype=float),
        joint_origin=np.asarray(group["joint_origin"][()], dtype=float),
        body_position=np.asarray(group["body_position"][()], dtype=float),
        body_rotation=np.asarray(group["body_rotation"][()], dtype=float),
        muscle_path=tuple(flat[a:b] for a, b in zip(offsets[:-1], offsets[1:])),
        load_body=tuple(_read_strings(loads["body"])),
        load_point=np.asarray(loads["point"][()], dtype=float).reshape(-1, 3),
        load_force=np.asarray(loads["force"][()], dtype=float).reshape(-1, 3),
    )
    joints = _read_strings(group["joint"])
    angles = np.asarray(group["joint_angle_deg"][()], dtype=float)
    return StoredEquilibrium(
        label=str(_plain(attrs.get("label", label_group.name.rsplit("/", 1)[-1]))),
        posture=posture,
        mode=str(_plain(attrs.get("mode", ""))),
        levels=levels,
        muscles=_read_table(group["muscles"], "muscle"),
        groups=_read_table(group["groups"], "group"),
        ligaments=ligaments,
        geometry=geometry,
        joint_angles_deg={j: float(a) for j, a in zip(joints, angles)},
        effort=float(_plain(attrs.get("effort", float("nan")))),
        model_name=str(_plain(label_group.attrs.get("model_name", ""))),
        model_text=str(_plain(label_group.attrs.get("model_text", ""))),
        path=path,
    )


def load(path: str | os.PathLike[str]) -> dict[tuple[str, str], StoredEquilibrium]:
    """Read the solved postures of an equilibrium file (``msk run`` on an equilibrium run
    file, or :func:`save`), with h5py alone.

    Parameters
    ----------
    path : str or path
        HDF5 file whose ``/meta`` has ``kind = "equilibrium"``.

    Returns
    -------
    dict
        ``{(label, posture name): StoredEquilibrium}`` in file order. Postures that failed
        are left out (:func:`load_errors` lists them).

    Raises
    ------
    FileNotFoundError
        No such file.
    msk.IoError
        Not an HDF5 file, not an equilibrium file, or a newer format (``OSError`` when the
        compiled extension is not installed).
    """
    path = Path(path)
    out: dict[tuple[str, str], StoredEquilibrium] = {}
    with _open_equilibrium_file(path) as f:
        for label, label_group in f["equilibrium"].items():
            for name, group in label_group.items():
                if "error" in group.attrs or "levels" not in group:
                    continue
                out[(label, name)] = _read_stored(group, label_group, path)
    return out


def load_errors(path: str | os.PathLike[str]) -> dict[tuple[str, str], str]:
    """The postures of an equilibrium file that failed, as
    ``{(label, posture name): message}``: the message of the :class:`msk.EquilibriumError`
    (naming the level and the moment missing) or of the core's refusal of a value."""
    from msk.results import _plain

    with _open_equilibrium_file(path) as f:
        return {
            (label, name): str(_plain(group.attrs["error"]))
            for label, label_group in f["equilibrium"].items()
            for name, group in label_group.items()
            if "error" in group.attrs
        }


def load_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The levels of every solved posture of an equilibrium file in one table.

    Returns
    -------
    pandas.DataFrame
        Index (``label``, ``posture``, ``level``), the columns of
        :attr:`EquilibriumResult.levels`; ``attrs["units"]`` maps columns to units and
        ``attrs["errors"]`` lists the postures that failed, as ``"label/posture: message"``.
        ``table.loc["hypertonic"] - table.loc["normal"]`` gives the differences.
    """
    stored = load(path)
    frames = []
    keys: list[list[str]] = [[], [], []]
    for (label, name), result in stored.items():
        frames.append(result.levels.reset_index(drop=True))
        keys[0] += [label] * len(result.levels)
        keys[1] += [name] * len(result.levels)
        keys[2] += list(result.levels.index)
    if frames:
        table = pd.concat(frames, ignore_index=True)
        # Index levels in file order (not sorted by name), so that the index stays lexsorted
        # and table.loc["hypertonic"] selects without a PerformanceWarning.
        factors = [pd.factorize(np.array(k, dtype=object), sort=False) for k in keys]
        table.index = pd.MultiIndex(
            levels=[list(uniques) for _, uniques in factors],
            codes=[codes for codes, _ in factors],
            names=["label", "posture", "level"],
        )
    else:
        table = pd.DataFrame(
            columns=list(LEVEL_UNITS),
            index=pd.MultiIndex.from_arrays([[], [], []], names=["label", "posture", "level"]),
        )
    table.attrs["units"] = dict(LEVEL_UNITS)
    table.attrs["errors"] = [f"{lb}/{p}: {m}" for (lb, p), m in load_errors(path).items()]
    return table
