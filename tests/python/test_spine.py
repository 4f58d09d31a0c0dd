"""Postures and posture equilibrium from Python: tables, errors, sweeps, pictures."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

msk = pytest.importorskip("msk")
pytest.importorskip("msk._core")

pytestmark = pytest.mark.core

LEVEL_COLUMNS = [
    "compression_N",
    "shear_N",
    "disc_force_N",
    "pressure_MPa",
    "facet_force_N",
    "facet_share",
    "foramen_height_mm",
    "shear_disc_N",
    "shear_facet_N",
    "foramen_width_mm",
    "foramen_area_mm2",
    "nerve_root_risk",
    "degeneration",
]
PRESETS = [
    "lying_supine",
    "lying_prone",
    "lying_side",
    "standing_relaxed",
    "standing_flexed",
    "standing_flexed_full",
    "sitting_relaxed",
    "sitting_straight",
    "sitting_slouched",
    "sitting_flexed_max",
    "lift_round_back",
    "lift_bent_knees",
    "lift_close",
]


@pytest.fixture(scope="module")
def lumbar() -> msk.Model:
    return msk.load_model("lumbar")


def test_every_named_preset_exists_and_lifts_take_a_load() -> None:
    assert set(PRESETS) <= set(msk.Posture.presets())
    lift = msk.Posture.preset("lift_round_back")
    assert lift.load_kg == 20.0
    assert msk.Posture.preset("lift_close", load_kg=10).load_kg == 10.0
    assert msk.Posture.preset("standing_relaxed", lumbar_flexion_deg=5).lumbar_flexion_deg == 5
    with pytest.raises(ValueError, match="unknown field"):
        msk.Posture.preset("standing_relaxed", trunk_deg=5)
    with pytest.raises(ValueError, match="expected one of"):
        msk.Posture.preset("handstand")
    with pytest.raises(ValueError, match="hand_distance_m"):
        msk.Posture(load_kg=10)


def test_levels_and_muscles_tables(lumbar: msk.Model) -> None:
    r = msk.equilibrium(lumbar, msk.Posture.preset("standing_relaxed"))
    assert list(r.levels.index) == ["L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"]
    assert r.levels.index.name == "level"
    for column in LEVEL_COLUMNS:
        assert column in r.levels.columns, column
        assert np.isfinite(r.levels[column]).all(), column
    assert r.levels.attrs["units"]["pressure_MPa"] == "MPa"
    assert {"force_N", "activation"} <= set(r.muscles.columns)
    assert len(r.muscles) == len(lumbar.muscle_names)
    assert (r.muscles["activation"] >= r.muscles["tone_activation"] - 1e-12).all()
    assert (r.muscles["activation"] <= 1 + 1e-12).all()
    # Compression exceeds the weight above L5-S1; under load the pressure is Nachemson's total,
    # not plus the swelling pressure.
    levels = r.levels
    assert levels.loc["L5-S1", "compression_N"] > 300
    l45 = levels.loc["L4-L5"]
    assert l45["pressure_MPa"] == pytest.approx(l45["load_pressure_MPa"], rel=2e-3)
    assert l45["pressure_MPa"] < l45["load_pressure_MPa"] + 0.05 * l45["swelling_pressure_MPa"]
    # The shear is shared between the disc and the facets.
    np.testing.assert_allclose(levels["shear_disc_N"] + levels["shear_facet_N"], levels["shear_N"])
    for flag in msk.spine.equilibria.LEVEL_FLAGS:
        assert levels[flag].dtype == bool, flag
    assert (levels["degeneration"] == 0.0).all()
    ds = r.to_xarray()
    assert ds["pressure_MPa"].attrs["units"] == "MPa"
    assert ds["foramen_area_mm2"].attrs["units"] == "mm^2"
    assert ds.sizes["level"] == 5


def test_degeneration_is_a_level_parameter(lumbar: msk.Model) -> None:
    by_override = msk.load_model("lumbar", overrides={"segments.L4-L5.degeneration": 1.0})
    by_parameters = lumbar.with_parameters({"segments.L4-L5.degeneration": 1.0})
    assert by_parameters.parameters(["segments.L4-L5.degeneration"]) == {
        "segments.L4-L5.degeneration": 1.0
    }
    a = msk.spine.level_loads(by_override, "L4-L5", compression_N=2000.0)
    b = msk.spine.level_loads(by_parameters, "L4-L5", compression_N=2000.0)
    healthy = msk.spine.level_loads(lumbar, "L4-L5", compression_N=2000.0)
    assert a["facet_share"] == pytest.approx(b["facet_share"])
    assert a["degeneration"] == 1.0
    assert a["facet_share"] > 5 * healthy["facet_share"]
    assert a["disc_height_mm"] < healthy["disc_height_mm"] - 3.0
    assert np.isnan(a["reserve_N_m"])
    with pytest.raises(ValueError, match="L4-L5"):
        msk.spine.level_loads(lumbar, "L4L5", compression_N=100.0)
    with pytest.raises(msk.InvalidArgument):
        lumbar.with_parameters({"segments.L4-L5.degeneration": 1.5})


def test_all_presets_solve_with_normal_and_hypertonic_tone(lumbar: msk.Model) -> None:
    hyper = lumbar.with_overrides(
        {"groups.erector_spinae.tone": "hypertonic", "groups.psoas.tone": "hypertonic"}
    )
    for model in (lumbar, hyper):
        for name in PRESETS:
            r = msk.equilibrium(model, name)
            demand = np.abs(r.raw["segments"]["muscle_moment_demand"])
            assert (np.abs(r.levels["reserve_N_m"]) <= 1e-3 + 0.05 * demand + 1e-9).all(), name
    # The hypertonic muscles cannot relax: their floor shows in the muscles table.
    r = msk.equilibrium(hyper, "lying_supine")
    es = r.muscles[r.muscles["group"] == "erector_spinae"]
    assert es["tone_activation"].min() > 0.0


def test_a_load_the_muscles_cannot_hold_names_the_level(lumbar: msk.Model) -> None:
    p = msk.Posture(name="too_heavy", load_kg=150, hand_distance_m=0.6)
    # The weakest link names itself: a level, or the hips that carry the trunk.
    with pytest.raises(
        msk.EquilibriumError, match=r"level L\d-[LS]\d|joint hip \(of pelvis\)"
    ) as info:
        msk.equilibrium(lumbar, p, mode="fixed")
    assert "too_heavy" in str(info.value)


def test_lifting_round_back_loads_more_than_close_and_the_abdominal_pressure_unloads_both(
    lumbar: msk.Model,
) -> None:
    without = lumbar.with_overrides({"segments.L4-L5.laws.abdominal_pressure": "none"})

    def l5s1(model: msk.Model, name: str) -> float:
        return float(msk.equilibrium(model, name).levels.loc["L5-S1", "compression_N"])

    round_back, close = l5s1(lumbar, "lift_round_back"), l5s1(lumbar, "lift_close")
    assert close < round_back
    # Without the intra-abdominal pressure (hypothesis H22) the round-back lift exceeds the
    # NIOSH 3.4 kN; with it, the pressure takes part of the extension moment and compression.
    assert l5s1(without, "lift_round_back") > 3400.0
    assert round_back < 0.8 * l5s1(without, "lift_round_back")
    assert msk.equilibrium(lumbar, "lift_round_back").abdominal_pressure_kPa > 5.0


def test_compare_keeps_the_postures_that_hold_and_records_the_one_that_fails(
    lumbar: msk.Model,
) -> None:
    heavy = msk.Posture.preset("standing_relaxed", load_kg=150.0, hand_distance_m=0.6)
    with pytest.warns(RuntimeWarning, match="1 of 2 postures could not be held"):
        table = msk.spine.compare({"normal": lumbar}, [heavy, "sitting_slouched"], mode="fixed")
    assert len(table) == 10
    assert table.loc["standing_relaxed", ("normal", "compression_N")].isna().all()
    held = table.loc["sitting_slouched", ("normal", "compression_N")]
    assert held.notna().all() and (held > 0).all()
    [error] = table.attrs["errors"]
    assert error["model"] == "normal" and error["posture"] == "standing_relaxed"
    assert "lack" in error["error"]


def test_compare_and_sweep(lumbar: msk.Model) -> None:
    table = msk.spine.compare(
        {"normal": lumbar, "weak": lumbar.with_overrides({"groups.multifidus.tone": "hypotonic"})},
        ["standing_relaxed", "sitting_relaxed"],
    )
    assert table.index.names == ["posture", "level"]
    assert ("normal", "pressure_MPa") in table.columns
    assert len(table) == 10
    # In relaxed standing the extensors sit below either threshold (the compression moves by
    # a fraction of a newton either way); slouched sitting stretches them.
    ds = msk.spine.sweep(
        lumbar,
        ["sitting_slouched"],
        {"groups.erector_spinae.tone.threshold_offset": [-0.02, 0.5]},
        progress=False,
    )
    assert ds["compression_N"].dims == (
        "groups.erector_spinae.tone.threshold_offset",
        "posture",
        "level",
    )
    assert ds["compression_N"].shape == (2, 1, 5)
    # A lower threshold (more tone) presses the levels harder.
    c = ds["compression_N"].sel(level="L4-L5", posture="sitting_slouched").values
    assert c[0] > c[1]


def test_threads_give_the_serial_result(lumbar: msk.Model) -> None:
    serial = [msk.equilibrium(lumbar, p).levels["compression_N"].to_numpy() for p in PRESETS[:6]]
    out: list = [None] * 6

    def run(k: int) -> None:
        out[k] = msk.equilibrium(lumbar, PRESETS[k]).levels["compression_N"].to_numpy()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(serial, out):
        np.testing.assert_array_equal(a, b)


def test_spine_pictures(lumbar: msk.Model, tmp_path: Path) -> None:
    rs = [msk.equilibrium(lumbar, p) for p in ("standing_relaxed", "lift_round_back")]
    fig = msk.plot.spine(rs[0], path=tmp_path / "one.png")
    assert (tmp_path / "one.png").stat().st_size > 10_000
    fig2 = msk.plot.spine_postures(rs, path=tmp_path / "two.png")
    assert (tmp_path / "two.png").stat().st_size > 10_000
    import matplotlib.pyplot as plt

    plt.close(fig)
    plt.close(fig2)


def test_a_task_posture_round_trips_through_the_core() -> None:
    sitting = msk.Posture.preset("sitting_relaxed")
    assert sitting.support == "seat"
    assert sitting.thigh_flexion_deg == pytest.approx(90.0)
    assert sitting.trunk_flexion_deg is None  # the nominal angles' inclination
    full = msk.Posture.preset("standing_flexed_full")
    assert full.trunk_flexion_deg == pytest.approx(105.0)
    assert full.hold_duration_s == pytest.approx(5.0)
    again = msk.Posture._from_core(full.to_core())
    assert again == full
    with pytest.raises(ValueError, match="support"):
        msk.Posture(support="hammock")
    with pytest.raises(ValueError, match="hold_duration_s"):
        msk.Posture(hold_duration_s=-1.0)


def test_free_standing_balances_over_the_feet_in_the_task_mode(lumbar: msk.Model) -> None:
    bend = msk.Posture.preset("standing_flexed")
    assert bend.balance and not msk.Posture.preset("lift_close").balance
    balanced = msk.equilibrium(lumbar, bend, mode="task")
    # The weight's moment about the feet vanishes (to 1 mm of the centre of mass) with the hips
    # shifted back: the thighs incline forward.
    assert abs(balanced.balance_moment_N_m) < 1.0
    assert balanced.thigh_inclination_deg > 0.5
    assert balanced.raw["balance_evaluations"] > 1
    held = msk.equilibrium(lumbar, bend.replace(balance=False), mode="task")
    assert held.thigh_inclination_deg == 0.0
    assert held.balance_moment_N_m < -5.0  # tips forward
    # The other modes keep the stated thighs; a seat cannot be balanced on the feet.
    assert msk.equilibrium(lumbar, bend).thigh_inclination_deg == 0.0
    with pytest.raises(msk.InvalidArgument, match="balance"):
        msk.equilibrium(lumbar, msk.Posture.preset("sitting_relaxed").replace(balance=True))


def test_the_task_mode_reports_the_posture_the_task_produced(lumbar: msk.Model) -> None:
    standing = msk.equilibrium(lumbar, "standing_relaxed", mode="task")
    assert standing.mode == "task"
    assert standing.converged and standing.warnings == []
    # The task (trunk upright) is kept; pelvis and lumbar flexion follow from the tissues.
    assert standing.trunk_inclination_deg == pytest.approx(0.0, abs=1e-6)
    assert standing.pelvic_tilt_deg + standing.region_flexion_deg["lumbar"] == pytest.approx(
        0.0, abs=1e-4
    )
    assert np.all(standing.seat_force_N == 0.0)
    sitting = msk.equilibrium(lumbar, "sitting_relaxed", mode="task")
    # The seat carries the trunk's weight (in the model's ground frame: the thighs).
    assert np.linalg.norm(sitting.seat_force_N) > 200.0
    # Hypertonic extensors deepen the lordosis and tilt the pelvis forward.
    tight = msk.load_model("lumbar", overrides={"groups.erector_spinae.tone": "hypertonic"})
    pulled = msk.equilibrium(tight, "standing_relaxed", mode="task")
    assert pulled.pelvic_tilt_deg > standing.pelvic_tilt_deg + 1.0
    assert pulled.region_flexion_deg["lumbar"] < standing.region_flexion_deg["lumbar"] - 1.0


def test_many_equilibria_at_once_match_one_by_one(lumbar: msk.Model) -> None:
    names = ["standing_relaxed", "sitting_slouched", "lift_close", "standing_flexed"]
    batch = msk.spine.batch_equilibrium(lumbar, names, mode="fixed", workers=2)
    for name, result in zip(names, batch):
        single = msk.equilibrium(lumbar, name, mode="fixed")
        assert result is not None and result.posture.name == name
        np.testing.assert_allclose(
            result.levels["compression_N"], single.levels["compression_N"], rtol=1e-12
        )
    # One model per posture (e.g. people of a cohort).
    weaker = msk.load_model("lumbar", overrides={"groups.erector_spinae.max_isometric_force": 100})
    people = msk.spine.batch_equilibrium([lumbar, weaker], ["lift_close"] * 2, mode="fixed")
    alone = msk.equilibrium(weaker, "lift_close", mode="fixed")
    assert people[1].effort == pytest.approx(alone.effort, rel=1e-12)
    assert people[0].effort < people[1].effort
    # A posture the muscles cannot hold: kept as None with a warning, or raised.
    weak = msk.load_model("lumbar", overrides={"groups.erector_spinae.max_isometric_force": 1.0})
    with pytest.warns(RuntimeWarning, match="1 of 2 equilibria failed"):
        kept = msk.spine.batch_equilibrium(
            weak, ["lying_supine", "lift_round_back"], mode="fixed", errors="keep"
        )
    assert kept[0] is not None and kept[1] is None
    with pytest.raises(msk.EquilibriumError, match="lift_round_back"):
        msk.spine.batch_equilibrium(weak, ["lying_supine", "lift_round_back"], mode="fixed")
    with pytest.raises(ValueError, match="one per posture"):
        msk.spine.batch_equilibrium([lumbar], ["standing_relaxed"] * 2)
