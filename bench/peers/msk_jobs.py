#!/usr/bin/env python3
"""The msk side of the peer comparisons, through the Python package (``msk.simulate``).

- ``elbow_lumped``: bench/peers/elbow_lumped.yaml, the job of elbow_scipy.py (10 s, flexor and
  extensor alternating every 0.5 s at excitation 0.3 vs 0.05, from 90 deg at rest; dopri5, rtol
  1e-6, atol 1e-8, rows every 10 ms). What differs from the script: msk restarts the stepper at
  each 0.5 s switch (the protocol's phases) where ``solve_ivp`` steps over the discontinuity with
  its error control, msk's error norm is the largest component (SciPy's the RMS), and msk records
  every channel (21 here) where the script keeps its four states.
- ``arm26``: OpenSim's Arm26 (tests/data/opensim/arm26.osim) driven by forward_controls.sto for
  1 s, rows every 10 ms, at several tolerances with both steppers; the elbow-angle error of each
  against msk's own run at rtol 1e-10.

CPU time of the call (``time.process_time``; model loading excluded), median over the repeats, and
the core's counters (``results.stats``). Run with the project's environment (msk installed):
``.venv/bin/python bench/peers/msk_jobs.py --json out.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from pathlib import Path

import msk

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / "bench" / "peers"
DATA = ROOT / "tests" / "data" / "opensim"
TOLERANCES = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7]


def alternating(flexors: list[str], extensors: list[str], joint: str) -> dict:
    phases = []
    for k in range(20):
        high, low = (flexors, extensors) if k % 2 == 0 else (extensors, flexors)
        excitation = {m: 0.3 for m in high} | {m: 0.05 for m in low}
        phases.append(
            {"type": "voluntary", "duration": 0.5, "rise_s": 0.0, "excitation": excitation}
        )
    return {"initial": {"angles_deg": {joint: 90.0}}, "phases": phases}


def timed(repeat: int, call):  # noqa: ANN001, ANN201
    cpu = []
    result = None
    for _ in range(max(1, repeat)):
        c0 = time.process_time()
        result = call()
        cpu.append(time.process_time() - c0)
    return statistics.median(cpu), cpu, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    out: dict = {"tool": "msk (Python)", "msk_version": msk.__version__, "jobs": {}}

    lumped = msk.load_model(PEERS / "elbow_lumped.yaml")
    protocol = alternating(["flexor"], ["extensor"], "elbow")
    jobs = out["jobs"]
    for stepper in ("dopri5", "rosenbrock4"):
        cpu, cpu_all, r = timed(
            args.repeat,
            lambda s=stepper: msk.simulate(
                lumped, protocol, stepper=s, rtol=1e-6, atol=1e-8, output_dt=0.01, progress=False
            ),
        )
        jobs[f"elbow_lumped/{stepper}"] = {
            "cpu_s": cpu,
            "cpu_s_all": cpu_all,
            "core_wall_s": r.stats["wall_time_s"],
            "steps": r.stats["steps"],
            "rhs_calls": r.stats["rhs_calls"],
            "time": [float(t) for t in r.time],
            "elbow_angle": [float(q) for q in r["joint.elbow.angle"]],
        }
        print(
            f"msk elbow_lumped {stepper}: {1e3 * cpu:.2f} ms CPU, {r.stats['steps']} steps, "
            f"{r.stats['rhs_calls']} RHS calls"
        )

    arm26 = msk.load_model(DATA / "arm26.osim")
    phase = msk.protocols.voluntary(1.0, excitation_file=DATA / "forward_controls.sto")
    reference = msk.simulate(arm26, {"phases": [phase]}, rtol=1e-10, atol=1e-12, progress=False)
    q_ref = reference["joint.r_elbow_flex.angle"]
    jobs["arm26/reference"] = {
        "time": [float(t) for t in reference.time],
        "elbow_angle": [float(q) for q in q_ref],
    }
    for stepper in ("dopri5", "rosenbrock4"):
        for rtol in TOLERANCES:
            cpu, cpu_all, r = timed(
                args.repeat,
                lambda s=stepper, tol=rtol: msk.simulate(
                    arm26, {"phases": [phase]}, stepper=s, rtol=tol, atol=1e-8, progress=False
                ),
            )
            q = r["joint.r_elbow_flex.angle"]
            error = max(abs(float(a) - float(b)) for a, b in zip(q, q_ref))
            jobs[f"arm26/{stepper}/{rtol:g}"] = {
                "cpu_s": cpu,
                "cpu_s_all": cpu_all,
                "core_wall_s": r.stats["wall_time_s"],
                "steps": r.stats["steps"],
                "rhs_calls": r.stats["rhs_calls"],
                "retries": r.stats.get("retries", 0),
                "err_deg": math.degrees(error),
            }
            print(
                f"msk arm26 {stepper} rtol {rtol:g}: {1e3 * cpu:.2f} ms CPU, "
                f"{r.stats['steps']} steps, error {math.degrees(error):.2e} deg"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(out), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
