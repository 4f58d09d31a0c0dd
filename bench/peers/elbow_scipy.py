#!/usr/bin/env python3
"""The elbow job written the way a researcher would without msk: NumPy + SciPy ``solve_ivp``.

Two lumped Hill muscles (one flexor, one extensor) move the forearm about the elbow under gravity:

- geometry: each muscle is a straight line from a point fixed on the upper arm to a point fixed on
  the forearm; length and moment arm from the forearm's rotation about the elbow axis (z);
- muscle: rigid tendon, De Groote et al. 2016 curves (active and passive force-length,
  force-velocity), fibre damping 0.1 (Millard et al. 2013), no pennation;
- activation: first-order dynamics of Thelen 2003, da/dt = (u - a)/tau with
  tau = tau_act (0.5 + 1.5 a) when u > a, tau_deact / (0.5 + 1.5 a) otherwise;
- forearm: one rigid body (mass, centre of mass, inertia of OpenSim's Arm26 forearm), joint
  damping 0.1 N m s/rad, gravity along -y, the upper arm hanging;
- protocol: 10 s, flexor and extensor excitation alternating every 0.5 s between 0.3 and 0.05
  (flexor first), from 90 deg at rest;
- integration: ``scipy.integrate.solve_ivp`` RK45, rtol 1e-6, atol 1e-8, one call over the whole
  episode with the excitation as a function of time, output every 10 ms (``t_eval``).

msk runs the same job on ``bench/peers/elbow_lumped.yaml`` (the same model as a model file) through
``msk.simulate`` (bench/peers/msk_jobs.py): the two must agree to the tolerance printed by
bench/report.py.

Run with a Python that has NumPy and SciPy (bench/run.sh makes bench/peers/.venv-scipy):
``python bench/peers/elbow_scipy.py --repeat 5 --json out.json``. Prints and writes the CPU time of
``solve_ivp`` (median over the repeats; imports and set-up excluded), its right-hand-side calls,
accepted steps and the elbow angle every 10 ms.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp

# ---- model (SI units) ------------------------------------------------------------------------
GRAVITY = 9.80665
MASS = 1.534315  # forearm and hand [kg] (Arm26 r_ulna_radius_hand)
COM = 0.181479  # elbow to centre of mass [m]
INERTIA = 0.020062 + MASS * COM**2  # about the elbow axis [kg m^2]
DAMPING = 0.5  # [N m s/rad]

# flexor, extensor: origin on the upper arm and insertion on the forearm (x anterior, y up) [m]
ORIGIN = np.array([[0.015, 0.28], [-0.025, 0.20]])
INSERTION = np.array([[0.01, -0.045], [-0.02, 0.015]])
F0 = np.array([400.0, 500.0])  # max isometric force [N]
L_OPT = np.array([0.12, 0.10])  # optimal fibre length [m]
L_SLACK = np.array([0.16, 0.15])  # tendon slack length [m]
V_MAX = 10.0  # [L_opt/s]
BETA = 0.1  # fibre damping [1]
TAU_ACT, TAU_DEACT = 0.01, 0.04  # [s]

# ---- De Groote et al. 2016 curves -----------------------------------------------------------
B = np.array(
    [
        [0.814483478343008, 1.055033428970575, 0.162384573599574, 0.063303448465465],
        [0.433004984392647, 0.716775413397760, -0.029947116970696, 0.200356847296188],
        [0.1, 1.0, 0.5 * math.sqrt(0.5), 0.0],
    ]
)
D1, D2, D3, D4 = -0.318323436899127, -8.149156043475250, -0.374121508647863, 0.885644059915004
KPE, E0 = 4.0, 0.6


def active_force_length(lm: np.ndarray) -> np.ndarray:
    b1, b2, b3, b4 = (B[:, k : k + 1] for k in range(4))
    width = b3 + b4 * lm
    return np.sum(b1 * np.exp(-0.5 * ((lm - b2) / width) ** 2), axis=0)


def passive_force_length(lm: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, np.expm1(KPE * (lm - 1.0) / E0) / math.expm1(KPE))


def force_velocity(vm: np.ndarray) -> np.ndarray:
    return D1 * np.arcsinh(D2 * vm + D3) + D4


# ---- protocol ----------------------------------------------------------------------------------
DURATION = 10.0
SWITCH = 0.5
HIGH, LOW = 0.3, 0.05
Q0 = math.radians(90.0)


def excitation(t: float) -> np.ndarray:
    flexor_on = int(t // SWITCH) % 2 == 0
    return np.array([HIGH, LOW]) if flexor_on else np.array([LOW, HIGH])


# ---- equations of motion ---------------------------------------------------------------------
def rhs(t: float, y: np.ndarray) -> np.ndarray:
    q, qd = y[0], y[1]
    a = y[2:4]
    c, s = math.cos(q), math.sin(q)
    # insertion points in the upper-arm frame, length, unit vector and moment arm
    p = np.stack(
        [c * INSERTION[:, 0] - s * INSERTION[:, 1], s * INSERTION[:, 0] + c * INSERTION[:, 1]],
        axis=1,
    )
    dp_dq = np.stack([-p[:, 1], p[:, 0]], axis=1)
    seg = p - ORIGIN
    length = np.sqrt(np.sum(seg**2, axis=1))
    dl_dq = np.sum(seg * dp_dq, axis=1) / length
    moment_arm = -dl_dq
    velocity = dl_dq * qd
    # rigid tendon: fibre length and velocity, Hill force
    lm = (length - L_SLACK) / L_OPT
    vm = velocity / (V_MAX * L_OPT)
    fibre = a * active_force_length(lm) * force_velocity(vm) + passive_force_length(lm) + BETA * vm
    force = F0 * np.maximum(0.0, fibre)
    torque = np.dot(moment_arm, force) - MASS * GRAVITY * COM * s - DAMPING * qd
    # activation dynamics (Thelen 2003)
    u = excitation(t)
    shape = 0.5 + 1.5 * np.clip(a, 0.0, 1.0)
    tau = np.where(u > a, TAU_ACT * shape, TAU_DEACT / shape)
    return np.concatenate(([qd, torque / INERTIA], (u - a) / tau))


def solve(t_eval: np.ndarray | None) -> object:
    y0 = np.array([Q0, 0.0, 0.0, 0.0])
    return solve_ivp(rhs, (0.0, DURATION), y0, method="RK45", rtol=1e-6, atol=1e-8, t_eval=t_eval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs (median reported)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)

    t_eval = np.linspace(0.0, DURATION, round(DURATION / 0.01) + 1)
    cpu = []
    wall = []
    for _ in range(max(1, args.repeat)):
        c0, w0 = time.process_time(), time.perf_counter()
        sol = solve(t_eval)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    if not sol.success:
        print(f"solve_ivp failed: {sol.message}", file=sys.stderr)
        return 1
    steps = len(solve(None).t) - 1  # accepted steps: the solver's own time points
    out = {
        "tool": "scipy",
        "scipy_version": __import__("scipy").__version__,
        "numpy_version": np.__version__,
        "job": "elbow_alternating",
        "cpu_s": statistics.median(cpu),
        "cpu_s_all": cpu,
        "wall_s": statistics.median(wall),
        "rhs_calls": int(sol.nfev),
        "steps": steps,
        "time": sol.t.tolist(),
        "elbow_angle": sol.y[0].tolist(),
    }
    print(
        f"scipy elbow: {1e3 * out['cpu_s']:.1f} ms CPU (median of {len(cpu)}), "
        f"{out['rhs_calls']} RHS calls, {steps} steps, final angle "
        f"{math.degrees(sol.y[0, -1]):.4f} deg"
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
