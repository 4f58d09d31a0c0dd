"""Figures of studies (re-exported by :mod:`msk.plot`).

- :func:`compare_levels`: the table of :func:`msk.spine.compare` (postures on several models) as
  grouped bars per spinal level, one panel per posture and quantity, in the table's units.
- :func:`sweep`: a variable of :func:`msk.spine.sweep` or :func:`msk.study.sweep` /
  :func:`msk.study.cohort` over a swept parameter: one line per level (or per value of ``hue``),
  a band over every other dimension, one panel per posture.
- :func:`cohort`: a lifetime cohort of :func:`msk.study.lifetime_cohort` as distributions over
  its people, one violin (or histogram) per programme, one panel per quantity.
- :func:`lifetime`: the slow states of :func:`msk.lifetime` runs over the days, per level and
  per muscle group, one line style per run.

Both take what the studies return as they are (a pandas DataFrame with ``attrs["units"]``; an
xarray Dataset whose variables carry ``attrs["units"]``) and compute nothing but the picture.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr
    from matplotlib.figure import Figure

__all__ = ["cohort", "compare_levels", "lifetime", "sweep"]

#: Readable names of the levels table's columns, for axis labels.
QUANTITY_NAMES = {
    "angle_deg": "level angle",
    "compression_N": "compression",
    "shear_N": "shear",
    "disc_force_N": "disc force",
    "pressure_MPa": "intradiscal pressure",
    "facet_force_N": "facet force",
    "facet_share": "facet share of compression",
    "ligament_force_N": "ligament force",
    "disc_height_mm": "disc height",
    "posterior_disc_height_mm": "posterior disc height",
    "foramen_height_mm": "foramen height",
    "passive_moment_N_m": "passive moment",
    "reserve_N_m": "moment reserve",
    "degeneration": "degeneration",
    "load_pressure_MPa": "load pressure",
    "swelling_pressure_MPa": "swelling pressure",
    "shear_disc_N": "disc shear",
    "shear_facet_N": "facet shear",
    "shear_facet_share": "facet share of shear",
    "shear_ultimate_ratio": "shear / ultimate shear",
    "foramen_width_mm": "foramen width",
    "foramen_area_mm2": "foramen area",
    "flavum_buckling_mm": "flavum buckling",
    "nerve_root_risk": "nerve-root risk",
}

#: Units in the column names that are not SI written out as they read on an axis.
_UNIT_TEXT = {"mm^2": "mm²", "N m": "N·m", "": "1"}


def axis_label(name: str, unit: str | None) -> str:
    """``"intradiscal pressure [MPa]"`` from a column or variable name and its unit.

    Parameters
    ----------
    name : str
        A column of the levels table (``"pressure_MPa"``) or any variable name.
    unit : str or None
        Its unit (``"MPa"``, ``"1"``, ``""`` for a dimensionless number); None: no unit known.

    Returns
    -------
    str
        The readable name and the unit in brackets (no brackets when the unit is unknown).

    Raises
    ------
    Nothing
    """
    readable = QUANTITY_NAMES.get(name, name.replace("_", " "))
    if unit is None:
        return readable
    return f"{readable} [{_UNIT_TEXT.get(unit, unit)}]"


def _new_figure(width: float, height: float, registered: bool) -> Figure:
    """A constrained-layout figure, registered with pyplot only when ``registered``."""
    if registered:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=(width, height), layout="constrained")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def compare_levels(
    table: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    postures: Sequence[str] | None = None,
    title: str | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Figure:
    """The result of :func:`msk.spine.compare` as grouped bars per level.

    One panel per (quantity, posture): rows are the quantities (``columns``), columns the
    postures; in each panel the spinal levels run along x, bottom level first, with one bar per
    model label (e.g. normal and hypertonic) side by side. Each row shares its y axis, labelled
    with the quantity and its unit (``table.attrs["units"]``). Flag columns (bool) are drawn as
    0 or 1.

    Parameters
    ----------
    table : pandas.DataFrame
        As :func:`msk.spine.compare` returns it: rows (posture, level), columns (model label,
        quantity), units in ``attrs["units"]`` (``{quantity: unit}``).
    columns : sequence of str, optional
        Quantities to draw (default: every quantity of the table, in its order).
    postures : sequence of str, optional
        Postures to draw (default: all, in the table's order).
    title : str, optional
        Figure title.
    path : str or path, optional
        Write the figure there (format from the suffix); the figure is then not registered with
        pyplot.

    Returns
    -------
    matplotlib.figure.Figure
        ``len(columns)`` rows by ``len(postures)`` columns of panels, about 3.2 x 2.4 inch each.

    Raises
    ------
    ValueError
        ``table`` is not shaped as :func:`msk.spine.compare` returns it.
    KeyError
        A quantity or posture the table does not have (the message lists those it has).
    OSError
        ``path`` cannot be written.
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame) or not (
        isinstance(table.index, pd.MultiIndex)
        and table.index.nlevels == 2
        and isinstance(table.columns, pd.MultiIndex)
        and table.columns.nlevels == 2
    ):
        raise ValueError(
            "table: expected the DataFrame of msk.spine.compare (rows (posture, level), "
            "columns (model label, quantity))"
        )
    labels = list(dict.fromkeys(table.columns.get_level_values(0)))
    available = list(dict.fromkeys(table.columns.get_level_values(1)))
    all_postures = list(dict.fromkeys(table.index.get_level_values(0)))
    if isinstance(columns, str):
        columns = [columns]
    columns = list(available if columns is None else columns)
    postures = list(all_postures if postures is None else postures)
    unknown = [c for c in columns if c not in available]
    if unknown:
        raise KeyError(f"columns: no quantity {unknown}; the table has {available}")
    unknown = [p for p in postures if p not in all_postures]
    if unknown:
        raise KeyError(f"postures: no posture {unknown}; the table has {all_postures}")
    units = dict(table.attrs.get("units", {}))
    palette = _palette(len(labels))

    nrows, ncols = len(columns), len(postures)
    fig = _new_figure(0.6 + 3.2 * ncols, 0.8 + 2.4 * nrows, registered=path is None)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey="row")
    width = 0.8 / max(len(labels), 1)
    for i, column in enumerate(columns):
        for j, posture in enumerate(postures):
            ax = axes[i, j]
            rows = table.xs(posture, level=0)
            levels = list(rows.index)
            x = np.arange(len(levels))
            for k, label in enumerate(labels):
                values = rows[(label, column)].to_numpy(dtype=float)
                ax.bar(
                    x + (k - (len(labels) - 1) / 2) * width,
                    values,
                    width=width * 0.95,
                    color=palette[k],
                    label=str(label),
                    zorder=2,
                )
            ax.set_xticks(x, levels, rotation=45 if len(levels) > 6 else 0, fontsize=8)
            ax.axhline(0.0, color="0.5", lw=0.6, zorder=1)
            ax.grid(True, axis="y", alpha=0.3, zorder=0)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            if i == 0:
                ax.set_title(str(posture).replace("_", " "), fontsize=10)
            if j == 0:
                ax.set_ylabel(axis_label(column, units.get(column)), fontsize=9)
            if i == nrows - 1:
                ax.set_xlabel("level", fontsize=9)
    if len(labels) > 1:
        handles, names = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside upper center", ncols=len(labels), fontsize=9)
    if title:
        fig.suptitle(title, fontsize=12)
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig


def _palette(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


#: Units that a name's suffix tells (``speed_deg_s``, ``load_kg``), longest first.
_SUFFIX_UNITS = (
    ("_deg_s", "deg/s"),
    ("_pct_mvc", "% MVC"),
    ("_mm2", "mm²"),
    ("_MPa", "MPa"),
    ("_N_m", "N·m"),
    ("_deg", "deg"),
    ("_mm", "mm"),
    ("_kg", "kg"),
    ("_N", "N"),
    ("_m", "m"),
    ("_s", "s"),
)


def _coordinate_label(
    ds: xr.Dataset | xr.DataArray, dim: str, units: Mapping[str, str] | None = None
) -> str:
    """A dimension's name with its unit: from ``units``, the coordinate's ``attrs["units"]``
    (msk.study sets them), or the name's suffix (``speed_deg_s``)."""
    unit = (units or {}).get(dim)
    if unit is None and dim in ds.coords:
        unit = ds.coords[dim].attrs.get("units")
    if unit is None:
        last = dim.split(".")[-1]
        unit = next((u for suffix, u in _SUFFIX_UNITS if last.endswith(suffix)), None)
    return f"{dim} [{_UNIT_TEXT.get(unit, unit)}]" if unit else dim


def _numeric(values: Any) -> bool:
    try:
        np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


def sweep(
    dataset: xr.Dataset,
    variable: str,
    *,
    x: str | None = None,
    hue: str | None = None,
    panels: str | None = None,
    band: bool = True,
    units: Mapping[str, str] | None = None,
    title: str | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Figure:
    """A variable of a sweep over a swept parameter: lines (and bands) per level or per ``hue``.

    Works on what :func:`msk.spine.sweep` returns (dimensions: the grid keys, ``posture``,
    ``level``) and on :func:`msk.study.sweep` and :func:`msk.study.cohort` datasets (one
    dimension per swept parameter, or ``person``). The variable is drawn against ``x``; one line
    per value of ``hue`` (default ``level`` when the variable has it); one panel per value of
    ``panels`` (default ``posture`` when it has it). Every other dimension is summarised: its
    mean as the line and, when ``band``, its range (minimum to maximum) as a shaded band, so a
    cohort (``person``) shows as a distribution. Combinations that failed (NaN) leave gaps; a
    panel says how many points failed.

    Parameters
    ----------
    dataset : xarray.Dataset
        The sweep.
    variable : str
        A data variable of ``dataset``, e.g. ``"pressure_MPa"``; its unit is
        ``dataset[variable].attrs["units"]``.
    x : str, optional
        The dimension along x (default: the first dimension that is not ``posture``, ``level``,
        ``person`` or ``time``; its coordinate's ``attrs["units"]`` labels the axis).
    hue : str, optional
        The dimension drawn as separate lines (default ``level`` when present, else none).
    panels : str, optional
        The dimension drawn as separate panels (default ``posture`` when present, else none).
    band : bool
        Shade the range over the remaining dimensions.
    units : mapping, optional
        ``{dimension: unit}`` for the x axis where the coordinate carries no ``attrs["units"]``
        (:func:`msk.spine.sweep`'s grid keys do not), e.g.
        ``{"groups.erector_spinae.tone.threshold_offset": "L_opt"}``; otherwise the unit a name's
        suffix tells (``speed_deg_s``: deg/s).
    title : str, optional
        Figure title (default: the variable and the model when ``attrs["model"]`` says it).
    path : str or path, optional
        Write the figure there; the figure is then not registered with pyplot.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per value of ``panels`` in a row (at most four per row), about 3.6 x 2.8 inch
        each.

    Raises
    ------
    KeyError
        ``variable`` is not a variable of the dataset, or ``x``, ``hue`` or ``panels`` is not
        one of its dimensions (the message lists them).
    ValueError
        ``x``, ``hue`` and ``panels`` are not three different dimensions, or the variable has
        no dimension to put along x.
    OSError
        ``path`` cannot be written.
    """
    if variable not in dataset.data_vars:
        raise KeyError(f"variable: no {variable!r}; the dataset has {sorted(dataset.data_vars)}")
    data = dataset[variable]
    dims = list(data.dims)
    for name, value in (("x", x), ("hue", hue), ("panels", panels)):
        if value is not None and value not in dims:
            raise KeyError(f"{name}: {variable!r} has no dimension {value!r}; it has {dims}")
    if panels is None and "posture" in dims and x != "posture" and hue != "posture":
        panels = "posture"
    if hue is None and "level" in dims and x != "level" and panels != "level":
        hue = "level"
    if x is None:
        candidates = [d for d in dims if d not in ("posture", "level", "person", "time")]
        candidates = [d for d in candidates if d not in (hue, panels)]
        if not candidates:
            raise ValueError(
                f"x: {variable!r} has no swept dimension to draw along x (dimensions {dims})"
            )
        x = candidates[0]
    chosen = [d for d in (x, hue, panels) if d is not None]
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"x, hue, panels: expected different dimensions, got {chosen}")
    rest = [d for d in dims if d not in chosen]

    panel_values = list(data[panels].values) if panels else [None]
    hue_values = list(data[hue].values) if hue else [None]
    numeric_x = _numeric(data[x].values) if x in data.coords else False
    xs = np.asarray(data[x].values, dtype=float) if numeric_x else np.arange(data.sizes[x])
    palette = _palette(len(hue_values))
    if len(hue_values) > 1 and hue == "level":
        from matplotlib import colormaps

        cmap = colormaps["viridis"]
        palette = [cmap(k / max(len(hue_values) - 1, 1) * 0.9) for k in range(len(hue_values))]
    unit = data.attrs.get("units")

    ncols = min(len(panel_values), 4)
    nrows = -(-len(panel_values) // ncols)
    fig = _new_figure(0.8 + 3.6 * ncols, 0.9 + 2.8 * nrows, registered=path is None)
    axes = list(fig.subplots(nrows, ncols, squeeze=False, sharey=True).ravel())
    for ax in axes[len(panel_values) :]:
        ax.set_visible(False)
    for ax, pv in zip(axes, panel_values):
        sub = data.sel({panels: pv}) if panels else data
        failed = 0
        for k, hv in enumerate(hue_values):
            line = sub.sel({hue: hv}) if hue else sub
            line = line.transpose(x, *rest)
            values = np.asarray(line.values, dtype=float).reshape(len(xs), -1)
            failed += int(np.isnan(values).sum())
            with warnings.catch_warnings():  # all-NaN rows (failed points) stay NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                mean = np.nanmean(values, axis=1)
                low, high = np.nanmin(values, axis=1), np.nanmax(values, axis=1)
            label = None if hv is None else str(hv)
            ax.plot(xs, mean, marker="o", ms=3.5, color=palette[k], label=label, zorder=3)
            if band and values.shape[1] > 1:
                ax.fill_between(xs, low, high, color=palette[k], alpha=0.18, lw=0, zorder=2)
        if not numeric_x:
            ax.set_xticks(xs, [str(v) for v in data[x].values], fontsize=8)
        ax.set_xlabel(_coordinate_label(dataset, x, units), fontsize=9)
        if pv is not None:
            ax.set_title(str(pv).replace("_", " "), fontsize=10)
        if failed:
            ax.text(
                0.98,
                0.02,
                f"{failed} point(s) failed",
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=7,
                color="tab:red",
            )
        ax.grid(True, alpha=0.3)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    for row in range(nrows):
        axes[row * ncols].set_ylabel(axis_label(variable, unit), fontsize=9)
    if hue and len(hue_values) > 1:
        handles, names = axes[0].get_legend_handles_labels()
        heading = hue if not rest or not band else f"{hue} (band: range over {', '.join(rest)})"
        fig.legend(
            handles,
            names,
            loc="outside right upper",
            fontsize=8,
            title=heading,
            title_fontsize=8,
        )
    elif band and rest:
        axes[0].text(
            0.02,
            0.98,
            f"line: mean, band: range over {', '.join(rest)}",
            transform=axes[0].transAxes,
            va="top",
            fontsize=7,
            color="0.3",
        )
    model = dataset.attrs.get("model")
    default = axis_label(variable, unit) + (f", {model}" if model else "")
    fig.suptitle(title if title is not None else default, fontsize=11)
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig


#: The slow states a lifetime figure shows by default: (variable, readable name, scale, unit
#: shown). Level variables first, then group variables.
_LIFETIME_PANELS = (
    ("hydration_morning", "disc fluid on waking", 1.0, "1"),
    ("disc_height_loss_max", "largest daily disc height loss", 1e3, "mm"),
    ("fatigue_damage", "fatigue damage (Miner's sum)", 1.0, "1"),
    ("facet_share_mean", "mean facet share", 100.0, "%"),
    ("foramen_height_min", "smallest foramen height", 1e3, "mm"),
    ("compression_max", "largest compression", 1.0, "N"),
    ("optimal_length_ratio", "optimal fibre length / initial", 1.0, "1"),
    ("tone_shift", "tone threshold shift (H20)", 1.0, "L_opt"),
    ("tolerance", "carried-over stretch tolerance", 1.0, "1"),
)


def lifetime(
    runs: Any,
    *,
    variables: Sequence[str] | None = None,
    levels: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
) -> Figure:
    """The slow states of lifetime runs over the days: one panel per variable, one colour per
    level or muscle group, one line style per run.

    Parameters
    ----------
    runs : xarray.Dataset or mapping
        What :func:`msk.load_lifetime` returns, or ``{label: dataset}`` to compare runs (e.g.
        programmes of the same person).
    variables : sequence of str, optional
        Variables to draw (default: those of :data:`_LIFETIME_PANELS` the runs have and that
        are not zero throughout every run:
        ``hydration_morning``, ``disc_height_loss_max``, ``fatigue_damage``,
        ``facet_share_mean``, ``foramen_height_min``, ``compression_max`` per level;
        ``optimal_length_ratio``, ``tone_shift``, ``tolerance`` per group). Any variable of the
        dataset with dims ``(day,)``, ``(day, level)`` or ``(day, group)`` may be named.
    levels, groups : sequence of str, optional
        Levels and muscle groups to draw (default: every level; the groups whose optimal length,
        tone or tolerance changes in some run, else the first three).
    path : str or path, optional
        Write the figure there (PNG, PDF, ... by suffix).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Days on the x axis (weeks when a run is longer than 10 weeks).

    Raises
    ------
    ValueError
        ``runs`` is empty, or a run is not a lifetime dataset (no ``day`` dimension; read a
        file with :func:`msk.load_lifetime`).
    KeyError
        A variable, level or group the runs do not have (the message lists those they have).
    OSError
        ``path`` cannot be written.
    """
    import xarray as xr

    if isinstance(runs, xr.Dataset):
        runs = {"": runs}
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError("runs: expected a lifetime Dataset or {label: Dataset}")
    datasets: dict[str, xr.Dataset] = {}
    for label, run in runs.items():
        if not isinstance(run, xr.Dataset) or "day" not in run.dims:
            raise ValueError(
                f"runs[{label!r}]: expected a lifetime dataset (dimension 'day'; read a file "
                "with msk.load_lifetime)"
            )
        datasets[str(label)] = run
    first = next(iter(datasets.values()))
    if variables is None:
        # The default panels the runs have, leaving out those that stay zero in every run
        # (e.g. the H20 tone shift when the hypothesis is off).
        variables = [
            v
            for v, *_ in _LIFETIME_PANELS
            if v in first.data_vars
            and any(
                v in ds and np.nanmax(np.abs(np.asarray(ds[v].values, dtype=float))) > 0.0
                for ds in datasets.values()
            )
        ]
    missing = [v for v in variables if v not in first.data_vars]
    if missing:
        raise KeyError(f"variables: no variable {missing}; the runs have {list(first.data_vars)}")
    all_levels = [str(x) for x in first["level"].values] if "level" in first.dims else []
    all_groups = [str(x) for x in first["group"].values] if "group" in first.dims else []
    levels = list(all_levels if levels is None else levels)
    unknown = [x for x in levels if x not in all_levels]
    if unknown:
        raise KeyError(f"levels: no level {unknown}; the runs have {all_levels}")
    if groups is None:
        moving = []
        for g in all_groups:
            for ds in datasets.values():
                for v in ("optimal_length_ratio", "tone_shift", "tolerance"):
                    if v in ds and float(np.ptp(ds[v].sel(group=g).values)) > 1e-9:
                        moving.append(g)
                        break
                if g in moving:
                    break
        groups = moving or all_groups[:3]
    groups = list(groups)
    unknown = [x for x in groups if x not in all_groups]
    if unknown:
        raise KeyError(f"groups: no group {unknown}; the runs have {all_groups}")

    panels = {v: (name, scale, unit) for v, name, scale, unit in _LIFETIME_PANELS}
    n = len(variables)
    ncols = min(3, max(n, 1))
    nrows = (n + ncols - 1) // ncols
    fig = _new_figure(0.8 + 4.2 * ncols, 0.9 + 2.8 * nrows, registered=path is None)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    styles = ["-", "--", ":", "-."]
    n_days = max(int(ds.sizes["day"]) for ds in datasets.values())
    in_weeks = n_days > 70
    level_colours = dict(zip(levels, _palette(len(levels))))
    group_colours = dict(zip(groups, _palette(len(groups))))
    legends: set[str] = set()
    for k, variable in enumerate(variables):
        ax = axes[k // ncols, k % ncols]
        name, scale, unit = panels.get(
            variable, (variable.replace("_", " "), 1.0, first[variable].attrs.get("units", ""))
        )
        for r, ds in enumerate(datasets.values()):
            da = ds[variable]
            day = np.asarray(ds["day"].values, dtype=float)
            x = day / 7.0 if in_weeks else day
            style = styles[r % len(styles)]
            if "level" in da.dims:
                series = [(lv, level_colours[lv], da.sel(level=lv)) for lv in levels]
            elif "group" in da.dims:
                series = [(g, group_colours[g], da.sel(group=g)) for g in groups]
            else:
                series = [("", "0.2", da)]
            for entity, colour, values in series:
                ax.plot(
                    x,
                    scale * np.asarray(values.values, dtype=float),
                    style,
                    color=colour,
                    label=entity if r == 0 else None,
                )
        ax.set_title(name, fontsize=10)
        ax.set_ylabel(f"[{unit}]", fontsize=9)
        ax.set_xlabel("week" if in_weeks else "day", fontsize=9)
        ax.grid(True, alpha=0.3)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        # One legend per kind of entity, on its first panel.
        kind = next((d for d in ("level", "group") if d in first[variable].dims), "")
        if kind and kind not in legends:
            legends.add(kind)
            ax.legend(fontsize=7, ncols=2 if len(series) > 3 else 1)
    for k in range(n, nrows * ncols):
        axes[k // ncols, k % ncols].set_visible(False)
    if len(datasets) > 1:
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], color="0.2", linestyle=styles[r % len(styles)], label=label)
            for r, label in enumerate(datasets)
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=len(datasets), fontsize=9)
    if title:
        fig.suptitle(title, fontsize=12)
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig


#: The default panels of :func:`cohort`: variable, dimension selected (level or group), scale,
#: offset and axis label.
_COHORT_PANELS = (
    ("disc_height_loss_max", "level", 1000.0, 0.0, "largest daily disc height loss [mm]"),
    ("fatigue_damage", "level", 1.0, 0.0, "fatigue damage, end of run (Miner's sum) [1]"),
    ("facet_share_mean", "level", 1.0, 0.0, "facet share of compression [1]"),
    ("optimal_length_ratio", "group", 100.0, -1.0, "optimal fibre length change [%]"),
)


def cohort(
    dataset: xr.Dataset,
    variables: Sequence[str] | None = None,
    *,
    level: str | None = None,
    group: str | None = None,
    kind: str = "violin",
    title: str | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Figure:
    """Distributions over the people of a lifetime cohort, one per programme, side by side.

    Parameters
    ----------
    dataset : xarray.Dataset
        What :func:`msk.study.lifetime_cohort` returned (or :func:`msk.study.load_cohort`).
    variables : sequence of str, optional
        Variables to draw, one panel each (a variable with a ``level`` or ``group`` dimension
        is taken at ``level`` / ``group``). Default: the largest daily disc height loss [mm],
        the fatigue damage at the end of the run, the facet share of compression (at ``level``)
        and the change of optimal fibre length [%] (at ``group``), each as summarised by the
        cohort (docs/guide/python.md, "Lifetime cohorts").
    level : str, optional
        Spinal level of the level quantities (default ``"L4-L5"`` when the model has it, else
        the first level).
    group : str, optional
        Muscle group of the group quantities (default ``"erector_spinae"`` when present, else
        the first group).
    kind : {"violin", "hist"}
        Violins with the median and every person as a dot (under each programme after the first,
        the median over the people of its difference from the first programme: the same people
        under both), or overlaid histograms.
    title : str, optional
        Figure title (default: the scenario, the number of people and the duration).
    path : str or path, optional
        Write the figure there.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        An unknown variable, level or group, an unknown ``kind``, or a dataset without
        ``person`` and ``programme`` dimensions.
    """
    if kind not in ("violin", "hist"):
        raise ValueError(f"kind: expected 'violin' or 'hist', got {kind!r}")
    if "person" not in dataset.dims or "programme" not in dataset.dims:
        raise ValueError("dataset: expected a lifetime cohort (dimensions person and programme)")
    levels = [str(v) for v in dataset["level"].values] if "level" in dataset.coords else []
    groups = [str(v) for v in dataset["group"].values] if "group" in dataset.coords else []
    if level is None and levels:
        level = "L4-L5" if "L4-L5" in levels else levels[0]
    if group is None and groups:
        group = "erector_spinae" if "erector_spinae" in groups else groups[0]
    if level is not None and levels and level not in levels:
        raise ValueError(f"level: expected one of {', '.join(levels)}, got {level!r}")
    if group is not None and groups and group not in groups:
        raise ValueError(f"group: expected one of {', '.join(groups)}, got {group!r}")
    if variables is None:
        panels = [p for p in _COHORT_PANELS if p[0] in dataset]
    else:
        panels = []
        for name in variables:
            if name not in dataset:
                raise ValueError(
                    f"variables: {name!r} is not a variable of the cohort; it has "
                    f"{', '.join(v for v in dataset.data_vars if dataset[v].dtype != object)}"
                )
            var = dataset[name]
            dim = "level" if "level" in var.dims else "group" if "group" in var.dims else ""
            unit = var.attrs.get("units")
            panels.append((name, dim, 1.0, 0.0, axis_label(name, unit if unit else None)))
    if not panels:
        raise ValueError("dataset: none of the variables to draw is in the cohort")

    programmes = [str(p) for p in dataset["programme"].values]
    colours = _palette(len(programmes))
    ncols = 2 if len(panels) > 1 else 1
    nrows = -(-len(panels) // ncols)
    fig = _new_figure(5.2 * ncols, 3.6 * nrows, path is None)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    for ax, (name, dim, scale, offset, label) in zip(axes.flat, panels):
        var = dataset[name]
        where = ""
        if dim == "level" and "level" in var.dims:
            var, where = var.sel(level=level), f" at {level}"
        elif dim == "group" and "group" in var.dims:
            var, where = var.sel(group=group), f", {group}"
        extra = [d for d in var.dims if d not in ("person", "programme")]
        if extra:
            raise ValueError(f"variables: {name!r} has dimensions {extra} besides person/programme")
        raw = [
            (np.asarray(var.sel(programme=p).values, dtype=float) + offset) * scale
            for p in programmes
        ]
        values = [v[np.isfinite(v)] for v in raw]
        unit = label.rsplit(" [", 1)[1].rstrip("]") if " [" in label else ""
        if kind == "violin":
            _violins(ax, values, colours)
            ticks = [programmes[0]]
            for k in range(1, len(programmes)):
                # The same people under both programmes: the median of their differences.
                paired = raw[k] - raw[0]
                paired = paired[np.isfinite(paired)]
                shift = f"{float(np.median(paired)):+.2g}" if paired.size else "n/a"
                ticks.append(f"{programmes[k]}\nmedian Δ {shift}")
            ax.set_xticks(range(len(programmes)), ticks)
            ax.set_ylabel(f"[{unit}]" if unit else "")
            ax.set_xlim(-0.6, len(programmes) - 0.4)
        else:
            finite = np.concatenate([v for v in values if v.size] or [np.zeros(0)])
            if finite.size:
                low, high = float(finite.min()), float(finite.max())
                if high <= low:
                    low, high = low - 0.5 * (abs(low) or 1.0), high + 0.5 * (abs(high) or 1.0)
                bins = np.linspace(low, high, 21)
                styles = ("-", "--", ":", "-.")
                for k, (v, colour, programme) in enumerate(zip(values, colours, programmes)):
                    if v.size:
                        ax.hist(
                            v,
                            bins=bins,
                            histtype="step",
                            color=colour,
                            lw=1.6,
                            ls=styles[k % len(styles)],
                            label=f"{programme} (n={v.size})",
                        )
                ax.legend()
            ax.set_xlabel(label)
            ax.set_ylabel("people")
        ax.set_title(f"{label.split(' [')[0]}{where}", fontsize=11)
    if title is None:
        days = dataset.attrs.get("options", "")
        try:
            import json

            duration = json.loads(days).get("duration_days")
        except (ValueError, AttributeError):
            duration = None
        title = f"{dataset.attrs.get('scenario', 'cohort')}: {dataset.sizes['person']} people" + (
            f", {duration} days" if duration else ""
        )
    import textwrap

    fig.suptitle(textwrap.fill(title, 40 * ncols + 10), fontsize=13, fontweight="bold")
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig


def _violins(ax: Any, values: Sequence[np.ndarray], colours: Sequence[Any]) -> None:
    """One violin per programme (when its values spread), its median as a bar and every person
    as a dot (jittered across, the same jitter for every programme)."""
    rng = np.random.default_rng(0)
    for k, (v, colour) in enumerate(zip(values, colours)):
        if not v.size:
            ax.text(k, 0.5, "no runs", ha="center", transform=ax.get_xaxis_transform())
            continue
        if v.size > 1 and np.ptp(v) > 1e-12 * max(1.0, float(np.abs(v).max())):
            parts = ax.violinplot([v], positions=[k], widths=0.8, showextrema=False)
            for body in parts["bodies"]:
                body.set_facecolor(colour)
                body.set_edgecolor(colour)
                body.set_alpha(0.35)
        jitter = rng.uniform(-0.12, 0.12, v.size)
        ax.scatter(k + jitter, v, s=8, color=colour, alpha=0.7, lw=0, zorder=3)
        median = float(np.median(v))
        ax.plot([k - 0.3, k + 0.3], [median, median], color="black", lw=1.6, zorder=4)
