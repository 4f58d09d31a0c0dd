"""The spine drawn in the sagittal plane (re-exported by :mod:`msk.plot`).

:func:`spine` draws one :class:`msk.EquilibriumResult`, or one read back from an equilibrium file
(:class:`msk.spine.StoredEquilibrium`; both carry a :class:`msk.spine.SpineGeometry`):

- vertebral bodies and their posterior elements, discs coloured by intradiscal pressure [MPa],
- per level the facet joint coloured by the force it carries [N], the intervertebral foramen at
  its computed height and width (``foramen_height_mm``, ``foramen_width_mm``; outlined in red
  when a stenosis criterion holds) and the nerve root in it coloured by the nerve-root risk [1],
- muscles as their paths, coloured and weighted by activation [1],
- every other body the model has: the pelvis (the ground of a lumbar model, drawn as a schematic
  outline at the sacrum), thighs and shanks, the thorax and the head; a seat when the posture's
  support is a seat; thighs the posture flexes but the model does not have are dashed,
- the load in the hands, and the direction of gravity (the picture is turned so that gravity
  points down the page).

The panel is zoomed on the spine and the pelvis; level labels are placed by a collision-avoiding
pass once the figure is laid out, so they never overlap. :func:`spine_postures` draws several
results in a grid at one scale with shared colour scales, one colour bar per quantity in its own
axes below the panels; a posture that failed keeps its panel, greyed, with its error.

Every position comes from the core (the stored geometry: body frames, joint origins and muscle
paths); nothing here computes kinematics. Sizes that the geometry does not give (vertebral depth,
the pelvis outline, the thigh length) are drawing choices, stated where they are made.
"""

from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap, Normalize
    from matplotlib.figure import Figure

    from msk.spine import EquilibriumResult, SpineGeometry, StoredEquilibrium

    AnyEquilibrium = EquilibriumResult | StoredEquilibrium

__all__ = ["spine", "spine_postures"]

PRESSURE_CMAP = "YlOrRd"
ACTIVATION_CMAP = "Blues"
FACET_CMAP = "Purples"
#: Nerve roots: nerve yellow at no risk to magenta at certain risk.
NERVE_COLOURS = ("#fff3b0", "#f4a259", "#c2185b", "#5c0032")

#: The quantities of the colour bars, in order: (key, label).
COLOURBARS = (
    ("pressure", "disc pressure [MPa]"),
    ("activation", "muscle activation [1]"),
    ("facet", "facet force [N]"),
    ("risk", "nerve-root risk [1]"),
)

#: Drawing scale of a panel: the pelvis outline below is for a stature of 1.75 m.
_REFERENCE_STATURE = 1.75
#: Thigh length (hip to knee) and shank length at the reference stature [m] (drawing choice:
#: about 0.245 and 0.246 of stature, Winter 2009, Table 4.1 segment lengths).
_THIGH_LENGTH = 0.245 * _REFERENCE_STATURE
_SHANK_LENGTH = 0.246 * _REFERENCE_STATURE
#: Schematic lateral outline of the hemipelvis in the pelvis frame of the OpenSim gait models
#: (origin between the anterior superior iliac spines, x forward, y up) [m], with the landmarks
#: that place it: the lumbosacral joint (gait2392 ``back`` joint) and the hip centre. Drawing only.
_PELVIS_OUTLINE = (
    (0.005, 0.000),  # anterior superior iliac spine
    (-0.030, 0.045),
    (-0.075, 0.070),  # iliac crest
    (-0.125, 0.065),
    (-0.160, 0.030),  # posterior superior iliac spine
    (-0.150, -0.015),
    (-0.125, -0.045),  # greater sciatic notch
    (-0.120, -0.085),  # ischial spine
    (-0.115, -0.125),  # ischial tuberosity
    (-0.085, -0.140),
    (-0.040, -0.120),
    (-0.005, -0.095),  # pubic symphysis
    (-0.015, -0.065),
    (-0.010, -0.030),  # anterior inferior iliac spine
)
_PELVIS_SACRUM_JOINT = np.array([-0.1007, 0.0815])  # gait2392 back joint in the pelvis [m]
_PELVIS_HIP = np.array([-0.0707, -0.0661])  # gait2392 hip centre in the pelvis [m]
_ISCHIAL_TUBEROSITY = np.array([-0.115, -0.125])


# --- scales ----------------------------------------------------------------------------------


@dataclass
class Scales:
    """The colour scales shared by the panels of one figure.

    Attributes
    ----------
    pressure : (float, float)
        Disc colour range [MPa].
    facet : (float, float)
        Facet colour range [N].
    activation, risk : (float, float)
        Muscle activation and nerve-root risk ranges [1] (0 to 1).
    """

    pressure: tuple[float, float]
    facet: tuple[float, float]
    activation: tuple[float, float] = (0.0, 1.0)
    risk: tuple[float, float] = (0.0, 1.0)

    def norm(self, key: str) -> Normalize:
        from matplotlib.colors import Normalize

        return Normalize(*getattr(self, key))

    @staticmethod
    def cmap(key: str) -> Colormap:
        from matplotlib import colormaps
        from matplotlib.colors import LinearSegmentedColormap

        if key == "risk":
            return LinearSegmentedColormap.from_list("msk_nerve_risk", NERVE_COLOURS)
        return colormaps[
            {"pressure": PRESSURE_CMAP, "activation": ACTIVATION_CMAP, "facet": FACET_CMAP}[key]
        ]

    def colour(self, key: str, value: float) -> Any:
        return self.cmap(key)(self.norm(key)(value))


def _column(levels: Any, name: str, default: float = float("nan")) -> np.ndarray:
    """A levels column as floats, ``default`` where the table has no such column."""
    if name in levels.columns:
        return levels[name].to_numpy(dtype=float)
    return np.full(len(levels), default)


