"""Sessions of stretching or post-isometric relaxation: what they leave behind and for how long.

A session is an episode (see :func:`msk.protocols.pir`); what it leaves behind is read from the
state it ends in. This module chains episodes from that state to re-test the range of motion
minutes later, switches the session's mechanisms off one at a time to share the gain out among
them, and returns the per-muscle record the lifetime layer consumes::

    import msk
    from msk import protocols as p, sessions

    model = msk.load_model("elbow")
    session = p.Protocol([p.hold("r_elbow_flex", 2.0),
                          p.pir("r_elbow_flex", ["BIClong", "BICshort", "BRA"], barrier_torque=4)],
                         initial_angles_deg={"r_elbow_flex": 90.0})
    course = sessions.time_course(model, session, retest_min=[1, 10, 30, 60])
    course.retests                           # barrier and gain at each re-test
    course.outcome                           # per muscle: tolerance, tone, passive state, how long

The mechanisms are the laws of docs/theory/pir.md, each in its role of the model: ``tolerance``
(stretch tolerance), ``depression`` (post-activation depression), ``stretch_depression``
(reflex depression during a held stretch), ``tendon_creep``, ``passive_creep`` (the passive
muscle's slack length, recovering over minutes), ``viscoelasticity`` (the quasi-linear
branches, seconds to a minute) and ``habituation`` (the tonic reflex habituating to the posture
held between the re-tests, minutes; docs/theory/neural.md §1b). The re-tests are compared with a
control that holds the same posture for the same time without the session, so that what the
session leaves is told apart from what the rest hold itself does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from msk._api import Model
    from msk.results import Results
    from msk.state import State

__all__ = [
    "MECHANISMS",
    "TimeCourse",
    "ablation",
    "session_outcome",
    "time_course",
]

MECHANISMS: dict[str, str] = {
    "tolerance": "stretch tolerance",
    "depression": "post-activation depression",
    "stretch_depression": "reflex depression during a held stretch",
    "tendon_creep": "tendon and aponeurosis creep",
    "passive_creep": "passive creep (slack length, recovers over minutes)",
    "viscoelasticity": "quasi-linear viscoelastic branches",
    "habituation": "habituation of the tonic reflex to a held posture",
}
"""The session's mechanisms by law role, with a short name each (docs/theory/pir.md)."""

_OUTCOME_UNITS = {
    "tolerance_change": "1",
    "tolerance_lasts_s": "s",
    "reflex_gain_change": "1",
    "reflex_lasts_s": "s",
    "passive_slack_shift": "L_opt",
    "passive_lasts_s": "s",
    "tendon_elongation": "m",
    "tendon_lasts_s": "s",
    "resting_length_change": "m",
}


def session_outcome(model: Model, before: State, after: State) -> pd.DataFrame:
    """What a session left behind, per muscle: the record the lifetime layer consumes.

    Parameters
    ----------
    model : Model
        The model the session ran on.
    before, after : State
        The state before the session (e.g. ``msk.State`` of the rest state, or the
        ``final_state`` of a warm-up) and the state it ended in (``results.final_state``).

    Returns
    -------
    pandas.DataFrame
        One row per muscle (index ``muscle``), columns (changes are after minus before; a
        mechanism whose law is off gives 0 and lasts 0 s):

        - ``tolerance_change`` [1]: rise of the torque the person tolerates in a stretch of the
          muscle, as a fraction of the baseline (law ``stretch_tolerance``);
        - ``reflex_gain_change`` [1]: change of the reflex gain factor (post-activation and
          stretch depression; negative: depressed), the change of tone a session leaves;
        - ``passive_slack_shift`` [L_opt]: change of the passive muscle's slack length
          (law ``passive_creep``);
        - ``tendon_elongation`` [m]: change of the tendon and aponeurosis length (law
          ``tendon_creep``);
        - ``resting_length_change`` [m]: the muscle-tendon unit's resting length change,
          ``passive_slack_shift * L_opt + tendon_elongation``;
        - ``*_lasts_s`` [s]: how long each lasts, the time at rest until the change falls to 10 %
          (tau ln 10 of the law's recovery time constant; 3.89 tau_PAD for the two-stage
          depression).

        ``df.attrs["units"]`` maps the columns to units; ``df.attrs["time_before"]`` and
        ``["time_after"]`` are the states' times [s].

    Raises
    ------
    msk.InvalidArgument
        A state is not one of this model's.
    """
    import pandas as pd

    from msk._runtime import require_core
    from msk.state import as_state

    first, last = as_state(before), as_state(after)
    if first is None or last is None:
        raise ValueError("before, after: expected two msk.State (or state mappings), got None")
    rows = require_core().session_outcome(model.core, first.to_dict(), last.to_dict())
    frame = pd.DataFrame(list(rows)).set_index("muscle")
    frame.attrs["units"] = dict(_OUTCOME_UNITS)
    frame.attrs["time_before"] = first.time
    frame.attrs["time_after"] = last.time
    return frame


