"""Errors that guide: overrides blamed on the call or file that gave them, quoting the key as
typed; "did you mean" and the valid names for models, muscles, groups, presets and tone presets;
NaN and infinite overrides refused; a clear error for the equilibrium of a model without a spine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("msk._core")

import msk  # noqa: E402
from msk.cli import EXIT_BAD_INPUT, main  # noqa: E402

pytestmark = pytest.mark.core


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("msk:")]
    assert len(lines) == 1, lines
    return lines[0]


def test_a_tone_typo_in_a_run_file_blames_the_run_file_and_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "typo.yaml"
    run.write_text(
        "model: elbow\noverrides: {muscles.BIClong.tone: hypertonik}\n"
        "protocol: {phases: [{type: rest, duration: 0.1}]}\n"
    )
    assert main(["run", str(run), "-o", str(tmp_path / "typo.h5")]) == EXIT_BAD_INPUT
    line = _error(capsys)
    assert f"{run}: overrides: 'muscles.BIClong.tone': expected one of hypertonic, normal, " in line
    assert "did you mean 'hypertonic'" in line
    assert "elbow.yaml" not in line and "muscles[3=BIClong]" not in line


def test_a_group_override_is_reported_against_the_key_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "group.yaml"
    run.write_text(
        "model: lumbar\n"
        "equilibrium:\n"
        "  postures: [standing_relaxed]\n"
        "  compare:\n"
        "    normal: {}\n"
        "    hypertonic: {groups.erector_spinae.tone: hypertonik}\n"
    )
    assert main(["run", str(run), "-o", str(tmp_path / "group.h5")]) == EXIT_BAD_INPUT
    line = _error(capsys)
    assert f"{run}: equilibrium.compare.hypertonic: 'groups.erector_spinae.tone': expected" in line
    assert "IL_L1" not in line and "did you mean 'hypertonic'" in line
    assert not (tmp_path / "group.h5").exists()


def test_misspelt_names_list_the_valid_ones_with_a_suggestion() -> None:
    with pytest.raises(msk.ModelError) as info:
        msk.load_model("lumbar", overrides={"groups.erector_spine.tone": "hypertonic"})
    message = str(info.value)
    assert message.startswith(
        "msk.load_model(overrides=...): 'groups.erector_spine.tone': expected a muscle group of "
        "model 'lumbar' (valid: erector_spinae, "
    )
    assert message.endswith("got 'erector_spine'; did you mean 'erector_spinae'?")
    assert "psoas" in message

    with pytest.raises(msk.ModelError) as info:
        msk.load_model("elbow").with_overrides({"muscles.BICLong.tone": "normal"})
    message = str(info.value)
    assert message.startswith(
        "msk.Model.with_overrides(...): 'muscles.BICLong.tone': expected the name or index of a "
        "muscle of model 'elbow' (valid: TRIlong, TRIlat, TRImed, "
    )
    assert message.endswith("got 'BICLong'; did you mean 'BIClong'?")
    with pytest.raises(msk.ModelError, match=r"'segments.L4_L5.degeneration': .*a spinal level "):
        msk.load_model("lumbar", overrides={"segments.L4_L5.degeneration": 0.5})
    with pytest.raises(msk.ModelError, match=r"got 'L4_L5'; did you mean 'L4-L5'\?"):
        msk.load_model("lumbar", overrides={"segments.L4_L5.degeneration": 0.5})

    with pytest.raises(msk.ModelError, match=r"model 'elbow' has no muscle groups"):
        msk.load_model("elbow", overrides={"groups.flexors.tone": "hypertonic"})
    with pytest.raises(msk.ModelError, match=r"did you mean 'max_isometric_force'\?"):
        msk.load_model("elbow", overrides={"muscles.BIClong.max_isometric_forc": 600.0})

    with pytest.raises(FileNotFoundError, match=r"no bundled model 'lumbr'; did you mean 'lumbar'"):
        msk.load_model("lumbr")
    with pytest.raises(ValueError, match=r"got 'sitting_slouch'; did you mean 'sitting_slouched'"):
        msk.Posture.preset("sitting_slouch")
    with pytest.raises(ValueError, match=r"unknown muscle 'IL_L9' .*did you mean"):
        msk.equilibrium("lumbar", "standing_relaxed", effort_weight={"IL_L9": 2.0})


def test_protocol_names_get_a_suggestion() -> None:
    from msk import protocols as p

    elbow = msk.load_model("elbow")
    with pytest.raises(msk.ModelError) as info:
        msk.simulate(elbow, [p.pir("r_elbow_flex", ["BICLong"], cycles=1)], progress=False)
    assert "did you mean 'BIClong'? (muscles: TRIlong" in str(info.value)
    with pytest.raises(msk.ModelError, match=r"did you mean 'r_elbow_flex'\? \(joints: "):
        msk.simulate(elbow, [p.hold("r_elbow_flx", 0.1)], progress=False)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), [1.0, float("nan")]])
def test_nan_and_infinite_overrides_are_refused(bad: float) -> None:
    with pytest.raises(ValueError) as info:
        msk.load_model("elbow", overrides={"muscles.BIClong.tone.gain": bad})
    assert str(info.value).startswith(
        "msk.load_model(overrides=...): 'muscles.BIClong.tone.gain': expected a finite number"
    )
    assert "JSON" not in str(info.value)


def test_equilibrium_needs_a_model_with_spinal_levels() -> None:
    with pytest.raises(ValueError, match=r"expected a spine model .* got 'elbow', which has none"):
        msk.equilibrium("elbow", "standing_relaxed")
