"""The same postures on several models, or over a grid of overrides: :func:`compare` and
:func:`sweep`, run in parallel by msk's runner (threads by default; the core releases the GIL).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional

from msk._api import Model, as_model
from msk._parallel import run_tasks
from msk._runtime import require_core
from msk.spine.equilibria import LEVEL_FLAGS, LEVEL_UNITS, EquilibriumResult, equilibrium
from msk.spine.postures import Posture, as_posture

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = ["compare", "sweep"]


def _solve_or_none(
    kwargs: Mapping[str, Any], errors: tuple[type[BaseException], ...], task: tuple[Model, Posture]
) -> tuple[Optional[EquilibriumResult], str]:
    """(result, "") or (None, message) when the solve raises one of ``errors``."""
    model, posture = task
    try:
        return equilibrium(model, posture, **kwargs), ""
    except errors as error:
        return None, str(error)


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

    Parameters
    ----------
    models : mapping
        ``{label: model}`` (a :class:`msk.Model` or a bundled name), e.g.
        ``{"normal": lumbar, "hypertonic": lumbar.with_overrides({...})}``.
    postures : iterable of Posture or preset names
    columns : sequence of str
        Columns of :attr:`EquilibriumResult.levels` to keep.
    n_workers : int, optional
        Threads (default: one per CPU); ``1`` solves in the calling thread.
    progress : bool
        Show a progress bar.
    **kwargs
        Passed to :func:`equilibrium` (``mode``, ...).

    Returns
    -------
    pandas.DataFrame
        A (posture, level) row index and a (model label, column) column index, so that
        ``table["hypertonic"] - table["normal"]`` gives the differences; units in
        ``attrs["units"]``. A posture that one model cannot hold keeps its rows, NaN under that
        model's label; ``attrs["errors"]`` lists ``{"model", "posture", "error"}`` for each such
        solve (and a :class:`RuntimeWarning` says how many failed).

    Raises
    ------
    msk.ModelError
        A model cannot be compiled (nothing is solved).
    ValueError
        As :func:`equilibrium`, or a bad ``n_workers``.
    """
    import warnings

    import numpy as np
    import pandas as pd

    labelled = {label: as_model(m) for label, m in models.items()}
    ps = [as_posture(p) for p in postures]
    tasks = [(m, p) for m in labelled.values() for p in ps]
    core = require_core()
    outcomes = list(
        run_tasks(
            functools.partial(_solve_or_none, kwargs, (core.EquilibriumError,)),
            tasks,
            n_workers=n_workers,
            progress=progress,
            description="equilibria",
            unit="posture",
            failed=lambda outcome: outcome[0] is None,
        )
    )
    errors = []
    frames = []
    for k, (label, model) in enumerate(labelled.items()):
        for j, p in enumerate(ps):
            r, message = outcomes[k * len(ps) + j]
            if r is None:
                errors.append({"model": label, "posture": p.name, "error": message})
                df = pd.DataFrame(
                    np.nan, index=pd.Index(list(model.segment_names)), columns=list(columns)
                )
            else:
                df = r.levels[list(columns)].copy()
            df.index = pd.MultiIndex.from_product([[p.name], df.index], names=["posture", "level"])
            df.columns = pd.MultiIndex.from_product([[label], df.columns])
            frames.append(df)
    table = pd.concat(
        [pd.concat([f for f in frames if f.columns[0][0] == label]) for label in labelled],
        axis=1,
    )
    table.attrs["units"] = {c: LEVEL_UNITS.get(c, "") for c in columns}
    table.attrs["errors"] = errors
    if errors:
        failed = ", ".join(f"{e['posture']} on {e['model']}" for e in errors)
        warnings.warn(
            f"msk.spine.compare: {len(errors)} of {len(tasks)} postures could not be held "
            f"({failed}); their rows are NaN and attrs['errors'] has the messages",
            RuntimeWarning,
            stacklevel=2,
        )
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

    Raises
    ------
    msk.ModelError
        An override of the grid does not validate, before anything is solved (the message
        starts with ``msk.spine.sweep(grid=...)`` and quotes the key).
    ValueError
        As :func:`equilibrium`, or a bad ``n_workers``.
    """
    import itertools

    import numpy as np
    import xarray as xr

    base = as_model(model)
    ps = [as_posture(p) for p in postures]
    grid = dict(grid or {})
    keys = list(grid)
    combos = list(itertools.product(*[list(grid[k]) for k in keys])) if keys else [()]
    source = "msk.spine.sweep(grid=...)"
    models = [
        base.with_overrides(dict(zip(keys, c)), overrides_source=source) if keys else base
        for c in combos
    ]
    tasks = [(m, p) for m in models for p in ps]
    core = require_core()
    outcomes = run_tasks(
        functools.partial(_solve_or_none, kwargs, (core.EquilibriumError, core.ModelError)),
        tasks,
        n_workers=n_workers,
        progress=progress,
        description="equilibria",
        unit="posture",
        failed=lambda outcome: outcome[0] is None,
    )
    results: list[EquilibriumResult | None] = []
    errors: list[str] = []
    for n, (result, message) in enumerate(outcomes):
        results.append(result)
        if result is None:
            combo = dict(zip(keys, combos[n // len(ps)]))
            errors.append(f"{ps[n % len(ps)].name} {combo}: {message}")

    levels = list(base.segment_names)
    groups = list(base.groups)
    numeric = [c for c in LEVEL_UNITS if c != "region" and c not in LEVEL_FLAGS]
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
