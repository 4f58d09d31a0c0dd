"""Postures and posture equilibrium of the spine models (docs/theory/posture.md, spine.md).

Quick start::

    import msk

    lumbar = msk.load_model("lumbar")
    result = msk.equilibrium(lumbar, msk.Posture.preset("lift_round_back", load_kg=20))
    result.levels            # one row per level: compression_N, pressure_MPa, facet_share, ...
    result.muscles           # one row per muscle: force_N, activation, tone_activation, group
    result.plot()            # the spine in the sagittal plane

    # one level on a testing machine: 2 kN at the standing shape, a degenerated L4-L5
    msk.spine.level_loads(lumbar.with_parameters({"segments.L4-L5.degeneration": 1.0}),
                          "L4-L5", compression_N=2000)

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

The package is split by concept, each module importing only those before it:
:mod:`msk.spine.postures` (:class:`Posture`), :mod:`msk.spine.equilibria` (:func:`equilibrium`,
:func:`batch_equilibrium`, :class:`EquilibriumResult`, :class:`SpineGeometry`,
:func:`level_loads`), :mod:`msk.spine.files` (equilibrium files: :func:`save`, :func:`load`,
:class:`StoredEquilibrium`) and :mod:`msk.spine.studies` (:func:`compare`, :func:`sweep`).
Every name above is also a name of ``msk.spine``.
"""

from msk.spine.equilibria import (
    GROUP_UNITS,
    LEVEL_UNITS,
    MUSCLE_UNITS,
    EquilibriumResult,
    SpineGeometry,
    batch_equilibrium,
    equilibrium,
    level_loads,
)
from msk.spine.files import (
    EQUILIBRIUM_FORMAT,
    StoredEquilibrium,
    is_equilibrium_file,
    load,
    load_errors,
    load_table,
    save,
)
from msk.spine.postures import Posture
from msk.spine.studies import compare, sweep

__all__ = [
    "EQUILIBRIUM_FORMAT",
    "GROUP_UNITS",
    "LEVEL_UNITS",
    "MUSCLE_UNITS",
    "EquilibriumResult",
    "Posture",
    "SpineGeometry",
    "StoredEquilibrium",
    "batch_equilibrium",
    "compare",
    "equilibrium",
    "is_equilibrium_file",
    "level_loads",
    "load",
    "load_errors",
    "load_table",
    "save",
    "sweep",
]
