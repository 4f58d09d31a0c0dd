#!/usr/bin/env python3
"""Compute OpenSim's own Arm26 muscle quantities, the reference for msk's OpenSim import.

OpenSim is not a dependency of msk: run this script with a Python that has the ``opensim`` package
from PyPI (OpenSim 4.6), e.g. in a throw-away virtual environment::

    python3 -m venv /tmp/osim && /tmp/osim/bin/pip install opensim
    /tmp/osim/bin/python scripts/opensim_reference.py

It writes ``tests/data/opensim/arm26_reference.json``, which the tests read (CI never needs
OpenSim). For each Arm26 muscle it records:

- ``elbow_sweep``: the shoulder at 0, the elbow at 0, 10, ..., 130 deg: muscle-tendon length [m],
  moment arms about both coordinates [m], and, at activations 0.01, 0.5 and 1 (0.01 is OpenSim 4.6's
  minimum activation of Thelen2003Muscle) with fibres equilibrated at zero speed, the fibre length
  [m], the pennation angle [rad], the fibre force along the fibre [N], its active and passive parts
  [N] and the tendon force [N];
- ``shoulder_sweep``: the elbow at 0 and at 90 deg, the shoulder from -90 to 180 deg every 15 deg:
  lengths and moment arms (the shoulder paths wrap over Arm26's ellipsoids);
- ``forward_opensim46``: OpenSim 4.6's forward simulation of Arm26 driven by
  ``forward_controls.sto`` (excitations linearly interpolated) from rest, every 10 ms over 1 s:
  both coordinates [rad], each muscle's activation (as the muscle reports it, floored at 0.01),
  fibre length [m] and tendon force [N].

Credits: Arm26 by the OpenSim Development Team (Reinbolt J, Seth A, Habib A, Hamner S), adapted from
a model by Kate Holzbaur; licence CC BY 3.0; Holzbaur, Murray, Delp (2005) Ann Biomed Eng 33:829.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "tests" / "data" / "opensim" / "arm26.osim"
DEFAULT_OUTPUT = ROOT / "tests" / "data" / "opensim" / "arm26_reference.json"
ELBOW_DEG = [float(d) for d in range(0, 131, 10)]
SHOULDER_DEG = [float(d) for d in range(-90, 181, 15)]
SHOULDER_SWEEP_ELBOW_DEG = [0.0, 90.0]
ACTIVATIONS = [0.01, 0.5, 1.0]
FORWARD_DT = 0.01
FORWARD_ACCURACY = 1e-7


def _import_opensim() -> Any:
    try:
        import opensim
    except ImportError as error:
        sys.exit(
            f"opensim_reference.py needs the 'opensim' package (OpenSim 4.6 from PyPI): {error}. "
            "Install it in a separate environment: python3 -m venv /tmp/osim && "
            "/tmp/osim/bin/pip install opensim"
        )
    return opensim


def _set_pose(model: Any, state: Any, shoulder_deg: float, elbow_deg: float) -> None:
    coords = model.getCoordinateSet()
    coords.get("r_shoulder_elev").setValue(state, math.radians(shoulder_deg), False)
    coords.get("r_elbow_flex").setValue(state, math.radians(elbow_deg), True)
    for i in range(coords.getSize()):
        coords.get(i).setSpeedValue(state, 0.0)


def _geometry(model: Any, state: Any) -> dict[str, dict[str, Any]]:
    model.realizePosition(state)
    coords = model.getCoordinateSet()
    out: dict[str, dict[str, Any]] = {}
    muscles = model.getMuscles()
    for i in range(muscles.getSize()):
        muscle = muscles.get(i)
        out[muscle.getName()] = {
            "length": muscle.getLength(state),
            "moment_arm": {
                name: muscle.computeMomentArm(state, coords.get(name))
                for name in ("r_elbow_flex", "r_shoulder_elev")
            },
        }
    return out


def _equilibrium(model: Any, state: Any, activation: float) -> dict[str, dict[str, float]]:
    muscles = model.getMuscles()
    for i in range(muscles.getSize()):
        muscles.get(i).setActivation(state, activation)
    model.equilibrateMuscles(state)
    model.realizeDynamics(state)
    out: dict[str, dict[str, float]] = {}
    for i in range(muscles.getSize()):
        m = muscles.get(i)
        out[m.getName()] = {
            "activation": m.getActivation(state),
            "fiber_length": m.getFiberLength(state),
            "pennation_angle": m.getPennationAngle(state),
            "fiber_force": m.getFiberForce(state),
            "active_fiber_force": m.getActiveFiberForce(state),
            "passive_fiber_force": m.getPassiveFiberForce(state),
            "tendon_force": m.getTendonForce(state),
        }
    return out


def _forward(osim: Any, model_path: Path) -> dict[str, Any]:
    """OpenSim's forward simulation of Arm26 driven by forward_controls.sto (linear interpolation),
    from rest with fibres equilibrated, sampled every FORWARD_DT."""
    controls_path = model_path.parent / "forward_controls.sto"
    model = osim.Model(str(model_path))
    controls = osim.TimeSeriesTable(str(controls_path))
    brain = osim.PrescribedController()
    times = list(controls.getIndependentColumn())
    for name in controls.getColumnLabels():
        brain.addActuator(model.getMuscles().get(name))
        column = controls.getDependentColumn(name).to_numpy()
        function = osim.PiecewiseLinearFunction()
        for t, u in zip(times, column):
            function.addPoint(float(t), float(u))
        brain.prescribeControlForActuator(name, function)
    model.addController(brain)
    state = model.initSystem()
    muscles = model.getMuscles()
    names = [muscles.get(i).getName() for i in range(muscles.getSize())]
    for i in range(muscles.getSize()):
        muscles.get(i).setActivation(state, 0.01)  # rest: minimum_activation of Thelen2003Muscle
    model.equilibrateMuscles(state)
    manager = osim.Manager(model)
    manager.setIntegratorAccuracy(FORWARD_ACCURACY)
    state.setTime(0.0)
    manager.initialize(state)
    coords = model.getCoordinateSet()
    out: dict[str, Any] = {
        "time": [],
        "integrator_accuracy": FORWARD_ACCURACY,
        "controls_file": controls_path.name,
        "coordinates": {"r_shoulder_elev": [], "r_elbow_flex": []},
        "muscles": {n: {"activation": [], "fiber_length": [], "tendon_force": []} for n in names},
    }
    n_steps = round(1.0 / FORWARD_DT)
    for k in range(n_steps + 1):
        t = k * FORWARD_DT
        if k > 0:
            state = manager.integrate(t)
        model.realizeDynamics(state)
        out["time"].append(t)
        for c in out["coordinates"]:
            out["coordinates"][c].append(coords.get(c).getValue(state))
        for i, n in enumerate(names):
            m = muscles.get(i)
            out["muscles"][n]["activation"].append(m.getActivation(state))
            out["muscles"][n]["fiber_length"].append(m.getFiberLength(state))
            out["muscles"][n]["tendon_force"].append(m.getTendonForce(state))
    return out


def compute(model_path: Path) -> dict[str, Any]:
    """Run OpenSim on ``model_path`` and return the reference document."""
    osim = _import_opensim()
    osim.Logger.setLevelString("error")
    model = osim.Model(str(model_path))
    state = model.initSystem()
    names = [model.getMuscles().get(i).getName() for i in range(model.getMuscles().getSize())]

    elbow: dict[str, Any] = {
        "r_shoulder_elev_deg": 0.0,
        "r_elbow_flex_deg": ELBOW_DEG,
        "activations": ACTIVATIONS,
        "muscles": {
            n: {
                "length": [],
                "moment_arm": {"r_elbow_flex": [], "r_shoulder_elev": []},
                "equilibrium": {str(a): {} for a in ACTIVATIONS},
            }
            for n in names
        },
    }
    for deg in ELBOW_DEG:
        _set_pose(model, state, 0.0, deg)
        geometry = _geometry(model, state)
        for n in names:
            entry = elbow["muscles"][n]
            entry["length"].append(geometry[n]["length"])
            for c, value in geometry[n]["moment_arm"].items():
                entry["moment_arm"][c].append(value)
        for a in ACTIVATIONS:
            eq = _equilibrium(model, state, a)
            for n in names:
                table = elbow["muscles"][n]["equilibrium"][str(a)]
                for key, value in eq[n].items():
                    table.setdefault(key, []).append(value)

    shoulder: dict[str, Any] = {"r_shoulder_elev_deg": SHOULDER_DEG, "by_elbow_deg": {}}
    for elbow_deg in SHOULDER_SWEEP_ELBOW_DEG:
        table = {
            n: {"length": [], "moment_arm": {"r_elbow_flex": [], "r_shoulder_elev": []}}
            for n in names
        }
        for deg in SHOULDER_DEG:
            _set_pose(model, state, deg, elbow_deg)
            geometry = _geometry(model, state)
            for n in names:
                table[n]["length"].append(geometry[n]["length"])
                for c, value in geometry[n]["moment_arm"].items():
                    table[n]["moment_arm"][c].append(value)
        shoulder["by_elbow_deg"][str(elbow_deg)] = table

    forward = _forward(osim, model_path)

    return {
        "description": "OpenSim's own Arm26 muscle geometry and equilibrium forces "
        "(scripts/opensim_reference.py)",
        "opensim_version": osim.GetVersion(),
        "model_file": model_path.name,
        "model_sha256": hashlib.sha256(model_path.read_bytes()).hexdigest(),
        "units": "SI: m, N, rad (angles in the *_deg keys are degrees)",
        "credits": "Arm26: OpenSim Development Team (Reinbolt J, Seth A, Habib A, Hamner S), "
        "adapted from Holzbaur et al. 2005, Ann Biomed Eng 33:829-840; CC BY 3.0",
        "muscles": names,
        "elbow_sweep": elbow,
        "shoulder_sweep": shoulder,
        "forward_opensim46": forward,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="arm26.osim to run")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON to write")
    args = parser.parse_args(argv)
    document = compute(args.model)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
