"""PIR on elbow flexors: range gained, how long it lasts, and which mechanism gives it.

Run:  python examples/python/pir_study.py   (after `pip install .`)
Prints, for tight flexors at normal tone and for hypertonic flexors, the gain at the end of the
session and at re-tests 1, 10 and 30 min later, with each mechanism switched off in turn
(msk.sessions.ablation), and writes pir_study.png (the two sessions side by side).
"""

from __future__ import annotations

from pathlib import Path

import msk
from msk import protocols as p
from msk import sessions

FLEXORS = ["BIClong", "BICshort", "BRA"]
TIGHT = {  # optimal fibre length x 0.9 (models/runs/pir_elbow.yaml)
    "muscles.BIClong.optimal_fibre_length": 0.10413,
    "muscles.BICshort.optimal_fibre_length": 0.11889,
    "muscles.BRA.optimal_fibre_length": 0.07722,
}


def session(barrier_torque: float) -> p.Protocol:
    """Hold at 90 deg, then 3 PIR cycles (20 % MVC for 5 s, 2 s relaxation, 5 deg/s stretch)."""
    return p.Protocol(
        [
            p.hold("r_elbow_flex", 2.0),
            p.pir(
                "r_elbow_flex",
                FLEXORS,
                cycles=3,
                effort_pct_mvc=20,
                contraction_s=5,
                relaxation_s=2,
                stretch_speed_deg_s=5,
                barrier_torque=barrier_torque,
                barrier_stiffness_nm_per_deg=0.05,
            ),
        ],
        initial_angles_deg={"r_elbow_flex": 90.0},
    )


def main() -> None:
    conditions = {
        "tight flexors, normal tone": (msk.load_model("elbow", TIGHT), session(2.5)),
        "hypertonic flexors": (
            msk.load_model("elbow", {f"muscles.{m}.tone": "hypertonic" for m in FLEXORS}),
            session(5.0),
        ),
    }
    results = {}
    for name, (model, protocol) in conditions.items():
        results[name] = msk.simulate(model, protocol, progress=False)
        print(f"\n{name}")
        print(p.pir_summary(results[name], "r_elbow_flex").round(3).to_string(index=False))
        print(sessions.ablation(model, protocol, retest_min=[1, 10, 30]).round(2).to_string())
    names = list(results)
    figure = msk.plot.compare(results[names[0]], results[names[1]], labels=tuple(names))
    out = Path(__file__).with_name("pir_study.png")
    msk.plot.save(figure, out)
    print(f"\nfigure: {out}")


if __name__ == "__main__":
    main()
