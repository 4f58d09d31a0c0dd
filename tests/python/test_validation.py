"""The validation suite: every case runs and has the status its file says it should have.

A case whose file says ``expected_status: pass`` and that fails makes its test fail (and the other
way round), so a change of the model that moves a prediction out of its tolerance shows here.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("msk._core")
validation = pytest.importorskip("msk.validation")

pytestmark = pytest.mark.core

REPO_CASES = Path(__file__).resolve().parents[2] / "tests" / "validation"
EXPECTED_IDS = {
    "bamman_bed_rest_strength",
    "mcdonnell_bed_rest_strength",
    "narici1989_strength_training",
    "narici1996_hypertrophy",
    "gouteron2022_flexion_relaxation",
    "tone_floor_chronic_range",
    "tone_changes_standing",
    "adams_hutton1980_facet_share_sitting",
    "adams_hutton1980_facet_share_standing",
    "adams_hutton1985_facet_share_degenerated_standing",
    "degroote2016_curves",
    "endo2012_sitting_pelvis_lordosis_task",
    "depino2000_acute_duration",
    "fryer2004_contraction_duration",
    "hutton1977_facet_shear_erect",
    "kay2015_contract_relax_rom",
    "kay2015_tendon_stiffness",
    "kay2020_tolerated_moment",
    "kwak2015_intensity",
    "magnusson1996_stress_relaxation",
    "moore_kukulka1991_pad",
    "niosh_lifting",
    "oconnell2011_recovery_slower",
    "pir_sensitivity",
    "pir_spine_regions",
    "pir_time_course",
    "pollintine2004_facet_share_degenerated",
    "pollintine2004_facet_share_healthy",
    "revel1988_nerve_root_collapse_extension",
    "riener_edrich1999_passive_hip_moment_knee_bent",
    "riener_edrich1999_passive_hip_moment_knee_straight",
    "ryan2008_stiffness_recovery",
    "schmid1999_foramen_area_posture",
    "stretch_reflex_velocity",
    "tabary1972_immobilised_lengthened",
    "tabary1972_immobilised_shortened",
    "tyrrell1985_daily_stature_loss",
    "urban_mcmullin1988_fluid_loss",
    "wilke1999_absolute_lift_close",
    "wilke1999_absolute_lying_prone",
    "wilke1999_absolute_sitting_relaxed",
    "wilke1999_absolute_standing_flexed",
    "wilke1999_absolute_standing_relaxed",
    "wilke1999_lift_close",
    "wilke1999_lying_prone",
    "wilke1999_sitting_relaxed",
    "wilke1999_standing_flexed",
}
CASES = validation.load_cases(REPO_CASES)


def _case(case_id: str) -> dict[str, Any]:
    return copy.deepcopy(next(c for c in CASES if c["id"] == case_id))


def test_the_repository_holds_every_case() -> None:
    assert {c["id"] for c in CASES} == EXPECTED_IDS
    for case in CASES:
        assert case["kind"] in validation.KINDS
        assert case["expected_status"] in validation.STATUSES
        assert case["source"] and case["published"]["text"] and case["tolerance"]["text"]


def test_the_default_cases_are_the_repository_cases() -> None:
    """The installed copies (msk/validation_cases) match tests/validation."""
    installed = {c["id"]: c for c in validation.load_cases()}
    repository = {c["id"]: c for c in CASES}
    assert set(installed) == set(repository)
    for case_id, case in installed.items():
        strip = {k: v for k, v in case.items() if k != "_file"}
        assert strip == {k: v for k, v in repository[case_id].items() if k != "_file"}, case_id


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_has_its_expected_status(case: dict[str, Any]) -> None:
    result = validation.run_case(case)
    assert result["status"] == case["expected_status"], result["detail"]
    for key in ("id", "title", "kind", "source", "published", "predicted", "tolerance", "detail"):
        assert isinstance(result[key], str) and result[key], key
    assert "n/a" not in result["meaning"], result["meaning"]


def test_a_case_out_of_tolerance_fails() -> None:
    """The runner does fail: the same run against a published range it does not reach."""
    case = _case("magnusson1996_stress_relaxation")
    case["published"]["range"] = [0.50, 0.60]
    assert validation.run_case(case)["status"] == "fail"

    case = _case("moore_kukulka1991_pad")
    case["published"]["values"] = [0.83, 0.60, 0.10]
    result = validation.run_case(case)
    assert result["status"] == "fail"
    assert "5 s" in result["detail"]


def test_the_curve_check_fails_at_half_a_unit_for_fv1() -> None:
    """f_v(1) = 1.7895 is more than half a unit of the last digit from the published 1.790."""
    case = _case("degroote2016_curves")
    for check in case["metric"]["checks"]:
        check.pop("tolerance", None)
    result = validation.run_case(case)
    assert result["status"] == "fail"
    assert "f_v(1)" in result["detail"]


def test_slow_stretch_must_stay_below_the_threshold() -> None:
    """Past the static threshold the case is invalid and fails, whatever the peaks."""
    case = _case("stretch_reflex_velocity")
    case["protocol"]["phases"][2]["to_deg"] = 60.0
    result = validation.run_case(case)
    assert result["status"] == "fail"
    assert "below the static threshold" in result["detail"]


def test_a_broken_run_is_a_failed_case() -> None:
    case = _case("moore_kukulka1991_pad")
    case["overrides"] = {"muscles.NOSUCH.tone": "normal"}
    result = validation.run_case(case)
    assert result["status"] == "fail"
    assert result["detail"].startswith("Error:")


def test_pir_time_course_reports_retests_ablation_and_outcome() -> None:
    result = validation.run_case(_case("pir_time_course"))
    values = result["values"]
    for key in ("tight_gain_0_deg", "tight_gain_60_deg", "hypertonic_gain_1_deg"):
        assert math.isfinite(values[key]), key
    # The gain fades: what is left at 60 min is less than what is left at 1 min.
    assert values["tight_gain_60_deg"] < values["tight_gain_1_deg"] < values["tight_gain_0_deg"]
    # On hypertonic flexors the immediate gain is mostly post-activation depression.
    assert values["hypertonic_share_depression_0_pct"] > 50.0
    assert "session outcome per treated muscle" in result["tables"]
    assert "without stretch tolerance" in result["tables"]
    # The no-session control: at normal tone the rest hold moves nothing; on hypertonic flexors
    # the reflex habituates in the hold, and the control carries what the re-tests gain later.
    assert abs(values["tight_control_gain_60_deg"]) < 0.05
    assert values["hypertonic_control_gain_60_deg"] > 0.5 * values["hypertonic_gain_60_deg"]
    assert values["hypertonic_share_habituation_60_pct"] > 50.0
    assert "without habituation of the tonic reflex" in result["tables"]
    assert "a control without the session" in result["tables"]


def test_tendon_stiffness_change_comes_from_the_tendon_creep() -> None:
    """kay2015_tendon_stiffness: e(F)/(e(F) + d) - 1 from the creep d between the tests; no creep
    law, no change; a lower test force (less tendon stretch) shows the same creep as more."""
    from msk.curves import tendon_force_length_inverse

    case = _case("kay2015_tendon_stiffness")
    values = validation.run_case(case)["values"]
    model = validation._model(case)
    params = model.core.muscle_parameters("BIClong")
    creep = values["tendon_creep_BIClong_mm"] / 1000.0
    assert creep > 0.0
    strain = float(tendon_force_length_inverse(1.0, curves=str(params["curves"]))) - 1.0
    elongation = params["tendon_slack_length"] * strain
    assert values["tendon_stiffness_change_BIClong"] == pytest.approx(
        elongation / (elongation + creep) - 1.0, rel=1e-9
    )
    assert values["tendon_stiffness_change"] < 0.0

    lower = _case("kay2015_tendon_stiffness")
    lower["metric"]["test_force"] = 0.5
    assert (
        validation.run_case(lower)["values"]["tendon_stiffness_change"]
        < values["tendon_stiffness_change"]
    )

    off = _case("kay2015_tendon_stiffness")
    off["overrides"] = {**off["overrides"], "law_defaults.muscles.tendon_creep": "none"}
    result = validation.run_case(off)
    assert result["values"]["tendon_stiffness_change"] == 0.0
    assert result["status"] == "fail"


def test_load_cases_rejects_bad_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        validation.load_cases(tmp_path)
    (tmp_path / "a.yaml").write_text("id: x\ntitle: t\n")
    with pytest.raises(ValueError, match="missing field"):
        validation.load_cases(tmp_path)
    text = (REPO_CASES / "moore_kukulka1991_pad.yaml").read_text()
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text)
    with pytest.raises(ValueError, match="also used by"):
        validation.load_cases(tmp_path)
    (tmp_path / "b.yaml").write_text(
        text.replace("moore_kukulka1991_pad", "other").replace(
            "name: pad_depression_time_course", "name: no_such_metric"
        )
    )
    with pytest.raises(ValueError, match="metric.name"):
        validation.load_cases(tmp_path)


def test_reports_and_exit_status(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import pandas as pd
    from msk.cli import EXIT_ERROR, main

    table = validation.run_all(REPO_CASES)
    assert list(table["id"]) == sorted(EXPECTED_IDS)
    markdown = validation.to_markdown(table)
    for case_id in EXPECTED_IDS:
        assert f"## `{case_id}`" in markdown
    assert "| case | kind | published | msk | tolerance | status |" in markdown

    out = tmp_path / "report.md"
    assert validation.main(["--cases", str(REPO_CASES), "--markdown", str(out)]) == 0
    assert out.read_text() == markdown

    # msk validate: 0 when nothing fails, 1 when a case fails ("reported" does not count).
    reported = table.copy()
    reported.loc[0, "status"] = "reported"
    monkeypatch.setattr(validation, "run_all", lambda: reported)
    assert main(["validate"]) == 0
    failing = pd.concat([table, table.iloc[:1].assign(status="fail")], ignore_index=True)
    monkeypatch.setattr(validation, "run_all", lambda: failing)
    assert main(["validate"]) == EXIT_ERROR


def test_an_expected_failure_that_errors_fails_msk_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """expected_status: fail covers a number out of tolerance, never a run that raises."""
    from msk.cli import EXIT_ERROR, main

    text = (REPO_CASES / "wilke1999_lift_close.yaml").read_text()
    assert "expected_status: fail" in text and "overrides: {}" in text
    (tmp_path / "broken.yaml").write_text(
        text.replace("overrides: {}", "overrides: {muscles.NOSUCH.tone: normal}")
    )
    table = validation.run_all(tmp_path)
    assert validation.errored(table) == ["wilke1999_lift_close"]
    assert validation.unexpected(table) == ["wilke1999_lift_close"]
    assert "NOSUCH" in table["error"].iloc[0]

    assert main(["validate", "--cases", str(tmp_path)]) == EXIT_ERROR
    captured = capsys.readouterr()
    assert "msk: error: validation case wilke1999_lift_close:" in captured.err
    assert "ERROR" in captured.out and "1 error(s)" in captured.out
    assert validation.main(["--cases", str(tmp_path)]) == 1

    # The same case failing out of tolerance, as its file expects, does not fail the command.
    (tmp_path / "broken.yaml").write_text(text)
    assert main(["validate", "--cases", str(tmp_path)]) == 0
    assert "fail (expected)" in capsys.readouterr().out


def test_facet_cases_run_at_plain_conditions() -> None:
    """No facet case sets a posture angle or a hydration of its own."""
    for case in CASES:
        if "facet" not in case["id"]:
            continue
        metric = case["metric"]
        for spec in [metric.get("posture"), metric.get("reference"), metric.get("state")]:
            spec = dict(spec or {})
            assert set(spec) <= {"preset", "angle_deg", "compression_N"}, case["id"]
            assert spec.get("angle_deg", 0.0) == 0.0, case["id"]


def test_every_lumbar_equilibrium_case_lists_the_strength_calibration() -> None:
    """Muscle forces rest on STRENGTH_SCALE wherever the muscles carry a load (not in lying)."""
    for case in CASES:
        posture = str((case["metric"].get("posture") or {}).get("preset", ""))
        if posture.startswith("lying") and "reference" not in case["metric"]:
            continue
        if case["model"] == "lumbar" and case["metric"]["name"].startswith("equilibrium"):
            names = [c["parameter"] for c in case.get("calibrations") or []]
            assert "STRENGTH_SCALE" in names, case["id"]


def test_calibrations_must_name_the_data() -> None:
    case = _case("niosh_lifting")
    case["calibrations"] = [{"parameter": "STRENGTH_SCALE", "value": 2}]
    with pytest.raises(ValueError, match="fitted_to"):
        validation._check_case(case, "case.yaml")


def test_level_value_runs_a_level_on_a_testing_machine() -> None:
    case = _case("pollintine2004_facet_share_degenerated")
    result = validation.run_case(case)
    assert "level state" in result["conditions"]
    assert abs(result["values"]["value"] - 0.40) < 0.1


def test_validate_prints_conditions_in_aligned_columns() -> None:
    import pandas as pd

    case = _case("adams_hutton1980_facet_share_standing")
    row = validation.run_case(case)
    assert "posture standing_relaxed" in row["conditions"]
    assert "model lumbar" in row["conditions"]
    assert "STRENGTH_SCALE = 2" in row["calibrations"]
    long_row = {**row, "id": "a_case_whose_name_is_far_longer_than_the_old_column_of_34"}
    table = pd.DataFrame([row, long_row])
    text = validation.to_text(table)
    header, _, short, long = text.splitlines()[:4]
    for column, value in (("kind", row["kind"]), ("status", row["status"])):
        assert short.index(value) == long.index(value) == header.index(column), column
    predicted = str(row["predicted"])
    assert short.rindex(predicted) == long.rindex(predicted) == header.index("msk")
    assert "conditions: model lumbar" in text
