#!/usr/bin/env python3
"""How the cost of an episode grows with simulated duration, number of muscles and number of people.

- duration: the lumped elbow job (bench/peers/elbow_lumped.yaml, flexor and extensor alternating
  every 0.5 s) for 1 to 100 s, and the bundled lumbar spine at rest for 1 to 30 s;
- muscles: the same job with each lumped muscle split into k equal parallel muscles (2 to 400
  muscles, the same motion), and the bundled elbow (6), cervical (36) and lumbar (105) models at
  rest: CPU time per right-hand side;
- people: N people (the lumped elbow with N different flexor strengths) run at once on a thread
  pool of one thread per core (msk.simulate releases the GIL), wall time for all of them.

Writes the figures (JSON) and a plot (PNG). Run with the project's environment:
``.venv/bin/python bench/scaling.py --json scaling.json --plot docs/images/scaling.png``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import msk
import yaml

ROOT = Path(__file__).resolve().parents[1]
LUMPED = ROOT / "bench" / "peers" / "elbow_lumped.yaml"


def alternating(duration: float, flexors: list[str], extensors: list[str]) -> dict:
    phases = []
    for k in range(round(duration / 0.5)):
        high, low = (flexors, extensors) if k % 2 == 0 else (extensors, flexors)
        excitation = {m: 0.3 for m in high} | {m: 0.05 for m in low}
        phases.append(
            {"type": "voluntary", "duration": 0.5, "rise_s": 0.0, "excitation": excitation}
        )
    return {"initial": {"angles_deg": {"elbow": 90.0}}, "phases": phases}


def split_model(k: int) -> tuple[msk.Model, list[str], list[str]]:
    """The lumped elbow with each muscle split into k parallel muscles of 1/k of its force."""
    spec = yaml.safe_load(LUMPED.read_text(encoding="utf-8"))
    muscles = []
    for m in spec["muscles"]:
        for i in range(k):
            copy = dict(m)
            copy["name"] = f"{m['name']}_{i}"
            copy["max_isometric_force"] = m["max_isometric_force"] / k
            muscles.append(copy)
    spec["muscles"] = muscles
    names = [m["name"] for m in muscles]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"elbow_split_{k}.yaml"
        path.write_text(yaml.safe_dump(spec), encoding="utf-8")
        model = msk.load_model(path)
    return (
        model,
        [n for n in names if n.startswith("flexor")],
        [n for n in names if n.startswith("extensor")],
    )


def cpu(call, repeat: int = 3) -> tuple[float, object]:  # noqa: ANN001
    times, result = [], None
    for _ in range(repeat):
        c0 = time.process_time()
        result = call()
        times.append(time.process_time() - c0)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", required=True)
    parser.add_argument("--plot", required=True)
    args = parser.parse_args(argv)
    out: dict = {
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "nproc": os.cpu_count(),
            "load_before": os.getloadavg(),
        },
        "duration": {"elbow_lumped": [], "lumbar_rest": []},
        "muscles": {"split_elbow": [], "bundled": []},
        "people": [],
    }
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            out["machine"]["cpu"] = line.split(":", 1)[1].strip()
            break

    lumped = msk.load_model(LUMPED)
    for duration in (1.0, 3.0, 10.0, 30.0, 100.0):
        t, r = cpu(
            lambda d=duration: msk.simulate(
                lumped, alternating(d, ["flexor"], ["extensor"]), progress=False
            )
        )
        out["duration"]["elbow_lumped"].append(
            {"sim_s": duration, "cpu_s": t, "rhs_calls": r.stats["rhs_calls"]}
        )
        print(f"elbow_lumped {duration:g} s: {1e3 * t:.2f} ms")
    lumbar = msk.load_model("lumbar")
    for duration in (1.0, 3.0, 10.0, 30.0):
        t, r = cpu(
            lambda d=duration: msk.simulate(lumbar, duration=d, output_dt=0.1, progress=False),
            repeat=1,
        )
        out["duration"]["lumbar_rest"].append(
            {"sim_s": duration, "cpu_s": t, "rhs_calls": r.stats["rhs_calls"]}
        )
        print(f"lumbar rest {duration:g} s: {1e3 * t:.1f} ms")

    for k in (1, 3, 10, 30, 100, 200):
        model, flexors, extensors = split_model(k)
        t, r = cpu(
            lambda m=model, f=flexors, e=extensors: msk.simulate(
                m, alternating(10.0, f, e), progress=False
            ),
            repeat=1,
        )
        core = r.stats["wall_time_s"]
        out["muscles"]["split_elbow"].append(
            {
                "n_muscles": 2 * k,
                "cpu_s": t,
                "rhs_calls": r.stats["rhs_calls"],
                "core_s_per_rhs": core / r.stats["rhs_calls"],
            }
        )
        print(f"split elbow {2 * k} muscles: {1e3 * t:.1f} ms, {r.stats['rhs_calls']} RHS")
    for name in ("elbow", "cervical", "lumbar"):
        model = msk.load_model(name)
        t, r = cpu(
            lambda m=model: msk.simulate(m, duration=1.0, output_dt=0.1, progress=False), repeat=1
        )
        out["muscles"]["bundled"].append(
            {
                "model": name,
                "n_muscles": len(model.muscle_names),
                "cpu_s": t,
                "rhs_calls": r.stats["rhs_calls"],
                "core_s_per_rhs": r.stats["wall_time_s"] / r.stats["rhs_calls"],
            }
        )

    protocol = alternating(10.0, ["flexor"], ["extensor"])
    for n in (1, 2, 4, 8, 16, 32):
        people = [
            lumped.with_parameters({"muscles.flexor.max_isometric_force": 380.0 + 2.0 * i})
            for i in range(n)
        ]
        w0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
            list(pool.map(lambda m: msk.simulate(m, protocol, progress=False), people))
        wall = time.perf_counter() - w0
        out["people"].append({"n_people": n, "wall_s": wall})
        print(f"{n} people: {1e3 * wall:.1f} ms wall")
    out["machine"]["load_after"] = os.getloadavg()
    Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 3, figsize=(13, 3.8))
    for key, label in (
        ("elbow_lumped", "lumped elbow, alternating"),
        ("lumbar_rest", "lumbar, rest"),
    ):
        pts = out["duration"][key]
        ax[0].loglog([p["sim_s"] for p in pts], [p["cpu_s"] for p in pts], "o-", label=label)
    ax[0].set(xlabel="simulated time [s]", ylabel="CPU time [s]", title="duration")
    ax[0].legend()
    pts = out["muscles"]["split_elbow"]
    ax[1].loglog(
        [p["n_muscles"] for p in pts],
        [1e6 * p["core_s_per_rhs"] for p in pts],
        "o-",
        label="split lumped elbow",
    )
    pts = out["muscles"]["bundled"]
    ax[1].loglog(
        [p["n_muscles"] for p in pts],
        [1e6 * p["core_s_per_rhs"] for p in pts],
        "s",
        label="bundled models (rest)",
    )
    for p in pts:
        ax[1].annotate(p["model"], (p["n_muscles"], 1e6 * p["core_s_per_rhs"]))
    ax[1].set(xlabel="muscles", ylabel="core wall time per RHS call [µs]", title="muscles")
    ax[1].legend()
    pts = out["people"]
    ax[2].loglog(
        [p["n_people"] for p in pts],
        [p["wall_s"] for p in pts],
        "o-",
        label=f"{os.cpu_count()} threads",
    )
    ax[2].set(xlabel="people (10 s episodes each)", ylabel="wall time [s]", title="people")
    ax[2].legend()
    fig.suptitle(f"msk scaling — {out['machine']['cpu']}, {os.cpu_count()} cores", fontsize=9)
    fig.tight_layout()
    Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.plot, dpi=110)
    print(f"wrote {args.json} and {args.plot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
