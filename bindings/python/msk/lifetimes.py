"""Lifetime runs: days to decades of a person's week, with the slow states of discs and muscles.

A scenario (``models/scenarios/*.yaml``) is a weekly schedule of bouts; :func:`lifetime` repeats
it day after day, solving each bout's posture equilibrium at the current slow state and
integrating the slow laws (disc fluid and creep, fatigue damage and load doses, serial sarcomere
number, strength, the carry-over of stretching and PIR sessions) over the bout. The days stream
to an HDF5 file that :func:`load_lifetime` opens as an :class:`xarray.Dataset`. Theory:
``docs/theory/lifetime.md``; guide: ``docs/guide/python.md`` ("Lifetime")::

    import msk
    model = msk.load_model("lumbar")
    summary = msk.lifetime(model, "office_worker", duration_days=28, out="office.h5")
    ds = msk.load_lifetime("office.h5")          # dims day, level, group
    ds["daily_stature_loss"].plot()               # [m]
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msk._api import Model, load_model
from msk._runtime import require_core

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "intervention",
    "lifetime",
    "lifetime_laws",
    "load_lifetime",
    "load_scenario",
    "scenario_day",
    "scenario_names",
]

LifetimeProgress = Callable[[int, int], Any]


def scenario_names() -> list[str]:
    """Names of the bundled scenarios.

    Returns
    -------
    list of str
        ``office_worker``, ``manual_handler``, ``standing_worker``, ``forward_head_office``, ...
        (the files of ``models/scenarios``), sorted.

    Raises
    ------
    ImportError
        The compiled core is missing.
    """
    return list(require_core().scenario_names())


def load_scenario(scenario: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    """A scenario as a dict: a bundled name, a YAML file, or a dict this function returned.

    Returns
    -------
    dict
        ``name``, ``description``, ``source``, ``file``, ``text`` (the YAML), ``model``, ``days``
        (template name to a list of bout dicts: ``label``, ``posture``, ``duration_s`` [s],
        ``repetitions``, ``cycle_s`` [s], ``between``, ``sleep``, ``variable``, ``load_kg``
        [kg], the posture's ``lumbar_flexion_deg``, ``thoracic_flexion_deg``,
        ``neck_flexion_deg``, ``head_flexion_deg``, ``pelvic_tilt_deg``, ``hip_flexion_deg``
        [deg], ``hand_distance_m`` [m] (None: the arms hang) and ``hand_height_m`` [m]),
        ``week`` (7 template names, Monday first), ``duration_spread`` [1] and ``seed``.

    Raises
    ------
    msk.ModelError
        The file cannot be read or is malformed (the message names file, line and field).
    """
    if isinstance(scenario, Mapping):
        return dict(scenario)
    return dict(require_core().load_scenario(os.fspath(scenario)))


def scenario_day(
    scenario: str | os.PathLike[str] | Mapping[str, Any], day: int, seed: int = -1
) -> list[dict[str, Any]]:
    """The bouts of one day with the day-to-day variation applied.

    Parameters
    ----------
    scenario : str, path or dict
        As for :func:`load_scenario`.
    day : int
        Day index, >= 0 (0 = the first Monday).
    seed : int
        Seed of the variation; -1 takes the scenario's own.

    Returns
    -------
    list of dict
        The bouts (as in :func:`load_scenario`); their ``duration_s`` add up to 86400 s.

    Raises
    ------
    msk.ModelError
        A malformed scenario.
    msk.InvalidArgument
        A negative day.
    """
    return list(require_core().scenario_day(load_scenario(scenario), int(day), int(seed)))


def intervention(
    kind: str,
    muscles: Sequence[str] = (),
    *,
    first_day: int = 0,
    last_day: int = -1,
    every_days: int = 1,
    duration_s: float = 300.0,
    outcome: Sequence[Mapping[str, Any]] = (),
    rest_day: str = "",
    intensity: float = 0.75,
    from_posture: str = "",
    to_posture: str = "",
    fraction: float = 0.5,
) -> dict[str, Any]:
    """A programme of sessions on a calendar, for :func:`lifetime`.

    Parameters
    ----------
    kind : {"pir", "stretch", "strengthen", "posture_retraining", "rest"}
        Post-isometric relaxation or static stretching of ``muscles``; loaded contractions of
        ``muscles`` (strength training, law ``strength_adaptation``); posture retraining
        (``fraction`` of the time of every held bout in the preset ``from_posture`` spent in
        ``to_posture`` instead, on the programme's days); or rest days, which follow the
        scenario's day template ``rest_day``.
    muscles : sequence of str
        Muscles or muscle groups of the model treated in each session.
    first_day, last_day : int
        First and last day (inclusive; ``last_day`` -1: to the end of the run) [day].
    every_days : int
        A session every this many days, >= 1.
    duration_s : float
        Time one session holds the muscles stretched (pir, stretch) or loaded
        (strengthen: the loaded contraction time, e.g. 3 sets of 10 repetitions of 3 s = 90) [s].
    outcome : sequence of dict
        What one session leaves per muscle: the records of :func:`msk.sessions.session_outcome`
        (``muscle``, ``tolerance_change`` [1], ``tolerance_lasts_s`` [s],
        ``resting_length_change`` [m], ``passive_lasts_s`` [s], ...).
    rest_day : str
        For ``kind="rest"``: the day template to follow.
    intensity : float
        For ``kind="strengthen"``: the muscles' activation during the loaded time, in (0, 1]
        [fraction of MVC]; gains need loads above the law's ``training_threshold`` (0.4).
    from_posture, to_posture : str
        For ``kind="posture_retraining"``: the posture presets (``msk.spine.Posture.preset``
        names), e.g. ``"sitting_slouched"`` to ``"sitting_straight"``.
    fraction : float
        For ``kind="posture_retraining"``: the share of the retrained bouts' time, in [0, 1].

    Returns
    -------
    dict
        The programme, for ``interventions=[...]`` of :func:`lifetime`.

    Raises
    ------
    ValueError
        A value that is not a number where one is expected (the rest is checked by
        :func:`lifetime`, which raises ``msk.InvalidArgument`` naming the field).
    """
    return {
        "kind": str(kind),
        "muscles": [str(m) for m in muscles],
        "first_day": int(first_day),
        "last_day": int(last_day),
        "every_days": int(every_days),
        "duration_s": float(duration_s),
        "outcome": [dict(o) for o in outcome],
        "rest_day": str(rest_day),
        "intensity": float(intensity),
        "from_posture": str(from_posture),
        "to_posture": str(to_posture),
        "fraction": float(fraction),
    }


def lifetime_laws() -> list[dict[str, Any]]:
    """Documentation of the lifetime laws.

    Returns
    -------
    list of dict
        Per law: ``name``, ``role``, ``summary``, ``equation``, ``citation``, ``hypothesis``,
        ``params`` (each with ``name``, ``unit``, ``default``, ``min``, ``max``, ``source``,
        ``description``), ``states`` and ``channels``. The keys of ``parameters=`` in
        :func:`lifetime` are ``<short>.<name>`` with short = disc (``disc_fluid_two_phase``),
        sarcomere (``sarcomere_adaptation``), damage (``spine_damage``), sessions
        (``session_effects``), strength (``strength_adaptation``) and degeneration
        (``degeneration_progression``, hypothesis H23).

    Raises
    ------
    ImportError
        The compiled core is missing.
    """
    return list(require_core().lifetime_laws())


class _DayProgress:
    """Progress after each day: a tqdm bar and/or a user callback; Ctrl-C stops cleanly."""

    def __init__(self, show_bar: bool, user: LifetimeProgress | None, name: str) -> None:
        self._show_bar, self._user, self._name = show_bar, user, name
        self._bar: Any = None
        self.failure: BaseException | None = None

    def __call__(self, done: int, total: int) -> bool:
        try:
            if self._show_bar:
                if self._bar is None:
                    from tqdm.auto import tqdm

                    self._bar = tqdm(total=total, desc=self._name, unit="day", file=sys.stderr)
                self._bar.n = done
                self._bar.refresh()
            if self._user is not None and self._user(done, total) is False:
                return False
        except BaseException as error:
            self.failure = error
            return False
        return True

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def lifetime(
    model: Model | str,
    scenario: str | os.PathLike[str] | Mapping[str, Any],
    *,
    duration_days: int = 365,
    interventions: Sequence[Mapping[str, Any]] = (),
    out: str | os.PathLike[str] | None = None,
    seed: int = -1,
    parameters: Mapping[str, float] | None = None,
    record_muscles: bool = False,
    mode: str = "",
    adapted_to: str = "scenario",
    resume: bool = False,
    progress: bool | LifetimeProgress | None = None,
) -> dict[str, Any]:
    """Run a lifetime: the scenario's week repeated for ``duration_days`` days.

    Parameters
    ----------
    model : Model or str
        A spine model (``"lumbar"``, ``"cervical"`` or one with spinal levels).
    scenario : str, path or dict
        A bundled scenario name, a scenario file, or :func:`load_scenario`'s dict.
    duration_days : int
        Days to simulate, 1 ... 36500.
    interventions : sequence of dict
        Programmes from :func:`intervention` (PIR, stretching, strengthening, rest days).
    out : str or path, optional
        HDF5 file the days stream to, flushed after a day at most once a second of wall time
        (``parameters={"flush_interval_s": 0}``: after every day) and at the end: a killed run
        leaves every day up to the last flush readable. Open it with :func:`load_lifetime`.
    seed : int
        Seed of the day-to-day variation; -1 takes the scenario's. Runs with the same seed and
        scenario have the same days, whatever their interventions.
    parameters : mapping, optional
        Law parameters by ``<law>.<name>`` (``disc.fluid_time_constant``,
        ``sarcomere.time_constant``, ``damage.ultimate_strength``, ``sessions.tone_setpoint``
        (hypothesis H20 switch), ``strength.enabled``, ``degeneration.enabled`` (hypothesis H23
        switch), ...; see :func:`lifetime_laws`) and the run's ``stature_factor``,
        ``hydration_bucket``, ``length_bucket``, ``strength_bucket``, ``degeneration_bucket``
        and ``flush_interval_s``.
    record_muscles : bool
        Also record every muscle's optimal length and strength ratios (else per group only).
    mode : str
        Posture mode of the equilibria (``""``: the equilibrium solver's default).
    adapted_to : {"scenario", "standing"}
        What the model's optimal fibre lengths are adapted to at the start: the scenario's week
        (the person has lived it for long, so only a change of life or sessions adapt the
        muscles) or relaxed standing (any life away from it adapts them).
    resume : bool
        Continue the run in ``out`` from its checkpoint (written with every flush): its finished
        days are kept and the rest simulated; the file ends up the same as an uninterrupted run's
        (same model, scenario, seed and ``record_muscles`` as the run that wrote it; without the
        file the run starts from day 0).
    progress : bool or callable, optional
        ``None``: a progress bar when stderr is a terminal; ``True``/``False``: always/never; a
        callable ``progress(days_done, days_total)`` may return ``False`` to stop the run.

    Returns
    -------
    dict
        ``n_days``; ``path``; final ``hydration`` [1] and ``creep`` [m] per level,
        ``fatigue_damage`` [1] and ``degeneration`` [1] per level, ``optimal_length_ratio`` [1],
        ``tolerance`` [1] and ``strength_ratio`` [1] (F_max / F_max,0) per muscle (model
        order); ``lifft_damage`` [1];
        ``last_day_stature_loss`` [m]; cache statistics ``n_equilibria``, ``n_cache_hits``,
        ``n_snapshots``; ``stopped``.

    Raises
    ------
    msk.InvalidArgument
        Bad options (unknown muscles, calendar or parameters).
    msk.ModelError
        A malformed scenario.
    msk.SimulationError
        A bout's equilibrium failed (the message names the day and the bout).
    """
    core = require_core()
    if not isinstance(model, Model):
        model = load_model(model)
    spec = load_scenario(scenario)
    if progress is None:
        show_bar, user = bool(getattr(sys.stderr, "isatty", lambda: False)()), None
    elif isinstance(progress, bool):
        show_bar, user = progress, None
    elif callable(progress):
        show_bar, user = False, progress
    else:
        raise ValueError(f"progress: expected None, True, False or a callable, got {progress!r}")
    reporter = _DayProgress(show_bar, user, f"{model.name} {spec['name']}")
    try:
        summary = core.simulate_lifetime(
            model.core,
            spec,
            float(duration_days),
            [dict(i) for i in interventions],
            os.fspath(out) if out is not None else "",
            int(seed),
            {str(k): float(v) for k, v in (parameters or {}).items()},
            bool(record_muscles),
            str(mode),
            str(adapted_to),
            bool(resume),
            reporter,
        )
    finally:
        reporter.close()
    if reporter.failure is not None:
        raise reporter.failure
    return dict(summary)


def load_lifetime(path: str | os.PathLike[str]) -> xr.Dataset:
    """A lifetime results file as an :class:`xarray.Dataset`.

    Dimensions: ``day`` (1 ... n: the day that ended), ``level`` (spinal levels, bottom up),
    ``group`` (muscle groups) and, when recorded, ``muscle``. Variables keep the file's channel
    names without their entity (``hydration_morning`` [1] with dims (day, level),
    ``optimal_length_ratio`` [1] with dims (day, group), ``daily_stature_loss`` [m] with dims
    (day,), ...); each has ``units`` and ``description`` attributes. The file's metadata
    (model, scenario, seed, texts) are the dataset's attributes.

    Returns
    -------
    xarray.Dataset
        Dimensions ``day`` (n,), ``level`` (n_levels,), ``group`` (n_groups,) and, when
        recorded, ``muscle``.

    Raises
    ------
    msk.IoError or OSError
        The file cannot be read.
    ValueError
        The file is not a lifetime results file.
    """
    import numpy as np
    import xarray as xr

    from msk.results import Results

    results = Results.load(Path(path))
    if results.meta.get("kind") != "lifetime":
        raise ValueError(f"{path}: expected a lifetime results file (meta kind 'lifetime')")
    days = np.rint(results.time / 86400.0).astype(int)
    # Channels "<kind>.<entity>.<quantity>" grouped by kind and quantity.
    tables: dict[tuple[str, str], dict[str, int]] = {}
    for column, name in enumerate(results.channels):
        kind, rest = name.split(".", 1)
        entity, quantity = ("body", rest) if kind == "body" else tuple(rest.rsplit(".", 1))
        tables.setdefault((kind, quantity), {})[entity] = column
    dims = {"level": "level", "group": "group", "muscle": "muscle"}
    coords: dict[str, Any] = {"day": days}
    data: dict[str, Any] = {}
    for (kind, quantity), columns in tables.items():
        first = results.channels[next(iter(columns.values()))]
        attrs = {
            "units": results.units.get(first, ""),
            "description": results.descriptions.get(first, ""),
        }
        if kind == "body":
            data[quantity] = (("day",), results.values[:, columns["body"]], attrs)
            continue
        dim = dims[kind]
        names = list(columns)
        coords.setdefault(dim, names)
        if list(coords[dim]) != names:
            raise ValueError(f"{path}: channels of {kind} {quantity} name other entities")
        values = results.values[:, [columns[n] for n in names]]
        key = quantity if quantity not in data else f"{kind}_{quantity}"
        data[key] = (("day", dim), values, attrs)
    meta = {k: v for k, v in results.meta.items() if isinstance(v, (str, int, float))}
    return xr.Dataset(data, coords=coords, attrs=meta)
