"""msk.sessions: the session outcome record, re-tests through chained episodes, the ablation."""

from __future__ import annotations

import math

import msk
import pytest
from msk import protocols as p

pytestmark = pytest.mark.core

FLEXORS = ["BIClong", "BICshort", "BRA"]
JOINT = "r_elbow_flex"
TIGHT = {
    "muscles.BIClong.optimal_fibre_length": 0.10413,
    "muscles.BICshort.optimal_fibre_length": 0.11889,
    "muscles.BRA.optimal_fibre_length": 0.07722,
}


def session(cycles: int = 2) -> p.Protocol:
    return p.Protocol(
        [
            p.hold(JOINT, 1.0),
            p.pir(
                JOINT, FLEXORS, cycles=cycles, barrier_torque=2.5, barrier_stiffness_nm_per_deg=0.05
            ),
        ],
        initial_angles_deg={JOINT: 90.0},
    )


@pytest.fixture(scope="module")
def sessions():  # noqa: ANN201
    pytest.importorskip("msk._core")
    from msk import sessions

    return sessions


def test_the_outcome_record_names_every_muscle_with_units(sessions) -> None:  # noqa: ANN001
    model = msk.load_model("elbow", TIGHT)
    course = sessions.time_course(model, session(), retest_min=[0.5])
    outcome = course.outcome
    assert list(outcome.index) == model.muscle_names
    assert set(outcome.attrs["units"]) == set(outcome.columns)
    bic = outcome.loc["BIClong"]
    assert bic.tolerance_change > 0 and bic.passive_slack_shift > 0 and bic.tendon_elongation > 0
    assert bic.tolerance_lasts_s > bic.passive_lasts_s > bic.reflex_lasts_s > 0
    assert math.isclose(
        bic.resting_length_change,
        bic.passive_slack_shift * 0.10413 + bic.tendon_elongation,
        rel_tol=1e-9,
    )


def test_retests_fade_and_are_positive_toward_the_stretch(sessions) -> None:  # noqa: ANN001
    model = msk.load_model("elbow", TIGHT)
    course = sessions.time_course(model, session(), retest_min=[0.5, 5.0])
    gains = course.retests["gain_deg"].tolist()
    assert course.retests["after_min"].tolist() == [0.0, 0.5, 5.0]
    assert gains[0] == pytest.approx(course.immediate_gain_deg)
    assert gains[0] > gains[1] > gains[2] > 0.0
    assert course.retests["share_left"].iloc[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="increasing"):
        sessions.time_course(model, session(), retest_min=[5.0, 1.0])


def test_the_ablation_switches_a_mechanism_off_for_every_muscle(sessions) -> None:  # noqa: ANN001
    model = msk.load_model("elbow", TIGHT)
    table = sessions.ablation(model, session(cycles=1), retest_min=[0.5], mechanisms=["tolerance"])
    assert list(table.index) == ["full model", "without stretch tolerance"]
    assert table["role"].tolist() == ["", "tolerance"]
    assert math.isnan(table["share_0"].iloc[0])
    # Without the tolerance the barrier torque stays at its baseline: less range.
    assert table["gain_0_deg"].iloc[1] < table["gain_0_deg"].iloc[0]
    with pytest.raises(ValueError, match="mechanisms"):
        sessions.ablation(model, session(), mechanisms=["magic"])


def test_the_control_holds_as_long_without_the_session(sessions) -> None:  # noqa: ANN001
    """The no-session control: the same hold and stretch without the session. Hypertonic flexors'
    tonic reflex habituates in the hold (law postural_habituation), so the control gains range
    too; without that law the control gains nothing and the session's effect is the gain."""
    hypertonic = {f"muscles.{m}.tone": "hypertonic" for m in FLEXORS}
    protocol = p.Protocol(
        [
            p.hold(JOINT, 1.0),
            p.pir(JOINT, FLEXORS, cycles=1, barrier_torque=5.0, barrier_stiffness_nm_per_deg=0.05),
        ],
        initial_angles_deg={JOINT: 90.0},
    )
    model = msk.load_model("elbow", hypertonic)
    course = sessions.time_course(model, protocol, retest_min=[10.0], control=True)
    r = course.retests
    assert r["session_effect_deg"].tolist() == pytest.approx(
        (r["gain_deg"] - r["control_gain_deg"]).tolist()
    )
    assert r.attrs["units"]["control_gain_deg"] == "deg"
    # Ten minutes of holding habituate the reflex: the barrier moves without any session.
    assert r["control_gain_deg"].iloc[-1] > 0.5 * r["gain_deg"].iloc[-1] > 0.0

    off = model.with_overrides({"law_defaults": {"muscles": {"habituation": "none"}}})
    quiet = sessions.time_course(off, protocol, retest_min=[10.0], control=True).retests
    assert abs(quiet["control_gain_deg"].iloc[-1]) < 0.1 * abs(r["control_gain_deg"].iloc[-1])
    assert "control_gain_deg" not in sessions.time_course(model, protocol, [10.0]).retests


def test_habituation_is_one_of_the_mechanisms(sessions) -> None:  # noqa: ANN001
    assert "habituation" in sessions.MECHANISMS