def _scales(
    results: Sequence[Any],
    pressure_range: tuple[float, float] | None,
    facet_range: tuple[float, float] | None,
) -> Scales:
    """Colour ranges covering every result: pressure 0 to at least 1 MPa, facet force 0 to at
    least 100 N (rounded up to a readable number)."""
    p_max, f_max = 1.0, 100.0
    for r in results:
        if len(r.levels):
            p_max = max(p_max, float(np.nanmax(_column(r.levels, "pressure_MPa", 0.0))))
            f_max = max(f_max, float(np.nanmax(_column(r.levels, "facet_force_N", 0.0))))
    return Scales(
        pressure=pressure_range or (0.0, nice_limit(p_max)),
        facet=facet_range or (0.0, nice_limit(f_max)),
    )


def nice_limit(value: float) -> float:
    """The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k at or above ``value`` (> 0)."""
    exponent = math.floor(math.log10(value))
    for step in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if step * 10**exponent >= value * (1 - 1e-9):
            return step * 10**exponent
    return 10.0 ** (exponent + 1)


# --- geometry --------------------------------------------------------------------------------


def _page_rotation(geometry: SpineGeometry) -> np.ndarray:
    """2 x 2 rotation from the model's ground frame to the page (gravity down)."""
    g = np.asarray(geometry.gravity, dtype=float)[:2]
    if np.linalg.norm(g) < 1e-9:  # lying on the side: draw in the model's frame
        return np.eye(2)
    angle = -math.atan2(g[0], -g[1])  # turn back the tilt of gravity from -y
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]])


def _segment_geometry(geometry: SpineGeometry) -> tuple[list[np.ndarray], np.ndarray]:
    """Centres of the levels (ground x, y) bottom up, and the top of the uppermost vertebra."""
    bodies = list(geometry.body_names)
    centres = []
    for body in geometry.segment_bodies:
        centres.append(np.asarray(geometry.joint_origin[bodies.index(body)])[:2])
    # The top of the uppermost vertebra: the joint of a vertebra above the levels (C1 on C2)
    # when there is one within three level spacings, else one spacing further up.
    step = centres[-1] - centres[-2] if len(centres) >= 2 else np.array([0.0, 0.035])
    above = [
        np.asarray(geometry.joint_origin[b])[:2]
        for b, name in enumerate(bodies)
        if name not in geometry.segment_bodies and _kind(name) == "vertebra"
    ]
    above = [
        p
        for p in above
        if centres and 0.3 < float(np.dot(p - centres[-1], step)) / float(np.dot(step, step)) < 3.0
    ]
    if above:
        top = above[0]
    elif len(centres) >= 2:
        top = centres[-1] + (centres[-1] - centres[-2])
    elif centres:
        top = centres[0] + np.array([0.0, 0.035])
    else:
        top = np.zeros(2)
    return centres, top


def _quad(a: np.ndarray, b: np.ndarray, depth: float, anterior: float = 0.45) -> list[np.ndarray]:
    """A vertebral body from the centre of its lower endplate a to its upper endplate b: a
    quadrilateral ``depth`` deep, ``anterior`` of it in front of the line a-b."""
    axis = b - a
    length = float(np.linalg.norm(axis))
    if length < 1e-9:
        return []
    u = axis / length
    n = _anterior(u)
    front, back = anterior * depth, (1.0 - anterior) * depth
    return [a + front * n, b + front * n, b - back * n, a - back * n]


def _anterior(u: np.ndarray) -> np.ndarray:
    """The anterior normal of an upward axis u (x forward in the model)."""
    return np.array([u[1], -u[0]])


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)


def summary_title(result: AnyEquilibrium, heading: str | None = None) -> str:
    """The default panel title: ``heading`` (default the posture's name), then the lowest
    level's compression [N] and the peak intradiscal pressure [MPa] with its level.

    Returns
    -------
    str
        Two lines.

    Raises
    ------
    Nothing
    """
    levels = result.levels
    heading = result.posture.name if heading is None else heading
    if not len(levels):
        return heading
    worst = levels["pressure_MPa"].idxmax()
    return (
        f"{heading}\n{levels.index[0]} {levels['compression_N'].iloc[0]:.0f} N, "
        f"peak {levels['pressure_MPa'].max():.2f} MPa at {worst}"
    )


# --- drawing one spine -----------------------------------------------------------------------


@dataclass
class _Drawn:
    """What a drawn spine leaves for the framing and labelling passes (page coordinates [m])."""

    region: list[np.ndarray] = field(default_factory=list)  # points the panel must show
    labels: list[tuple[str, np.ndarray, np.ndarray]] = field(default_factory=list)
    offpanel: list[tuple[np.ndarray, str]] = field(default_factory=list)  # (point, label)

    def box(self) -> tuple[np.ndarray, np.ndarray]:
        pts = np.array(self.region) if self.region else np.zeros((1, 2))
        return pts.min(axis=0), pts.max(axis=0)


