"""Protocol builders and their checks, protocol forms, PIR summaries, and model overrides."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import msk
import numpy as np
import pytest
from conftest import BARRIER_ANGLES_DEG, BARRIER_TIMES, JOINT, write_results_file
from msk import protocols as p
from msk._api import flatten_overrides
from msk.results import Results

# --- builders -------------------------------------------------------------------------------------


def test_builders_produce_the_core_schema() -> None:
    assert p.rest(2) == {"type": "rest", "duration": 2.0}
    assert p.voluntary(1.5, {"BIClong": 0.2}) == {
        "type": "voluntary",
        "duration": 1.5,
        "excitation": {"BIClong": 0.2},
        "rise_s": 0.05,
    }
    assert p.hold(JOINT, 3) == {"type": "hold", "joint": JOINT, "duration": 3.0}
    assert p.ramp(JOINT, to_deg=30, speed_deg_s=10) == {
        "type": "ramp",
        "joint": JOINT,
        "to_deg": 30.0,
        "speed_deg_s": 10.0,
    }
    assert p.isometric(JOINT, ["BIClong"]) == {
        "type": "isometric",
        "joint": JOINT,
        "muscles": ["BIClong"],
        "effort_pct_mvc": 20.0,
        "duration": 5.0,
        "rise_s": 0.2,
    }
    assert p.passive_stretch(JOINT, ("BIClong", "BRA")) == {
        "type": "passive_stretch",
        "joint": JOINT,
        "muscles": ["BIClong", "BRA"],
        "speed_deg_s": 5.0,
        "barrier_torque": 2.0,
        "barrier_stiffness_nm_per_deg": 0.0,
        "max_duration": 60.0,
    }
    assert p.pir(JOINT, ["BIClong"], cycles=np.int64(4)) == {
        "type": "pir",
        "joint": JOINT,
        "muscles": ["BIClong"],
        "cycles": 4,
        "effort_pct_mvc": 20.0,
        "contraction_s": 5.0,
        "relaxation_s": 2.0,
        "stretch_speed_deg_s": 5.0,
        "barrier_torque": 2.0,
        "barrier_stiffness_nm_per_deg": 0.0,
        "max_duration": 60.0,
    }


def test_builder_output_is_plain_json() -> None:
    phase = p.pir(JOINT, ["BIClong"], effort_pct_mvc=np.float32(15.0))
    assert json.loads(json.dumps(phase)) == phase
    assert type(phase["effort_pct_mvc"]) is float


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: p.rest(0), "rest.duration: expected a positive number \\[s\\], got 0"),
        (lambda: p.rest(-1.0), "rest.duration: expected a positive number"),
        (lambda: p.rest(math.inf), "rest.duration: expected a finite number"),
        (lambda: p.rest(float("nan")), "rest.duration: expected a finite number"),
        (lambda: p.rest(True), "rest.duration: expected a number"),
        (lambda: p.rest("2"), "rest.duration: expected a number"),
        (lambda: p.voluntary(1, {}), "voluntary.excitation: expected a mapping"),
        (lambda: p.voluntary(1, {"BIClong": 1.5}), "voluntary.excitation\\['BIClong'\\]"),
        (lambda: p.voluntary(1, {"BIClong": 0.2}, rise_s=-0.1), "voluntary.rise_s: expected"),
        (lambda: p.hold("", 1), "hold.joint: expected a non-empty name"),
        (lambda: p.ramp(JOINT, 30, 0), "ramp.speed_deg_s: expected a positive number"),
        (lambda: p.isometric(JOINT, ["BIClong"], 120), "effort_pct_mvc: expected a number in"),
        (lambda: p.isometric(JOINT, ["BIClong"], -5), "\\[0, 100\\] \\[% MVC\\]"),
        (lambda: p.isometric(JOINT, []), "isometric.muscles: expected at least one muscle"),
        (lambda: p.isometric(JOINT, "BIClong"), "isometric.muscles: expected a list"),
        (lambda: p.passive_stretch(JOINT, ["A", "A"]), "expected distinct muscles"),
        (lambda: p.passive_stretch(JOINT, ["A"], barrier_torque=0), "barrier_torque"),
        (lambda: p.pir(JOINT, ["A"], cycles=0), "pir.cycles: expected a whole number >= 1"),
        (lambda: p.pir(JOINT, ["A"], cycles=2.5), "pir.cycles: expected a whole number"),
        (lambda: p.pir(JOINT, ["A"], relaxation_s=0), "pir.relaxation_s"),
    ],
)
def test_builders_reject_bad_arguments(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


# --- protocols ------------------------------------------------------------------------------------


def test_protocol_to_dict_and_json_round_trip() -> None:
    session = p.Protocol(
        [p.rest(1.0), p.pir(JOINT, ["BIClong"], cycles=2)], initial_angles_deg={JOINT: 90}
    )
    data = session.to_dict()
    assert data["initial"] == {"angles_deg": {JOINT: 90.0}}
    assert [phase["type"] for phase in data["phases"]] == ["rest", "pir"]
    assert p.Protocol.from_dict(data) == session
    assert p.Protocol.from_json(session.to_json(indent=2)) == session
    assert len(session) == 2
    assert "2 phase(s) [rest, pir]" in repr(session)

    data["phases"][0]["duration"] = 99.0  # to_dict returns a copy
    assert session.phases[0]["duration"] == 1.0


def test_protocol_rejects_bad_content() -> None:
    with pytest.raises(ValueError, match=r"phases: expected at least one phase"):
        p.Protocol([])
    with pytest.raises(ValueError, match=r"phases: expected a list of phases"):
        p.Protocol(p.rest(1.0))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"initial_angles_deg\['r_elbow_flex'\]"):
        p.Protocol([p.rest(1.0)], initial_angles_deg={JOINT: "ninety"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match=r"protocol: unknown field\(s\) \['phase'\]"):
        p.Protocol.from_dict({"phase": []})
    with pytest.raises(ValueError, match=r"protocol.initial: expected"):
        p.Protocol.from_dict({"initial": {"angles": {}}, "phases": [p.rest(1)]})


def test_phase_from_dict_names_the_culprit() -> None:
    assert p.phase_from_dict({"type": "rest", "duration": 1}) == p.rest(1)
    with pytest.raises(ValueError, match=r"phases\[3\].type: expected one of"):
        p.phase_from_dict({"type": "sprint"}, "phases[3]")
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['speed'\]"):
        p.phase_from_dict({"type": "ramp", "joint": JOINT, "to_deg": 10, "speed": 5})
    with pytest.raises(ValueError, match=r"missing field\(s\) \['speed_deg_s'\]"):
        p.phase_from_dict({"type": "ramp", "joint": JOINT, "to_deg": 10})
    with pytest.raises(ValueError, match=r"phases\[1\]: isometric.effort_pct_mvc"):
        p.phase_from_dict(
            {"type": "isometric", "joint": JOINT, "muscles": ["A"], "effort_pct_mvc": 200},
            "phases[1]",
        )


def test_every_protocol_form_becomes_the_same_dict() -> None:
    phases = [p.rest(1.0), p.hold(JOINT, 2.0)]
    expected = {"initial": {"angles_deg": {}}, "phases": phases}
    assert p.as_protocol_dict(p.Protocol(phases)) == expected
    assert p.as_protocol_dict(phases) == expected
    assert p.as_protocol_dict({"phases": phases}) == expected
    assert p.as_protocol_dict(p.rest(1.0)) == {"initial": {"angles_deg": {}}, "phases": [phases[0]]}
    with pytest.raises(ValueError, match=r"protocol: expected a msk.protocols.Protocol"):
        p.as_protocol_dict(42)  # type: ignore[arg-type]


# --- PIR summary ----------------------------------------------------------------------------------


def test_pir_summary_reads_barrier_angles_and_gains(results_file: Path) -> None:
    summary = p.pir_summary(Results.load(results_file), JOINT)

    assert list(summary.columns) == [
        "cycle",
        "time_s",
        "barrier_angle_deg",
        "barrier_torque_nm",
        "barrier_stiffness_nm_per_deg",
        "tolerance_factor",
        "gain_deg",
        "cumulative_gain_deg",
    ]
    assert summary["cycle"].tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(summary["time_s"], BARRIER_TIMES)
    np.testing.assert_allclose(summary["barrier_angle_deg"], BARRIER_ANGLES_DEG, atol=1e-9)
    np.testing.assert_allclose(summary["gain_deg"], [0.0, 5.0, 3.0, 2.0], atol=1e-9)
    np.testing.assert_allclose(summary["cumulative_gain_deg"], [0.0, 5.0, 8.0, 10.0], atol=1e-9)
    assert summary.attrs["stretch_direction"] == -1  # the stretch extends the elbow
    assert summary.attrs["units"]["barrier_angle_deg"] == "deg"


def test_pir_summary_accepts_a_path_and_handles_increasing_angles(
    tmp_path: Path, episode: dict[str, Any]
) -> None:
    name = f"joint.{JOINT}.angle"
    episode["channels"][name] = np.radians(180.0) - episode["channels"][name]  # mirror the angle
    path = write_results_file(tmp_path / "mirrored.h5", episode)
    summary = p.pir_summary(path, JOINT)
    assert summary.attrs["stretch_direction"] == 1
    np.testing.assert_allclose(summary["cumulative_gain_deg"], [0.0, 5.0, 8.0, 10.0], atol=1e-9)


def test_pir_summary_without_barriers_is_empty(tmp_path: Path, episode: dict[str, Any]) -> None:
    path = write_results_file(tmp_path / "quiet.h5", episode, with_events=False)
    summary = p.pir_summary(path, JOINT)
    assert len(summary) == 0 and "barrier_angle_deg" in summary.columns
    with pytest.raises(KeyError, match=r"no channel 'joint.r_knee.angle'"):
        p.pir_summary(path, "r_knee")


# --- overrides (inputs of load_model) -------------------------------------------------------------


def test_flatten_overrides_mixes_flat_and_nested() -> None:
    nested = {
        "muscles": {"BIClong": {"tone": "hypertonic", "max_isometric_force": 700}},
        "muscles.TRIlong.tone": "hypotonic",
        "joints": {"r_elbow_flex.range_deg": [0, 150]},
        "gravity": {},
    }
    assert flatten_overrides(nested) == {
        "muscles.BIClong.tone": "hypertonic",
        "muscles.BIClong.max_isometric_force": 700,
        "muscles.TRIlong.tone": "hypotonic",
        "joints.r_elbow_flex.range_deg": [0, 150],
        "gravity": {},
    }


def test_flatten_overrides_rejects_duplicates_and_bad_keys() -> None:
    with pytest.raises(ValueError, match=r"'muscles.BIClong.tone' is given twice"):
        flatten_overrides({"muscles.BIClong.tone": "a", "muscles": {"BIClong": {"tone": "b"}}})
    with pytest.raises(ValueError, match=r"expected a field name"):
        flatten_overrides({"muscles": {"": 1}})
    with pytest.raises(ValueError, match=r"expected a field name"):
        flatten_overrides({3: 1})  # type: ignore[dict-item]


# --- with the real core (run by `pytest -m core` once msk._core is built) -------------------------


@pytest.mark.core
def test_core_pir_session_has_one_barrier_per_cycle_plus_the_first() -> None:
    pytest.importorskip("msk._core")
    model = msk.load_model("elbow")
    joint = model.joint_names[0]
    session = p.Protocol(
        [
            p.rest(0.5),
            p.pir(
                joint,
                model.muscle_names[:1],
                cycles=2,
                contraction_s=1.0,
                relaxation_s=0.5,
                stretch_speed_deg_s=20.0,
            ),
        ],
        initial_angles_deg={joint: 90.0},
    )
    results = msk.simulate(model, session, progress=False)
    summary = p.pir_summary(results, joint)
    assert summary["cycle"].tolist() == [0, 1, 2]
    assert np.isfinite(summary["barrier_angle_deg"]).all()
    labels = list(results.events["label"])
    assert sum(label.startswith("pir_cycle_start") for label in labels) == 2


def test_region_and_end_feel_fields_are_checked() -> None:
    assert p.hold(region="lumbar", duration=1) == {
        "type": "hold",
        "region": "lumbar",
        "duration": 1.0,
    }
    phase = p.pir(
        muscles=["A"], region="cervical", barrier_torque=4, barrier_stiffness_nm_per_deg=0.2
    )
    assert phase["region"] == "cervical" and "joint" not in phase
    assert phase["barrier_stiffness_nm_per_deg"] == 0.2
    assert p.hold(JOINT, 1, hold_others=True)["hold_others"] is True
    with pytest.raises(ValueError, match="either joint .* or region"):
        p.hold(JOINT, 1, region="lumbar")
    with pytest.raises(ValueError, match="either joint .* or region"):
        p.ramp(to_deg=1, speed_deg_s=1)
    with pytest.raises(ValueError, match="barrier_stiffness_nm_per_deg"):
        p.passive_stretch(JOINT, ["A"], barrier_stiffness_nm_per_deg=-1)
    with pytest.raises(ValueError, match=r"missing field\(s\) \['muscles'\]"):
        p.phase_from_dict({"type": "pir", "region": "lumbar"})


@pytest.mark.core
def test_core_pir_gains_are_positive_toward_the_stretch_whatever_the_joint_sign() -> None:
    """Flexors stretched by extension (the angle falls) and extensors by flexion (it rises), at
    normal and hypertonic tone: every summary reports its gains toward the stretch as positive."""
    pytest.importorskip("msk._core")
    flexors, extensors = ["BIClong", "BICshort", "BRA"], ["TRIlong", "TRIlat", "TRImed"]
    for muscles, start in ((flexors, 90.0), (extensors, 60.0)):
        for tone in ("normal", "hypertonic"):
            model = msk.load_model("elbow", {f"muscles.{m}.tone": tone for m in muscles})
            barrier = 1.5 if tone == "normal" else 4.0
            session = p.Protocol(
                [p.hold(JOINT, 0.5), p.pir(JOINT, muscles, cycles=2, barrier_torque=barrier)],
                initial_angles_deg={JOINT: start},
            )
            results = msk.simulate(model, session, progress=False)
            assert not results.warnings, results.warnings
            summary = p.pir_summary(results, JOINT)
            assert summary.attrs["stretch_direction"] == (-1 if muscles is flexors else 1)
            assert (summary["gain_deg"].iloc[1:] > 0).all(), (muscles[0], tone, summary)
            assert "tolerated torque" in summary.attrs["barrier_definition"]
            assert np.isfinite(summary["barrier_torque_nm"]).all()


@pytest.mark.core
def test_core_region_pir_and_a_stretch_past_its_barrier_warns() -> None:
    pytest.importorskip("msk._core")
    model = msk.load_model("cervical")
    muscles = ["trap_cl", "trap_acr", "levator_scap"]
    session = p.Protocol(
        [
            p.hold(region="cervical", duration=0.5),
            p.pir(
                muscles=muscles,
                region="cervical",
                cycles=1,
                barrier_torque=4.0,
                barrier_stiffness_nm_per_deg=0.15,
            ),
        ]
    )
    results = msk.simulate(model, session, progress=False)
    summary = p.pir_summary(results, "cervical")
    assert len(summary) == 2 and summary["cumulative_gain_deg"].iloc[-1] > 0
    assert summary["barrier_stiffness_nm_per_deg"].iloc[0] >= 0.15 - 1e-6
    assert "end-feel" in summary.attrs["barrier_definition"]
    assert not results.warnings
    # The same stretch asked for a barrier the neck already exceeds: an event and a warning.
    stuck = p.Protocol(
        [
            p.ramp(region="cervical", to_deg=30, speed_deg_s=10),
            p.passive_stretch(muscles=muscles, region="cervical", barrier_torque=1.0),
        ]
    )
    with pytest.warns(RuntimeWarning, match="starts past its barrier"):
        stuck_results = msk.simulate(model, stuck, progress=False)
    assert "barrier_exceeded:cervical" in list(stuck_results.events["label"])
    assert p.pir_summary(stuck_results, "cervical").attrs["exceeded"]


# --- one schema: the core's ----------------------------------------------------------------------

BUILDERS = {
    "rest": p.rest,
    "voluntary": p.voluntary,
    "hold": p.hold,
    "ramp": p.ramp,
    "isometric": p.isometric,
    "passive_stretch": p.passive_stretch,
    "pir": p.pir,
}
# Fields of the core's schema no builder takes (a phase dict or run file may give them).
NOT_IN_BUILDERS = {("pir", "rise_s")}


def parameter_docs(function: Any) -> dict[str, str]:
    """The description of each parameter in a numpydoc docstring, one line of text each."""
    import inspect
    import re

    text = inspect.getdoc(function) or ""
    section = text.split("Parameters\n----------\n", 1)[1].split("\n\nReturns", 1)[0]
    docs: dict[str, str] = {}
    names: list[str] = []
    for line in section.splitlines():
        header = re.match(r"^(\w+(?:, \w+)*) : ", line)
        if header:
            names = header.group(1).split(", ")
            for name in names:
                docs[name] = ""
        elif names:
            for name in names:
                docs[name] += " " + line.strip()
    return docs


def test_builders_document_the_cores_defaults_ranges_and_units() -> None:
    import inspect
    import re

    schema = p.phase_schema()
    assert list(schema) == list(BUILDERS)
    for kind, builder in BUILDERS.items():
        fields = schema[kind]["fields"]
        parameters = inspect.signature(builder).parameters
        assert set(fields) - set(parameters) - {"label"} == {
            f for k, f in NOT_IN_BUILDERS if k == kind
        }, kind
        docs = parameter_docs(builder)
        for name, parameter in parameters.items():
            field = fields[name]
            where = f"{kind}.{name}"
            doc = docs[name]
            # Required in the core exactly when the builder has no default (or requires it
            # although a joint-or-region signature gives it one).
            required = parameter.default is inspect.Parameter.empty or name in p._REQUIRED.get(
                kind, ()
            )
            if name in ("joint", "region"):
                required = False  # one of the two, checked apart
            assert field["required"] == required, where
            if field["kind"] not in ("number", "whole_number"):
                continue
            if field["unit"] not in ("", "1"):
                assert f"[{field['unit']}]" in doc, where
            low, high = (f"{field[k]:g}" for k in ("low", "high"))
            bracket = "(" if field["low_open"] else "["
            # (The docstrings write 1e7 for the core's 1e+07.)
            assert f"in {bracket}{low}, {high}]" in doc.replace("1e7", "1e+07"), (where, doc)
            if field["default"] is None:
                continue
            # The documented default is the core's, and leaving the argument out gives it.
            assert parameter.default is None, where
            found = re.search(r"default ([-0-9.e+]+)", doc)
            assert found and float(found.group(1).rstrip(".")) == field["default"], (where, doc)


def test_left_out_arguments_take_the_cores_defaults() -> None:
    schema = p.phase_schema()
    phases = {
        "isometric": p.isometric(JOINT, ["BIClong"]),
        "passive_stretch": p.passive_stretch(JOINT, ["BIClong"]),
        "pir": p.pir(JOINT, ["BIClong"]),
        "voluntary": p.voluntary(1.0, {"BIClong": 0.1}),
    }
    for kind, phase in phases.items():
        for name, field in schema[kind]["fields"].items():
            if field["default"] is not None and (kind, name) not in NOT_IN_BUILDERS:
                assert phase[name] == field["default"], (kind, name)


@pytest.mark.core
def test_python_and_the_core_accept_and_refuse_the_same_values() -> None:
    core = pytest.importorskip("msk._core")
    model = msk.load_model("elbow")
    required = {"joint": JOINT, "muscles": ["BIClong"], "duration": 1.0, "to_deg": 10.0,
                "speed_deg_s": 5.0}  # fmt: skip

    def core_accepts(phase: dict[str, Any]) -> bool:
        try:
            core.check_protocol(model.core, json.dumps({"phases": [phase]}))
        except core.ModelError:
            return False
        return True

    def python_accepts(phase: dict[str, Any]) -> bool:
        try:
            p.phase_from_dict(phase)
        except ValueError:
            return False
        return True

    for kind, spec in p.phase_schema().items():
        base = {"type": kind}
        base.update({n: required[n] for n, f in spec["fields"].items() if f["required"]})
        if "joint" in spec["fields"]:
            base["joint"] = JOINT  # a joint or a region, one of the two
        if kind == "voluntary":
            base["excitation"] = {"BIClong": 0.1}
        for name, field in spec["fields"].items():
            if field["kind"] not in ("number", "whole_number") or (kind, name) in NOT_IN_BUILDERS:
                continue
            low, high = field["low"], field["high"]
            span = 1.0 + abs(high)
            for value in (low, high, low - 0.5 * (1 + abs(low)), high + 0.5 * span):
                if field["kind"] == "whole_number":
                    value = int(value)
                phase = {**base, name: value}
                if value == low and field["low_open"]:
                    expected = False
                else:
                    expected = low <= value <= high
                assert python_accepts(phase) == expected, (kind, name, value)
                assert core_accepts(phase) == expected, (kind, name, value)


@pytest.mark.core
def test_the_schema_snapshot_is_the_cores() -> None:
    core = pytest.importorskip("msk._core")
    snapshot = Path(p.__file__).with_name("phase_schema.json")
    assert json.loads(snapshot.read_text("utf-8")) == core.phase_schema(), (
        "run scripts/gen_phase_schema.py"
    )


def test_without_the_core_the_builders_use_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    with_core = [p.isometric(JOINT, ["BIClong"]), p.pir(JOINT, ["A"]), p.rest(1)]
    monkeypatch.setattr(p, "core_or_none", lambda: None)
    assert [p.isometric(JOINT, ["BIClong"]), p.pir(JOINT, ["A"]), p.rest(1)] == with_core
    with pytest.raises(ValueError, match=r"isometric.effort_pct_mvc: expected a number in"):
        p.isometric(JOINT, ["BIClong"], effort_pct_mvc=101)
