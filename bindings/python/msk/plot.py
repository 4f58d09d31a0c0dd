"""Figures of episode results (matplotlib; works headless with the Agg backend).

- :func:`dashboard`: one episode on one page: joint angles [deg], examiner torque, excitation and
  activation per muscle (grouped by the sign of their moment when the model has muscle pairs),
  forces, reflex excitation, pair co-contraction and net moment, with event markers.
- :func:`compare`: two episodes side by side on shared axes.
- :func:`save`: write a figure to PNG (or any format matplotlib knows) with a title.
- :func:`animate`: an episode as a GIF or MP4: the body drawn by a scene (by default
  :class:`SpineScene` for a model with spinal levels, discs coloured by pressure and muscles by
  activation, else :class:`SagittalScene`, bodies and muscles coloured by activation) beside time
  series with a moving time cursor; :func:`snapshot` draws one frame.
- :func:`spine` and :func:`spine_postures`: equilibria of the spine models (discs, facets,
  foramina, nerve roots, muscles, pelvis), one panel or a grid with one colour bar per quantity.
- :func:`compare_levels` and :func:`sweep`: the tables of :func:`msk.spine.compare` as bars per
  level, and sweeps (:func:`msk.spine.sweep`, :func:`msk.study.sweep`, :func:`msk.study.cohort`)
  as lines and bands over the swept parameter; :func:`cohort`: a lifetime cohort
  (:func:`msk.study.lifetime_cohort`) as distributions over its people, per programme.

When ``path`` is given, the figure is written and is not registered with pyplot, so loops that make
many figures do not accumulate open windows or memory. Without ``path`` the figure is a regular
pyplot figure, shown by notebooks and by ``plt.show()``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from msk._animation import DrawFrame, SagittalScene, Skeleton, SpineScene, animate, snapshot
from msk._runtime import core_or_none
from msk._spine_plot import spine, spine_postures
from msk._study_plot import cohort, compare_levels, lifetime, sweep

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from msk.results import Results

__all__ = [
    "DrawFrame",
    "SagittalScene",
    "Skeleton",
    "SpineScene",
    "animate",
    "cohort",
    "compare",
    "compare_levels",
    "dashboard",
    "lifetime",
    "save",
    "snapshot",
    "spine",
    "spine_postures",
    "sweep",
]

_STYLE: dict[Any, Any] = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 9,
    "legend.framealpha": 0.85,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.6,
}

_SUPTITLE: dict[str, Any] = {"fontsize": 14, "fontweight": "bold"}

_EVENT_COLOURS = {"barrier": "tab:red", "pir_cycle_start": "tab:green"}


# --- helpers ---------------------------------------------------------------------------------


def _new_figure(width: float, height: float, registered: bool) -> Figure:
    """A constrained-layout figure, registered with pyplot only when ``registered``."""
    if registered:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=(width, height), layout="constrained")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _select(kind: str, requested: Sequence[str] | None, available: list[str]) -> list[str]:
    """The requested names (checked) or all available ones."""
    if requested is None:
        return list(available)
    if isinstance(requested, str):
        requested = [requested]
    unknown = [n for n in requested if n not in available]
    if unknown:
        raise KeyError(f"no {kind} {unknown}; these results have {kind}s {available}")
    return list(requested)


def _colours(names: Sequence[str]) -> dict[str, Any]:
    """One colour per name, stable across panels."""
    from matplotlib import colormaps

    palette = colormaps["tab10" if len(names) <= 10 else "tab20"]
    return {name: palette(i % palette.N) for i, name in enumerate(names)}


def _empty(ax: Axes, message: str) -> None:
    """Mark a panel that has nothing to show."""
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="0.45")
    ax.set_yticks([])


def _event_kind(label: str) -> str:
    return label.split(":", 1)[0]


def _short_event(label: str) -> str:
    kind, _, rest = label.partition(":")
    if kind == "pir_cycle_start":
        return f"cycle {rest}"
    return kind.replace("_", " ")


def _mark_events(ax: Axes, results: Results) -> list[Any]:
    """Vertical lines at the events. Returns legend handles, one per kind of event."""
    from matplotlib.lines import Line2D

    handles: dict[str, Any] = {}
    for t, label in zip(results.events["time"], results.events["label"]):
        kind = _event_kind(str(label))
        colour = _EVENT_COLOURS.get(kind, "0.5")
        ax.axvline(t, color=colour, linestyle=":", linewidth=1.0, alpha=0.8, zorder=0)
        handles.setdefault(
            kind, Line2D([], [], color=colour, linestyle=":", label=kind.replace("_", " "))
        )
    return list(handles.values())


def _label_events(ax: Axes, results: Results, fontsize: float = 8.0) -> list[Any]:
    """Label the events along the top of ``ax``, once the figure is laid out.

    Labels are written vertically beside their line, on its right, or on its left where the
    right would leave the panel. A label that would touch the one before it joins it ("pir
    start, barrier, cycle 1"), so no two labels overlap and none is clipped. Returns the texts.
    """
    fig = ax.figure
    fig.draw_without_rendering()  # the final layout: the pixels per second are known
    events = results.events.sort_values("time", kind="stable")
    if not len(events):
        return []
    box = ax.get_window_extent()
    x0, x1 = ax.get_xlim()
    per_second = box.width / max(x1 - x0, 1e-12)  # pixels per second
    offset = 2.0 * fig.dpi / 72.0  # the label's distance from its line [pixels]
    width = 1.25 * fontsize * fig.dpi / 72.0 + offset  # a rotated label's width [pixels]
    # Greedy, in time order: (time, labels, colour, left side?, occupied pixel span).
    placed: list[tuple[float, list[str], Any, bool, tuple[float, float]]] = []
    for t, label in zip(events["time"], events["label"]):
        t = float(t)
        x = (t - x0) * per_second
        colour = _EVENT_COLOURS.get(_event_kind(str(label)), "0.5")
        short = _short_event(str(label))
        left = x + width > box.width
        span = (x - width, x) if left else (x, x + width)
        if placed and span[0] < placed[-1][4][1]:  # touches the previous label: join it
            t0, labels, c0, side, occupied = placed[-1]
            if short not in labels:
                labels.append(short)
            if c0 != colour:  # events of several kinds: a neutral colour
                placed[-1] = (t0, labels, "0.3", side, occupied)
            continue
        placed.append((t, [short], colour, left, span))
    if len(placed) > 20:
        return []
    texts = []
    for t, labels, colour, left, _ in placed:
        text = ax.annotate(
            ", ".join(labels),
            xy=(t, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(-2 if left else 2, -2),
            textcoords="offset points",
            rotation=90,
            va="top",
            ha="right" if left else "left",
            fontsize=fontsize,
            color=colour,
            annotation_clip=False,
            bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 0.8},
        )
        text.set_in_layout(False)
        texts.append(text)
    return texts


def _pair_groups(results: Results, muscles: list[str]) -> tuple[list[str], list[str], str] | None:
    """Agonists and antagonists among ``muscles`` from the pairs of the model the results
    record (compiled from the model text in the metadata), with the pair names; None when the
    text is absent or does not compile, or leaves a muscle unpaired.
    """
    text = results.meta.get("model_text")
    if not isinstance(text, str) or "pairs" not in text:
        return None
    core = core_or_none()
    if core is None:
        return None
    try:
        pairs = core.load_model_text(text, "<results model_text>").pairs
    except (core.Error, ValueError):
        return None
    agonists: dict[str, None] = {}
    antagonists: dict[str, None] = {}
    names: list[str] = []
    for name, pair in pairs.items():
        chosen = [m for m in muscles if m in pair["agonists"]]
        opposed = [m for m in muscles if m in pair["antagonists"]]
        if chosen or opposed:
            names.append(str(name))
            agonists.update(dict.fromkeys(chosen))
            antagonists.update(dict.fromkeys(m for m in opposed if m not in agonists))
    if not agonists or not antagonists or set(muscles) - set(agonists) - set(antagonists):
        return None
    return list(agonists), list(antagonists), ", ".join(names)


def _moment_groups(
    results: Results, muscles: list[str], joint: str | None
) -> tuple[list[str], list[str]]:
    """Split muscles by the sign of their moment about ``joint`` (at its largest magnitude)."""
    positive: list[str] = []
    negative: list[str] = []
    for muscle in muscles:
        channel = f"muscle.{muscle}.moment.{joint}"
        if joint is None or channel not in results:
            positive.append(muscle)
            continue
        moment = results[channel]
        peak = moment[np.argmax(np.abs(moment))] if moment.size else 0.0
        (negative if peak < 0 else positive).append(muscle)
    return positive, negative


def _plot_channels(
    ax: Axes,
    results: Results,
    items: Sequence[tuple[str, str, Any]],
    *,
    scale: float = 1.0,
    linestyle: str = "-",
    alpha: float = 1.0,
) -> int:
    """Plot ``(channel, label, colour)`` items that exist; return how many were drawn."""
    drawn = 0
    for channel, label, colour in items:
        if channel in results:
            ax.plot(
                results.time,
                results[channel] * scale,
                linestyle=linestyle,
                color=colour,
                alpha=alpha,
                label=label,
            )
            drawn += 1
    return drawn


def _activation_panel(
    ax: Axes, results: Results, muscles: list[str], colours: dict[str, Any], title: str
) -> None:
    """Activation (solid) and excitation (dashed) of ``muscles``."""
    from matplotlib.lines import Line2D

    drawn = _plot_channels(
        ax, results, [(f"muscle.{m}.activation", m, colours[m]) for m in muscles]
    )
    drawn += _plot_channels(
        ax,
        results,
        [(f"muscle.{m}.excitation", "_nolegend_", colours[m]) for m in muscles],
        linestyle="--",
        alpha=0.7,
    )
    ax.set_title(title)
    ax.set_ylabel("Activation, excitation [1]")
    if not drawn:
        _empty(ax, "no activation channels")
        return
    ax.set_ylim(-0.03, 1.03)
    handles, _ = ax.get_legend_handles_labels()
    handles += [
        Line2D([], [], color="0.3", linestyle="-", label="activation"),
        Line2D([], [], color="0.3", linestyle="--", label="excitation"),
    ]
    ax.legend(handles=handles, loc="upper right", ncol=2)


def _title_of(results: Results) -> str:
    name = results.meta.get("model_name") or "msk"
    return f"{name}: {results.duration:.3g} s episode"


def _finish(fig: Figure, path: str | os.PathLike[str] | None, title: str | None) -> Figure:
    if title:
        fig.suptitle(title, **_SUPTITLE)
    if path is not None:
        save(fig, path)
    return fig


# --- public ----------------------------------------------------------------------------------


def dashboard(
    results: Results,
    *,
    muscles: Sequence[str] | None = None,
    joints: Sequence[str] | None = None,
    pairs: Sequence[str] | None = None,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
) -> Figure:
    """One episode on one page.

    Panels (shared time axis [s]): joint angle [deg] and examiner torque [N m]; activation
    (solid) and excitation (dashed) per muscle, agonists against antagonists when the model has
    muscle pairs (as listed in the model text of ``results.meta``, else split by the sign of the
    moment about the first joint); muscle force [N] and reflex
    excitation [1]; pair co-contraction index [1] and net moment [N m]. Events are drawn as
    dotted vertical lines (barriers red, PIR cycle starts green).

    Parameters
    ----------
    results : Results
        The episode.
    muscles, joints, pairs : sequence of str, optional
        Subsets to draw; all by default.
    path : str or path, optional
        Write the figure there (format from the suffix, e.g. ``.png``).
    title : str, optional
        Figure title; by default the model name and the episode length.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    KeyError
        A muscle, joint or pair the results do not have (the message lists those they have).
    OSError
        ``path`` cannot be written.
    """
    import matplotlib as mpl

    muscles = _select("muscle", muscles, results.muscles)
    joints = _select("joint", joints, results.joints)
    pairs = _select("pair", pairs, results.pairs)
    colours = _colours(results.muscles)
    joint_colours = _colours(joints)
    pair_colours = _colours(pairs)

    with mpl.rc_context(_STYLE):
        fig = _new_figure(13.0, 12.0, registered=path is None)
        axes = fig.subplots(4, 2, sharex=True)

        # Row 0: kinematics and what the examiner does.
        ax = axes[0, 0]
        drawn = _plot_channels(
            ax,
            results,
            [(f"joint.{j}.angle", j, joint_colours[j]) for j in joints],
            scale=180.0 / np.pi,
        )
        ax.set_title("Joint angle")
        ax.set_ylabel("Angle [deg]")
        event_handles = _mark_events(ax, results)
        if drawn:
            handles, _ = ax.get_legend_handles_labels()
            ax.legend(handles=handles + event_handles, loc="best")
        else:
            _empty(ax, "no joint channels")

        ax = axes[0, 1]
        drawn = _plot_channels(
            ax, results, [(f"examiner.{j}.torque", j, joint_colours[j]) for j in joints]
        )
        ax.set_title("Examiner torque")
        ax.set_ylabel("Torque [N m]")
        _mark_events(ax, results)
        if drawn:
            ax.axhline(0.0, color="0.6", linewidth=0.8)
            ax.legend(loc="best")
        else:
            _empty(ax, "no examiner channels")

        # Row 1: activation, agonists against antagonists when pairs exist.
        first_joint = joints[0] if joints else None
        positive, negative = _moment_groups(results, muscles, first_joint)
        paired = _pair_groups(results, muscles) if pairs else None
        if paired is not None:
            agonists, antagonists, pair_names = paired
            _activation_panel(axes[1, 0], results, agonists, colours, f"Agonists ({pair_names})")
            _activation_panel(
                axes[1, 1], results, antagonists, colours, f"Antagonists ({pair_names})"
            )
        elif pairs and positive and negative:
            _activation_panel(
                axes[1, 0], results, positive, colours, f"Positive moment at {first_joint}"
            )
            _activation_panel(
                axes[1, 1], results, negative, colours, f"Negative moment at {first_joint}"
            )
        else:
            half = (len(muscles) + 1) // 2
            _activation_panel(axes[1, 0], results, muscles[:half], colours, "Muscle activation")
            if muscles[half:]:
                _activation_panel(
                    axes[1, 1], results, muscles[half:], colours, "Muscle activation (cont.)"
                )
            else:
                axes[1, 1].set_title("Muscle activation (cont.)")
                _empty(axes[1, 1], "all muscles shown on the left")

        # Row 2: forces and reflexes.
        ax = axes[2, 0]
        drawn = _plot_channels(ax, results, [(f"muscle.{m}.force", m, colours[m]) for m in muscles])
        ax.set_title("Muscle force")
        ax.set_ylabel("Force [N]")
        if drawn:
            ax.legend(loc="best", ncol=2)
        else:
            _empty(ax, "no force channels")

        ax = axes[2, 1]
        drawn = _plot_channels(
            ax, results, [(f"muscle.{m}.reflex_excitation", m, colours[m]) for m in muscles]
        )
        ax.set_title("Stretch-reflex excitation")
        ax.set_ylabel("Reflex excitation [1]")
        if drawn:
            ax.legend(loc="best", ncol=2)
        else:
            _empty(ax, "no reflex channels")

        # Row 3: the pairs.
        ax = axes[3, 0]
        drawn = _plot_channels(ax, results, [(f"pair.{p}.cci", p, pair_colours[p]) for p in pairs])
        ax.set_title("Co-contraction index")
        ax.set_ylabel("CCI [1]")
        if drawn:
            ax.legend(loc="best")
        else:
            _empty(ax, "no muscle pairs")

        ax = axes[3, 1]
        drawn = _plot_channels(
            ax, results, [(f"pair.{p}.net_moment", p, pair_colours[p]) for p in pairs]
        )
        ax.set_title("Pair net moment")
        ax.set_ylabel("Moment [N m]")
        if drawn:
            ax.axhline(0.0, color="0.6", linewidth=0.8)
            ax.legend(loc="best")
        else:
            _empty(ax, "no muscle pairs")

        for ax in axes[1:].flat:
            _mark_events(ax, results)
        for ax in axes[-1]:
            ax.set_xlabel("Time [s]")
        if results.time.size:
            axes[0, 0].set_xlim(results.time[0], results.time[-1])
        # The title first: it takes its room before the event labels are placed.
        fig.suptitle(title if title is not None else _title_of(results), **_SUPTITLE)
        _label_events(axes[0, 0], results)
        return _finish(fig, path, None)


def compare(
    results_a: Results,
    results_b: Results,
    labels: Sequence[str] = ("A", "B"),
    *,
    muscles: Sequence[str] | None = None,
    joints: Sequence[str] | None = None,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Two episodes side by side, each row on a shared y axis so the columns compare directly.

    Rows: joint angle [deg], activation [1], muscle force [N], and, when either episode has
    muscle pairs, co-contraction index [1] and pair net moment [N m].

    Parameters
    ----------
    results_a, results_b : Results
        The two episodes (e.g. a normal and a hypertonic model under the same protocol).
    labels : pair of str
        Column titles.
    muscles, joints : sequence of str, optional
        Subsets to draw; by default the names present in either episode.
    path : str or path, optional
        Write the figure there.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        ``labels`` is not two labels.
    KeyError
        A muscle or joint neither episode has.
    OSError
        ``path`` cannot be written.
    """
    import matplotlib as mpl

    if len(labels) != 2:
        raise ValueError(f"labels: expected 2 labels, got {list(labels)}")
    both = (results_a, results_b)

    def union(attribute: str) -> list[str]:
        names: dict[str, None] = {}
        for r in both:
            names.update(dict.fromkeys(getattr(r, attribute)))
        return list(names)

    all_muscles = union("muscles")
    muscles = _select("muscle", muscles, all_muscles)
    joints = _select("joint", joints, union("joints"))
    pairs = union("pairs")
    colours = _colours(all_muscles)
    joint_colours = _colours(joints)
    pair_colours = _colours(pairs)

    rows: list[tuple[str, str, list[tuple[str, str, Any]], float]] = [
        (
            "Joint angle",
            "Angle [deg]",
            [(f"joint.{j}.angle", j, joint_colours[j]) for j in joints],
            180.0 / np.pi,
        ),
        (
            "Muscle activation",
            "Activation [1]",
            [(f"muscle.{m}.activation", m, colours[m]) for m in muscles],
            1.0,
        ),
        (
            "Muscle force",
            "Force [N]",
            [(f"muscle.{m}.force", m, colours[m]) for m in muscles],
            1.0,
        ),
    ]
    if pairs:
        rows += [
            (
                "Co-contraction index",
                "CCI [1]",
                [(f"pair.{p}.cci", p, pair_colours[p]) for p in pairs],
                1.0,
            ),
            (
                "Pair net moment",
                "Moment [N m]",
                [(f"pair.{p}.net_moment", p, pair_colours[p]) for p in pairs],
                1.0,
            ),
        ]

    with mpl.rc_context(_STYLE):
        fig = _new_figure(13.0, 2.6 * len(rows) + 1.0, registered=path is None)
        axes = fig.subplots(len(rows), 2, sharex="col", sharey="row", squeeze=False)
        for column, (results, label) in enumerate(zip(both, labels)):
            for row, (row_title, ylabel, items, scale) in enumerate(rows):
                ax = axes[row, column]
                drawn = _plot_channels(ax, results, items, scale=scale)
                _mark_events(ax, results)
                ax.set_title(f"{label}: {row_title}" if row == 0 else row_title)
                if column == 0:
                    ax.set_ylabel(ylabel)
                if drawn:
                    ax.legend(loc="best", ncol=2 if len(items) > 4 else 1)
                else:
                    _empty(ax, "no channels")
            axes[-1, column].set_xlabel("Time [s]")
            if results.time.size:
                axes[0, column].set_xlim(results.time[0], results.time[-1])
        default_title = f"{labels[0]} vs {labels[1]}"
        fig.suptitle(title if title is not None else default_title, **_SUPTITLE)
        for column, results in enumerate(both):
            _label_events(axes[0, column], results)
        return _finish(fig, path, None)


def save(
    fig: Figure, path: str | os.PathLike[str], title: str | None = None, *, dpi: int = 150
) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix, PNG by default).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : str or path
        Destination; a missing suffix means ``.png``.
    title : str, optional
        Replace the figure title before saving.
    dpi : int
        Resolution [dots per inch] for raster formats.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    OSError
        ``path`` cannot be written.
    ValueError
        A suffix matplotlib has no writer for.
    """
    path = Path(path)
    if not path.suffix:
        path = path.with_suffix(".png")
    if title is not None:
        fig.suptitle(title, fontsize=14, fontweight="bold")
    fig.savefig(path, dpi=dpi)
    return path