class _Painter:
    """Draws one equilibrium on ``ax`` in page coordinates."""

    def __init__(self, ax: Axes, result: Any, scales: Scales) -> None:
        self.ax = ax
        self.result = result
        self.scales = scales
        self.geometry = result.geometry
        self.rot = _page_rotation(self.geometry)
        self.stature = float(self.geometry.stature_m or _REFERENCE_STATURE) / _REFERENCE_STATURE
        self.drawn = _Drawn()
        self.bodies = list(self.geometry.body_names)
        self.depth = 0.033  # vertebral depth [m], set by spine()
        self.hip: np.ndarray | None = None  # hip centre, ischial tuberosity [m], by _pelvis()
        self.ischium: np.ndarray | None = None
        self.pelvis_rotation = np.eye(2)

    def page(self, p: Any) -> np.ndarray:
        return self.rot @ np.asarray(p, dtype=float)[:2]

    def polygon(self, points: Sequence[np.ndarray], region: bool = True, **style: Any) -> None:
        from matplotlib.patches import Polygon

        xy = [self.page(p) for p in points]
        if region:
            self.drawn.region.extend(xy)
        self.ax.add_patch(Polygon(xy, closed=True, **style))

    def body_frame(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rotation 2 x 2 in the model's x-y plane, origin, joint origin) of a body [m]."""
        b = self.bodies.index(name)
        r = np.asarray(self.geometry.body_rotation[b])[:2, :2]
        return r, np.asarray(self.geometry.body_position[b])[:2], self.geometry.joint_origin[b][:2]

    # The parts, back to front.

    def muscles(self) -> None:
        activation = self.result.muscles["activation"].to_numpy(dtype=float)
        amap = self.scales.cmap("activation")
        for i in np.argsort(activation):  # most active on top
            pts = np.asarray(self.geometry.muscle_path[i])
            if len(pts) < 2:
                continue
            a = min(max(float(activation[i]), 0.0), 1.0)
            xy = np.array([self.page(p) for p in pts])
            self.ax.plot(
                xy[:, 0],
                xy[:, 1],
                color=amap(0.2 + 0.8 * a),
                lw=0.5 + 2.5 * a,
                alpha=0.3 + 0.65 * a,
                solid_capstyle="round",
                zorder=2,
            )

    def spine(self, show_nerves: bool) -> None:
        from matplotlib.patches import Ellipse

        levels = self.result.levels
        centres, top = _segment_geometry(self.geometry)
        if not centres:
            return
        spacing = [float(np.linalg.norm(b - a)) for a, b in zip(centres, centres[1:])]
        # Vertebral depth: about one level spacing (33 mm lumbar, 16 mm cervical; drawing choice).
        depth = float(np.mean(spacing)) if spacing else 0.033
        self.depth = depth
        disc_h = _column(levels, "disc_height_mm", 8.0) / 1e3
        points = [*centres, top]
        axes_up = []
        for k, c in enumerate(centres):  # the axis of the spine at each level
            below = points[k - 1] if k > 0 else c - (points[1] - c)
            axes_up.append(_unit(points[k + 1] - below))

        # Vertebral bodies and their posterior elements, between the levels.
        for k in range(len(points) - 1):
            a, b = points[k], points[k + 1]
            u = _unit(b - a)
            n = _anterior(u)
            h_below = disc_h[k] / 2
            h_above = disc_h[k + 1] / 2 if k + 1 < len(disc_h) else 0.0
            lo, hi = a + h_below * u, b - h_above * u
            self._vertebra(lo, hi, u, n, depth)

        # The base under the lowest level (the sacrum, or T1): fixed in the ground frame, with
        # its axis where the lowest vertebra's axis is at the model's neutral (zero angle of the
        # lowest level; drawing assumption: that joint has no fixed rotation of its own).
        lowest = np.asarray(self.geometry.body_rotation[self.bodies.index(
            self.geometry.segment_bodies[0])])[:2, :2]  # fmt: skip
        base_axis = _unit(lowest.T @ _unit(points[1] - points[0]))
        self._base(centres[0], base_axis, disc_h[0], depth)

        # Discs, foramina, nerve roots and facets per level.
        pressure = _column(levels, "pressure_MPa", 0.0)
        facet = _column(levels, "facet_force_N", 0.0)
        fh = _column(levels, "foramen_height_mm") / 1e3
        fw = _column(levels, "foramen_width_mm") / 1e3
        risk = _column(levels, "nerve_root_risk")
        stenosis = np.zeros(len(levels), dtype=bool)
        for flag in ("stenosis", "stenosis_foramen", "stenosis_posterior_disc"):
            if flag in levels.columns:
                stenosis |= levels[flag].to_numpy(dtype=bool)
        vertebra_axes = [_unit(b - a) for a, b in zip(points, points[1:])]
        for k, c in enumerate(centres):
            u = axes_up[k]
            n = _anterior(u)
            h = disc_h[k]
            # The disc as a wedge between the endplates of the vertebrae below and above it.
            u_lo = vertebra_axes[k - 1] if k > 0 else base_axis
            u_up = vertebra_axes[k]
            lower, upper = c - h / 2 * u_lo, c + h / 2 * u_up
            n_lo, n_up = _anterior(u_lo), _anterior(u_up)
            self.polygon(
                [
                    lower + 0.45 * depth * n_lo,
                    upper + 0.45 * depth * n_up,
                    upper - 0.55 * depth * n_up,
                    lower - 0.55 * depth * n_lo,
                ],
                facecolor=self.scales.colour("pressure", pressure[k]),
                edgecolor="0.15",
                lw=0.8,
                zorder=5,
            )
            back = c - 0.55 * depth * n  # posterior wall of the disc
            height = fh[k] if np.isfinite(fh[k]) else 0.6 * depth
            width = fw[k] if np.isfinite(fw[k]) else 0.25 * depth
            # The foramen: behind the disc, reaching up along the upper vertebra's pedicle.
            centre = back - (0.5 * width + 0.0015) * n + 0.2 * height * u
            angle = math.degrees(math.atan2(*(self.rot @ u)[::-1])) - 90.0
            if show_nerves:
                self.ax.add_patch(  # the foramen: an opening, dark
                    Ellipse(
                        tuple(self.page(centre)),
                        width,
                        height,
                        angle=angle,
                        facecolor="0.3",
                        edgecolor="tab:red" if stenosis[k] else "0.2",
                        lw=1.6 if stenosis[k] else 0.5,
                        zorder=6,
                    )
                )
                # The nerve root: in the upper part of the foramen, about 5 mm across.
                root = centre + 0.2 * height * u
                r_root = min(0.0025, 0.45 * width)
                self.ax.add_patch(
                    Ellipse(
                        tuple(self.page(root)),
                        2 * r_root,
                        2 * r_root,
                        facecolor=self.scales.colour("risk", risk[k])
                        if np.isfinite(risk[k])
                        else "0.8",
                        edgecolor="0.2",
                        lw=0.5,
                        zorder=7,
                    )
                )
            # The facet joint: behind the foramen, between the articular processes.
            facet_centre = back - (width + 0.004 + 0.2 * depth) * n + 0.3 * depth * u
            self.ax.add_patch(
                Ellipse(
                    tuple(self.page(facet_centre)),
                    0.22 * depth,
                    0.45 * depth,
                    angle=angle,
                    facecolor=self.scales.colour("facet", facet[k]),
                    edgecolor="0.3",
                    lw=0.7,
                    zorder=6,
                )
            )
            self.drawn.labels.append(
                (str(levels.index[k]), self.page(c + 0.45 * depth * n), self.rot @ n)
            )

    def _vertebra(
        self, lo: np.ndarray, hi: np.ndarray, u: np.ndarray, n: np.ndarray, depth: float
    ) -> None:
        """A vertebral body from endplate centre lo to hi, its pedicle, lamina and spinous
        process (a schematic shape ``depth`` deep)."""
        body = _quad(lo, hi, depth)
        if not body:
            return
        self.polygon(body, facecolor="0.93", edgecolor="0.35", lw=0.9, zorder=4)
        length = float(np.linalg.norm(hi - lo))
        mid = (lo + hi) / 2
        back = mid - 0.55 * depth * n
        arch = [
            back + 0.1 * length * u,
            back - 0.55 * depth * n + 0.15 * length * u,
            back - 0.95 * depth * n + 0.1 * length * u,  # spinous process
            back - 1.25 * depth * n - 0.15 * length * u,
            back - 1.15 * depth * n - 0.4 * length * u,
            back - 0.5 * depth * n - 0.3 * length * u,
            back - 0.1 * length * u,
        ]
        self.polygon(arch, facecolor="0.86", edgecolor="0.45", lw=0.7, zorder=3)

    def _base(self, c0: np.ndarray, u: np.ndarray, h0: float, depth: float) -> None:
        """What the lowest level sits on: the sacrum and the pelvis outline when the model's
        lowest level is lumbar and the pelvis is its ground, else a vertebra like the one above
        (T1 under a cervical model)."""
        levels = self.result.levels
        region = str(levels["region"].iloc[0]) if "region" in levels.columns else ""
        name = str(levels.index[0])
        lumbar = region == "lumbar" or name.endswith("S1")
        has_pelvis = any(_kind(b) == "pelvis" for b in self.bodies)
        endplate = c0 - h0 / 2 * u
        if not lumbar:
            n = _anterior(u)
            spacing = 0.9 * depth
            self._vertebra(endplate - spacing * u, endplate, u, n, depth)
            return
        if has_pelvis:
            return  # drawn as a body
        # The ground is the pelvis: place the gait-model pelvis at the lumbosacral joint.
        self._sacrum(endplate, u, depth)
        origin = c0 - _PELVIS_SACRUM_JOINT * self.stature
        self._pelvis(np.eye(2), origin)

    def _sacrum(self, s1: np.ndarray, u: np.ndarray, depth: float) -> None:
        n = _anterior(u)
        pts = [
            s1 + 0.45 * depth * n,
            s1 - 0.55 * depth * n,
            s1 - 0.85 * depth * n - 1.1 * depth * u,
            s1 - 1.3 * depth * n - 2.6 * depth * u,  # apex, towards the coccyx
            s1 - 0.85 * depth * n - 2.7 * depth * u,
            s1 - 0.05 * depth * n - 1.2 * depth * u,
        ]
        self.polygon(pts, facecolor="0.9", edgecolor="0.35", lw=0.9, zorder=4)

    def _pelvis(self, rotation: np.ndarray, origin: np.ndarray) -> None:
        """The schematic hemipelvis outline and the hip socket, in a pelvis frame."""
        from matplotlib.patches import Circle

        s = self.stature
        outline = [origin + rotation @ (np.array(p) * s) for p in _PELVIS_OUTLINE]
        # The panel shows the pelvis down to the hip, not all of it: the spine stays large.
        self.polygon(outline, region=False, facecolor="0.95", edgecolor="0.55", lw=0.9, zorder=1)
        hip = origin + rotation @ (_PELVIS_HIP * s)
        self.ax.add_patch(
            Circle(tuple(self.page(hip)), 0.025 * s, facecolor="0.88", edgecolor="0.5", zorder=1)
        )
        self.drawn.region.append(self.page(hip) - np.array([0.0, 0.03 * s]))
        self.hip = hip
        self.ischium = origin + rotation @ (_ISCHIAL_TUBEROSITY * s)
        self.pelvis_rotation = rotation

    def bodies_other(self) -> None:
        """Every body that is not a vertebra of a level: by kind."""
        from matplotlib.patches import Circle, Ellipse

        segment = set(self.geometry.segment_bodies)
        for name in self.bodies:
            if name in segment:
                continue
            kind = _kind(name)
            r, o, j = self.body_frame(name)
            up = _unit(r @ np.array([0.0, 1.0]))
            angle = math.degrees(math.atan2(*(self.rot @ up)[::-1])) - 90.0
            if kind == "vertebra":  # a vertebra above the levels (C1): a small body
                self._vertebra(j, j + 0.012 * up, up, _anterior(up), 0.8 * self.depth)
            elif kind == "pelvis":
                # Placed by its joint, the hip (the model's pelvis frame need not be gait2392's).
                self._pelvis(r, j - r @ (_PELVIS_HIP * self.stature))
            elif kind == "thigh":
                self._limb(j, -up, _THIGH_LENGTH * self.stature)
            elif kind == "shank":
                self._limb(j, -up, _SHANK_LENGTH * self.stature)
            elif kind == "thorax":
                # Rib cage about 0.38 m tall and 0.24 m deep above L1, head on top (outline).
                centre = o + r @ np.array([0.03, 0.28]) * self.stature
                self.ax.add_patch(
                    Ellipse(
                        tuple(self.page(centre)),
                        0.24 * self.stature,
                        0.38 * self.stature,
                        angle=angle,
                        facecolor="0.97",
                        edgecolor="0.6",
                        lw=1.0,
                        zorder=0,
                    )
                )
                if not any(_kind(b) == "head" for b in self.bodies):
                    head = o + r @ np.array([0.0, 0.60]) * self.stature
                    self.ax.add_patch(
                        Circle(
                            tuple(self.page(head)),
                            0.09 * self.stature,
                            facecolor="0.97",
                            edgecolor="0.6",
                            lw=1.0,
                            zorder=0,
                        )
                    )
            elif kind == "head":
                centre = o + r @ np.array([0.03, 0.06])
                self.ax.add_patch(
                    Circle(
                        tuple(self.page(centre)),
                        0.09 * self.stature,
                        facecolor="0.97",
                        edgecolor="0.6",
                        lw=1.0,
                        zorder=0,
                    )
                )
            else:  # any other body: its joint and a line to its origin
                a, b = self.page(j), self.page(o)
                self.ax.plot([a[0], b[0]], [a[1], b[1]], color="0.55", lw=3, zorder=3)
                self.ax.plot(*a, marker="o", ms=4, color="0.4", zorder=3)
                self.drawn.region.extend([a, b])
        self._posture_limbs()

    def _limb(
        self, start: np.ndarray, direction: np.ndarray, length: float, dashed: bool = False
    ) -> np.ndarray:
        """A limb segment [m] from a joint along ``direction``: a rounded bar, or a dashed line
        for a limb the model does not have. Returns its end."""
        a, b = self.page(start), self.page(start + length * _unit(direction))
        self.ax.plot(
            [a[0], b[0]],
            [a[1], b[1]],
            color="0.75" if dashed else "0.6",
            lw=14 if not dashed else 1.2,
            alpha=0.5 if not dashed else 1.0,
            linestyle="--" if dashed else "-",
            solid_capstyle="round",
            zorder=1,
        )
        return start + length * _unit(direction)

    def _posture_limbs(self) -> None:
        """Thighs the posture flexes on a model without thighs (dashed: not modelled), and the
        seat when the posture's support is a seat."""
        posture = self.result.posture
        has_thigh = any(_kind(b) == "thigh" for b in self.bodies)
        hip = self.hip
        if hip is not None and not has_thigh:
            flexion = math.radians(float(getattr(posture, "hip_flexion_deg", 0.0) or 0.0))
            rot = self.pelvis_rotation
            down = rot @ np.array([math.sin(flexion), -math.cos(flexion)])
            if abs(flexion) > 1e-9:
                self._limb(hip, down, _THIGH_LENGTH * self.stature, dashed=True)
        support = getattr(posture, "support", None)
        if support == "seat" and hip is not None:
            self._seat()

    def _seat(self) -> None:
        """A seat under the ischial tuberosities, level with the page (perpendicular to
        gravity)."""
        from matplotlib.patches import Rectangle

        seat = self.page(self.ischium if self.ischium is not None else self.hip)
        width, thick = 0.35 * self.stature, 0.03
        self.ax.add_patch(
            Rectangle(
                (seat[0] - 0.6 * width, seat[1] - thick),
                width,
                thick,
                facecolor="0.8",
                edgecolor="0.45",
                hatch="///",
                zorder=1,
            )
        )
        self.drawn.region.append(np.array([seat[0], seat[1] - thick]))

    def loads(self) -> None:
        from matplotlib.patches import Rectangle

        posture = self.result.posture
        geometry = self.geometry
        for n_load, body in enumerate(geometry.load_body):
            is_hand_load = n_load == 0 and float(posture.load_kg) > 0
            if body not in self.bodies:
                continue
            b = self.bodies.index(body)
            point = geometry.load_point[n_load]
            pos = geometry.body_position[b] + geometry.body_rotation[b] @ point
            p = self.page(pos)
            mass = float(np.linalg.norm(geometry.load_force[n_load])) / 9.80665
            if not is_hand_load:  # the arms' weight: part of the trunk's load, not drawn
                continue
            if mass > 0:
                side = 0.03 + 0.0012 * mass
                self.ax.add_patch(
                    Rectangle(
                        (p[0] - side / 2, p[1] - side / 2),
                        side,
                        side,
                        facecolor="0.55",
                        edgecolor="0.2",
                        zorder=6,
                    )
                )
                distance = getattr(posture, "hand_distance_m", None)
                where = f"\n{distance * 100:.0f} cm in front" if distance else ""
                self.drawn.offpanel.append((p, f"{mass:.0f} kg{where}"))


def _kind(name: str) -> str:
    """What a body is, from its name: vertebra, pelvis, thigh, shank, thorax, head or other."""
    import re

    if re.fullmatch(r"[CTL]\d{1,2}", name):
        return "vertebra"
    low = name.lower()
    if any(w in low for w in ("pelvis", "sacrum")):
        return "pelvis"
    if any(w in low for w in ("femur", "thigh")):
        return "thigh"
    if any(w in low for w in ("tibia", "shank", "calf")):
        return "shank"
    if any(w in low for w in ("thorax", "torso", "trunk", "chest")):
        return "thorax"
    if any(w in low for w in ("head", "skull", "cranium")):
        return "head"
    return "other"


def draw_spine(
    ax: Axes, result: Any, scales: Scales, *, show_muscles: bool, show_nerves: bool
) -> _Drawn:
    painter = _Painter(ax, result, scales)
    painter.spine(show_nerves)
    painter.bodies_other()
    if show_muscles:
        painter.muscles()
    painter.loads()
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine_ in ax.spines.values():
        spine_.set_visible(False)
    return painter.drawn


def _frame(ax: Axes, drawn: _Drawn, half: tuple[float, float] | None) -> None:
    """Limits around the drawn region: ``half`` = (half width, half height) [m] when given (so
    that panels share one scale), else the region with a margin."""
    lo, hi = drawn.box()
    centre = (lo + hi) / 2
    if half is None:
        size = (hi - lo) / 2 * 1.12 + 0.01
        half = (float(size[0]), float(size[1]))
    ax.set_xlim(centre[0] - half[0], centre[0] + half[0])
    ax.set_ylim(centre[1] - half[1], centre[1] + half[1])
    ax.set_autoscale_on(False)


def gravity_arrow(ax: Axes) -> None:
    """The direction of gravity, in the panel's upper left corner."""
    ax.annotate(
        "",
        xy=(0.05, 0.82),
        xytext=(0.05, 0.95),
        xycoords="axes fraction",
        arrowprops={"arrowstyle": "-|>", "color": "0.35", "lw": 1.0},
    )
    ax.text(0.075, 0.93, "g", transform=ax.transAxes, fontsize=8, color="0.35", va="top")


def _mark_offpanel(ax: Axes, drawn: _Drawn) -> None:
    """Label the load in the hands beside it, or at the panel's edge with an arrow towards it
    when it lies outside the zoomed panel."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for p, text in drawn.offpanel:
        inside = x0 < p[0] < x1 and y0 < p[1] < y1
        if inside:
            t = ax.annotate(
                text, tuple(p), xytext=(0, -14), textcoords="offset points", ha="center",
                fontsize=7, zorder=8,
            )  # fmt: skip
            t.set_in_layout(False)
            continue
        centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        d = _unit(p - centre)
        # Where the ray from the centre to the load leaves the panel (4 % inside).
        scale = min(
            (0.46 * (x1 - x0)) / max(abs(d[0]), 1e-9), (0.46 * (y1 - y0)) / max(abs(d[1]), 1e-9)
        )
        edge = centre + scale * d
        t = ax.annotate(
            text,
            xy=tuple(edge + 0.03 * (x1 - x0) * d),
            xytext=tuple(edge - 0.16 * (x1 - x0) * d),
            ha="center",
            va="center",
            fontsize=7,
            color="0.2",
            arrowprops={"arrowstyle": "-|>", "color": "0.3", "lw": 0.9},
            zorder=8,
        )
        t.set_in_layout(False)


def place_level_labels(ax: Axes, drawn: _Drawn, fontsize: float = 7.5) -> list[Any]:
    """Write the level labels beside their discs without any two overlapping: each label goes
    as close to its disc along the disc's anterior normal as it can without touching a label
    already placed (trying growing distances and small shifts across), with a leader line when
    it had to move away. Needs the figure laid out (pixels known). Returns the texts."""
    fig = ax.figure
    renderer = _renderer(fig)
    to_px = ax.transData
    from_px = ax.transData.inverted()
    panel = ax.get_window_extent(renderer)
    px_per_pt = fig.dpi / 72.0
    placed: list[Any] = []
    texts = []
    for text, anchor, normal in drawn.labels:
        artist = ax.text(0, 0, text, fontsize=fontsize, color="0.2", ha="center", va="center",
                         zorder=9)  # fmt: skip
        artist.set_in_layout(False)
        size = artist.get_window_extent(renderer)
        w, h = size.width, size.height
        a_px = to_px.transform(anchor)
        d = _unit(to_px.transform(anchor + normal * 1e-3) - a_px)
        across = np.array([-d[1], d[0]])
        best = None
        # First within the panel; where it has no free room, beyond its edge (texts are not
        # clipped), but never on another label.
        for within in (True, False):
            for r in np.arange(0.0, 150.0, 3.0) * px_per_pt:
                # The label's near edge at distance r from the anchor: its centre further out.
                reach = r + 0.5 * (abs(d[0]) * w + abs(d[1]) * h) + 2 * px_per_pt
                for s in (0.0, 3.0, -3.0, 6.0, -6.0):
                    c = a_px + reach * d + s * px_per_pt * across
                    box = (c[0] - w / 2, c[1] - h / 2, c[0] + w / 2, c[1] + h / 2)
                    inside = (
                        box[0] >= panel.x0 and box[2] <= panel.x1 and box[1] >= panel.y0
                        and box[3] <= panel.y1
                    )  # fmt: skip
                    if (inside or not within) and not any(
                        _overlap(box, other, 3 * px_per_pt) for other in placed
                    ):
                        best = (c, box, r)
                        break
                if best is not None:
                    break
            if best is not None:
                break
        if best is None:  # no free room: beside the anchor anyway
            c = a_px + (0.5 * w + 2 * px_per_pt) * d
            best = (c, (c[0] - w / 2, c[1] - h / 2, c[0] + w / 2, c[1] + h / 2), 0.0)
        c, box, r = best
        artist.set_position(tuple(from_px.transform(c)))
        placed.append(box)
        texts.append(artist)
        if r > 4 * px_per_pt:  # moved away: a leader line to the disc
            near = c - (0.5 * (abs(d[0]) * w + abs(d[1]) * h) + 1 * px_per_pt) * d
            line = np.array([from_px.transform(a_px), from_px.transform(near)])
            (leader,) = ax.plot(line[:, 0], line[:, 1], color="0.5", lw=0.5, zorder=8)
            leader.set_in_layout(False)
    return texts


def _renderer(fig: Figure) -> Any:
    """The figure's renderer (Agg canvases have one; other back ends through matplotlib)."""
    get = getattr(fig.canvas, "get_renderer", None)
    return get() if callable(get) else fig._get_renderer()


def _figure(width: float, height: float, registered: bool) -> Figure:
    """A constrained-layout figure, registered with pyplot only when ``registered`` (a figure
    written to a file is not, so loops do not accumulate open figures)."""
    if registered:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=(width, height), layout="constrained")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _overlap(a: Sequence[float], b: Sequence[float], pad: float) -> bool:
    """Whether two boxes (x0, y0, x1, y1) [pixels] come closer than ``pad``."""
    return not (
        a[2] + pad <= b[0] or b[2] + pad <= a[0] or a[3] + pad <= b[1] or b[3] + pad <= a[1]
    )


