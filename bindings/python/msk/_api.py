"""Loading models and running episodes: the typed front of the compiled core ``msk._core``.

The core is imported on first use, so the pure-Python parts of the package (results, protocols,
plots) work on a machine where the extension is not built.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Optional

from msk._names import did_you_mean, listing
from msk._overrides import check_override_keys as _check_override_keys
from msk._overrides import flatten_overrides, load_with_overrides
from msk._runtime import installed_version, require_core
from msk.protocols import ProtocolLike, as_protocol_dict, rest
from msk.results import Results
from msk.state import State, as_state

__all__ = [
    "Model",
    "as_model",
    "bundled_models",
    "check_override_keys",
    "flatten_overrides",
    "installed_version",
    "load_model",
    "require_core",
    "simulate",
    "solver_options",
]

STEPPERS = ("dopri5", "rosenbrock4")
"""Integrators of the core: explicit Dormand-Prince 5(4), and Rosenbrock 4 for stiff models."""

ProgressCallback = Callable[[float, float], Optional[bool]]
"""``progress(t_done, t_end)`` with times in seconds; returning ``False`` cancels the run."""


# --- models ----------------------------------------------------------------------------------

_BUNDLED_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")
_YAML_SUFFIXES = (".yaml", ".yml")
_OPENSIM_SUFFIX = ".osim"


def bundled_models() -> list[str]:
    """Names of the models shipped with the package (``msk/models/<name>.yaml``), sorted.

    Returns
    -------
    list of str
        E.g. ``["cervical", "elbow", "lumbar"]``; empty when the package has no models folder.

    Raises
    ------
    Nothing
    """
    from importlib.resources import files

    folder = files("msk") / "models"
    if not folder.is_dir():
        return []
    return sorted(
        entry.name.rsplit(".", 1)[0]
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith(_YAML_SUFFIXES)
    )


class Model:
    """A compiled, immutable musculoskeletal model.

    Create it with :func:`load_model` or :meth:`Model.from_text`; derive variants with
    :meth:`with_overrides` (the original is never changed, so sweeps are safe).

    Attributes
    ----------
    name : str
        Model name from the file.
    file : str
        File the model was read from (``"<string>"`` for text).
    text : str
        Model YAML after overrides: enough to rebuild the model exactly.
    muscle_names, joint_names, pair_names : list of str
        Entities of the model.
    channel_names, channel_units : list of str
        Output channels an episode records, and their units.
    warnings : list of str
        What the import of the model (e.g. from OpenSim) approximated or left out.
    """

    __slots__ = ("_core_model",)

    def __init__(self, core_model: Any) -> None:
        self._core_model = core_model

    @classmethod
    def from_text(
        cls,
        text: str,
        overrides: Mapping[str, Any] | None = None,
        file: str = "<string>",
        *,
        overrides_source: str | None = None,
    ) -> Model:
        """Compile a model from YAML text.

        Parameters
        ----------
        text : str
            Model YAML.
        overrides : mapping, optional
            Field overrides, flat (dotted paths) or nested; see :func:`load_model`.
        file : str
            Name used in error messages and stored in results metadata.
        overrides_source : str, optional
            Who gave ``overrides``, to start the messages of their errors with (e.g. a run
            file's path and section); default ``"msk.Model.from_text(overrides=...)"``.

        Returns
        -------
        Model

        Raises
        ------
        msk.ModelError
            The YAML does not validate (the message names file, line and field), or an override
            does not (the message names ``overrides_source`` and the key as given, with the
            valid names and a "did you mean" for a misspelt muscle, group, body or choice).
        ValueError
            An override is not a plain value, is NaN or infinite, or is given twice.
        """
        core = require_core()
        source = overrides_source or "msk.Model.from_text(overrides=...)"
        return cls(
            load_with_overrides(
                lambda overrides_text, who: core.load_model_text(text, file, overrides_text, who),
                overrides,
                source,
            )
        )

    def with_overrides(
        self, overrides: Mapping[str, Any], *, overrides_source: str | None = None
    ) -> Model:
        """A new model with ``overrides`` applied on top of this one (this model is unchanged).

        Parameters
        ----------
        overrides : mapping
            Field overrides, flat (dotted paths) or nested; see :func:`load_model`.
        overrides_source : str, optional
            Who gave them, for error messages; default ``"msk.Model.with_overrides(...)"``.

        Returns
        -------
        Model

        Raises
        ------
        msk.ModelError, ValueError
            As :meth:`from_text`.
        """
        return Model.from_text(
            self.text,
            overrides,
            self.file,
            overrides_source=overrides_source or "msk.Model.with_overrides(...)",
        )

    def with_parameters(self, changes: Mapping[str, float]) -> Model:
        """A new model with parameters changed on the compiled model, without recompiling its text.

        Much faster than :meth:`with_overrides` (microseconds instead of tens of milliseconds on
        the lumbar model) and with the same results as the same change made through overrides.
        The new model shares everything that did not change with this one; :attr:`text` still
        holds this model's text (the change is recorded in results metadata by the caller).

        Parameters
        ----------
        changes : mapping of str to float
            Parameter name to value in SI units, e.g. ``{"muscles.BIClong.optimal_fibre_length":
            0.12, "groups.erector_spinae.tone.gain": 3.0, "segments.L4-L5.disc.height": 0.009,
            "segments.L4-L5.hydration": 0.8}``. :meth:`parameter_names` lists every name.

        Returns
        -------
        Model
            The changed model (this one is unchanged).

        Raises
        ------
        msk.InvalidArgument
            An unknown name (the message suggests the closest valid one) or a value outside the
            parameter's range.
        """
        values = {str(k): float(v) for k, v in changes.items()}
        return Model(self._core_model.with_parameters(values))

    def parameter_names(self) -> list[str]:
        """Every parameter :meth:`with_parameters` can set, one name per entity and field.

        Returns
        -------
        list of str
            Names such as ``"muscles.BIClong.laws.reflex.gain"``.

        Raises
        ------
        Nothing
        """
        return list(self._core_model.parameter_names())

    def parameters(self, names: Sequence[str] | None = None) -> dict[str, float]:
        """Current values of parameters by name (SI units).

        Parameters
        ----------
        names : sequence of str, optional
            Names as in :meth:`with_parameters` (a group name expands to one value per member,
            listed under each member's name); all parameters when omitted.

        Returns
        -------
        dict of str to float

        Raises
        ------
        msk.InvalidArgument
            An unknown name (the message suggests the closest valid one).
        """
        if names is None:
            names = self.parameter_names()
        out: dict[str, float] = {}
        for name in names:
            values = self._core_model.parameter_values([name])
            if name.startswith("groups.") and len(values) != 1:
                group, field = name.split(".", 2)[1:]
                members = self._core_model.groups[group]
                out.update({f"muscles.{m}.{field}": v for m, v in zip(members, values)})
            else:
                out[name] = float(values[0])
        return out

    @property
    def core(self) -> Any:
        """The underlying ``msk._core.Model``."""
        return self._core_model

    @property
    def name(self) -> str:
        """Model name from the file (letters, digits, ``_`` or ``-``)."""
        return str(self._core_model.name)

    @property
    def file(self) -> str:
        """File the model was read from (``"<string>"`` for text)."""
        return str(self._core_model.file)

    @property
    def text(self) -> str:
        """Model YAML after overrides: enough to rebuild the model exactly (stored in results)."""
        return str(self._core_model.text)

    @property
    def muscle_names(self) -> list[str]:
        """Muscle names, length n_muscles, in model order."""
        return list(self._core_model.muscle_names)

    @property
    def joint_names(self) -> list[str]:
        """Joint coordinates, length n_dofs (channels ``joint.<name>.angle`` [rad])."""
        return list(self._core_model.joint_names)

    @property
    def pair_names(self) -> list[str]:
        """Agonist/antagonist pair names, length n_pairs."""
        return list(self._core_model.pair_names)

    @property
    def warnings(self) -> list[str]:
        """What the import of the model (e.g. from OpenSim) approximated or left out, one
        sentence each naming the element; empty for a model written for msk."""
        return list(self._core_model.warnings)

    @property
    def channel_names(self) -> list[str]:
        """Names of the channels an episode records, length n_channels, in file order."""
        return list(self._core_model.channel_names)

    @property
    def channel_units(self) -> list[str]:
        """Units of each channel (``"rad"``, ``"N"``, ``"1"`` for dimensionless), length
        n_channels."""
        return list(self._core_model.channel_units)

    @property
    def channels(self) -> dict[str, str]:
        """Units by channel name."""
        return dict(zip(self.channel_names, self.channel_units))

    def __getattr__(self, name: str) -> Any:
        """Other attributes of the core model (e.g. ``description``, ``pairs``)."""
        if name.startswith("_"):
            raise AttributeError(f"'Model' object has no attribute {name!r}")
        return getattr(self._core_model, name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(dir(self._core_model)))

    def __repr__(self) -> str:
        return (
            f"<msk.Model {self.name!r} from {self.file!r}: {len(self.joint_names)} joint(s) "
            f"{self.joint_names}, {len(self.muscle_names)} muscle(s), "
            f"{len(self.pair_names)} pair(s), {len(self.channel_names)} channels>"
        )


def _model_source(name_or_path: str | os.PathLike[str]) -> tuple[str, str]:
    """Return (YAML text, file name) of a bundled model name or a path."""
    is_path = isinstance(name_or_path, os.PathLike) or (
        isinstance(name_or_path, str)
        and (name_or_path.endswith(_YAML_SUFFIXES) or "/" in name_or_path or os.sep in name_or_path)
    )
    if is_path:
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such model file")
        return path.read_text(encoding="utf-8"), str(path.resolve())
    if not isinstance(name_or_path, str) or not _BUNDLED_NAME.match(name_or_path):
        raise ValueError(
            f"name_or_path: expected a bundled model name or a path to a YAML file, "
            f"got {name_or_path!r}"
        )
    from importlib.resources import files

    resource = files("msk") / "models" / f"{name_or_path}.yaml"
    if not resource.is_file():
        names = bundled_models()
        hint = did_you_mean(name_or_path, names)
        raise FileNotFoundError(
            f"no bundled model {name_or_path!r}"
            + (f"; {hint}" if hint else "")
            + f" (bundled: {', '.join(names) or 'none installed'}); "
            f"to load a file, pass a path ending in .yaml"
        )
    return resource.read_text(encoding="utf-8"), str(resource)


def load_model(
    name_or_path: str | os.PathLike[str],
    overrides: Mapping[str, Any] | None = None,
    *,
    overrides_source: str | None = None,
) -> Model:
    """Load and compile a model.

    Parameters
    ----------
    name_or_path : str or path
        A bundled model name (``"elbow"``, see :func:`bundled_models`), the path of a YAML model
        file, or the path of an OpenSim model (``.osim``, 4.x or the legacy 2.x format; see
        docs/guide/opensim.md: what the import leaves out is listed in ``Model.warnings``). A
        string is taken as a path when it ends in ``.yaml``/``.yml``/``.osim`` or contains a
        path separator.
    overrides : mapping, optional
        Values that replace fields of the file, by dotted path
        (``{"muscles.BIClong.max_isometric_force": 700.0}``, SI units as in the file) or nested
        (``{"muscles": {"BIClong": {"tone": "hypertonic"}}}``). ``groups.NAME.FIELD`` sets
        the field of every muscle of group NAME.
    overrides_source : str, optional
        Who gave ``overrides``, to start the messages of their errors with (``msk run`` gives
        the run file); default ``"msk.load_model(overrides=...)"``.

    Returns
    -------
    Model

    Raises
    ------
    FileNotFoundError
        No such file or bundled model (the message suggests the closest bundled name and lists
        them all).
    msk.ModelError
        The file does not validate (the message names file, line and field), or an override does
        not: the message names ``overrides_source`` and the key as given, with the valid names
        and a "did you mean" for a misspelt muscle, group, body, level or choice.
    ValueError
        An override is not a plain value (number, string, bool, list, None), is NaN or infinite,
        or is given twice.
    """
    source = overrides_source or "msk.load_model(overrides=...)"
    if _is_opensim_path(name_or_path):
        # OpenSim models are read by the core, which converts them to msk YAML (Model.text).
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such model file")
        core = require_core()
        resolved = str(path.resolve())
        return Model(
            load_with_overrides(
                lambda overrides_text, who: core.load_model_file(resolved, overrides_text, who),
                overrides,
                source,
            )
        )
    text, file = _model_source(name_or_path)
    return Model.from_text(text, overrides, file, overrides_source=source)


def check_override_keys(model: Model, keys: Mapping[str, Any], *, overrides_source: str) -> None:
    """Check with one load of ``model`` that every override key names a field of it.

    What a sweep does before its first run, so that a misspelt key fails at once instead of in
    every run. Values are not judged here: a value the core refuses fails the run that uses it.

    Parameters
    ----------
    model : Model
        The base model the overrides apply to.
    keys : mapping
        Every key that will be used, each with one of its values.
    overrides_source : str
        Who gave them, to start the error message with (``"msk.study.sweep(grid=...)"``).

    Returns
    -------
    None

    Raises
    ------
    msk.ModelError
        A key names no field or element of the model; the message quotes it, lists the valid
        names and suggests the closest.
    ValueError
        A value is not a plain value, or is NaN or infinite.
    """
    core = require_core()
    text, file = model.text, model.file
    _check_override_keys(
        lambda overrides_text, who: core.load_model_text(text, file, overrides_text, who),
        keys,
        overrides_source,
    )


def as_model(model: Model | str | os.PathLike[str]) -> Model:
    """A model, or the model of that bundled name or path.

    Parameters
    ----------
    model : Model, str or path
        A compiled model, or what :func:`load_model` takes.

    Returns
    -------
    Model

    Raises
    ------
    FileNotFoundError, msk.ModelError
        As :func:`load_model`.
    """
    return load_model(model) if isinstance(model, (str, os.PathLike)) else model


def _is_opensim_path(name_or_path: str | os.PathLike[str]) -> bool:
    """True for a path ending in ``.osim`` (any case)."""
    return os.fspath(name_or_path).lower().endswith(_OPENSIM_SUFFIX)


# --- simulation ------------------------------------------------------------------------------


def solver_options(
    output_dt: float,
    stepper: str,
    rtol: float,
    atol: float,
    max_steps: int,
    seed: int,
    max_step: float = 0.05,
) -> dict[str, Any]:
    """Check the solver options of :func:`simulate` and return them as the dict the core expects.

    Parameters
    ----------
    output_dt, stepper, rtol, atol, max_steps, seed, max_step
        As in :func:`simulate` (``output_dt`` and ``max_step`` [s]).

    Returns
    -------
    dict
        ``{"output_dt": float, "stepper": str, "rtol": float, "atol": float, "max_steps": int,
        "seed": int, "max_step": float}``.

    Raises
    ------
    ValueError
        An option out of its range, naming it.
    """
    import numpy as np

    for name, value in (
        ("output_dt", output_dt),
        ("rtol", rtol),
        ("atol", atol),
        ("max_step", max_step),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise ValueError(f"{name}: expected a positive number, got {value!r}")
        if not math.isfinite(float(value)) or float(value) <= 0:
            raise ValueError(f"{name}: expected a positive number, got {value!r}")
    if stepper not in STEPPERS:
        raise ValueError(f"stepper: expected one of {list(STEPPERS)}, got {stepper!r}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
        raise ValueError(f"max_steps: expected a whole number >= 1, got {max_steps!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected a whole number >= 0, got {seed!r}")
    return {
        "output_dt": float(output_dt),
        "stepper": stepper,
        "rtol": float(rtol),
        "atol": float(atol),
        "max_steps": int(max_steps),
        "seed": int(seed),
        "max_step": float(max_step),
    }


class _Progress:
    """The callback handed to the core: drives a tqdm bar and/or a user callback, and turns
    Ctrl-C or an exception in the user callback into a clean cancellation."""

    def __init__(self, show_bar: bool, user: ProgressCallback | None, description: str) -> None:
        self._show_bar = show_bar
        self._user = user
        self._description = description
        self._bar: Any = None
        self.failure: BaseException | None = None
        self.cancelled_by_user = False

    def __call__(self, t_done: float, t_end: float) -> bool:
        try:
            if self._show_bar:
                self._update_bar(t_done, t_end)
            if self._user is not None and self._user(t_done, t_end) is False:
                self.cancelled_by_user = True
                return False
        except BaseException as error:
            self.failure = error
            return False
        return True

    def _update_bar(self, t_done: float, t_end: float) -> None:
        if self._bar is None:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=float(t_end),
                desc=self._description,
                unit="s",
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.2f}/{total:.2f} s simulated "
                "[{elapsed}<{remaining}]",
                file=sys.stderr,
                leave=True,
            )
        if float(t_end) != self._bar.total:
            self._bar.total = float(t_end)
        self._bar.n = min(float(t_done), float(t_end))
        self._bar.refresh()

    def close(self, finished: bool) -> None:
        if self._bar is not None:
            if finished:
                self._bar.n = self._bar.total
                self._bar.refresh()
            self._bar.close()


_UNKNOWN_ENTITY = re.compile(r"expected a (muscle|coordinate) of model '[^']*', got '([^']*)'$")


def _name_hint(error: BaseException, model: Model) -> BaseException | None:
    """The core's refusal of a protocol naming a muscle or joint the model lacks, with the
    valid names and a "did you mean" added; None for any other error."""
    match = _UNKNOWN_ENTITY.search(str(error))
    core = require_core()
    if match is None or not isinstance(error, core.ModelError):
        return None
    kind, name = match.groups()
    names = model.muscle_names if kind == "muscle" else model.joint_names
    hint = did_you_mean(name, names)
    plural = "muscles" if kind == "muscle" else "joints"
    return core.ModelError(
        f"{error}" + (f"; {hint}" if hint else "") + f" ({plural}: {listing(names)})"
    )


def simulate(
    model: Model | str | os.PathLike[str],
    protocol: ProtocolLike | None = None,
    *,
    duration: float | None = None,
    output: str | os.PathLike[str] | None = None,
    output_dt: float = 0.01,
    stepper: str = "dopri5",
    rtol: float = 1e-6,
    atol: float = 1e-8,
    max_steps: int = 10_000_000,
    seed: int = 0,
    progress: bool | ProgressCallback | None = None,
    state: State | Mapping[str, Any] | None = None,
    max_step: float = 0.05,
) -> Results:
    """Run one episode.

    Parameters
    ----------
    model : Model, str or path
        A model from :func:`load_model`, or a bundled name / path to load without overrides.
    protocol : Protocol, dict or list of phases, optional
        What happens during the episode (see :mod:`msk.protocols`): a
        :class:`~msk.protocols.Protocol`, a protocol dict ``{"initial": ..., "phases": [...]}``,
        one phase dict, or a list of phases.
    duration : float, optional
        Shortcut for a single rest phase of this length [s]; give either this or ``protocol``.
    output : str or path, optional
        HDF5 file the core writes while it integrates (flushed as it goes, so a killed run leaves
        a readable file).
    output_dt : float
        Sampling interval of the recorded channels [s], > 0.
    stepper : {"dopri5", "rosenbrock4"}
        Integrator: adaptive explicit Dormand-Prince 5(4), or Rosenbrock 4 for stiff models.
    rtol, atol : float
        Relative and absolute error tolerances of the adaptive step, > 0.
    max_steps : int
        The run fails with ``msk.SimulationError`` after this many steps.
    max_step : float
        Largest step [s], > 0. A long rest with the stiff stepper (``"rosenbrock4"``) can take
        steps of seconds (e.g. ``max_step=10`` for the minutes between a session and its
        re-test).
    seed : int
        Seed of the random parts of the model, >= 0 (recorded in the metadata).
    progress : bool or callable, optional
        ``None``: show a progress bar when stderr is a terminal; ``True``/``False``: always/never;
        a callable ``progress(t_done, t_end)`` [s] is called from time to time and may return
        ``False`` to cancel.
    state : State, optional
        Start from this state (e.g. ``earlier.final_state``) instead of rest at the protocol's
        initial angles; times continue from ``state.time``. The protocol must then set no initial
        angles, and the state must be one of this model (same state names).

    Returns
    -------
    Results
        Channels, events, metadata and integrator statistics (``results.stats``).

    Raises
    ------
    ValueError
        Invalid protocol or options (checked before the run starts).
    msk.ModelError
        The protocol names a muscle or joint the model lacks (the message lists the model's and
        suggests the closest), or a phase the model cannot run.
    msk.SimulationError
        The integration failed (the message gives time, channel and law).
    msk.Error
        The run was cancelled by the progress callback.
    KeyboardInterrupt
        Ctrl-C during the run (the core stops at its next progress call).
    """
    core = require_core()
    if not isinstance(model, Model):
        model = Model(model) if isinstance(model, core.Model) else load_model(model)

    if protocol is not None and duration is not None:
        raise ValueError("give either protocol or duration, not both")
    if protocol is None:
        if duration is None:
            raise ValueError("give a protocol, or a duration [s] for a rest episode")
        protocol = [rest(duration)]
    protocol_dict = as_protocol_dict(protocol)
    start = as_state(state)
    if start is not None and (protocol_dict.get("initial") or {}).get("angles_deg"):
        raise ValueError(
            "state: the protocol sets initial angles too; an episode that continues from a state "
            "starts where that state is"
        )
    options = solver_options(output_dt, stepper, rtol, atol, max_steps, seed, max_step)
    protocol_text = json.dumps(protocol_dict)
    options_text = json.dumps(options)
    output_path = os.fspath(output) if output is not None else ""

    if progress is None:
        show_bar = bool(getattr(sys.stderr, "isatty", lambda: False)())
        user_callback = None
    elif isinstance(progress, bool):
        show_bar, user_callback = progress, None
    elif callable(progress):
        show_bar, user_callback = False, progress
    else:
        raise ValueError(f"progress: expected None, True, False or a callable, got {progress!r}")

    # A callback is always passed: it is where Ctrl-C reaches Python while the core integrates.
    reporter = _Progress(show_bar, user_callback, model.name)
    finished = False
    try:
        arguments = [model.core, protocol_text, options_text, output_path, reporter]
        if start is not None:
            arguments.append(start.to_dict())
        episode = core.simulate(*arguments)
        finished = True
    except core.Error as error:
        if reporter.failure is not None:
            raise reporter.failure from None
        hinted = _name_hint(error, model)
        if hinted is not None:
            raise hinted from None
        raise
    finally:
        reporter.close(finished)
    if reporter.failure is not None:  # the core finished before it saw the cancellation
        raise reporter.failure

    meta = {
        "model_name": model.name,
        "model_file": model.file,
        "model_text": model.text,
        "protocol": protocol_text,
        "options": options_text,
        "solver": stepper,
        "seed": int(seed),
        "rtol": float(rtol),
        "atol": float(atol),
        "output_dt": float(output_dt),
        "msk_version": installed_version(),
    }
    results = Results.from_episode(episode, meta=meta)
    if results.warnings:
        import warnings

        results.meta["warnings"] = "\n".join(results.warnings)
        for message in results.warnings:
            warnings.warn(f"msk.simulate: {message}", RuntimeWarning, stacklevel=2)
    return results
