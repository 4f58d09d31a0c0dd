"""Muscle curves on NumPy arrays: De Groote et al. 2016 (default) and Thelen 2003.

Every function takes an array (or scalar) and returns a ``numpy.ndarray`` of the same shape.
Arguments are normalised quantities:

- ``norm_fibre_length``: fibre length / optimal fibre length [1]
- ``norm_fibre_velocity``: fibre velocity / (max contraction velocity x optimal fibre length) [1],
  lengthening positive
- ``norm_tendon_length``: tendon length / tendon slack length [1]

``curves="thelen2003"`` selects Thelen's curves, shaped by the keyword arguments
``kshape_active``, ``kshape_passive``, ``fmax_muscle_strain``, ``fmax_tendon_strain``, ``af`` and
``flen`` (defaults: Thelen 2003; :data:`ARM26` holds OpenSim Arm26's values). Equations, parameters
and sources: ``docs/theory/muscle.md``.

Example::

    import numpy as np, msk
    l = np.linspace(0.4, 1.8, 200)
    f = msk.curves.active_force_length(l)                      # De Groote 2016
    g = msk.curves.active_force_length(l, curves="thelen2003", **msk.curves.ARM26)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from msk._runtime import require_core

__all__ = [
    "ARM26",
    "activation_derivative",
    "active_force_length",
    "active_force_length_derivative",
    "force_velocity",
    "force_velocity_derivative",
    "force_velocity_inverse",
    "passive_force_length",
    "passive_force_length_derivative",
    "tendon_force_length",
    "tendon_force_length_derivative",
    "tendon_force_length_inverse",
]

#: Thelen 2003 shape parameters of the OpenSim Arm26 model.
ARM26: dict[str, float] = {
    "kshape_active": 0.5,
    "kshape_passive": 4.0,
    "fmax_muscle_strain": 0.6,
    "fmax_tendon_strain": 0.033,
    "af": 0.3,
    "flen": 1.8,
}


def _call(name: str, x: ArrayLike, curves: str, shape: dict[str, Any]) -> NDArray[np.float64]:
    function = getattr(require_core().curves, name)
    return np.asarray(function(np.asarray(x, dtype=float), curves, **shape), dtype=float)


def active_force_length(
    norm_fibre_length: ArrayLike, curves: str = "degroote2016", **shape: float
) -> NDArray[np.float64]:
    """Active force-length multiplier f_L [1] at normalised fibre length [1].

    Parameters
    ----------
    norm_fibre_length : array_like
        Any shape.
    curves : {"degroote2016", "thelen2003"}
        Curve set; ``**shape`` holds Thelen's shape parameters (see the module docstring).

    Returns
    -------
    numpy.ndarray
        f_L [1], the shape of ``norm_fibre_length``.

    Raises
    ------
    msk.InvalidArgument
        ``curves`` is neither ``"degroote2016"`` nor ``"thelen2003"``.
    TypeError
        A shape keyword the curves do not take.
    """
    return _call("active_force_length", norm_fibre_length, curves, shape)


def active_force_length_derivative(
    norm_fibre_length: ArrayLike, curves: str = "degroote2016", **shape: float
) -> NDArray[np.float64]:
    """d f_L / d l~ [1] at normalised fibre length [1].

    Parameters
    ----------
    norm_fibre_length : array_like
        Any shape.
    curves : {"degroote2016", "thelen2003"}
        Curve set; ``**shape`` holds Thelen's shape parameters (see the module docstring).

    Returns
    -------
    numpy.ndarray
        d f_L / d l~ [1], the shape of ``norm_fibre_length``.

    Raises
    ------
    msk.InvalidArgument
        ``curves`` is neither ``"degroote2016"`` nor ``"thelen2003"``.
    TypeError
        A shape keyword the curves do not take.
    """
    return _call("active_force_length_derivative", norm_fibre_length, curves, shape)


def passive_force_length(
    norm_fibre_length: ArrayLike, curves: str = "degroote2016", **shape: float
) -> NDArray[np.float64]:
    """Passive (elastic) force-length multiplier f_PE [1] at normalised fibre length [1].

    Parameters
    ----------
    norm_fibre_length : array_like
        Any shape.
    curves : {"degroote2016", "thelen2003"}
        Curve set; ``**shape`` holds Thelen's shape parameters (see the module docstring).

    Returns
    -------
    numpy.ndarray
        f_PE [1], the shape of ``norm_fibre_length``.

    Raises
    ------
    msk.InvalidArgument
        ``curves`` is neither ``"degroote2016"`` nor ``"thelen2003"``.
    TypeError
        A shape keyword the curves do not take.
    """
    return _call("passive_force_length", norm_fibre_length, curves, shape)


def passive_force_length_derivative(
    norm_fibre_length: ArrayLike, curves: str = "degroote2016", **shape: float
) -> NDArray[np.float64]:
    """d f_PE / d l~ [1] at normalised fibre length [1].

    Parameters
    ----------
    norm_fibre_length : array_like
        Any shape.
    curves : {"degroote2016", "thelen2003"}
        Curve set; ``**shape`` holds Thelen's shape parameters (see the module docstring).

    Returns
    -------
    numpy.ndarray
        d f_PE / d l~ [1], the shape of ``norm_fibre_length``.

    Raises
    ------
    msk.InvalidArgument
        ``curves`` is neither ``"degroote2016"`` nor ``"thelen2003"``.
    TypeError
        A shape keyword the curves do not take.
    """
    return _call("passive_force_length_derivative", norm_fibre_length, curves, shape)


def force_velocity(
    norm_fibre_velocity: ArrayLike, curves: str = "degroote2016", **shape: float
) -> NDArray[np.float64]:
    """Force-velocity multiplier f_V [1] at normalised fibre velocity [1] (lengthening > 0).

    Parameters
    ----------
    norm_fibre_velocity : array_like
        Any shape.
    curves : {"degroote2016", "thelen2003"}
        Curve set; ``**shape`` holds Thelen's shape parameters (see the module docstring).

    Returns
    -------
    numpy.ndarray
        f_V [1], the shape of ``norm_fibre_velocity``.

    Raises
    ------
    msk.InvalidArgument
        ``curves`` is neither ``"degroote2016"`` nor ``"thelen2003"``.
    TypeError
        A shape keyword the curves do not take.
    """
    return _call("force_velocity", norm_fibre_velocity, curves, shape)


def force_velocity_derivative(
    norm_fibre_velocity: ArrayLike, curves: str = "degroote2016", **shape: float
) -> NDArray[np.float64]:
    """d f_V / d v~ [1] at normalised fibre velocity [1].

    Parameters
    ----------
    norm_fibre_velocity : array_like
        Any shape.
    curves : {"degroote2016", "thelen2003"}
        Curve set; ``**shape`` holds Thelen's shape parameters (see the module docstring).

    Returns
    -------
    numpy.ndarray
        d f_V / d v~ [1], the shape of ``norm_fibre_velocity``.

    Raises
    ------
    msk.InvalidArgument
        ``curves`` is neither ``"degroote2016"`` nor ``"thelen2003"``.
    TypeError
        A shape keyword the curves do not take.
    """
    return _call("force_velocity_derivative", norm_fibre_velocity, curves, shape)


def force_velocity_inverse(
    norm_force: ArrayLike, curves: str = "degroote2016", **shape: float
) -> NDArray[np.float64]:
    """Normalised fibre velocity [1] at which f_V equals ``norm_force`` [1].

    Parameters
    ----------
    norm_force : array_like
        Any shape.
    curves : {"degroote2016", "thelen2003"}
        Curve set; ``**shape`` holds Thelen's shape parameters (see the module docstring).

    Returns
    -------
    numpy.ndarray
        normalised fibre velocity [1], the shape of ``norm_force``.

    Raises
    ------
    msk.InvalidArgument
        ``curves`` is neither ``"degroote2016"`` nor ``"thelen2003"``.
    TypeError
        A shape keyword the curves do not take.
    """
    return _call("force_velocity_inverse", norm_force, curves, shape)


def tendon_force_length(
    norm_tendon_length: ArrayLike, curves: str = "degroote2016", **shape: float
) -> NDArray[np.float64]:
    """Tendon force-length f_T [1] at tendon length / slack length [1].

    Parameters
    ----------
    norm_tendon_length : array_like
        Any shape.
    curves : {"degroote2016", "thelen2003"}
        Curve set; ``**shape`` holds Thelen's shape parameters (see the module docstring).

    Returns
    -------
    numpy.ndarray
        f_T [1], the shape of ``norm_tendon_length``.

    Raises
    ------
    msk.InvalidArgument
        ``curves`` is neither ``"degroote2016"`` nor ``"thelen2003"``.
    TypeError
        A shape keyword the curves do not take.
    """
    return _call("tendon_force_length", norm_tendon_length, curves, shape)


def tendon_force_length_derivative(
    norm_tendon_length: ArrayLike, curves: str = "degroote2016", **shape: float
) -> NDArray[np.float64]:
    """d f_T / d l~_T [1] at tendon length / slack length [1].

    Parameters
    ----------
    norm_tendon_length : array_like
        Any shape.
    curves : {"degroote2016", "thelen2003"}
        Curve set; ``**shape`` holds Thelen's shape parameters (see the module docstring).

    Returns
    -------
    numpy.ndarray
        d f_T / d l~_T [1], the shape of ``norm_tendon_length``.

    Raises
    ------
    msk.InvalidArgument
        ``curves`` is neither ``"degroote2016"`` nor ``"thelen2003"``.
    TypeError
        A shape keyword the curves do not take.
    """
    return _call("tendon_force_length_derivative", norm_tendon_length, curves, shape)


def tendon_force_length_inverse(
    norm_tendon_force: ArrayLike, curves: str = "degroote2016", **shape: float
) -> NDArray[np.float64]:
    """Tendon length / slack length [1] at which f_T equals ``norm_tendon_force`` [1].

    Parameters
    ----------
    norm_tendon_force : array_like
        Any shape.
    curves : {"degroote2016", "thelen2003"}
        Curve set; ``**shape`` holds Thelen's shape parameters (see the module docstring).

    Returns
    -------
    numpy.ndarray
        tendon length / slack length [1], the shape of ``norm_tendon_force``.

    Raises
    ------
    msk.InvalidArgument
        ``curves`` is neither ``"degroote2016"`` nor ``"thelen2003"``.
    TypeError
        A shape keyword the curves do not take.
    """
    return _call("tendon_force_length_inverse", norm_tendon_force, curves, shape)


def activation_derivative(
    excitation: ArrayLike, activation: ArrayLike, tau_act: float = 0.015, tau_deact: float = 0.060
) -> NDArray[np.float64]:
    """Activation rate da/dt [1/s] (Thelen 2003) for excitation and activation [1].

    ``tau_act`` and ``tau_deact`` are the activation and deactivation time constants [s].

    Returns
    -------
    numpy.ndarray
        da/dt [1/s], the broadcast shape of ``excitation`` and ``activation``.

    Raises
    ------
    msk.InvalidArgument
        A time constant that is not positive.
    RuntimeError
        Shapes that do not broadcast.
    """
    core = require_core()
    return np.asarray(
        core.curves.activation_derivative(
            np.asarray(excitation, dtype=float),
            np.asarray(activation, dtype=float),
            tau_act,
            tau_deact,
        ),
        dtype=float,
    )
