"""Animations of episodes and the pictures they are made of (re-exported by :mod:`msk.plot`).

:func:`animate` writes a GIF or an MP4 with two panels: a picture of the body at each frame time,
drawn by a *scene*, and (optionally) time series with a moving time cursor. A scene is any callable
``draw_frame(ax, t)`` that draws the body at time ``t`` [s] on a cleared matplotlib axes;
:class:`SagittalScene` draws the bodies and muscles of the model stored in the results, projected
on the sagittal plane, with muscles coloured by activation; :class:`SpineScene`, the default for a
model with spinal levels (lumbar, cervical), draws the spine as :func:`msk.plot.spine` does (discs
by pressure, muscles by activation, facets, foramina and nerve roots) with its colour bars under
it; :class:`SagittalScene` is the default for the others. Any other picture plugs in as its own
``draw_frame``; a scene with an ``n_colourbars`` attribute and a ``colourbars(fig, caxes)`` method
gets that many colour-bar axes under its picture.

The geometry of both scenes is the core's (``msk._core.body_frames`` and
``muscle_paths``: the forward kinematics of docs/theory/geometry.md), for the model compiled from
``results.meta["model_text"]`` at the joint angle channels; nothing here re-reads model text or
re-computes kinematics.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from msk.results import Results

__all__ = ["DrawFrame", "SagittalScene", "Skeleton", "SpineScene", "animate", "snapshot"]

DrawFrame = Callable[["Axes", float], Any]
"""``draw_frame(ax, t)``: draw the picture at time ``t`` [s] on a cleared axes."""


# --- geometry from the core ------------------------------------------------------------------


class Skeleton:
    """Bodies, joints and muscle paths of a model, for drawing: the core's kinematics
    (``msk._core.body_frames`` and ``muscle_paths``) at given joint angles.

    Parameters
    ----------
    model : msk.Model or str
        A model, or model text (``Model.text``, or ``results.meta["model_text"]``) that the core
        compiles.
    arc_points : int
        Points drawn along each arc where a muscle wraps over a surface, >= 0.

    Raises
    ------
    ValueError
        The text is not a model the core compiles (the message has the core's).
    ImportError
        The compiled core is not available.

    Attributes
    ----------
    bodies : list of str
        Body names, parents before children.
    parents : dict of str to str
        Parent of each body (``"ground"`` for the root bodies).
    coordinates : list of str
        Joint coordinates (the ``joint.<name>.angle`` channels), in model order: the core's
        names (a revolute joint without a name is ``<body>_joint``).
    muscles : list of str
        Muscle names.
    """

    def __init__(self, model: Any, *, arc_points: int = 8) -> None:
        from msk._runtime import require_core

        core = require_core()
        if isinstance(model, str):
            try:
                compiled = core.load_model_text(model, "<model text>")
            except core.ModelError as error:
                raise ValueError(
                    f"model text: expected a model with a list of bodies ({error})"
                ) from None
        else:
            compiled = getattr(model, "core", model)  # an msk.Model wraps the core's
        if isinstance(arc_points, bool) or not isinstance(arc_points, int) or arc_points < 0:
            raise ValueError(f"arc_points: expected a whole number >= 0, got {arc_points!r}")
        self._core = core
        self._model = compiled
        self._arc_points = arc_points
        self.bodies: list[str] = list(compiled.body_names)
        self.parents: dict[str, str] = dict(zip(self.bodies, compiled.body_parents))
        self.coordinates: list[str] = list(compiled.joint_names)
        self.muscles: list[str] = list(compiled.muscle_names)
        self._children = {b: [c for c in self.bodies if self.parents[c] == b] for b in self.bodies}
        self._cache: dict[tuple[str, tuple[float, ...]], Any] = {}

    def _q(self, angles: Mapping[str, float]) -> tuple[float, ...]:
        """The coordinates [rad] in model order; missing ones at 0."""
        return tuple(float(angles.get(c, 0.0)) for c in self.coordinates)

    def _computed(self, what: str, angles: Mapping[str, float]) -> Any:
        """The core's body frames or muscle paths at ``angles`` (the last few are kept)."""
        key = (what, self._q(angles))
        if key not in self._cache:
            if len(self._cache) > 64:
                self._cache.clear()
            q = list(key[1])
            self._cache[key] = (
                self._core.body_frames(self._model, q)
                if what == "frames"
                else self._core.muscle_paths(self._model, q, self._arc_points)
            )
        return self._cache[key]

    def frames(self, angles: Mapping[str, float]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Rotation (3, 3) and origin (3,) [m] of every body in ground, and of ``"ground"``.

        Parameters
        ----------
        angles : mapping of str to float
            Angle of each coordinate [rad]; missing coordinates are at 0.

        Returns
        -------
        dict
            ``{body: (rotation (3, 3) [1], origin (3,) [m])}``, ``"ground"`` included.

        Raises
        ------
        Nothing
        """
        computed = self._computed("frames", angles)
        frames = {"ground": (np.eye(3), np.zeros(3))}
        for b, name in enumerate(self.bodies):
            frames[name] = (computed["rotation"][b], computed["origin"][b])
        return frames

    def joint_centres(self, angles: Mapping[str, float]) -> dict[str, np.ndarray]:
        """Centre (3,) [m] in ground of the joint that attaches each body to its parent.

        Parameters
        ----------
        angles : mapping of str to float
            Angle of each coordinate [rad]; missing coordinates are at 0.

        Returns
        -------
        dict
            ``{body: centre (3,) [m]}``.

        Raises
        ------
        Nothing
        """
        centres = self._computed("frames", angles)["joint_centre"]
        return {name: centres[b] for b, name in enumerate(self.bodies)}

    def segments(self, angles: Mapping[str, float]) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """One line per body [m], ground frame: from the joint that carries it to each child's
        joint, or, for a body without children, to twice its centre of mass from that joint (an
        estimate of its far end).

        Parameters
        ----------
        angles : mapping of str to float
            Angle of each coordinate [rad]; missing coordinates are at 0.

        Returns
        -------
        list of (str, numpy.ndarray, numpy.ndarray)
            ``(body, start (3,), end (3,))`` [m].

        Raises
        ------
        Nothing
        """
        computed = self._computed("frames", angles)
        centres = {name: computed["joint_centre"][b] for b, name in enumerate(self.bodies)}
        lines = []
        for b, name in enumerate(self.bodies):
            for child in self._children[name]:
                lines.append((name, centres[name], centres[child]))
            if not self._children[name]:
                com = computed["centre_of_mass"][b]
                lines.append((name, centres[name], centres[name] + 2.0 * (com - centres[name])))
        return lines

    def muscle_paths(self, angles: Mapping[str, float]) -> dict[str, np.ndarray]:
        """Path of every muscle in ground [m], shape (k, 3) each: the active path points, and
        where the path wraps over a surface, points along the arc on it.

        Parameters
        ----------
        angles : mapping of str to float
            Angle of each coordinate [rad]; missing coordinates are at 0.

        Returns
        -------
        dict of str to numpy.ndarray
            ``{muscle: points (k, 3) [m]}``, in model order.

        Raises
        ------
        Nothing
        """
        paths = self._computed("paths", angles)
        return dict(zip(self.muscles, paths))

    def muscle_path(self, muscle: str, angles: Mapping[str, float]) -> np.ndarray:
        """Path points of ``muscle`` in ground [m], shape (k, 3): the active path points, and
        where the path wraps over a surface, points along the arc on it.

        Parameters
        ----------
        muscle : str
            A muscle of :attr:`muscles`.
        angles : mapping of str to float
            Angle of each coordinate [rad]; missing coordinates are at 0.

        Returns
        -------
        numpy.ndarray
            Shape (k, 3) [m].

        Raises
        ------
        KeyError
            ``muscle`` is not a muscle of the model.
        """
        return self.muscle_paths(angles)[muscle]


# --- scenes ----------------------------------------------------------------------------------


class SagittalScene:
    """The bodies and muscles of an episode in the sagittal plane, a ``draw_frame(ax, t)``.

    Bodies are grey lines between joint centres (a body without children ends at twice its
    centre of mass), joints are circles, muscles are their paths (straight between path points)
    coloured by activation [1]. The picture is the projection on the ground x-y plane (x anterior,
    y up, as in OpenSim models); axes in metres.

    Parameters
    ----------
    results : Results
        The episode; needs ``results.meta["model_text"]`` (every run of :func:`msk.simulate`
        and every msk file has it) and the ``joint.<coordinate>.angle`` channels.
    muscles : sequence of str, optional
        Muscles to draw; all by default.
    cmap : str
        Matplotlib colormap of activation, from 0 to 1.
    plane : {"xy", "zy", "xz"}
        Ground axes drawn horizontally and vertically (``"xy"``: sagittal, ``"zy"``: frontal).

    Raises
    ------
    ValueError
        The results carry no model text the core compiles.
    ImportError
        The compiled core is not available.
    """

    def __init__(
        self,
        results: Results,
        *,
        muscles: Sequence[str] | None = None,
        cmap: str = "plasma",
        plane: str = "xy",
    ) -> None:
        text = results.meta.get("model_text")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(
                "SagittalScene: the results carry no model text (results.meta['model_text']); "
                "pass scene=draw_frame to draw something else"
            )
        if plane not in ("xy", "zy", "xz"):
            raise ValueError(f"plane: expected 'xy', 'zy' or 'xz', got {plane!r}")
        self.results = results
        self.skeleton = Skeleton(text)
        available = [m for m in self.skeleton.muscles if f"muscle.{m}.activation" in results]
        if muscles is None:
            self.muscles = available
        else:
            unknown = [m for m in muscles if m not in available]
            if unknown:
                raise KeyError(f"no muscle {unknown}; these results have muscles {available}")
            self.muscles = list(muscles)
        self.cmap = cmap
        self._axes = ["xyz".index(c) for c in plane]
        self._labels = [f"{c} [m]" for c in plane]
        self._limits = self._bounds()

    def angles(self, t: float) -> dict[str, float]:
        """Coordinate angles [rad] at time ``t`` [s] (linear interpolation of the channels).

        Returns
        -------
        dict of str to float
            Angle [rad] by coordinate.

        Raises
        ------
        Nothing
        """
        return {
            c: float(np.interp(t, self.results.time, self.results[f"joint.{c}.angle"]))
            for c in self.skeleton.coordinates
            if f"joint.{c}.angle" in self.results
        }

    def activation(self, muscle: str, t: float) -> float:
        """Activation [1] of ``muscle`` at time ``t`` [s].

        Returns
        -------
        float

        Raises
        ------
        KeyError
            The results have no activation channel for ``muscle``.
        """
        return float(np.interp(t, self.results.time, self.results[f"muscle.{muscle}.activation"]))

    def _bounds(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Axis limits [m] that hold the picture at every sample (10 % margin), equal scale."""
        time = self.results.time
        picks = np.unique(np.linspace(0, max(time.size - 1, 0), min(time.size, 60)).astype(int))
        points = [np.zeros((1, 3))]
        for t in time[picks] if time.size else [0.0]:
            angles = self.angles(float(t))
            points += [np.array([a, b]) for _, a, b in self.skeleton.segments(angles)]
            paths = self.skeleton.muscle_paths(angles)
            points += [paths[m] for m in self.muscles]
        cloud = np.vstack(points)[:, self._axes]
        low, high = cloud.min(axis=0), cloud.max(axis=0)
        centre, half = (low + high) / 2.0, max(float((high - low).max()) / 2.0, 0.05) * 1.1
        return (centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half)

    def __call__(self, ax: Axes, t: float) -> None:
        """Draw the picture at time ``t`` [s] on ``ax``."""
        from matplotlib import colormaps

        h, v = self._axes
        angles = self.angles(t)
        palette = colormaps[self.cmap]
        paths = self.skeleton.muscle_paths(angles)
        for muscle in self.muscles:
            path = paths[muscle]
            ax.plot(
                path[:, h],
                path[:, v],
                color=palette(min(max(self.activation(muscle, t), 0.0), 1.0)),
                linewidth=2.5,
                solid_capstyle="round",
                zorder=2,
            )
        for _, start, end in self.skeleton.segments(angles):
            ax.plot([start[h], end[h]], [start[v], end[v]], color="0.35", linewidth=7,
                    solid_capstyle="round", alpha=0.55, zorder=1)  # fmt: skip
        centres = np.array(list(self.skeleton.joint_centres(angles).values())).reshape(-1, 3)
        ax.plot(centres[:, h], centres[:, v], "o", color="0.15", markersize=6, zorder=3)
        joint_text = ", ".join(f"{c} {np.degrees(a):.0f}°" for c, a in angles.items())
        ax.set_title(f"t = {t:.2f} s" + (f"   {joint_text}" if joint_text else ""), fontsize=10)
        ax.set_xlim(*self._limits[0])
        ax.set_ylim(*self._limits[1])
        ax.set_aspect("equal")
        ax.set_xlabel(self._labels[0])
        ax.set_ylabel(self._labels[1])


class _SpineFrame:
    """An episode at one time, shaped as the equilibrium results :mod:`msk._spine_plot` draws:
    ``levels`` (per-level table in the equilibrium units), ``muscles`` (activation),
    ``geometry`` (the fields of :class:`msk.spine.SpineGeometry`) and ``posture`` (name and no
    hand load)."""

    def __init__(self, levels: Any, muscles: Any, geometry: Any, name: str) -> None:
        from types import SimpleNamespace

        self.levels = levels
        self.muscles = muscles
        self.geometry = geometry
        self.posture = SimpleNamespace(name=name, load_kg=0.0, hip_flexion_deg=0.0, support=None)


#: Level channels of an episode drawn by :class:`SpineScene`: (channel suffix, column of the
#: levels table, factor from the channel's SI unit to the column's).
_LEVEL_CHANNELS = (
    ("pressure", "pressure_MPa", 1e-6),
    ("facet_force", "facet_force_N", 1.0),
    ("disc_height", "disc_height_mm", 1e3),
    ("foramen_height", "foramen_height_mm", 1e3),
    ("foramen_width", "foramen_width_mm", 1e3),
    ("nerve_root_risk", "nerve_root_risk", 1.0),
    ("compression", "compression_N", 1.0),
)


class SpineScene:
    """A spine model's episode drawn as a spine, a ``draw_frame(ax, t)``: vertebrae at the
    core's kinematics, discs coloured by intradiscal pressure [MPa], muscles by activation [1],
    facets by their force [N], foramina at their height and width and nerve roots by the
    nerve-root risk [1], as :func:`msk.plot.spine` draws an equilibrium. Colour scales and the
    framing are fixed over the episode so frames compare.

    Parameters
    ----------
    results : Results
        An episode of a model with spinal levels (``segment.<level>.*`` channels), with
        ``results.meta["model_text"]``.
    pressure_range : (float, float), optional
        Disc colour range [MPa] (default: 0 to the episode's largest pressure, at least 1 MPa).
    facet_range : (float, float), optional
        Facet colour range [N] (default: 0 to the largest facet force, at least 100 N).
    show_muscles, show_nerves : bool
        Draw the muscles, and the foramina with their nerve roots.

    Raises
    ------
    ValueError
        The results carry no model text, or the model has no spinal levels (draw it with
        :class:`SagittalScene`).
    ImportError
        The compiled core is not available.
    """

    def __init__(
        self,
        results: Results,
        *,
        pressure_range: tuple[float, float] | None = None,
        facet_range: tuple[float, float] | None = None,
        show_muscles: bool = True,
        show_nerves: bool = True,
    ) -> None:
        from msk._spine_plot import Scales, nice_limit

        text = results.meta.get("model_text")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(
                "SpineScene: the results carry no model text (results.meta['model_text'])"
            )
        self.results = results
        self.skeleton = Skeleton(text)
        model = self.skeleton._model
        self.levels: list[str] = list(model.segment_names)
        if not self.levels:
            raise ValueError(
                "SpineScene: the model has no spinal levels; draw it with SagittalScene"
            )
        self.segment_bodies = list(model.segment_bodies)
        self.regions = list(model.segment_regions)
        self.gravity = np.asarray(getattr(model, "gravity", (0.0, -9.80665, 0.0)), dtype=float)
        self.show_muscles = show_muscles
        self.show_nerves = show_nerves
        self.muscles = [m for m in self.skeleton.muscles if f"muscle.{m}.activation" in results]

        def peak(suffix: str, factor: float, floor: float) -> float:
            values = [
                float(np.nanmax(results[f"segment.{lv}.{suffix}"])) * factor
                for lv in self.levels
                if f"segment.{lv}.{suffix}" in results and results.n_samples
            ]
            return nice_limit(max([floor, *values]))

        self.scales = Scales(
            pressure=pressure_range or (0.0, peak("pressure", 1e-6, 1.0)),
            facet=facet_range or (0.0, peak("facet_force", 1.0, 100.0)),
        )
        self._limits = self._bounds()

    def frame(self, t: float) -> _SpineFrame:
        """The episode at time ``t`` [s] as an equilibrium-like record (see the class).

        Returns
        -------
        object
            With ``levels``, ``muscles``, ``geometry`` and ``posture``.

        Raises
        ------
        Nothing
        """
        from types import SimpleNamespace

        import pandas as pd

        time = self.results.time
        angles = {
            c: float(np.interp(t, time, self.results[f"joint.{c}.angle"]))
            for c in self.skeleton.coordinates
            if f"joint.{c}.angle" in self.results
        }
        frames = self.skeleton._computed("frames", angles)
        paths = self.skeleton.muscle_paths(angles)
        columns: dict[str, Any] = {"region": self.regions}
        for suffix, column, factor in _LEVEL_CHANNELS:
            columns[column] = [
                float(np.interp(t, time, self.results[f"segment.{lv}.{suffix}"])) * factor
                if f"segment.{lv}.{suffix}" in self.results
                else float("nan")
                for lv in self.levels
            ]
        levels = pd.DataFrame(columns, index=pd.Index(self.levels, name="level"))
        activation = [
            float(np.interp(t, time, self.results[f"muscle.{m}.activation"]))
            if m in self.muscles
            else 0.0
            for m in self.skeleton.muscles
        ]
        muscles = pd.DataFrame(
            {"activation": activation}, index=pd.Index(self.skeleton.muscles, name="muscle")
        )
        geometry = SimpleNamespace(  # the fields of msk.spine.SpineGeometry
            body_names=tuple(self.skeleton.bodies),
            segment_bodies=tuple(self.segment_bodies),
            stature_m=1.75,
            gravity=self.gravity,
            joint_origin=np.asarray(frames["joint_centre"], dtype=float).reshape(-1, 3),
            body_position=np.asarray(frames["origin"], dtype=float).reshape(-1, 3),
            body_rotation=np.asarray(frames["rotation"], dtype=float).reshape(-1, 3, 3),
            muscle_path=tuple(np.asarray(paths[m], dtype=float) for m in self.skeleton.muscles),
            load_body=(),
            load_point=np.zeros((0, 3)),
            load_force=np.zeros((0, 3)),
        )
        return _SpineFrame(levels, muscles, geometry, self.results.meta.get("model_name", ""))

    def _bounds(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Limits [m] holding the spine and pelvis at every sampled time (equal scale)."""
        from matplotlib.figure import Figure

        from msk._spine_plot import draw_spine

        time = self.results.time
        picks = np.unique(np.linspace(0, max(time.size - 1, 0), min(max(time.size, 1), 12)))
        scratch = Figure().add_subplot()
        lows, highs = [], []
        for i in picks.astype(int):
            t = float(time[i]) if time.size else 0.0
            drawn = draw_spine(scratch, self.frame(t), self.scales, show_muscles=False,
                                show_nerves=self.show_nerves)  # fmt: skip
            lo, hi = drawn.box()
            lows.append(lo)
            highs.append(hi)
            scratch.cla()
        low, high = np.min(lows, axis=0), np.max(highs, axis=0)
        centre, half = (low + high) / 2, (high - low) / 2 * 1.12 + 0.01
        # At least 3 wide for 4 high: room beside the spine for the level labels.
        half = np.maximum(half, 0.75 * half[::-1])
        x = (centre[0] - half[0], centre[0] + half[0])
        return x, (centre[1] - half[1], centre[1] + half[1])

    def __call__(self, ax: Axes, t: float) -> None:
        """Draw the spine at time ``t`` [s] on ``ax``."""
        from msk._spine_plot import draw_spine, gravity_arrow, place_level_labels

        drawn = draw_spine(ax, self.frame(t), self.scales, show_muscles=self.show_muscles,
                            show_nerves=self.show_nerves)  # fmt: skip
        ax.set_xlim(*self._limits[0])
        ax.set_ylim(*self._limits[1])
        ax.set_autoscale_on(False)
        gravity_arrow(ax)
        ax.set_title(f"t = {t:.2f} s", fontsize=10)
        if ax.figure.get_layout_engine() is not None:
            ax.figure.draw_without_rendering()  # the layout first: labels are placed in pixels
        place_level_labels(ax, drawn)

    @property
    def n_colourbars(self) -> int:
        """How many colour bars the scene has (one per quantity drawn)."""
        from msk._spine_plot import colourbar_keys

        return len(colourbar_keys(self.show_muscles, self.show_nerves))

    def colourbars(self, fig: Figure, caxes: Sequence[Axes]) -> None:
        """Draw the colour bars, one per quantity, in ``caxes`` (``n_colourbars`` axes).

        Returns
        -------
        None

        Raises
        ------
        Nothing
        """
        from msk._spine_plot import colourbar_keys, draw_colourbars

        keys = colourbar_keys(self.show_muscles, self.show_nerves)
        draw_colourbars(fig, caxes, self.scales, keys)


def has_spine(results: Results) -> bool:
    """Whether the results' model has spinal levels (``segment.<level>.pressure`` channels).

    Returns
    -------
    bool

    Raises
    ------
    Nothing
    """
    return any(
        name.startswith("segment.") and name.endswith(".pressure") for name in results.channels
    )


# --- figures ---------------------------------------------------------------------------------


def _colourbar(fig: Figure, ax: Axes, scene: Any) -> None:
    """The activation colour bar next to a SagittalScene."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    if isinstance(scene, SagittalScene) and scene.muscles:
        mappable = ScalarMappable(norm=Normalize(0.0, 1.0), cmap=colormaps[scene.cmap])
        fig.colorbar(mappable, ax=ax, label="activation [1]", shrink=0.8)


def _trace_items(results: Results, trace: Sequence[str] | None) -> list[str]:
    if trace is None:
        return [f"joint.{j}.angle" for j in results.joints]
    if isinstance(trace, str):
        trace = [trace]
    for name in trace:
        results[name]  # noqa: B018 (KeyError with suggestions)
    return list(trace)


def _draw_traces(ax: Axes, results: Results, channels: Sequence[str]) -> Any:
    """Time series of ``channels`` (angles in degrees) with a cursor line; returns the cursor."""
    units = set()
    for name in channels:
        values, unit = results[name], results.units[name]
        if unit == "rad":
            values, unit = np.degrees(values), "deg"
        elif unit == "rad/s":
            values, unit = np.degrees(values), "deg/s"
        units.add(unit)
        ax.plot(results.time, values, label=name)
    ax.set_xlabel("time [s]")
    ax.set_ylabel(" / ".join(sorted(units)) if units else "")
    ax.legend(loc="best", fontsize=8)
    ax.grid(True, alpha=0.3)
    if results.time.size:
        ax.set_xlim(results.time[0], results.time[-1])
    return ax.axvline(results.time[0] if results.time.size else 0.0, color="tab:red", lw=1.2)


def _layout(
    results: Results,
    scene: DrawFrame | None,
    trace: Sequence[str] | None,
    figsize: tuple[float, float] | None,
) -> tuple[Figure, Axes, Any, DrawFrame]:
    """Figure, scene axes, cursor line (or None) and scene of an animation or a snapshot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if scene is not None:
        draw = scene
    else:
        draw = SpineScene(results) if has_spine(results) else SagittalScene(results)
    if not callable(draw):
        raise ValueError(f"scene: expected a callable draw_frame(ax, t), got {scene!r}")
    channels = _trace_items(results, trace)
    bars = int(getattr(draw, "n_colourbars", 0))
    if bars:  # a scene with its own colour bars: they go under it, two by two
        width, height = figsize or ((11.0, 6.4) if channels else (5.5, 7.0))
    else:
        width, height = figsize or ((10.0, 4.8) if channels else (5.5, 5.0))
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    columns = 2 if channels else 1
    if bars:
        grid = fig.add_gridspec(
            2, columns, height_ratios=[1.0, 0.25], width_ratios=[1.0, 1.2][:columns]
        )
        scene_ax = fig.add_subplot(grid[0, 0])
        cells = grid[1, 0].subgridspec(-(-bars // 2), 2, hspace=0.1, wspace=0.1)
        caxes = [fig.add_subplot(cells[i // 2, i % 2]) for i in range(bars)]
        draw.colourbars(fig, caxes)
        trace_ax = fig.add_subplot(grid[:, 1]) if channels else None
    else:
        if channels:
            scene_ax, trace_ax = fig.subplots(1, 2, width_ratios=[1.0, 1.3])
        else:
            scene_ax, trace_ax = fig.subplots(), None
        _colourbar(fig, scene_ax, draw)
    cursor = _draw_traces(trace_ax, results, channels) if trace_ax is not None else None
    return fig, scene_ax, cursor, draw


def snapshot(
    results: Results,
    t: float,
    *,
    scene: DrawFrame | None = None,
    trace: Sequence[str] | None = None,
    figsize: tuple[float, float] | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Figure:
    """One frame of :func:`animate` as a figure: the picture at time ``t`` [s] and the traces.

    Parameters
    ----------
    results : Results
        The episode.
    t : float
        Time of the picture [s].
    scene, trace, figsize
        As in :func:`animate`.
    path : str or path, optional
        Also write the figure there (e.g. ``pose.png``).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        The results have no model text for the default scene (pass ``scene=``).
    KeyError
        A traced channel that the results do not have.
    OSError
        ``path`` cannot be written.
    """
    fig, ax, cursor, draw = _layout(results, scene, trace, figsize)
    draw(ax, float(t))
    if cursor is not None:
        cursor.set_xdata([t, t])
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def _writer(path: Path, fps: float) -> Any:
    from matplotlib import animation

    suffix = path.suffix.lower()
    if suffix == ".gif":
        return animation.PillowWriter(fps=fps)
    if suffix == ".mp4":
        if not animation.writers.is_available("ffmpeg"):
            raise RuntimeError(
                f"{path}: writing MP4 needs the ffmpeg program, which is not on PATH "
                "(Debian/Ubuntu: apt-get install ffmpeg); write a .gif instead"
            )
        # yuv420p (what players expect) needs even sizes: pad a pixel where a size is odd.
        pad = ["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-pix_fmt", "yuv420p"]
        return animation.FFMpegWriter(fps=fps, codec="h264", extra_args=pad)
    raise ValueError(f"path: expected a .gif or .mp4 file, got {path.name!r}")


def animate(
    results: Results,
    path: str | os.PathLike[str],
    *,
    fps: float = 20.0,
    speed: float = 1.0,
    t_start: float | None = None,
    t_end: float | None = None,
    scene: DrawFrame | None = None,
    trace: Sequence[str] | None = None,
    figsize: tuple[float, float] | None = None,
    dpi: int = 80,
) -> Path:
    """Animate an episode to a GIF (Pillow) or an MP4 (ffmpeg).

    Each frame shows the picture drawn by ``scene`` at the frame's time and, when ``trace`` is not
    empty, the traced channels over the whole episode with a red cursor at that time.

    Parameters
    ----------
    results : Results
        The episode.
    path : str or path
        ``.gif`` (matplotlib's PillowWriter) or ``.mp4`` (FFMpegWriter, needs ffmpeg on PATH).
    fps : float
        Frames per second of the file, > 0.
    speed : float
        Simulated seconds per second of playback, > 0 (``0.5``: slow motion). Frames are
        ``speed / fps`` simulated seconds apart, from ``t_start`` to ``t_end``.
    t_start, t_end : float, optional
        Span animated [s]; the whole episode by default.
    scene : callable, optional
        ``draw_frame(ax, t)`` drawing the picture at time ``t`` [s] on a matplotlib axes that is
        cleared before each frame; by default a :class:`SagittalScene` of ``results`` (bodies and
        muscles of its model, muscles coloured by activation).
    trace : sequence of str, optional
        Channels drawn beside the picture with the time cursor; by default the joint angles
        (channels in rad or rad/s are drawn in degrees); ``[]`` for the picture alone.
    figsize : (float, float), optional
        Figure size [inch].
    dpi : int
        Resolution [dots per inch]: frames are ``figsize * dpi`` pixels.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        Unknown suffix, an empty time span, or results without a model text for the default
        scene.
    RuntimeError
        ``.mp4`` without ffmpeg.
    KeyError
        A traced channel that the results do not have.
    """
    path = Path(path)
    for name, value in (("fps", fps), ("speed", speed)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"{name}: expected a positive number, got {value!r}")
    writer = _writer(path, float(fps))
    if results.n_samples == 0:
        raise ValueError("animate: the results have no samples")
    start = float(results.time[0] if t_start is None else t_start)
    end = float(results.time[-1] if t_end is None else t_end)
    if not end >= start:
        raise ValueError(f"t_start, t_end: expected t_start <= t_end, got {start} and {end} [s]")
    step = float(speed) / float(fps)
    times = start + step * np.arange(int(np.floor((end - start) / step + 1e-9)) + 1)

    fig, ax, cursor, draw = _layout(results, scene, trace, figsize)
    with writer.saving(fig, str(path), dpi):
        for k, t in enumerate(times):
            ax.cla()
            draw(ax, float(t))
            if cursor is not None:
                cursor.set_xdata([t, t])
            if k == 0:
                # Lay the figure out once, so that the panels do not move from frame to frame.
                fig.canvas.draw()
                fig.set_layout_engine(None)
            writer.grab_frame()
    return path
