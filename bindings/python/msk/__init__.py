"""msk: musculoskeletal simulation of agonist/antagonist muscle pairs and vertebral segments.

Quick start::

    import msk
    from msk import protocols as p

    model = msk.load_model("elbow", overrides={"muscles.BIClong.tone": "hypertonic"})
    session = p.Protocol([p.rest(1.0), p.pir("r_elbow_flex", ["BIClong"], cycles=3)],
                         initial_angles_deg={"r_elbow_flex": 90.0})
    results = msk.simulate(model, session, output="pir.h5")
    results.to_pandas()                       # one column per channel, units in df.attrs
    results.plot(path="pir.png")              # dashboard figure
    p.pir_summary(results, "r_elbow_flex")    # barrier angle, torque, stiffness per cycle
    msk.sessions.time_course(model, session)  # re-tests minutes later, the session outcome

    # days to decades of a weekly schedule: disc fluid, damage, sarcomere number (xarray.Dataset)
    msk.lifetime("lumbar", "office_worker", duration_days=28, out="office.h5")
    msk.load_lifetime("office.h5")

    # a sweep: one dimension per parameter, a scalar summary per run (xarray.Dataset)
    ds = msk.study.sweep(model, session, {"muscles.BIClong.tone.gain": [1.0, 3.0]},
                         reduce=lambda r: {"peak_force": r["muscle.BIClong.force"].max()})

The compiled core ``msk._core`` is loaded on first use of :func:`load_model`, :func:`simulate`,
the exception classes or ``__version__``; reading results files, building protocols and plotting
work without it.

Exceptions (each a C++ ``msk::`` error of the same name, see docs/guide/errors.md):

- ``Error``: base of all errors raised by the core (a ``RuntimeError``); also a run cancelled by
  its progress callback.
- ``ModelError``: a model file, run file or override does not validate; the message names the
  file, the line, the field path and what was expected.
- ``SimulationError``: the integration failed; the message gives the time [s], the channel and
  the law.
- ``EquilibriumError``: a posture cannot be held (:func:`equilibrium`); the message names the
  level and the moment the muscles lack.
- ``IoError``: a results file cannot be read or written.
- ``InvalidArgument``: a core function got an argument outside its domain.

Checks done in Python (protocol builders, ``simulate`` options, overrides, study grids) raise
``ValueError`` naming the argument and the expected range.
"""

from msk import protocols
from msk._api import Model, bundled_models, load_model, simulate
from msk._muscle_moments import MuscleMoments, muscle_moments
from msk.lifetimes import lifetime, load_lifetime, load_scenario
from msk.results import Results
from msk.spine import EquilibriumResult, Posture, equilibrium
from msk.state import State

__all__ = [
    "EquilibriumError",
    "EquilibriumResult",
    "Error",
    "InvalidArgument",
    "IoError",
    "Model",
    "ModelError",
    "MuscleMoments",
    "Posture",
    "Results",
    "SimulationError",
    "State",
    "__version__",
    "bundled_models",
    "curves",
    "equilibrium",
    "lifetime",
    "lifetimes",
    "load_lifetime",
    "load_model",
    "load_scenario",
    "muscle_moments",
    "plot",
    "protocols",
    "sessions",
    "simulate",
    "spine",
    "study",
]

_CORE_NAMES = frozenset(
    {"Error", "ModelError", "SimulationError", "EquilibriumError", "IoError", "InvalidArgument"}
)
_LAZY_SUBMODULES = frozenset({"plot", "curves", "study", "validation", "sessions"})


def __getattr__(name: str) -> object:
    """Resolve the core's exception classes, ``__version__`` and heavy submodules on first use."""
    if name in _CORE_NAMES:
        from msk._runtime import require_core

        return getattr(require_core(), name)
    if name == "__version__":
        from msk._runtime import installed_version

        return installed_version()
    if name in _LAZY_SUBMODULES:
        import importlib

        try:
            return importlib.import_module(f"msk.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"msk.{name}":
                raise
            raise AttributeError(f"msk.{name} is not available in this build of msk") from None
    raise AttributeError(f"module 'msk' has no attribute {name!r}")


def __dir__() -> list[str]:
    """msk's public names: those of ``__all__`` and the public submodules."""
    return sorted(set(__all__) | {"results", "validation"})
