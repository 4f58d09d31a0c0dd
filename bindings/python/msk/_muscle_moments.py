"""Muscle forces and the joint moments they make at a held posture (``msk.muscle_moments``).

Quasi-static (every speed zero) and with rigid tendons, from the core's geometry and muscle law
(``msk/sim/muscle_moments.hpp``). With zero activations this is the joint's passive moment-angle
curve as far as the muscles make it, to compare with measured passive moments (e.g. the hip's,
Riener & Edrich 1999; docs/theory/posture.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from msk._api import Model, as_model
from msk._names import unknown_name
from msk._runtime import require_core

if TYPE_CHECKING:
    import pandas as pd

    from msk.spine.postures import Posture


@dataclass(frozen=True)
class MuscleMoments:
    """Muscle forces and joint moments at one set of joint angles.

    Attributes
    ----------
    angles_deg : dict
        ``{joint: angle}`` [deg] the moments were computed at (every coordinate of the model).
    muscles : pandas.DataFrame
        One row per muscle (index ``muscle``): ``group`` (its first group, or ""),
        ``mtu_length_m`` [m], ``norm_fibre_length`` [1] (fibre length / optimal),
        ``passive_force_N`` [N] (at zero activation) and ``force_N`` [N] (at the activation
        asked for), both the force the tendon transmits.
    moment_arms : pandas.DataFrame
        ``-dl/dq`` [m], muscles x joints.
    moments : pandas.Series
        Sum over the muscles of moment arm x force per joint [N m] (positive in the joint's
        positive direction, e.g. hip flexion).
    """

    angles_deg: dict[str, float]
    muscles: pd.DataFrame
    moment_arms: pd.DataFrame
    moments: pd.Series

    def by_group(self, joint: str, *, passive: bool = False) -> pd.Series:
        """Moment about ``joint`` per muscle group [N m] (each muscle counted in its first group).

        Parameters
        ----------
        joint : str
            A joint coordinate of the model.
        passive : bool
            Use the passive forces instead of the forces at the activation asked for.

        Returns
        -------
        pandas.Series
            Moment [N m] per group (index ``group``; "" for muscles in no group).

        Raises
        ------
        ValueError
            ``joint`` is not a joint of the model.
        """
        if joint not in self.moment_arms.columns:
            raise ValueError(
                "joint: " + unknown_name("joint", joint, list(self.moment_arms.columns), "")
            )
        force = self.muscles["passive_force_N" if passive else "force_N"]
        per_muscle = self.moment_arms[joint] * force
        out = per_muscle.groupby(self.muscles["group"]).sum()
        out.name = f"moment_{joint}_N_m"
        return out


def _groups_of(model: Model) -> dict[str, str]:
    first: dict[str, str] = {}
    for group, members in model.groups.items():
        for name in members:
            first.setdefault(name, group)
    return first


def muscle_moments(
    model: Model | str,
    angles_deg: Mapping[str, float] | None = None,
    *,
    posture: Posture | str | None = None,
    activation: float | Mapping[str, float] = 0.0,
) -> MuscleMoments:
    """Muscle forces and the joint moments they make at a held posture.

    Parameters
    ----------
    model : msk.Model or str
        Any model (or a bundled model's name).
    angles_deg : mapping, optional
        ``{joint: angle}`` [deg] set on top of the starting angles.
    posture : Posture or str, optional
        Start from this posture's coordinates (spine models); default: the model's default
        angles.
    activation : float or mapping
        Activation of every muscle [1], or ``{muscle or group: activation}`` (others 0).
        Default 0: the passive moments.

    Returns
    -------
    MuscleMoments
        Per muscle force and moment arms, and the moment per joint [N m].

    Raises
    ------
    ValueError
        An unknown joint, muscle or group, or an activation outside [0, 1].
    """
    m = as_model(model)
    core = m.core
    joints = m.joint_names
    if posture is not None:
        from msk.spine.postures import as_posture

        q = np.array(
            require_core().posture_coordinates(core, as_posture(posture).to_core()), dtype=float
        )
    else:
        defaults = m.joint_defaults
        q = np.array([defaults[j] for j in joints], dtype=float)
    for name, value in (angles_deg or {}).items():
        if name not in joints:
            raise ValueError(
                "angles_deg: " + unknown_name("joint", name, joints, f" of model {m.name!r}")
            )
        if not math.isfinite(float(value)):
            raise ValueError(f"angles_deg[{name!r}]: expected a finite angle [deg], got {value!r}")
        q[joints.index(name)] = math.radians(float(value))
    names = m.muscle_names
    if isinstance(activation, Mapping):
        a = np.zeros(len(names))
        groups = m.groups
        for key, value in activation.items():
            if key in names:
                idx = [names.index(key)]
            elif key in groups:
                idx = [names.index(n) for n in groups[key]]
            else:
                raise ValueError(
                    "activation: " + unknown_name("muscle or group", key, names + list(groups), "")
                )
            a[idx] = float(value)
    else:
        a = np.full(len(names), float(activation))
    if not np.all((a >= 0.0) & (a <= 1.0)):
        raise ValueError(f"activation: expected values in [0, 1], got {sorted(set(a.tolist()))}")
    raw: dict[str, Any] = require_core().muscle_moments(core, q.tolist(), a.tolist())
    import pandas as pd

    first = _groups_of(m)
    muscles = pd.DataFrame(
        {
            "group": [first.get(n, "") for n in names],
            "mtu_length_m": raw["mtu_length"],
            "norm_fibre_length": raw["norm_fibre_length"],
            "passive_force_N": raw["passive_force"],
            "force_N": raw["force"],
        },
        index=pd.Index(names, name="muscle"),
    )
    arms = pd.DataFrame(
        raw["moment_arm"],
        index=pd.Index(names, name="muscle"),
        columns=pd.Index(joints, name="joint"),
    )
    moments = pd.Series(raw["moment"], index=pd.Index(joints, name="joint"), name="moment_N_m")
    return MuscleMoments(
        angles_deg={j: math.degrees(v) for j, v in zip(joints, q)},
        muscles=muscles,
        moment_arms=arms,
        moments=moments,
    )
