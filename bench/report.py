#!/usr/bin/env python3
"""One table of figures and ratios from one run of bench/run.sh (standard library only).

Reads, from the run's folder: the Google Benchmark JSON of every suite (bench_*.json), the peers'
JSON (scipy.json, opensim.json: absent when a peer was skipped), the msk side through Python
(msk_python.json) and machine.json; prints the table (Markdown) and writes report.json beside them
and bench/results/latest.json.

Usage: python3 bench/report.py bench/results/RUN
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
ELBOW_AGREEMENT_DEG = 0.05  # stated tolerance of msk vs the SciPy script on the same job


def load(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def benchmarks(folder: Path) -> dict[str, dict]:
    """run name -> the median aggregate (or the single run) of every Google Benchmark suite."""
    out: dict[str, dict] = {}
    for path in sorted(folder.glob("bench_*.json")):
        for b in (load(path) or {}).get("benchmarks", []):
            name = b.get("run_name", b["name"]).removesuffix("/real_time")
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
                continue
            if b.get("run_type") == "aggregate" or name not in out:
                out[name] = b
    return out


def seconds(b: dict, key: str = "cpu_time") -> float:
    return b[key] * UNIT[b.get("time_unit", "ns")]


def fmt_s(s: float | None) -> str:
    if s is None or not math.isfinite(s):
        return "–"
    if s >= 1.0:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{1e3 * s:.2f} ms"
    if s >= 1e-6:
        return f"{1e6 * s:.2f} µs"
    return f"{1e9 * s:.0f} ns"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def fmt_r(r: float | None) -> str:
    return "–" if r is None else (f"{r:,.0f}×" if r >= 10 else f"{r:.2f}×")


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path("bench/results/latest")
    bm = benchmarks(folder)
    scipy = load(folder / "scipy.json")
    osim = load(folder / "opensim.json")
    mpy = load(folder / "msk_python.json")
    machine = load(folder / "machine.json") or {}
    rows: list[dict] = []

    def row(
        group: str,
        what: str,
        value: str,
        peer: str = "",
        rat: float | None = None,
        target: str = "",
        met: bool | None = None,
        **extra: object,
    ) -> None:
        rows.append(
            {
                "group": group,
                "what": what,
                "value": value,
                "peer": peer,
                "ratio": rat,
                "target": target,
                "met": met,
                **extra,
            }
        )

    # ---- A. the elbow job against the SciPy script -----------------------------------------
    g = "elbow 10 s (vs SciPy)"
    sc_cpu = scipy["cpu_s"] if scipy else None
    if scipy:
        row(
            g,
            "SciPy solve_ivp RK45 (NumPy RHS)",
            fmt_s(sc_cpu),
            f"{scipy['rhs_calls']} RHS calls, {scipy['steps']} steps",
            cpu_s=sc_cpu,
        )
    for stepper in ("dopri5", "rosenbrock4"):
        b = bm.get(f"peer/elbow_lumped/{stepper}")
        if b:
            t = seconds(b)
            r = ratio(sc_cpu, t)
            row(
                g,
                f"msk core, {stepper}",
                fmt_s(t),
                f"{b['rhs_calls']:.0f} RHS calls, {b['steps']:.0f} steps",
                r,
                "≥ 300× SciPy" if stepper == "dopri5" else "",
                None if r is None or stepper != "dopri5" else r >= 300,
                cpu_s=t,
                steps=b["steps"],
                rhs_calls=b["rhs_calls"],
            )
        if mpy and f"elbow_lumped/{stepper}" in mpy["jobs"]:
            j = mpy["jobs"][f"elbow_lumped/{stepper}"]
            row(
                g,
                f"msk.simulate from Python, {stepper}",
                fmt_s(j["cpu_s"]),
                f"core {fmt_s(j['core_wall_s'])} of it",
                ratio(sc_cpu, j["cpu_s"]),
                cpu_s=j["cpu_s"],
            )
    if scipy and mpy and "elbow_lumped/dopri5" in mpy["jobs"]:
        j = mpy["jobs"]["elbow_lumped/dopri5"]
        qs = dict(zip((round(t, 6) for t in scipy["time"]), scipy["elbow_angle"]))
        diff = [
            abs(q - qs[round(t, 6)])
            for t, q in zip(j["time"], j["elbow_angle"])
            if round(t, 6) in qs
        ]
        worst = math.degrees(max(diff)) if diff else float("nan")
        row(
            g,
            "agreement msk vs SciPy (elbow angle, every 10 ms)",
            f"{worst:.2e} deg",
            "",
            None,
            f"≤ {ELBOW_AGREEMENT_DEG} deg",
            worst <= ELBOW_AGREEMENT_DEG,
            err_deg=worst,
        )
    b = bm.get("peer/elbow_alternating/dopri5")
    if b:
        row(
            g,
            "msk core, bundled six-muscle elbow, dopri5 (richer model)",
            fmt_s(seconds(b)),
            f"{b['rhs_calls']:.0f} RHS calls, {b['steps']:.0f} steps",
            ratio(sc_cpu, seconds(b)),
        )

    # ---- B. Arm26 against OpenSim ------------------------------------------------------------
    g = "Arm26 1 s (vs OpenSim 4.6)"
    msk_runs = []
    for name, b in bm.items():
        if name.startswith("peer/arm26/"):
            _, _, stepper, tol = name.split("/")
            msk_runs.append((seconds(b), float(tol.split(":")[1]), stepper, b))
    msk_runs.sort()
    if osim:
        for run in osim["runs"]:
            row(
                g,
                f"OpenSim, accuracy {run['accuracy']:g}",
                fmt_s(run["cpu_s"]),
                f"elbow error {run['err_deg']:.1e} deg",
                cpu_s=run["cpu_s"],
                err_deg=run["err_deg"],
            )
    for t, tol, stepper, b in sorted(msk_runs, key=lambda r: (r[2], -r[1])):
        row(
            g,
            f"msk core, {stepper}, rtol {tol:g}",
            fmt_s(t),
            f"elbow error {b['err_deg']:.1e} deg, {b['steps']:.0f} steps, {b['rhs_calls']:.0f} RHS",
            cpu_s=t,
            err_deg=b["err_deg"],
        )
    if osim and msk_runs:
        for run in osim["runs"]:
            if run["accuracy"] != 1e-5:
                continue
            ok = [r for r in msk_runs if r[3]["err_deg"] <= run["err_deg"]]
            if ok:
                t, tol, stepper, b = ok[0]
                r = ratio(run["cpu_s"], t)
                row(
                    g,
                    f"matched accuracy: OpenSim 1e-5 ({run['err_deg']:.1e} deg) vs fastest msk "
                    f"as accurate ({stepper}, rtol {tol:g})",
                    fmt_s(t),
                    fmt_s(run["cpu_s"]),
                    r,
                    "≥ 1000×",
                    r is not None and r >= 1000,
                )
        if mpy and "arm26/reference" in mpy["jobs"]:
            q = mpy["jobs"]["arm26/reference"]["elbow_angle"]
            worst = math.degrees(max(abs(a - b) for a, b in zip(q, osim["elbow_angle"])))
            row(
                g,
                "agreement msk vs OpenSim (elbow angle, both converged)",
                f"{worst:.2f} deg",
                "models differ slightly (docs/guide/opensim.md)",
                err_deg=worst,
            )
    elif not osim:
        row(g, "OpenSim peer", "skipped", "opensim could not be installed or imported")

    # ---- C. one right-hand side --------------------------------------------------------------
    g = "one right-hand side"
    for name in ("rhs/voluntary_rigid", "rhs/voluntary_compliant", "rhs/cervical", "rhs/lumbar"):
        b = bm.get(name)
        if not b:
            continue
        t = seconds(b)
        per100 = t * 100.0 / b["n_muscles"]
        lumbar = name == "rhs/lumbar"
        row(
            g,
            f"{name} ({b['n_muscles']:.0f} muscles, {b['n_states']:.0f} states)",
            fmt_s(t),
            f"{fmt_s(per100)} per 100 muscles, {b['allocs_per_call']:.0f} allocations per call",
            None,
            "≤ 1 µs per 100 muscles, 0 allocations" if lumbar else "0 allocations",
            (per100 <= 1e-6 and b["allocs_per_call"] == 0) if lumbar else b["allocs_per_call"] == 0,
            cpu_s=t,
            per_100_muscles_s=per100,
            allocations=b["allocs_per_call"],
        )

    # ---- D. the lumbar PIR episode -----------------------------------------------------------
    g = "lumbar PIR episode"
    for stepper in ("dopri5", "rosenbrock4"):
        b = bm.get(f"peer/lumbar_pir/{stepper}")
        if b:
            t = seconds(b)
            speed = b["sim_s"] / t
            row(
                g,
                f"{b['sim_s']:.1f} s simulated, {stepper}",
                fmt_s(t),
                f"{b['steps']:.0f} steps, {b['rhs_calls']:.0f} RHS",
                speed,
                "≥ 10⁴× real time",
                speed >= 1e4,
                cpu_s=t,
                sim_s=b["sim_s"],
            )

    # ---- E. equilibrium (reported; another change works on it) -------------------------------
    g = "equilibrium (reported only)"
    for name, b in sorted(bm.items()):
        if name.startswith("equilibrium/"):
            mode = name.split("/")[-1]
            target = {"fixed": 20e-6, "rhythm": 200e-6}.get(mode)
            t = seconds(b)
            row(
                g,
                name,
                fmt_s(t),
                "",
                None,
                f"≤ {fmt_s(target)}" if target else "",
                None if target is None else t <= target,
                cpu_s=t,
            )

    # ---- F. posture equilibria from Python: one call and the batch ----------------------------
    eqp = load(folder / "equilibria_python.json")
    if eqp:
        g = "equilibria from Python (13 lumbar presets)"
        cores = eqp.get("cores", 1)
        for r in eqp["rows"]:
            single = r["msk.equilibrium_ms"] * 1e-3
            row(
                g,
                f"msk.equilibrium, {r['mode']}",
                fmt_s(single),
                "per posture",
                None,
                "≤ 200 µs",
                single <= 200e-6,
                cpu_s=single,
            )
            batch = r[f"equilibria_{cores}_threads_ms"] * 1e-3
            row(
                g,
                f"msk.spine.equilibria, {r['mode']}, {cores} threads",
                fmt_s(batch),
                f"per posture; {r['speed_up']:.2f}× one thread",
                None,
                "",
                None,
                cpu_s=batch,
            )

    # ---- print and save -----------------------------------------------------------------------
    print(
        f"\nmsk benchmarks — {machine.get('date', '')}, {machine.get('cpu', '')}, "
        f"{machine.get('nproc', '?')} cores, load before/after {machine.get('load_before', '?')}"
        f" / {machine.get('load_after', '?')}; CPU times (medians)\n"
    )
    print("| group | what | figure | detail | ratio | target | met |")
    print("|---|---|---:|---|---:|---|---|")
    for r in rows:
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        print(
            f"| {r['group']} | {r['what']} | {r['value']} | {r['peer']} | {fmt_r(r['ratio'])} | "
            f"{r['target']} | {met} |"
        )
    report = {"machine": machine, "rows": rows}
    (folder / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    latest = folder.parent / "latest.json"
    latest.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"\nwrote {folder / 'report.json'} and {latest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
