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
