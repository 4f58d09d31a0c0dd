"""Posture equilibrium of the spine models: :func:`equilibrium` and what it returns.

:func:`equilibrium` solves the static optimisation of a model at a :class:`~msk.Posture`
(docs/theory/posture.md): the voluntary activations that minimise effort with moment balance at
every level, on top of the tone-driven activations, and the loads of every level. Its
:class:`EquilibriumResult` holds the levels, muscles, groups and ligaments as DataFrames and the
:class:`SpineGeometry` that :func:`msk.plot.spine` draws.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from msk._api import Model, as_model
from msk._names import did_you_mean, unknown_name
from msk._runtime import require_core
from msk.spine.postures import Posture, as_posture

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import xarray as xr
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "GROUP_UNITS",
    "LEVEL_FLAGS",
    "LEVEL_UNITS",
    "MODES",
    "MUSCLE_UNITS",
    "EquilibriumResult",
    "SpineGeometry",
    "SpinePicture",
    "equilibrium",
    "frame_from_table",
    "level_loads",
    "table_from_frame",
]

MODES = ("task", "fixed", "rhythm", "relaxed")
"""Posture modes of :func:`equilibrium`."""

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
    "degeneration": "1",
    "load_pressure_MPa": "MPa",
    "swelling_pressure_MPa": "MPa",
    "shear_disc_N": "N",
    "shear_facet_N": "N",
    "shear_facet_share": "1",
    "shear_ultimate_ratio": "1",
    "shear_over_repetitive_limit": "",
    "shear_over_action_limit": "",
    "foramen_width_mm": "mm",
    "foramen_area_mm2": "mm^2",
    "flavum_buckling_mm": "mm",
    "nerve_root_risk": "1",
    "stenosis_foramen": "",
    "stenosis_posterior_disc": "",
}

#: The flag (boolean) columns of :attr:`EquilibriumResult.levels`.
LEVEL_FLAGS = (
    "stenosis",
    "stenosis_foramen",
    "stenosis_posterior_disc",
    "shear_over_repetitive_limit",
    "shear_over_action_limit",
)

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


def frame_from_table(table: Mapping[str, Any]) -> pd.DataFrame:
    """A table of the core (a solved posture's levels, muscles, groups or ligaments) as a
    DataFrame.

    Parameters
    ----------
    table : mapping
        ``{"index_name": str, "index": [row names], "columns": [(name, units, values)]}``, as
        ``msk._core.load_equilibria`` and ``solve_equilibrium`` return them (values: a NumPy
        array of floats, integers or booleans, or a list of strings).

    Returns
    -------
    pandas.DataFrame
        Indexed by the row names (index named ``index_name``), one column per column, in order;
        ``attrs["units"]`` maps the columns to their units.

    Raises
    ------
    KeyError
        ``table`` lacks one of its keys.
    """
    import pandas as pd

    columns = list(table["columns"])
    frame = pd.DataFrame(
        {str(name): values for name, _, values in columns},
        index=pd.Index(list(table["index"]), name=str(table["index_name"])),
    )
    frame.attrs["units"] = {str(name): str(units) for name, units, _ in columns}
    return frame


def table_from_frame(
    frame: pd.DataFrame, units: Mapping[str, str] | str, index_name: str | None = None
) -> dict[str, Any]:
    """A DataFrame as a table of the core (the inverse of :func:`frame_from_table`).

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows named by the index; boolean, integer, numeric or text columns.
    units : mapping or str
        Units by column (missing: ``""``), or one unit for every column.
    index_name : str, optional
        Name of the row names (default: the index's name).

    Returns
    -------
    dict
        ``{"index_name", "index", "columns": [(name, units, values)]}``: booleans, integers
        (int64) and numbers (float64) as NumPy arrays, other columns as lists of ``str``.

    Raises
    ------
    Nothing
    """
    import numpy as np
    import pandas as pd

    columns = []
    for column in frame.columns:
        series = frame[column]
        values: Any
        if pd.api.types.is_bool_dtype(series):
            values = series.to_numpy(dtype=bool)
        elif pd.api.types.is_integer_dtype(series):
            values = series.to_numpy(dtype=np.int64)
        elif pd.api.types.is_numeric_dtype(series):
            values = series.to_numpy(dtype=float)
        else:
            values = [str(v) for v in series]
        unit = units if isinstance(units, str) else units.get(str(column), "")
        columns.append((str(column), unit, values))
    return {
        "index_name": index_name or str(frame.index.name),
        "index": [str(i) for i in frame.index],
        "columns": columns,
    }


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
    def from_stored(cls, stored: Mapping[str, Any]) -> SpineGeometry:
        """The geometry of a solved posture as the core stores it.

        Parameters
        ----------
        stored : mapping
            A solved posture as ``msk._core.load_equilibria`` returns it (or
            ``EquilibriumResult.raw["stored"]``): ``body_names``, ``segment_bodies``,
            ``stature_m``, ``gravity``, ``joint_origin``, ``body_position``, ``body_rotation``,
            ``muscle_path``, ``load_body``, ``load_point``, ``load_force``.

        Returns
        -------
        SpineGeometry

        Raises
        ------
        KeyError
            ``stored`` lacks a field of the geometry.
        """
        import numpy as np

        return cls(
            body_names=tuple(str(b) for b in stored["body_names"]),
            segment_bodies=tuple(str(b) for b in stored["segment_bodies"]),
            stature_m=float(stored["stature_m"]),
            gravity=np.asarray(stored["gravity"], dtype=float).reshape(3),
            joint_origin=np.asarray(stored["joint_origin"], dtype=float).reshape(-1, 3),
            body_position=np.asarray(stored["body_position"], dtype=float).reshape(-1, 3),
            body_rotation=np.asarray(stored["body_rotation"], dtype=float).reshape(-1, 3, 3),
            muscle_path=tuple(
                np.asarray(p, dtype=float).reshape(-1, 3) for p in stored["muscle_path"]
            ),
            load_body=tuple(str(b) for b in stored["load_body"]),
            load_point=np.asarray(stored["load_point"], dtype=float).reshape(-1, 3),
            load_force=np.asarray(stored["load_force"], dtype=float).reshape(-1, 3),
        )

    @classmethod
    def from_raw(cls, model: Model, raw: Mapping[str, Any]) -> SpineGeometry:
        """The geometry of an equilibrium the core returned.

        Parameters
        ----------
        model : msk.Model
            The model that was solved (the core's result names its bodies itself).
        raw : mapping
            What the core returned (``EquilibriumResult.raw``).

        Returns
        -------
        SpineGeometry

        Raises
        ------
        KeyError
            ``raw`` lacks the stored geometry.
        """
        return cls.from_stored(raw["stored"])


class SpinePicture:
    """What live and stored equilibria share: the picture and the one-line summary.

    Subclasses have ``levels`` (the levels table) and ``effort``.
    """

    levels: pd.DataFrame
    effort: float

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Figure:
        """The spine in the sagittal plane (:func:`msk.plot.spine`).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (a new figure when None).
        **kwargs
            Keywords of :func:`msk.plot.spine` (``pressure_range``, ``title``, ``path``...).

        Returns
        -------
        matplotlib.figure.Figure

        Raises
        ------
        ImportError
            matplotlib is not installed.
        """
        from msk import plot

        return plot.spine(self, ax=ax, **kwargs)

    def summary(self) -> str:
        """One line: the peak compression, its level, and the effort.

        Returns
        -------
        str
            ``"peak compression 812 N at L5-S1, effort 0.0123"``.

        Raises
        ------
        Nothing
        """
        worst = self.levels["compression_N"].idxmax() if len(self.levels) else "-"
        peak = self.levels["compression_N"].max() if len(self.levels) else float("nan")
        return f"peak compression {peak:.0f} N at {worst}, effort {self.effort:.3g}"


class EquilibriumResult(SpinePicture):
    """What :func:`equilibrium` found at one posture.

    Attributes
    ----------
    model : msk.Model
    posture : Posture
    mode : str
        The posture mode it was solved in (one of :data:`MODES`).
    pelvic_tilt_deg : float
        Anterior tilt of the pelvis in the world from relaxed standing [deg] (NaN for a model
        without a pelvis on the hips).
    trunk_inclination_deg, gaze_inclination_deg : float
        Forward inclination of the trunk (thorax) and gaze (head) bodies in the world from the
        model's geometry [deg] (NaN for a model without that body).
    region_flexion_deg : dict
        ``{region: flexion [deg]}``: the sum of the region's level flexions from the model's
        geometry.
    thigh_inclination_deg : float
        The thighs' forward inclination in the world [deg]: the posture's, or what the balance
        over the feet found (:attr:`Posture.balance`); NaN unless the model stands on its
        thighs.
    balance_moment_N_m : float
        Moment of every weight about the feet's centre of pressure [N m] (negative tipping
        forward; about 0 for a balanced stance; NaN for a model without feet or a result read
        from a file).
    seat_force_N : numpy.ndarray
        Force the seat carries, shape (3,), in the model's ground frame (the thighs for the
        lumbar model) [N] (zeros without a seat).
    abdominal_pressure_kPa : float
        Intra-abdominal pressure [kPa] (law ``abdominal_pressure``, hypothesis H22; 0 for a
        model without it, NaN for a result read back from a file).
    converged : bool
        False when an iteration stopped at its cap or a QP did not converge (then
        :attr:`warnings` says which, and :func:`equilibrium` issued a ``RuntimeWarning``).
    warnings : list of str
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
        Everything the core returned (SI units, NumPy arrays); ``raw["stored"]`` holds the
        tables and geometry as equilibrium files store them (the tables above are made from it).
    geometry : SpineGeometry
        Bodies, muscle paths and loads for drawing (``raw["stored"]``).
    """

    def __init__(
        self, model: Model, posture: Posture, raw: dict[str, Any], mode: str = "rhythm"
    ) -> None:
        self.model = model
        self.posture = posture
        self.mode = mode
        self.raw = raw
        # The tables are the core's (msk::make_stored_equilibrium), as equilibrium files hold;
        # the DataFrames are built when first used (properties below).
        stored = raw["stored"]
        self.joint_angles_deg = dict(zip(stored["joint_names"], stored["joint_angle_deg"]))
        self.effort = float(stored["effort"])
        nan = float("nan")
        self.pelvic_tilt_deg = math.degrees(float(raw.get("pelvic_tilt", nan)))
        self.trunk_inclination_deg = math.degrees(float(raw.get("trunk_inclination", nan)))
        self.gaze_inclination_deg = math.degrees(float(raw.get("gaze_inclination", nan)))
        self.thigh_inclination_deg = math.degrees(float(raw.get("thigh_inclination", nan)))
        self.balance_moment_N_m = float(raw.get("balance_moment", nan))
        self.region_flexion_deg = {
            str(k): math.degrees(float(v)) for k, v in dict(raw.get("region_flexion", {})).items()
        }
        import numpy as np

        self.seat_force_N = np.asarray(raw.get("seat_force", np.zeros(3)), dtype=float)
        self.abdominal_pressure_kPa = float(raw.get("abdominal_pressure", nan * 1e3)) / 1e3
        self.converged = bool(raw.get("converged", True))
        self.warnings = [str(w) for w in raw.get("warnings", [])]
        self._geometry: SpineGeometry | None = None

    @functools.cached_property
    def levels(self) -> pd.DataFrame:
        """One row per spinal level (index ``level``, bottom up), columns in
        :data:`LEVEL_UNITS` (units also in ``levels.attrs["units"]``)."""
        frame = frame_from_table(self.raw["stored"]["levels"])
        frame.attrs["posture"] = self.posture.name
        return frame

    @functools.cached_property
    def muscles(self) -> pd.DataFrame:
        """One row per muscle (index ``muscle``): group, force, activation and its parts."""
        return frame_from_table(self.raw["stored"]["muscles"])

    @functools.cached_property
    def groups(self) -> pd.DataFrame:
        """One row per muscle group (index ``group``) (units in :data:`GROUP_UNITS`)."""
        return frame_from_table(self.raw["stored"]["groups"])

    @functools.cached_property
    def ligaments(self) -> pd.DataFrame:
        """Ligament tensions [N], one row per level, one column per ligament."""
        frame = frame_from_table(self.raw["stored"]["ligaments"])
        frame.attrs["units"] = "N"
        return frame

    @property
    def geometry(self) -> SpineGeometry:
        """Bodies, muscle paths and loads in the ground frame, for drawing (computed on first
        use)."""
        if self._geometry is None:
            self._geometry = SpineGeometry.from_stored(self.raw["stored"])
        return self._geometry

    def to_xarray(self) -> xr.Dataset:
        """The levels and muscles as one dataset.

        Returns
        -------
        xarray.Dataset
            Dimensions ``level`` and ``muscle``: the numeric columns of :attr:`levels` and
            :attr:`muscles` (``stenosis`` as 0/1), units in each variable's attrs; coordinates
            ``region`` (per level) and ``group`` (per muscle); attrs ``model`` and ``posture``.

        Raises
        ------
        ImportError
            xarray is not installed.
        """
        import xarray as xr

        levels = self.levels.drop(columns=["region"]).copy()
        for flag in LEVEL_FLAGS:
            levels[flag] = levels[flag].astype(float)
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
        where = f"{self.model.name!r} in {self.posture.name!r}"
        return f"<msk.EquilibriumResult {where}: {self.summary()}>"


def _checked(
    model: Model | str,
    posture: Posture | str,
    mode: str,
    effort_weight: Mapping[str, float] | None,
) -> tuple[Model, Posture, list[float]]:
    """The model, the posture and the effort weights of an equilibrium, checked."""
    m = as_model(model)
    if not list(m.segment_names):
        raise ValueError(
            f"model: expected a spine model (with spinal levels, e.g. 'lumbar' or 'cervical'), "
            f"got {m.name!r}, which has none: msk.equilibrium solves the posture of a spine"
        )
    p = as_posture(posture)
    if mode not in MODES:
        hint = did_you_mean(mode, MODES)
        raise ValueError(
            f"mode: expected one of {', '.join(MODES)}, got {mode!r}"
            + (f"; {hint}" if hint else "")
        )
    weights: list[float] = []
    if effort_weight:
        unknown = sorted(set(effort_weight) - set(m.muscle_names))
        if unknown:
            raise ValueError(
                "effort_weight: "
                + "; ".join(
                    unknown_name("muscle", u, m.muscle_names, f" of model {m.name!r}")
                    for u in unknown
                )
            )
        weights = [float(effort_weight.get(name, 1.0)) for name in m.muscle_names]
    return m, p, weights


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
    mode : {"task", "fixed", "rhythm", "relaxed"}
        ``"task"``: the posture states the task (trunk and gaze inclination in the
        world, seat or feet, the load) and the pelvis and level angles follow from gravity,
        passive tissues and tone, with the posture preference only when the task is
        ``instructed``; ``"fixed"``: exactly the posture's angles; ``"rhythm"``: each region
        keeps its total flexion while its levels may share it differently from the rhythm (at a
        cost of ``posture_stiffness`` per rad^2 of deviation); ``"relaxed"``: the region totals
        move too. ``"rhythm"`` is the default: the validation cases of the disc pressures
        (Wilke 1999) rest on it; in the ``"task"`` mode the lumbar spine flexes further than in
        vivo (docs/theory/posture.md, the task mode's results).
    posture_stiffness : float
        Weight of the posture preference [1/rad^2] (rhythm and relaxed modes, and instructed
        tasks).
    reserve_tolerance, reserve_fraction : float
        A level whose muscles leave more than ``reserve_tolerance`` [N m] plus
        ``reserve_fraction`` of its demand unbalanced raises :class:`msk.EquilibriumError`.
    effort_weight : mapping, optional
        ``{muscle: weight}`` of the effort sum (default 1 for every muscle).

    Returns
    -------
    EquilibriumResult
        The levels (compression, shear, pressure, facet share, foramen height... per level), the
        muscles (force, activation, tone floor), the groups and ligaments as DataFrames with
        units, the joint angles it ended at, the effort, and the geometry for drawing.

    Raises
    ------
    msk.EquilibriumError
        No activation can hold the posture; the message names the level and the moment missing.
    ValueError
        The model has no spinal levels (e.g. ``"elbow"``), an unknown ``mode``, preset or
        ``effort_weight`` muscle (the message suggests the closest and lists the valid names).
    msk.InvalidArgument
        The core refuses a value of the posture (e.g. ``hydration`` outside (0, 1]).
    FileNotFoundError, msk.ModelError
        ``model`` is a name or path that cannot be loaded.
    """
    m, p, weights = _checked(model, posture, mode, effort_weight)
    raw = require_core().solve_equilibrium(
        m.core,
        p.to_core(),
        mode,
        float(posture_stiffness),
        float(reserve_tolerance),
        float(reserve_fraction),
        weights,
    )
    result = EquilibriumResult(m, p, raw, mode)
    for message in result.warnings:
        warnings.warn(
            f"equilibrium of {m.name!r} in {p.name!r}: {message}", RuntimeWarning, stacklevel=2
        )
    return result


def batch_equilibrium(
    model: Model | str | Sequence[Model | str],
    postures: Sequence[Posture | str],
    *,
    mode: str = "rhythm",
    workers: int | None = None,
    errors: str = "raise",
    posture_stiffness: float = 1000.0,
    reserve_tolerance: float = 1e-3,
    reserve_fraction: float = 0.05,
    effort_weight: Mapping[str, float] | None = None,
) -> list[EquilibriumResult | None]:
    """Many posture equilibria at once, on every core.

    The core solves them on ``workers`` threads with the GIL released; each result is what
    :func:`equilibrium` returns for its pair (its tables are built when first used).

    Parameters
    ----------
    model : msk.Model, str, or sequence of them
        One model for every posture, or one per posture (e.g. a cohort's people, each from
        ``Model.with_parameters``), the same length as ``postures``.
    postures : sequence of Posture or str
        The postures (or preset names).
    mode, posture_stiffness, reserve_tolerance, reserve_fraction, effort_weight
        As :func:`equilibrium` (one setting for all).
    workers : int, optional
        Threads [1]; default one per core.
    errors : {"raise", "keep"}
        ``"raise"``: the first failure (in input order) raises its error after all are solved;
        ``"keep"``: a failed pair gives ``None`` and a ``RuntimeWarning`` names each failure.

    Returns
    -------
    list of EquilibriumResult (or None for a kept failure)
        In the order of ``postures``.

    Raises
    ------
    msk.EquilibriumError, msk.InvalidArgument
        With ``errors="raise"``: the first pair that failed (the message names its posture).
    ValueError
        Lengths that differ, an unknown mode, preset or ``errors``, or ``workers`` < 1.
    """
    if errors not in ("raise", "keep"):
        raise ValueError(f"errors: expected 'raise' or 'keep', got {errors!r}")
    if workers is not None and int(workers) < 1:
        raise ValueError(f"workers: expected an integer >= 1 or None, got {workers!r}")
    items = list(postures)
    models = (
        [model] * len(items) if isinstance(model, (Model, str)) else list(model)  # type: ignore[list-item]
    )
    if len(models) != len(items):
        raise ValueError(
            f"model: expected one model or {len(items)} (one per posture), got {len(models)}"
        )
    loaded: dict[int, Model] = {}
    checked = []
    for mm, pp in zip(models, items):
        key = id(mm)
        if key not in loaded:
            loaded[key] = as_model(mm)
        checked.append(_checked(loaded[key], pp, mode, effort_weight))
    weights = checked[0][2] if checked else []
    core = require_core()
    raws = core.solve_equilibria(
        [m.core for m, _, _ in checked],
        [p.to_core() for _, p, _ in checked],
        mode,
        float(posture_stiffness),
        float(reserve_tolerance),
        float(reserve_fraction),
        weights,
        0 if workers is None else int(workers),
    )
    out: list[EquilibriumResult | None] = []
    failed: list[str] = []
    for (m, p, _), raw in zip(checked, raws):
        if "error" in raw:
            error = getattr(core, str(raw["error"]))(f"posture {p.name!r}: {raw['message']}")
            if errors == "raise":
                raise error
            failed.append(f"{m.name!r} in {p.name!r}: {raw['message']}")
            out.append(None)
            continue
        result = EquilibriumResult(m, p, raw, mode)
        for message in result.warnings:
            warnings.warn(
                f"equilibrium of {m.name!r} in {p.name!r}: {message}", RuntimeWarning, stacklevel=2
            )
        out.append(result)
    if failed:
        warnings.warn(
            f"{len(failed)} of {len(items)} equilibria failed: " + "; ".join(failed),
            RuntimeWarning,
            stacklevel=2,
        )
    return out


def level_loads(
    model: Model | str,
    level: str,
    *,
    angle_deg: float = 0.0,
    compression_N: float,
    shear_N: float = 0.0,
    hydration: float | None = None,
) -> pd.Series:
    """The loads of one spinal level at a prescribed state, as on a testing machine.

    A cadaveric motion segment loaded in a rig has no muscles and no posture: its angle and the
    forces on it are set. This gives the same for one level of a model: the disc/facet/ligament
    balance, pressure, shear shares and foramen (docs/theory/spine.md), with the level's
    parameters (degeneration included).

    Parameters
    ----------
    model : msk.Model or str
        A spine model (or a bundled model's name, e.g. ``"lumbar"``).
    level : str
        The level, e.g. ``"L4-L5"``.
    angle_deg : float
        Flexion from the model's geometry (its standing shape) [deg]; negative is extension.
    compression_N : float
        Compression along the disc axis [N] (negative pulls the level apart).
    shear_N : float
        Anterior shear on the upper vertebra [N].
    hydration : float, optional
        Disc fluid content [1] (default: the model's).

    Returns
    -------
    pandas.Series
        One row of the levels table (the columns of :data:`LEVEL_UNITS`; ``reserve_N_m`` is
        NaN: no muscles), named after the level; units in ``attrs["units"]``.

    Raises
    ------
    ValueError
        The model has no level of that name (the message suggests the closest).
    msk.InvalidArgument
        A non-finite angle, force or hydration.
    """
    import math

    m = as_model(model)
    names = list(m.segment_names)
    if level not in names:
        raise ValueError(unknown_name("level", level, names))
    core = require_core()
    key = f"segments.{level}.hydration"
    h = float(m.parameters([key])[key]) if hydration is None else float(hydration)
    seg = core.segment_loads(
        m.core, level, math.radians(angle_deg), float(compression_N), float(shear_N), h
    )
    frame = frame_from_table(seg)
    row = frame.iloc[0]
    row.attrs["units"] = dict(frame.attrs["units"])
    return row
