"""PIR on hypertonic elbow flexors: range of motion gained per cycle, and which mechanism gives it.

Run:  python examples/python/pir_study.py   (after `pip install .`)
Writes pir_study.png next to this script and prints one table per condition.
"""

from __future__ import annotations

from pathlib import Path

import msk
from msk import protocols as p

FLEXORS = ["BIClong", "BICshort", "BRA"]
ALL = FLEXORS + ["TRIlong", "TRIlat", "TRImed"]


def session() -> p.Protocol:
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
                barrier_torque=5.0,
            ),
        ],
        initial_angles_deg={"r_elbow_flex": 90.0},
    )


def main() -> None:
    hypertonic = {f"muscles.{m}.tone": "hypertonic" for m in FLEXORS}
    conditions = {
        "full model": hypertonic,
        "no post-activation depression": {
            **hypertonic,
            **{f"muscles.{m}.tone.pad_depth": 0.0 for m in FLEXORS},
        },
        "no viscoelastic relaxation": {
            **hypertonic,
            **{f"muscles.{m}.viscoelastic.enabled": False for m in ALL},
        },
    }
    results = {}
    for name, overrides in conditions.items():
        results[name] = msk.simulate(msk.load_model("elbow", overrides), session(), progress=False)
        print(f"\n{name}")
        print(p.pir_summary(results[name], "r_elbow_flex").to_string(index=False))
    figure = msk.plot.compare(
        results["full model"],
        results["no post-activation depression"],
        labels=("full model", "no post-activation depression"),
    )
    out = Path(__file__).with_name("pir_study.png")
    msk.plot.save(figure, out)
    print(f"\nfigure: {out}")


if __name__ == "__main__":
    main()