@dataclass
class TimeCourse:
    """A session and its re-tests.

    Attributes
    ----------
    summary : pandas.DataFrame
        The session's barriers (:func:`msk.protocols.pir_summary`).
    retests : pandas.DataFrame
        One row per re-test: ``after_min`` (time from the end of the session to the start of
        the re-test stretch [min]), ``barrier_angle_deg``, ``barrier_torque_nm``,
        ``barrier_stiffness_nm_per_deg``, ``tolerance_factor``, ``gain_deg`` (barrier angle
        past the session's first barrier, toward the stretch [deg]) and ``share_left`` (gain
        over the immediate gain [1]); row ``after_min = 0`` is the end of the session. With
        the control (``time_course(..., control=True)``) also ``control_gain_deg`` (the same
        stretch after the same time held at the start angle without the session, past the
        session's first barrier [deg]; at ``after_min = 0`` after the session's duration) and
        ``session_effect_deg`` (``gain_deg - control_gain_deg`` [deg]: what the session
        itself leaves).
    outcome : pandas.DataFrame
        :func:`session_outcome` of the session (before: the rest state it started from).
    immediate_gain_deg : float
        Last barrier of the session past its first [deg].
    session : Results
        The session's results.
    """

    summary: pd.DataFrame
    retests: pd.DataFrame
    outcome: pd.DataFrame
    immediate_gain_deg: float
    session: Results = field(repr=False)


_STIFF_REST_MAX_STATES = 200
"""Rests of models with at most this many states use the stiff stepper (see time_course)."""


def _stretch_phase(protocol: Mapping[str, Any]) -> Mapping[str, Any]:
    """The (last) pir or passive_stretch phase of a protocol dict."""
    found = [p for p in protocol["phases"] if p.get("type") in ("pir", "passive_stretch")]
    if not found:
        raise ValueError("protocol: expected a pir or passive_stretch phase to re-test")
    return found[-1]


def _retest_stretch(phase: Mapping[str, Any]) -> dict[str, Any]:
    """A passive stretch with the same target, muscles, speed and barrier as ``phase``."""
    stretch: dict[str, Any] = {
        "type": "passive_stretch",
        "muscles": list(phase["muscles"]),
        "speed_deg_s": float(phase.get("stretch_speed_deg_s", phase.get("speed_deg_s", 5.0))),
        "barrier_torque": float(phase.get("barrier_torque", 2.0)),
        "max_duration": float(phase.get("max_duration", 60.0)),
    }
    for key in ("joint", "region", "hold_others", "barrier_stiffness_nm_per_deg"):
        if key in phase:
            stretch[key] = phase[key]
    return stretch


def _target(phase: Mapping[str, Any]) -> dict[str, Any]:
    fields = {k: phase[k] for k in ("joint", "region", "hold_others") if k in phase}
    return fields


