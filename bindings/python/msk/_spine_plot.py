"""The spine drawn in the sagittal plane (re-exported by :mod:`msk.plot`).

:func:`spine` draws one :class:`msk.EquilibriumResult`, or one read back from an equilibrium file
(:class:`msk.spine.StoredEquilibrium`; both carry a :class:`msk.spine.SpineGeometry`): vertebral
bodies, discs coloured by intradiscal pressure, facets by the force they carry, muscles by
activation, the load in the hands and the direction of gravity. :func:`spine_postures` draws
several results side by side (or in rows) with shared colour scales (three postures, or the same
posture with two tone settings), which is what a class or a paper figure wants. The picture is
turned so that gravity points down the page.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from msk.spine import EquilibriumResult, SpineGeometry, StoredEquilibrium

    AnyEquilibrium = EquilibriumResult | StoredEquilibrium

__all__ = ["spine", "spine_postures"]

PRESSURE_CMAP = "YlOrRd"
ACTIVATION_CMAP = "Blues"
FACET_CMAP = "Purples"


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
    if len(centres) >= 2:
        top = centres[-1] + (centres[-1] - centres[-2])
    elif centres:
        top = centres[0] + np.array([0.0, 0.035])
    else:
        top = np.zeros(2)
    return centres, top


def _quad(
    a: np.ndarray, b: np.ndarray, depth: float, anterior: float = 0.45
) -> list[tuple[float, float]]:
    """A vertebral body from the centre of its lower endplate a to its upper endplate b: a
    quadrilateral ``depth`` deep, ``anterior`` of it in front of the line a-b."""
    axis = b - a
    length = float(np.linalg.norm(axis))
    if length < 1e-9:
        return []
    u = axis / length
    n = np.array([u[1], -u[0]])  # anterior normal (x forward)
    front, back = anterior * depth, (1.0 - anterior) * depth
    return [
        tuple(a + front * n),
        tuple(b + front * n),
        tuple(b - back * n),
        tuple(a - back * n),
    ]


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


def spine(
    result: AnyEquilibrium,
    ax: Axes | None = None,
    *,
    pressure_range: tuple[float, float] | None = None,
    show_muscles: bool = True,
    colorbar: bool = True,
    title: str | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Figure:
    """Draw one posture's equilibrium in the sagittal plane.

    Parameters
    ----------
    result : msk.EquilibriumResult or msk.spine.StoredEquilibrium
    ax : matplotlib Axes, optional
        Where to draw (a new figure when None).
    pressure_range : (min, max) in MPa, optional
        Colour scale of the discs (default 0 to the largest pressure, at least 1 MPa).
    show_muscles : bool
        Draw the muscle lines, coloured by activation (0 to 1).
    colorbar : bool
        Add the pressure and activation colour bars.
    title : str, optional
        Default: the posture, the peak pressure and the lowest level's compression.
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
    import matplotlib.pyplot as plt
    from matplotlib import cm, colors
    from matplotlib.patches import Circle, Polygon, Rectangle

    if ax is None:
        fig, ax = plt.subplots(figsize=(5.0, 6.5))
    else:
        fig = ax.figure
    geometry = result.geometry
    rot = _page_rotation(geometry)

    def page(p: Any) -> np.ndarray:
        return rot @ np.asarray(p, dtype=float)[:2]

    levels = result.levels
    p_max = float(levels["pressure_MPa"].max()) if len(levels) else 1.0
    lo, hi = pressure_range or (0.0, max(1.0, p_max))
    pnorm = colors.Normalize(lo, hi)
    pmap = plt.get_cmap(PRESSURE_CMAP)
    amap = plt.get_cmap(ACTIVATION_CMAP)
    fmap = plt.get_cmap(FACET_CMAP)

    # Muscles first (behind the bones), coloured and weighted by activation.
    if show_muscles:
        order = np.argsort(result.muscles["activation"].to_numpy())
        paths = geometry.muscle_path
        for i in order:
            pts = np.asarray(paths[i])
            if len(pts) < 2:
                continue
            a = float(result.muscles["activation"].iloc[i])
            xy = np.array([page(p) for p in pts])
            ax.plot(
                xy[:, 0],
                xy[:, 1],
                color=amap(0.25 + 0.75 * min(a, 1.0)),
                lw=0.6 + 2.4 * min(a, 1.0),
                alpha=0.35 + 0.6 * min(a, 1.0),
                solid_capstyle="round",
                zorder=1,
            )

    # Vertebral bodies between level centres, discs at the centres, facets behind them.
    centres, top = _segment_geometry(geometry)
    # Vertebral depth about one level spacing (33 mm lumbar, 16 mm cervical).
    spacing = [float(np.linalg.norm(b - a)) for a, b in zip(centres, centres[1:])]
    scale = float(np.mean(spacing)) if spacing else 0.033
    disc_h = levels["disc_height_mm"].to_numpy() / 1e3 if len(levels) else []
    points = centres + [top]
    for k in range(len(points) - 1):
        a, b = points[k], points[k + 1]
        h_below = disc_h[k] / 2 if k < len(disc_h) else 0.0
        h_above = disc_h[k + 1] / 2 if k + 1 < len(disc_h) else 0.0
        u = (b - a) / max(np.linalg.norm(b - a), 1e-9)
        quad = _quad(a + h_below * u, b - h_above * u, scale)
        if quad:
            ax.add_patch(
                Polygon(
                    [tuple(page(q)) for q in quad],
                    closed=True,
                    facecolor="0.92",
                    edgecolor="0.35",
                    lw=1.0,
                    zorder=3,
                )
            )
            # The posterior arch and spinous process.
            mid = (a + b) / 2
            n = np.array([u[1], -u[0]])
            arch = [mid - 0.55 * scale * n, mid - 1.6 * scale * n - 0.2 * scale * u]
            xy = np.array([page(p) for p in arch])
            ax.plot(xy[:, 0], xy[:, 1], color="0.45", lw=2.0, zorder=3)
    fmax = max(100.0, float(levels["facet_force_N"].max()) if len(levels) else 0.0)
    for k, c in enumerate(centres):
        below = points[k - 1] if k > 0 else c - (points[1] - c if len(points) > 1 else 0)
        above = points[k + 1]
        u = above - below
        u = u / max(np.linalg.norm(u), 1e-9)
        n = np.array([u[1], -u[0]])
        h = disc_h[k]
        disc = _quad(c - h / 2 * u, c + h / 2 * u, scale)
        ax.add_patch(
            Polygon(
                [tuple(page(q)) for q in disc],
                closed=True,
                facecolor=pmap(pnorm(levels["pressure_MPa"].iloc[k])),
                edgecolor="0.2",
                lw=0.8,
                zorder=4,
            )
        )
        f = float(levels["facet_force_N"].iloc[k])
        facet = page(c - 1.05 * scale * n)
        ax.add_patch(
            Circle(
                tuple(facet),
                0.0045,
                facecolor=fmap(0.15 + 0.85 * min(f / fmax, 1.0)) if f > 0 else "white",
                edgecolor="0.3",
                lw=0.7,
                zorder=5,
            )
        )
        ax.annotate(
            levels.index[k],
            tuple(page(c + 0.6 * scale * n)),
            xytext=(6, 0),
            textcoords="offset points",
            fontsize=7,
            va="center",
            color="0.25",
            zorder=6,
        )

    # The mass above: the trunk (thorax) as an outline, the head as a circle.
    bodies = list(geometry.body_names)
    stature = float(geometry.stature_m or 1.75) / 1.75
    from matplotlib.patches import Ellipse

    for name in bodies:
        b = bodies.index(name)
        r_b = np.asarray(geometry.body_rotation[b])
        o_b = np.asarray(geometry.body_position[b])
        angle = math.degrees(math.atan2((rot @ r_b[:2, 1])[0], (rot @ r_b[:2, 1])[1]))
        if name == "thorax":
            # Rib cage about 0.35 m tall and 0.24 m deep above L1, head on top (outline only).
            centre = page(o_b + r_b @ np.array([0.03, 0.28, 0.0]) * stature)
            ax.add_patch(
                Ellipse(
                    tuple(centre),
                    0.24 * stature,
                    0.38 * stature,
                    angle=-angle,
                    facecolor="0.97",
                    edgecolor="0.6",
                    lw=1.0,
                    zorder=0,
                )
            )
            head = page(o_b + r_b @ np.array([0.0, 0.60, 0.0]) * stature)
            ax.add_patch(
                Circle(
                    tuple(head), 0.09 * stature, facecolor="0.97", edgecolor="0.6", lw=1.0, zorder=0
                )
            )
        elif name in ("head", "skull"):
            centre = page(o_b + r_b @ np.array([0.03, 0.06, 0.0]))
            ax.add_patch(
                Circle(
                    tuple(centre),
                    0.09 * stature,
                    facecolor="0.97",
                    edgecolor="0.6",
                    lw=1.0,
                    zorder=0,
                )
            )

    # The hands' load, the arms and gravity.
    for n_load, body in enumerate(geometry.load_body):
        is_hand_load = n_load == 0 and result.posture.load_kg > 0
        b = bodies.index(body) if body in bodies else -1
        if b < 0:
            continue
        pos = geometry.body_position[b] + geometry.body_rotation[b] @ geometry.load_point[n_load]
        p = page(pos)
        weight = float(np.linalg.norm(geometry.load_force[n_load])) / 9.80665
        if not is_hand_load:  # the arms' centre of mass
            ax.plot(*p, marker="o", ms=4, color="0.55", zorder=6)
            continue
        if weight > 0:
            side = 0.02 + 0.0012 * weight
            ax.add_patch(
                Rectangle(
                    (p[0] - side / 2, p[1] - side / 2),
                    side,
                    side,
                    facecolor="0.55",
                    edgecolor="0.2",
                    zorder=6,
                )
            )
            ax.annotate(
                f"{weight:.1f} kg",
                tuple(p),
                xytext=(0, -12),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                zorder=7,
            )
    xs = np.array([page(c)[0] for c in points]) if points else np.zeros(1)
    ys = np.array([page(c)[1] for c in points]) if points else np.zeros(1)
    ax.annotate(
        "",
        xy=(xs.min() - 0.07, ys.mean() - 0.04),
        xytext=(xs.min() - 0.07, ys.mean() + 0.04),
        arrowprops={"arrowstyle": "-|>", "color": "0.3"},
    )
    ax.text(xs.min() - 0.075, ys.mean() + 0.045, "g", fontsize=8, color="0.3", ha="right")

    ax.set_aspect("equal")
    ax.relim()
    ax.autoscale_view()
    margin = 0.09
    ax.set_xlim(min(xs.min(), ax.get_xlim()[0]) - margin, max(xs.max(), ax.get_xlim()[1]) + margin)
    ax.set_ylim(min(ys.min(), ax.get_ylim()[0]) - margin, max(ys.max(), ax.get_ylim()[1]) + margin)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine_ in ax.spines.values():
        spine_.set_visible(False)
    if title is None and len(levels):
        title = summary_title(result)
    if title:
        ax.set_title(title, fontsize=9)
    if colorbar:
        fig.colorbar(
            cm.ScalarMappable(norm=pnorm, cmap=pmap),
            ax=ax,
            orientation="horizontal",
            fraction=0.04,
            pad=0.02,
            label="intradiscal pressure [MPa]",
        )
        if show_muscles:
            fig.colorbar(
                cm.ScalarMappable(norm=colors.Normalize(0, 1), cmap=amap),
                ax=ax,
                orientation="horizontal",
                fraction=0.04,
                pad=0.1,
                label="muscle activation [1]",
            )
    if path is not None:
        fig.savefig(path, dpi=150, bbox_inches="tight")
    return fig


