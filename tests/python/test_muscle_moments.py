"""msk.muscle_moments: muscle forces and joint moments at a held posture."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytestmark = pytest.mark.core


def riener_edrich(hip_deg: float, knee_deg: float) -> float:
    """Riener & Edrich 1999: passive hip flexion moment of one leg [N m]."""
    return (
        math.exp(1.4655 - 0.0034 * knee_deg - 0.0750 * hip_deg)
        - math.exp(1.3403 - 0.0226 * knee_deg + 0.0305 * hip_deg)
        + 8.072
    )


def test_moments_are_moment_arms_times_forces() -> None:
    import msk

    mm = msk.muscle_moments("lumbar", {"hip": 45, "knee": 10}, activation=0.2)
    expected = mm.moment_arms.T @ mm.muscles["force_N"]
    np.testing.assert_allclose(mm.moments.to_numpy(), expected.to_numpy(), atol=1e-9)
    assert mm.angles_deg["hip"] == pytest.approx(45.0)
    assert (mm.muscles["force_N"] >= mm.muscles["passive_force_N"] - 1e-9).all()
    by_group = mm.by_group("hip")
    assert by_group.sum() == pytest.approx(mm.moments["hip"], abs=1e-6)


def test_hamstrings_passive_pull_follows_riener_edrich_with_the_knee_straight() -> None:
    # The calibration of the hamstrings' slack lengths (case riener_edrich1999_..._knee_straight):
    # the curve is met within 10 N m everywhere from 30 to 90 deg (both legs).
    import msk

    for hip in (30, 50, 70, 90):
        mm = msk.muscle_moments("lumbar", {"hip": hip, "knee": 0})
        assert mm.moments["hip"] == pytest.approx(2 * riener_edrich(hip, 0), abs=10.0)
        groups = mm.by_group("hip", passive=True)
        if hip >= 50:
            assert groups["hamstrings"] < 0.8 * mm.moments["hip"]  # they make most of it


def test_activation_by_group_and_the_default_posture() -> None:
    import msk

    rest = msk.muscle_moments("elbow")
    flexed = msk.muscle_moments("elbow", activation={"BIClong": 1.0})
    assert flexed.moments["r_elbow_flex"] > rest.moments["r_elbow_flex"] + 5.0
    assert flexed.muscles.loc["BIClong", "force_N"] > 100.0
    assert rest.angles_deg["r_elbow_flex"] == pytest.approx(90.0)


def test_posture_start_and_bad_input() -> None:
    import msk

    standing = msk.muscle_moments("lumbar", posture="sitting_relaxed")
    assert standing.angles_deg["hip"] > 60.0
    with pytest.raises(ValueError, match="hipp"):
        msk.muscle_moments("lumbar", {"hipp": 10})
    with pytest.raises(ValueError, match="activation"):
        msk.muscle_moments("lumbar", activation=1.5)
    with pytest.raises(ValueError, match="nope"):
        msk.muscle_moments("lumbar", activation={"nope": 0.1})
    with pytest.raises(ValueError, match="finite"):
        msk.muscle_moments("lumbar", {"hip": float("nan")})