def _draw_failed(ax: Axes, title: str, message: str) -> None:
    """A panel for a posture that failed: greyed, with its title and its error."""
    ax.set_facecolor("0.93")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine_ in ax.spines.values():
        spine_.set_visible(True)
        spine_.set_color("0.7")
    wrapped = "\n".join(textwrap.wrap(str(message), 34)[:9])
    ax.text(0.5, 0.62, "failed", transform=ax.transAxes, ha="center", va="center",
            fontsize=11, fontweight="bold", color="tab:red")  # fmt: skip
    ax.text(0.5, 0.55, wrapped, transform=ax.transAxes, ha="center", va="top", fontsize=7,
            color="0.25", wrap=False)  # fmt: skip
    ax.set_title(title, fontsize=9, color="0.4")


def _strip_below(fig: Figure, ax: Axes, n: int) -> list[Axes]:
    """``n`` colour-bar axes, two per row, in a strip taken from the bottom of ``ax``'s slot
    (the axes shrinks to make room; 44 points per row for the bar, its ticks and its label)."""
    rows = -(-n // 2)
    fig_height = fig.get_figheight() * 72.0  # [points]
    row, thick = 44.0 / fig_height, 7.0 / fig_height
    pos = ax.get_position()
    reserve = min(rows * row, 0.5 * pos.height)
    ax.set_position((pos.x0, pos.y0 + reserve, pos.width, pos.height - reserve))
    width = 0.4 * pos.width
    caxes = []
    for i in range(n):
        r, c = divmod(i, 2)
        x = pos.x0 + 0.05 * pos.width + c * 0.5 * pos.width
        y = pos.y0 + reserve - (r + 1) * row + 0.55 * row
        caxes.append(fig.add_axes((x, y, width, thick)))
    return caxes


def _mappable(scales: Scales, key: str) -> Any:
    """The colour scale of quantity ``key`` as a mappable for a colour bar."""
    from matplotlib import cm

    return cm.ScalarMappable(norm=scales.norm(key), cmap=scales.cmap(key))


def draw_colourbars(
    fig: Figure, caxes: Sequence[Axes], scales: Scales, keys: Sequence[str]
) -> None:
    """One horizontal colour bar per quantity, each in its own axes."""

    labels = dict(COLOURBARS)
    for cax, key in zip(caxes, keys):
        bar = fig.colorbar(
            _mappable(scales, key),
            cax=cax,
            orientation="horizontal",
        )
        cax.set_label("<colorbar>")
        bar.set_label(labels[key], fontsize=8)
        bar.ax.tick_params(labelsize=7)
        bar.ax.locator_params(nbins=5)


def colourbar_keys(show_muscles: bool, show_nerves: bool) -> list[str]:
    keys = ["pressure"]
    if show_muscles:
        keys.append("activation")
    keys.append("facet")
    if show_nerves:
        keys.append("risk")
    return keys


# --- public ----------------------------------------------------------------------------------


def spine(
    result: AnyEquilibrium,
    ax: Axes | None = None,
    *,
    pressure_range: tuple[float, float] | None = None,
    facet_range: tuple[float, float] | None = None,
    show_muscles: bool = True,
    show_nerves: bool = True,
    colorbar: bool = True,
    title: str | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Figure:
    """Draw one posture's equilibrium in the sagittal plane, zoomed on the spine.

    Discs are coloured by intradiscal pressure, facet joints by their force, nerve roots by
    the nerve-root risk and muscles by activation; the foramina are drawn at their computed
    height and width (red outline: a stenosis criterion holds). The panel shows the spine and
    the pelvis; what reaches beyond (thorax, head, thighs, the load in the hands) is cut at the
    panel's edge, and a load outside it is marked by an arrow with its distance.

    Parameters
    ----------
    result : msk.EquilibriumResult or msk.spine.StoredEquilibrium
    ax : matplotlib Axes, optional
        Where to draw (a new figure, 5 x 6.8 inch, with the colour bars below, when None).
    pressure_range : (min, max) in MPa, optional
        Colour scale of the discs (default 0 to the largest pressure, at least 1 MPa).
    facet_range : (min, max) in N, optional
        Colour scale of the facets (default 0 to the largest facet force, at least 100 N).
    show_muscles : bool
        Draw the muscle paths, coloured by activation (0 to 1).
    show_nerves : bool
        Draw the foramina and nerve roots.
    colorbar : bool
        Add one colour bar per quantity (pressure, activation, facet force, nerve-root risk).
    title : str, optional
        Default: the posture, the lowest level's compression and the peak pressure.
    path : path, optional
        Save the figure there (PNG, PDF, SVG by suffix).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    OSError
        ``path`` cannot be written.
    """
    keys = colourbar_keys(show_muscles, show_nerves)
    scales = _scales([result], pressure_range, facet_range)
    caxes: list[Axes] = []
    if ax is None:
        fig = _figure(5.0, 7.4, registered=path is None)
        if colorbar:
            grid = fig.add_gridspec(2, 1, height_ratios=[1.0, 0.3])
            ax = fig.add_subplot(grid[0])
            bars = grid[1].subgridspec(2, 2, hspace=0.1, wspace=0.1)
            caxes = [fig.add_subplot(bars[i // 2, i % 2]) for i in range(len(keys))]
        else:
            ax = fig.add_subplot()
    else:
        fig = ax.figure
        if colorbar and fig.get_layout_engine() is not None:
            # Below the given axes, one under the other: the layout engine makes the room.
            labels = dict(COLOURBARS)
            for key in keys:
                bar = fig.colorbar(
                    _mappable(scales, key), ax=ax, location="bottom", fraction=0.03, pad=0.01
                )
                bar.set_label(labels[key], fontsize=8)
                bar.ax.tick_params(labelsize=7)
        elif colorbar:
            # No layout engine: a strip taken from the bottom of the axes' slot, the bars two
            # by two in it.
            caxes = _strip_below(fig, ax, len(keys))
    drawn = draw_spine(ax, result, scales, show_muscles=show_muscles, show_nerves=show_nerves)
    _frame(ax, drawn, None)
    if title is None and len(result.levels):
        title = summary_title(result)
    if title:
        ax.set_title(title, fontsize=9)
    if caxes:
        draw_colourbars(fig, caxes, scales, keys)
    gravity_arrow(ax)
    fig.draw_without_rendering()  # lay the figure out: the labels are placed in pixels
    _mark_offpanel(ax, drawn)
    place_level_labels(ax, drawn)
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig


def spine_postures(
    results: Sequence[AnyEquilibrium | BaseException | str],
    *,
    titles: Sequence[str] | None = None,
    suptitle: str | None = None,
    ncols: int | None = None,
    pressure_range: tuple[float, float] | None = None,
    facet_range: tuple[float, float] | None = None,
    show_muscles: bool = True,
    show_nerves: bool = True,
    panel_size: tuple[float, float] = (3.0, 3.4),
    path: str | os.PathLike[str] | None = None,
) -> Figure:
    """Several equilibria in a grid at one scale, with shared colour scales (e.g. three
    postures, or one posture with two tone settings), the colour bars below in their own axes.

    Every panel shows the same width and height of the body [m], centred on its spine and
    pelvis, so a lift and a standing posture read at the same size. A posture that failed is
    given as its error (an exception or a message) in its place: its panel is greyed and shows
    the message; the grid keeps its shape.

    Parameters
    ----------
    results : sequence of msk.EquilibriumResult, msk.spine.StoredEquilibrium, exceptions or str
        One per panel, in reading order; an exception or a string marks a failed posture.
    titles : sequence of str, optional
        One per result (default: :func:`spine`'s title; "failed" for a failure).
    suptitle : str, optional
        Title of the whole figure.
    ncols : int, optional
        Panels per row (default: all in one row); e.g. the number of postures, to put each
        model variant on its own row.
    pressure_range, facet_range : (min, max), optional
        Colour scales of the discs [MPa] and the facets [N] (default: 0 to the largest value
        over the results, at least 1 MPa and 100 N).
    show_muscles, show_nerves : bool
        As in :func:`spine`.
    panel_size : (float, float)
        Width and height of one panel [inch].
    path : path, optional
        Save the figure there (PNG, PDF, SVG by suffix).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        No results, ``titles`` of another length, or ``ncols`` < 1.
    OSError
        ``path`` cannot be written.
    """
    n = len(results)
    if n == 0:
        raise ValueError("results: expected at least one EquilibriumResult")
    if titles is not None and len(titles) != n:
        raise ValueError(f"titles: expected {n} titles (one per result), got {len(titles)}")
    if ncols is not None and ncols < 1:
        raise ValueError(f"ncols: expected a positive number of panels per row, got {ncols}")
    ncols = min(n, ncols or n)
    nrows = -(-n // ncols)
    solved = [r for r in results if not isinstance(r, (BaseException, str))]
    keys = colourbar_keys(show_muscles, show_nerves)
    scales = _scales(solved, pressure_range, facet_range)

    width = max(panel_size[0] * ncols, 6.5)
    # The colour bars in one row when each gets 2.4 inch, else two by two.
    bar_cols = len(keys) if width >= 2.4 * len(keys) else 2
    bar_rows = -(-len(keys) // bar_cols)
    fig = _figure(width, panel_size[1] * nrows + 0.4 + 0.5 * bar_rows, registered=path is None)
    grid = fig.add_gridspec(
        1 + bar_rows, 1, height_ratios=[panel_size[1] * nrows] + [0.5] * bar_rows
    )
    panels_grid = grid[0].subgridspec(nrows, ncols)
    panels = [fig.add_subplot(panels_grid[k // ncols, k % ncols]) for k in range(nrows * ncols)]
    for ax in panels[n:]:
        ax.set_visible(False)
    bar_grids = [grid[1 + r].subgridspec(1, bar_cols, wspace=0.12) for r in range(bar_rows)]
    caxes = [fig.add_subplot(bar_grids[i // bar_cols][0, i % bar_cols]) for i in range(len(keys))]

    drawings: list[tuple[Axes, _Drawn]] = []
    models: list[tuple[tuple[str, ...], int]] = []
    failed: list[Axes] = []
    for k, (r, ax) in enumerate(zip(results, panels)):
        if isinstance(r, (BaseException, str)):
            _draw_failed(ax, titles[k] if titles is not None else "failed", str(r))
            failed.append(ax)
            continue
        drawn = draw_spine(ax, r, scales, show_muscles=show_muscles, show_nerves=show_nerves)
        title = titles[k] if titles is not None else summary_title(r)
        ax.set_title(title, fontsize=9)
        drawings.append((ax, drawn))
        models.append((tuple(r.geometry.segment_bodies), k))
    # One scale: every panel spans the largest region (width and height in the panel's ratio).
    # One scale per model (panels of the same levels): each spans the largest region of its
    # model, in the panel's width-to-height ratio.
    aspect = panel_size[0] / max(panel_size[1] - 0.45, 0.5)  # the title takes some height
    for model in dict.fromkeys(key for key, _ in models):
        group = [drawings[i] for i, (key, _) in enumerate(models) if key == model]
        need_w = max(float(d.box()[1][0] - d.box()[0][0]) for _, d in group)
        need_h = max(float(d.box()[1][1] - d.box()[0][1]) for _, d in group)
        half_h = 0.5 * max(need_h, need_w / aspect) * 1.1 + 0.01
        for ax, drawn in group:
            _frame(ax, drawn, (half_h * aspect, half_h))
            gravity_arrow(ax)
    for ax in failed:  # the shape of the drawn panels
        ax.set_box_aspect(1.0 / aspect)
    draw_colourbars(fig, caxes, scales, keys)
    if suptitle:
        fig.suptitle(suptitle)
    fig.draw_without_rendering()  # the final layout, so that labels can be placed in pixels
    for ax, drawn in drawings:
        _mark_offpanel(ax, drawn)
        place_level_labels(ax, drawn)
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig
