"""States that carry over (msk.State, simulate(state=...)) and parameters without recompiling
(Model.with_parameters)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

msk = pytest.importorskip("msk")
pytest.importorskip("msk._core")
from msk import protocols as p  # noqa: E402

HYPER = {f"muscles.{m}.tone": "hypertonic" for m in ("BIClong", "BICshort", "BRA")}


def _session() -> list:
    return [
        p.hold("r_elbow_flex", 1.0),
        p.pir(
            "r_elbow_flex",
            ["BIClong", "BICshort", "BRA"],
            cycles=1,
            contraction_s=2,
            relaxation_s=1,
            barrier_torque=5.0,
        ),
    ]


def test_chained_episodes_equal_one_episode(tmp_path: Path) -> None:
    model = msk.load_model("elbow", overrides=HYPER)
    start = {"r_elbow_flex": 90.0}
    rest = [p.hold("r_elbow_flex", 60.0)]
    retest = [
        p.passive_stretch(
            "r_elbow_flex", ["BIClong", "BICshort", "BRA"], speed_deg_s=5, barrier_torque=5.0
        )
    ]
    kw = {"output_dt": 0.1, "progress": False}
    whole = msk.simulate(
        model, p.Protocol(_session() + rest + retest, initial_angles_deg=start), **kw
    )
    first = msk.simulate(
        model, p.Protocol(_session(), initial_angles_deg=start), output=tmp_path / "first.h5", **kw
    )
    # The state the session ended in, read back from its file, continues it.
    stored = msk.Results.load(tmp_path / "first.h5").final_state
    assert stored is not None and stored.names == first.final_state.names
    np.testing.assert_array_equal(stored.values, first.final_state.values)
    second = msk.simulate(model, rest, state=stored, **kw)
    third = msk.simulate(model, retest, state=second.final_state, **kw)
    assert second.time[0] == pytest.approx(first.time[-1])
    np.testing.assert_allclose(
        third.final_state.values, whole.final_state.values, rtol=1e-9, atol=1e-12
    )
    assert third.final_state.time == pytest.approx(whole.final_state.time, abs=1e-9)
    # The re-test barrier, as an event, is the single episode's.
    assert third.events["time"].iloc[-1] == pytest.approx(whole.events["time"].iloc[-1], abs=1e-9)


def test_a_state_is_plain_data_and_is_checked() -> None:
    model = msk.load_model("elbow")
    r = msk.simulate(model, [p.rest(0.2)], progress=False)
    state = r.final_state
    assert len(state) == model.core.n_states and state.time == pytest.approx(0.2)
    assert state["joint.r_elbow_flex.angle"] == pytest.approx(r["joint.r_elbow_flex.angle"][-1])
    again = msk.State.from_mapping(state.to_dict())
    np.testing.assert_array_equal(again.values, state.values)
    with pytest.raises(ValueError, match="initial angles"):
        msk.simulate(
            model, p.Protocol([p.rest(0.1)], initial_angles_deg={"r_elbow_flex": 30}), state=state
        )
    other = msk.load_model("elbow", overrides={"muscles.BIClong.thixotropy.enabled": True})
    with pytest.raises(msk.InvalidArgument, match="thixotropic_bonds"):
        msk.simulate(other, [p.rest(0.1)], state=state, progress=False)


def test_with_parameters_equals_the_same_override() -> None:
    base = msk.load_model("elbow", overrides=HYPER)
    changes = {
        "muscles.BIClong.optimal_fibre_length": 0.125,
        "muscles.BRA.tone.gain": 4.0,
        "muscles.BICshort.max_isometric_force": 500.0,
    }
    by_text = base.with_overrides(changes)
    by_value = base.with_parameters(changes)
    protocol = p.Protocol(_session(), initial_angles_deg={"r_elbow_flex": 90.0})
    a = msk.simulate(by_text, protocol, output_dt=0.05, progress=False)
    b = msk.simulate(by_value, protocol, output_dt=0.05, progress=False)
    np.testing.assert_array_equal(a.values, b.values)
    assert by_value.parameters(["muscles.BRA.tone.gain"]) == {"muscles.BRA.tone.gain": 4.0}
    assert base.parameters(["muscles.BRA.tone.gain"])["muscles.BRA.tone.gain"] == 3.0


def test_parameter_names_resolve_and_typos_are_guided() -> None:
    lumbar = msk.load_model("lumbar")
    names = lumbar.parameter_names()
    assert "segments.L4-L5.disc.height" in names and "segments.L4-L5.hydration" in names
    values = lumbar.parameters(["groups.erector_spinae.tone.gain"])
    assert len(values) == len(lumbar.core.groups["erector_spinae"])
    with pytest.raises(msk.InvalidArgument, match="did you mean 'disc.height'"):
        lumbar.with_parameters({"segments.L4-L5.disc.hieght": 0.01})
    with pytest.raises(msk.InvalidArgument, match="expected a finite value"):
        lumbar.with_parameters({"segments.L4-L5.hydration": float("nan")})
