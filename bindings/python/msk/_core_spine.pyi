"""Type stub of msk._core.spine: the spine's element laws and the disc fluid rate, elementwise.

Parameters are dicts of field names (msk/spine/disc.hpp, facet.hpp, ligament.hpp; the disc fluid
law's parameters as in law_registry()); fields not given keep their defaults. Invalid parameters
raise InvalidArgument naming the field. SI units: m, N, rad, Pa, s.
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

def disc_axial_force(compression: ArrayLike, disc: dict[str, float] = ...) -> NDArray[np.float64]:
    """Disc axial force [N] at elastic compression [m] (negative: distraction)."""

def disc_axial_stiffness(
    compression: ArrayLike, disc: dict[str, float] = ...
) -> NDArray[np.float64]:
    """d(disc axial force)/d(compression) [N/m]."""

def disc_moment(
    theta: ArrayLike, disc_force: ArrayLike, disc: dict[str, float] = ...
) -> NDArray[np.float64]:
    """Disc restoring moment [N m] at flexion from neutral [rad] and disc force [N]."""

def disc_pressure(
    disc_force: ArrayLike, hydration: ArrayLike, disc: dict[str, float] = ...
) -> NDArray[np.float64]:
    """Intradiscal pressure [Pa] at disc force [N] and hydration [1]."""

def facet_penetration(
    theta: ArrayLike, height_loss: ArrayLike, facet: dict[str, float] = ...
) -> NDArray[np.float64]:
    """Facet closure beyond contact [m] at flexion [rad] and disc height loss [m]."""

def facet_force(penetration: ArrayLike, facet: dict[str, float] = ...) -> NDArray[np.float64]:
    """Facet contact force [N] at penetration [m]."""

def facet_stiffness(penetration: ArrayLike, facet: dict[str, float] = ...) -> NDArray[np.float64]:
    """d(facet force)/d(penetration) [N/m]."""

def ligament_force(length: ArrayLike, ligament: dict[str, float] = ...) -> NDArray[np.float64]:
    """Ligament tension [N] at length [m]."""

def ligament_stiffness(length: ArrayLike, ligament: dict[str, float] = ...) -> NDArray[np.float64]:
    """d(tension)/d(length) [N/m]."""

def disc_hydration_rate(
    pressure: ArrayLike,
    hydration: ArrayLike,
    fluid: dict[str, float] = ...,
) -> NDArray[np.float64]:
    """dH/dt [1/s] of the law disc_fluid_osmotic at intradiscal pressure [Pa] and hydration [1]."""
