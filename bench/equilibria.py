"""Posture equilibria from Python: one call against the batch on every core.

    .venv/bin/python bench/equilibria.py [--repeat N] [--json out.json]

Times msk.equilibrium (tables built on first use, not timed here) and msk.spine.equilibria with
one and with every core, on the 13 lumbar presets in fixed and rhythm mode, and prints the
figures per posture. bench/run.sh runs it; the figures are in bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import msk


def per_posture(function, n: int, repeat: int) -> float:
    """Best of ``repeat`` runs of ``function`` [s per posture]."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, (time.perf_counter() - start) / n)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    model = msk.load_model("lumbar")
    names = msk.Posture.presets()
    cores = os.cpu_count() or 1
    rows = []
    for mode in ("fixed", "rhythm"):
        msk.spine.batch_equilibrium(model, names, mode=mode)  # warm up
        single = per_posture(
            lambda mode=mode: [msk.equilibrium(model, n, mode=mode) for n in names],
            len(names),
            args.repeat,
        )
        one = per_posture(
            lambda mode=mode: msk.spine.batch_equilibrium(model, names, mode=mode, workers=1),
            len(names),
            args.repeat,
        )
        every = per_posture(
            lambda mode=mode: msk.spine.batch_equilibrium(model, names, mode=mode, workers=cores),
            len(names),
            args.repeat,
        )
        rows.append(
            {
                "mode": mode,
                "msk.equilibrium_ms": 1e3 * single,
                "equilibria_1_thread_ms": 1e3 * one,
                f"equilibria_{cores}_threads_ms": 1e3 * every,
                "speed_up": one / every,
            }
        )
    for row in rows:
        print(
            f"{row['mode']:7s} msk.equilibrium {row['msk.equilibrium_ms']:7.2f} ms/posture | "
            f"equilibria 1 thread {row['equilibria_1_thread_ms']:7.2f} | "
            f"{cores} threads {row[f'equilibria_{cores}_threads_ms']:7.2f} "
            f"(x{row['speed_up']:.2f})"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cores": cores, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