def _initial_state(model: Model, protocol: Mapping[str, Any]) -> State:
    """The rest state a protocol starts from: the model's default angles with the protocol's."""
    from msk._runtime import require_core
    from msk.state import State

    angles = dict(model.core.joint_defaults)
    for joint, degrees in ((protocol.get("initial") or {}).get("angles_deg") or {}).items():
        angles[joint] = math.radians(float(degrees))
    vector = [float(angles[j]) for j in model.core.joint_names]
    return State.from_mapping(require_core().initial_state(model.core, vector))


def _angle_channel(results: Results, name: str) -> str:
    return f"joint.{name}.angle" if f"joint.{name}.angle" in results else f"region.{name}.angle"


def time_course(
    model: Model,
    protocol: Any,
    retest_min: Sequence[float] = (1.0, 10.0, 30.0, 60.0),
    *,
    return_speed_deg_s: float = 20.0,
    output_dt: float = 0.05,
    rest_max_step: float = 10.0,
    control: bool = False,
) -> TimeCourse:
    """Run a session, then re-test its range at times after it, through chained episodes.

    After the session the examiner brings the joint (or region) back to where the session's
    first stretch started, at ``return_speed_deg_s``, and holds it there; each re-test stretches
    again with the session's muscles, speed and barrier from the state the wait ended in. The
    waits are chained (1 min, then 9 more, ...), each integrated with the stiff stepper and steps
    up to ``rest_max_step`` with coarse output (models with more than 200 states, such as the
    spine models, use the explicit stepper, whose steps stay short); the re-test stretches branch
    off.

    The control (``control=True``) starts from the same rest state, holds the joint or region
    where the session's first stretch started for as long as the session and the wait took, and
    stretches it the same way: laws that act during any held posture (the habituation of a
    tonic reflex, docs/theory/neural.md §1b) move its barrier too, and ``session_effect_deg`` is
    the gain left by the session over that control.

    Parameters
    ----------
    model : Model
        The model.
    protocol : Protocol, dict or list of phases
        The session, with initial angles; its last ``pir`` or ``passive_stretch`` phase defines
        what is re-tested.
    retest_min : sequence of float
        Times from the end of the session to the start of each re-test stretch [min], increasing,
        each longer than the way back.
    return_speed_deg_s : float
        Speed of the way back [deg/s].
    output_dt : float
        Sampling of the session and the re-test stretches [s].
    rest_max_step : float
        Largest step of the waits [s].
    control : bool
        Also run the no-session control (columns ``control_gain_deg`` and
        ``session_effect_deg``); it doubles the waits.

    Returns
    -------
    TimeCourse

    Raises
    ------
    ValueError
        No stretch to re-test, re-test times not increasing or shorter than the way back, or a
        re-test that does not reach its barrier.
    """
    import numpy as np
    import pandas as pd

    from msk._api import simulate
    from msk.protocols import as_protocol_dict, pir_summary

    session_protocol = as_protocol_dict(protocol)
    phase = _stretch_phase(session_protocol)
    target = phase.get("joint") or phase.get("region")
    times = [float(t) for t in retest_min]
    if any(b <= a for a, b in zip(times, times[1:])) or any(t <= 0 for t in times):
        raise ValueError(f"retest_min: expected increasing positive times, got {list(retest_min)}")

    session = simulate(model, session_protocol, output_dt=output_dt, progress=False)
    summary = pir_summary(session, target)
    if summary.empty:
        raise ValueError("the session reached no barrier: nothing to re-test")
    direction = int(summary.attrs["stretch_direction"])
    first_angle = float(summary["barrier_angle_deg"].iloc[0])
    immediate = float(summary["cumulative_gain_deg"].iloc[-1])

    # Where the first stretch started: the angle at the pir_start event (or the run's start).
    angle = np.degrees(session[_angle_channel(session, target)])
    events = session.events
    starts = events["time"][events["label"] == "pir_start"].to_numpy(float)
    t_start = float(starts[0]) if starts.size else float(session.time[0])
    start_angle = float(np.interp(t_start, session.time, angle))
    end_angle = float(angle[-1])
    back_s = abs(end_angle - start_angle) / float(return_speed_deg_s)

    before = _initial_state(model, session_protocol)
    after = session.final_state
    outcome = session_outcome(model, before, after)

    rows = [
        {
            "after_min": 0.0,
            "barrier_angle_deg": float(summary["barrier_angle_deg"].iloc[-1]),
            "barrier_torque_nm": float(summary["barrier_torque_nm"].iloc[-1]),
            "barrier_stiffness_nm_per_deg": float(summary["barrier_stiffness_nm_per_deg"].iloc[-1]),
            "tolerance_factor": float(summary["tolerance_factor"].iloc[-1]),
            "gain_deg": immediate,
        }
    ]
    where = _target(phase)
    # The stiff stepper takes long steps through a rest, but its finite-difference Jacobian costs
    # one evaluation per state: for large models (the spine's hundreds of muscle states) the
    # explicit stepper is cheaper.
    stiff = model.core.n_states <= _STIFF_REST_MAX_STATES
    rest_options = {
        "stepper": "rosenbrock4" if stiff else "dopri5",
        "max_step": float(rest_max_step) if stiff else 0.05,
        "output_dt": float(rest_max_step),
        "rtol": 1e-4,
        "atol": 1e-6,
        "progress": False,
    }

    def retest_from(start: State, what: str) -> pd.DataFrame:
        retest = simulate(
            model,
            {"phases": [_retest_stretch(phase)]},
            state=start,
            output_dt=output_dt,
            progress=False,
        )
        found = pir_summary(retest, target)
        if found.empty or retest.events["label"].str.startswith("stretch_timeout").any():
            raise ValueError(f"{what} did not reach the barrier")
        return found

    state = after
    waited = 0.0
    for k, t_min in enumerate(times):
        wait = 60.0 * t_min - waited
        phases: list[dict[str, Any]] = []
        if k == 0:
            if wait <= back_s:
                raise ValueError(
                    f"retest_min[0]: expected more than the way back ({back_s / 60:.2f} min), "
                    f"got {t_min:g}"
                )
            phases.append(
                {
                    "type": "ramp",
                    **where,
                    "to_deg": start_angle,
                    "speed_deg_s": float(return_speed_deg_s),
                }
            )
            wait -= back_s
        phases.append({"type": "hold", **where, "duration": wait})
        rest = simulate(model, {"phases": phases}, state=state, **rest_options)
        state = rest.final_state
        waited = 60.0 * t_min
        found = retest_from(state, f"the re-test at {t_min:g} min")
        barrier = float(found["barrier_angle_deg"].iloc[-1])
        rows.append(
            {
                "after_min": t_min,
                "barrier_angle_deg": barrier,
                "barrier_torque_nm": float(found["barrier_torque_nm"].iloc[-1]),
                "barrier_stiffness_nm_per_deg": float(
                    found["barrier_stiffness_nm_per_deg"].iloc[-1]
                ),
                "tolerance_factor": float(found["tolerance_factor"].iloc[-1]),
                "gain_deg": (barrier - first_angle) * direction + 0.0,
            }
        )
    retests = pd.DataFrame(rows)
    retests["share_left"] = retests["gain_deg"] / immediate if immediate != 0.0 else float("nan")
    if control:
        # The same time from the same rest state, held where the first stretch started, then
        # the same stretch: what the rest hold does without the session.
        session_s = float(session.time[-1] - session.time[0])
        lead: list[dict[str, Any]] = []
        if abs(float(angle[0]) - start_angle) > 1e-3:
            lead = [
                {
                    "type": "ramp",
                    **where,
                    "to_deg": start_angle,
                    "speed_deg_s": float(return_speed_deg_s),
                }
            ]
        lead_s = abs(float(angle[0]) - start_angle) / float(return_speed_deg_s) if lead else 0.0
        initial = {"initial": session_protocol["initial"]} if "initial" in session_protocol else {}
        control_gains: list[float] = []
        control_state: State | None = None
        held = 0.0
        for t_min in [0.0, *times]:
            total = session_s + 60.0 * t_min
            if control_state is None:
                hold = {"type": "hold", **where, "duration": total - lead_s}
                first = {**initial, "phases": [*lead, hold]}
                rest = simulate(model, first, **rest_options)
            else:
                hold = {"type": "hold", **where, "duration": total - held}
                rest = simulate(model, {"phases": [hold]}, state=control_state, **rest_options)
            control_state, held = rest.final_state, total
            found = retest_from(control_state, f"the control re-test at {t_min:g} min")
            barrier = float(found["barrier_angle_deg"].iloc[-1])
            control_gains.append((barrier - first_angle) * direction + 0.0)
        retests["control_gain_deg"] = control_gains
        retests["session_effect_deg"] = retests["gain_deg"] - retests["control_gain_deg"]
    retests.attrs["units"] = {
        "after_min": "min",
        "barrier_angle_deg": "deg",
        "barrier_torque_nm": "N m",
        "barrier_stiffness_nm_per_deg": "N m/deg",
        "tolerance_factor": "1",
        "gain_deg": "deg",
        "share_left": "1",
    }
    if control:
        retests.attrs["units"].update({"control_gain_deg": "deg", "session_effect_deg": "deg"})
    return TimeCourse(summary, retests, outcome, immediate, session)


