"""Two years of an office worker with lower-crossed tone: untreated, stretching, PIR, or
stretching with strengthening.

Run:  python examples/python/lifetime_office_worker.py [--days 730] [--out DIR]

The person: the bundled lumbar model with the `lower_crossed` tone profile (hypertonic hip flexors
and erector spinae, hypotonic and weaker abdominals and gluteals; docs/theory/neural.md, "Tone
profiles"), living the bundled office_worker week (msk.lifetime; docs/theory/lifetime.md). Four
programmes on the same person and the same days (same seed):

- untreated;
- static stretching of the erector spinae: one session a day for the first 8 weeks, 3 x 30 s held
  at the barrier (its session outcome from an episode, msk.sessions);
- PIR of the erector spinae: the same calendar, 3 cycles of 5 s at 20 % MVC
  (models/runs/pir_lumbar.yaml; its session outcome from an episode);
- stretching and strengthening: the stretching above, and strengthening of the abdominal wall
  and the gluteals three times a week for 12 weeks (3 x 10 repetitions of 3 s at 70 % MVC).

Prints a table of the end state and writes lifetime_office_worker.png: morning disc hydration,
daily stature loss, fatigue damage, facet share, foramen height, nerve-root risk time, erector
spinae optimal length and the abdominals' strength, per programme.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import msk
from msk import lifetimes, sessions
from msk import protocols as p

TONE = {"tone_profile": "lower_crossed"}
LEVEL = "L4-L5"


def erector_muscles(model: msk.Model) -> list[str]:
    return list(model.core.groups["erector_spinae"])


def stretch_session(muscles: list[str]) -> p.Protocol:
    """3 x [passive stretch of the lumbar region to the barrier, held 30 s]."""
    phases: list[Any] = [p.hold(region="lumbar", duration=2.0)]
    for _ in range(3):
        phases += [
            p.passive_stretch(
                region="lumbar",
                muscles=muscles,
                speed_deg_s=5,
                barrier_torque=30,
                barrier_stiffness_nm_per_deg=1.0,
            ),
            p.hold(region="lumbar", duration=30.0),
        ]
    return p.Protocol(phases)


def pir_session(muscles: list[str]) -> p.Protocol:
    """3 cycles of [20 % MVC for 5 s, 2 s relaxation, stretch at 5 deg/s] (pir_lumbar.yaml)."""
    return p.Protocol(
        [
            p.hold(region="lumbar", duration=2.0),
            p.pir(
                region="lumbar",
                muscles=muscles,
                cycles=3,
                effort_pct_mvc=20,
                contraction_s=5,
                relaxation_s=2,
                stretch_speed_deg_s=5,
                barrier_torque=30,
                barrier_stiffness_nm_per_deg=1.0,
            ),
        ]
    )


def outcome_records(model: msk.Model, protocol: p.Protocol) -> list[dict[str, Any]]:
    """The session outcome (msk.sessions) of one session as the records msk.lifetime takes."""
    course = sessions.time_course(model, protocol, retest_min=())
    table = course.outcome.reset_index()
    return [
        {str(k): (str(v) if k == "muscle" else float(v)) for k, v in r.items()}
        for r in table.to_dict("records")
    ]


def programmes(model: msk.Model) -> dict[str, list[dict[str, Any]]]:
    muscles = erector_muscles(model)
    calendar = {"first_day": 0, "last_day": 55, "every_days": 1}
    stretch = outcome_records(model, stretch_session(muscles))
    pir = outcome_records(model, pir_session(muscles))
    return {
        "untreated": [],
        "stretching": [
            lifetimes.intervention(
                "stretch", ["erector_spinae"], duration_s=90.0, outcome=stretch, **calendar
            )
        ],
        "PIR": [
            lifetimes.intervention(
                "pir", ["erector_spinae"], duration_s=60.0, outcome=pir, **calendar
            )
        ],
        "stretching + strengthening": [
            lifetimes.intervention(
                "stretch", ["erector_spinae"], duration_s=90.0, outcome=stretch, **calendar
            ),
            lifetimes.intervention(
                "strengthen",
                ["flexors", "gluteals"],
                first_day=0,
                last_day=83,
                every_days=2,
                duration_s=90.0,
                intensity=0.7,
            ),
        ],
    }


def run(days: int, out: Path) -> dict[str, Any]:
    model = msk.load_model("lumbar", TONE)
    out.mkdir(parents=True, exist_ok=True)
    datasets = {}
    for name, interventions in programmes(model).items():
        path = out / f"lifetime_{name.replace(' + ', '_').replace(' ', '_')}.h5"
        msk.lifetime(
            model,
            "office_worker",
            duration_days=days,
            interventions=interventions,
            out=path,
            progress=False,
        )
        datasets[name] = msk.load_lifetime(path)
    return datasets


def summary(datasets: dict[str, Any]) -> Any:
    import pandas as pd

    rows = {}
    for name, ds in datasets.items():
        last = ds.sizes["day"] - 1
        day56, day84 = min(55, last), min(83, last)
        level = ds.sel(level=LEVEL)
        group = ds.sel(group="erector_spinae")
        rows[name] = {
            "morning hydration [1]": float(level["hydration_morning"][-1]),
            "daily stature loss [mm]": 1000 * float(ds["daily_stature_loss"][-28:].mean()),
            "fatigue damage [1]": float(level["fatigue_damage"][-1]),
            "facet share (mean) [1]": float(level["facet_share_mean"][-28:].mean()),
            "foramen height min [mm]": 1000 * float(level["foramen_height_min"][-28:].mean()),
            "nerve-root risk time [h/day]": float(level["nerve_root_risk_time"][-28:].mean())
            / 3600,
            "erector L_opt ratio, day 56 [1]": float(group["optimal_length_ratio"][day56]),
            "erector L_opt ratio, end [1]": float(group["optimal_length_ratio"][-1]),
            "erector tolerance, days 1-56 mean [1]": float(group["tolerance"][:56].mean()),
            "abdominals' strength, day 84 [1]": float(
                ds["strength_ratio"].sel(group="rectus_abdominis")[day84]
            ),
            "abdominals' strength, end [1]": float(
                ds["strength_ratio"].sel(group="rectus_abdominis")[-1]
            ),
        }
    return pd.DataFrame(rows)


def plot(datasets: dict[str, Any], path: Path) -> Path:
    """Weekly means (7-day rolling) per programme; the optimal length as the difference from the
    untreated run, since the programmes barely move it."""
    import matplotlib.pyplot as plt

    panels = [
        ("hydration_morning", "level", 1.0, "morning disc hydration, L4-L5 [1]"),
        ("daily_stature_loss", None, 1000.0, "daily stature loss [mm]"),
        ("fatigue_damage", "level", 1.0, "fatigue damage, L4-L5 (Miner's sum) [1]"),
        ("facet_share_mean", "level", 1.0, "mean facet share, L4-L5 [1]"),
        ("foramen_height_min", "level", 1000.0, "smallest foramen height, L4-L5 [mm]"),
        ("nerve_root_risk_time", "level", 1 / 3600, "nerve-root risk time, L4-L5 [h/day]"),
        ("optimal_length_ratio", "group", 1e3, "erector spinae L_opt ratio - untreated [1e-3]"),
        ("strength_ratio", "abdominals", 1.0, "rectus abdominis strength ratio [1]"),
    ]
    fig, axes = plt.subplots(4, 2, figsize=(11, 12), sharex=True)
    for ax, (var, dim, scale, title) in zip(axes.flat, panels):
        for name, ds in datasets.items():
            da = ds[var]
            if dim == "level":
                da = da.sel(level=LEVEL)
            elif dim == "group":
                da = da.sel(group="erector_spinae")
            elif dim == "abdominals":
                da = da.sel(group="rectus_abdominis")
            if var == "optimal_length_ratio":
                da = da - datasets["untreated"][var].sel(group="erector_spinae")
            weekly = da.rolling(day=7, min_periods=1).mean() if var != "fatigue_damage" else da
            ax.plot(ds["day"], weekly * scale, label=name, lw=1.2)
        ax.set_title(title, fontsize=10)
    for ax in axes[-1]:
        ax.set_xlabel("day")
    axes[0, 0].legend()
    fig.suptitle(
        "Office worker, lower-crossed tone (lumbar model): 7-day means per programme\n"
        "(stretching and PIR on days 1-56, strengthening every other day to day 84)",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=730, help="days to simulate (default 730)")
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for the files")
    args = parser.parse_args()
    datasets = run(args.days, args.out)
    print(summary(datasets).round(4).to_string())
    print("wrote", plot(datasets, args.out / "lifetime_office_worker.png"))


if __name__ == "__main__":
    main()
