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

Units: the Python API speaks degrees, millimetres, megapascals and kilograms where a name says
so (``lumbar_flexion_deg``, ``pressure_MPa``, ``load_kg``); the core is SI throughout.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from msk._api import Model, load_model, require_core

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes

__all__ = [
    "EquilibriumResult",
    "Posture",
    "compare",
    "equilibrium",
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
        Disc fluid content of every level [1] (1 = fully hydrated, the morning; about 0.8 after
        a day upright); None: the model's values.
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


class EquilibriumResult:
    """What :func:`equilibrium` found at one posture.

    Attributes
    ----------
    model : msk.Model
    posture : Posture
    levels : pandas.DataFrame
        One row per spinal level (index ``level``, bottom up), columns in
        :data:`LEVEL_UNITS` (units also in ``levels.attrs["units"]``).
    muscles : pandas.DataFrame
        One row per muscle (index ``muscle``): ``group``, ``force_N``, ``activation``,
        ``tone_activation`` (the floor the stretch reflex sets) and ``voluntary_activation``.
    groups : pandas.DataFrame
        One row per muscle group: ``n_muscles``, ``force_N`` (sum), ``mean_activation``,
        ``max_activation``, ``mean_tone_activation``.
    ligaments : pandas.DataFrame
        Ligament tensions [N], one row per level, one column per ligament.
    joint_angles_deg : dict
        The coordinates the equilibrium ended at [deg].
    effort : float
        Sum of squared voluntary activations [1].
    raw : dict
        Everything the core returned (SI units, NumPy arrays).
    """

    def __init__(self, model: Model, posture: Posture, raw: dict[str, Any]) -> None:
        self.model = model
        self.posture = posture
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
        self.ligaments = pd.DataFrame(list(seg["ligaments"]), index=pd.Index(names, name="level"))
        self.ligaments.attrs["units"] = "N"
        self.joint_angles_deg = dict(zip(model.joint_names, np.degrees(raw["q"])))
        self.effort = float(raw["effort"])

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

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Any:
        """The spine in the sagittal plane (:func:`msk.plot.spine`)."""
        from msk import plot

        return plot.spine(self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        worst = self.levels["compression_N"].idxmax() if len(self.levels) else "-"
        peak = self.levels["compression_N"].max() if len(self.levels) else float("nan")
        return (
            f"<msk.EquilibriumResult {self.model.name!r} in {self.posture.name!r}: "
            f"peak compression {peak:.0f} N at {worst}, effort {self.effort:.3g}>"
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
        ``"fixed"``: exactly the posture's angles; ``"rhythm"`` (default): the posture's angles
        when the muscles can hold them, otherwise each region keeps its total flexion while its
        levels share it differently; ``"relaxed"``: the posture itself relaxes (a hypertonic
        muscle pulls it out of shape).
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
    return EquilibriumResult(m, p, raw)


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
