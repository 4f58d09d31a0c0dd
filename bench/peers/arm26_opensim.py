#!/usr/bin/env python3
"""OpenSim 4.6 on Arm26 driven by OpenSim's forward_controls.sto for 1 s: the OpenSim peer.

The run of scripts/opensim_reference.py (``_forward``): Arm26 (tests/data/opensim/arm26.osim,
Thelen 2003 muscles with compliant tendons), a PrescribedController with the six excitations of
``forward_controls.sto`` linearly interpolated, from rest (activations 0.01, fibres equilibrated),
the elbow angle read every 10 ms (``Manager.integrate(t)`` at each output time, as a user records
a trajectory). For each integrator accuracy it prints and writes the CPU time of the integration
(median over the repeats; model loading and ``initSystem`` excluded) and the largest elbow-angle
error against the same run at accuracy 1e-9 (the accuracy that setting buys).

Needs the ``opensim`` package (OpenSim 4.6 from PyPI), e.g. in bench/peers/.venv-opensim, which
bench/run.sh makes: ``python bench/peers/arm26_opensim.py --json out.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "opensim"
ACCURACIES = [1e-3, 1e-4, 1e-5, 1e-6]
REFERENCE_ACCURACY = 1e-9
DT = 0.01
DURATION = 1.0


def build(osim):  # noqa: ANN001, ANN201 - opensim objects
    model = osim.Model(str(DATA / "arm26.osim"))
    controls = osim.TimeSeriesTable(str(DATA / "forward_controls.sto"))
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
    return model


def run(osim, accuracy: float) -> tuple[float, list[float]]:  # noqa: ANN001
    """CPU time of one integration over DURATION [s] and the elbow angle every DT [rad]."""
    model = build(osim)
    state = model.initSystem()
    muscles = model.getMuscles()
    for i in range(muscles.getSize()):
        muscles.get(i).setActivation(state, 0.01)
    model.equilibrateMuscles(state)
    manager = osim.Manager(model)
    manager.setIntegratorAccuracy(accuracy)
    state.setTime(0.0)
    manager.initialize(state)
    elbow = model.getCoordinateSet().get("r_elbow_flex")
    angles = [elbow.getValue(state)]
    n = round(DURATION / DT)
    c0 = time.process_time()
    for k in range(1, n + 1):
        state = manager.integrate(k * DT)
        angles.append(elbow.getValue(state))
    return time.process_time() - c0, angles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per accuracy (median)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    try:
        import opensim as osim
    except ImportError as error:
        print(f"OpenSim peer skipped: cannot import opensim ({error})", file=sys.stderr)
        return 2
    osim.Logger.setLevelString("error")
    _, reference = run(osim, REFERENCE_ACCURACY)
    out = {
        "tool": "opensim",
        "opensim_version": osim.GetVersion(),
        "job": "arm26_forward_1s",
        "reference_accuracy": REFERENCE_ACCURACY,
        "time": [k * DT for k in range(len(reference))],
        "elbow_angle": reference,
        "runs": [],
    }
    for accuracy in ACCURACIES:
        cpu = []
        for _ in range(max(1, args.repeat)):
            seconds, angles = run(osim, accuracy)
            cpu.append(seconds)
        error = max(abs(a - b) for a, b in zip(angles, reference))
        out["runs"].append(
            {
                "accuracy": accuracy,
                "cpu_s": statistics.median(cpu),
                "cpu_s_all": cpu,
                "err_deg": error * 180.0 / 3.141592653589793,
            }
        )
        print(
            f"opensim arm26 accuracy {accuracy:g}: {1e3 * statistics.median(cpu):.1f} ms CPU, "
            f"elbow error {out['runs'][-1]['err_deg']:.2e} deg"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