def spine_postures(
    results: Sequence[AnyEquilibrium],
    *,
    titles: Sequence[str] | None = None,
    suptitle: str | None = None,
    ncols: int | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Figure:
    """Several equilibria side by side with one pressure scale (e.g. three postures, or one
    posture with two tone settings). Returns the figure; saves it to ``path`` when given.

    Parameters
    ----------
    results : sequence of msk.EquilibriumResult or msk.spine.StoredEquilibrium
    titles : sequence of str, optional
        One per result (default: :func:`spine`'s title).
    suptitle : str, optional
        Title of the whole figure.
    ncols : int, optional
        Panels per row (default: all in one row); e.g. the number of postures, to put each
        model variant on its own row.
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
    import matplotlib.pyplot as plt
    from matplotlib import cm, colors

    n = len(results)
    if n == 0:
        raise ValueError("results: expected at least one EquilibriumResult")
    if titles is not None and len(titles) != n:
        raise ValueError(f"titles: expected {n} titles (one per result), got {len(titles)}")
    if ncols is not None and ncols < 1:
        raise ValueError(f"ncols: expected a positive number of panels per row, got {ncols}")
    ncols = min(n, ncols or n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 6.4 * nrows), squeeze=False)
    panels = list(axes.ravel())
    for ax in panels[n:]:
        ax.set_visible(False)
    p_max = max(float(r.levels["pressure_MPa"].max()) for r in results)
    rng = (0.0, max(1.0, p_max))
    for k, (r, ax) in enumerate(zip(results, panels)):
        spine(
            r,
            ax=ax,
            pressure_range=rng,
            colorbar=False,
            title=None if titles is None else titles[k],
        )
    fig.colorbar(
        cm.ScalarMappable(norm=colors.Normalize(*rng), cmap=plt.get_cmap(PRESSURE_CMAP)),
        ax=panels[:n],
        orientation="horizontal",
        fraction=0.035,
        pad=0.02,
        aspect=60,
        label="intradiscal pressure [MPa] (discs)",
    )
    fig.colorbar(
        cm.ScalarMappable(norm=colors.Normalize(0, 1), cmap=plt.get_cmap(ACTIVATION_CMAP)),
        ax=panels[:n],
        orientation="vertical",
        fraction=0.015,
        pad=0.01,
        label="muscle activation [1] (lines)",
    )
    if suptitle:
        fig.suptitle(suptitle)
    if path is not None:
        fig.savefig(path, dpi=150, bbox_inches="tight")
    return fig
