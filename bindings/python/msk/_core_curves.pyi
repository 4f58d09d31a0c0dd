"""Type stub of msk._core.curves (wrapped by msk.curves)."""

import numpy as np
from numpy.typing import ArrayLike, NDArray

def active_force_length(
    x: ArrayLike,
    curves: str = ...,
    kshape_active: float = ...,
    kshape_passive: float = ...,
    fmax_muscle_strain: float = ...,
    fmax_tendon_strain: float = ...,
    af: float = ...,
    flen: float = ...,
) -> NDArray[np.float64]: ...
def active_force_length_derivative(
    x: ArrayLike,
    curves: str = ...,
    kshape_active: float = ...,
    kshape_passive: float = ...,
    fmax_muscle_strain: float = ...,
    fmax_tendon_strain: float = ...,
    af: float = ...,
    flen: float = ...,
) -> NDArray[np.float64]: ...
def passive_force_length(
    x: ArrayLike,
    curves: str = ...,
    kshape_active: float = ...,
    kshape_passive: float = ...,
    fmax_muscle_strain: float = ...,
    fmax_tendon_strain: float = ...,
    af: float = ...,
    flen: float = ...,
) -> NDArray[np.float64]: ...
def passive_force_length_derivative(
    x: ArrayLike,
    curves: str = ...,
    kshape_active: float = ...,
    kshape_passive: float = ...,
    fmax_muscle_strain: float = ...,
    fmax_tendon_strain: float = ...,
    af: float = ...,
    flen: float = ...,
) -> NDArray[np.float64]: ...
def force_velocity(
    x: ArrayLike,
    curves: str = ...,
    kshape_active: float = ...,
    kshape_passive: float = ...,
    fmax_muscle_strain: float = ...,
    fmax_tendon_strain: float = ...,
    af: float = ...,
    flen: float = ...,
) -> NDArray[np.float64]: ...
def force_velocity_derivative(
    x: ArrayLike,
    curves: str = ...,
    kshape_active: float = ...,
    kshape_passive: float = ...,
    fmax_muscle_strain: float = ...,
    fmax_tendon_strain: float = ...,
    af: float = ...,
    flen: float = ...,
) -> NDArray[np.float64]: ...
def force_velocity_inverse(
    x: ArrayLike,
    curves: str = ...,
    kshape_active: float = ...,
    kshape_passive: float = ...,
    fmax_muscle_strain: float = ...,
    fmax_tendon_strain: float = ...,
    af: float = ...,
    flen: float = ...,
) -> NDArray[np.float64]: ...
def tendon_force_length(
    x: ArrayLike,
    curves: str = ...,
    kshape_active: float = ...,
    kshape_passive: float = ...,
    fmax_muscle_strain: float = ...,
    fmax_tendon_strain: float = ...,
    af: float = ...,
    flen: float = ...,
) -> NDArray[np.float64]: ...
def tendon_force_length_derivative(
    x: ArrayLike,
    curves: str = ...,
    kshape_active: float = ...,
    kshape_passive: float = ...,
    fmax_muscle_strain: float = ...,
    fmax_tendon_strain: float = ...,
    af: float = ...,
    flen: float = ...,
) -> NDArray[np.float64]: ...
def tendon_force_length_inverse(
    x: ArrayLike,
    curves: str = ...,
    kshape_active: float = ...,
    kshape_passive: float = ...,
    fmax_muscle_strain: float = ...,
    fmax_tendon_strain: float = ...,
    af: float = ...,
    flen: float = ...,
) -> NDArray[np.float64]: ...
def activation_derivative(
    excitation: ArrayLike, activation: ArrayLike, tau_act: float = ..., tau_deact: float = ...
) -> NDArray[np.float64]: ...