def ablation(
    model: Model,
    protocol: Any,
    retest_min: Sequence[float] = (1.0, 10.0, 30.0, 60.0),
    mechanisms: Sequence[str] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Each mechanism's share of the immediate gain and of the gain left at each re-test.

    The session and its re-tests (:func:`time_course`) run with the full model and once with
    each mechanism's role switched off for every muscle (``law_defaults: {muscles: {ROLE:
    none}}``). A mechanism's share is the gain lost without it over the full model's gain
    (shares need not sum to 1: mechanisms interact).

    Parameters
    ----------
    model : Model
        The full model.
    protocol : Protocol, dict or list of phases
        The session.
    retest_min : sequence of float
        Re-test times [min].
    mechanisms : sequence of str, optional
        Roles to switch off (default: :data:`MECHANISMS`).
    **options
        Passed to :func:`time_course`.

    Returns
    -------
    pandas.DataFrame
        Index ``condition`` (``"full model"``, then ``"without <mechanism>"``), columns ``role``
        (the law role switched off, ``""`` for the full model), ``gain_<t>_deg`` (t = 0 for the
        end of the session, then each re-test [min]) and ``share_<t>`` [1] (NaN for the full
        model).

    Raises
    ------
    ValueError
        An unknown mechanism, or a run that does not reach its barriers.
    """
    import pandas as pd

    roles = list(mechanisms) if mechanisms is not None else list(MECHANISMS)
    unknown = [r for r in roles if r not in MECHANISMS]
    if unknown:
        raise ValueError(f"mechanisms: expected some of {list(MECHANISMS)}, got {unknown}")

    def gains(variant: Model) -> list[float]:
        course = time_course(variant, protocol, retest_min, **options)
        return [float(g) for g in course.retests["gain_deg"]]

    labels = ["0"] + [f"{float(t):g}" for t in retest_min]
    full = gains(model)
    rows = {"full model": full}
    for role in roles:
        variant = model.with_overrides({"law_defaults": {"muscles": {role: "none"}}})
        rows[f"without {MECHANISMS[role]}"] = gains(variant)
    frame = pd.DataFrame(
        {f"gain_{t}_deg": [r[k] for r in rows.values()] for k, t in enumerate(labels)},
        index=pd.Index(list(rows), name="condition"),
    )
    frame.insert(0, "role", [""] + roles)
    for k, t in enumerate(labels):
        frame[f"share_{t}"] = [
            (full[k] - r[k]) / full[k] if name != "full model" and full[k] != 0 else math.nan
            for name, r in rows.items()
        ]
    frame.attrs["retest_min"] = [float(t) for t in retest_min]
    frame.attrs["units"] = {
        **{f"gain_{t}_deg": "deg" for t in labels},
        **{f"share_{t}": "1" for t in labels},
    }
    return frame
