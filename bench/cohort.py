#!/usr/bin/env python3
"""Throughput of a lifetime cohort (msk.study.lifetime_cohort) on one and on two workers.

N office workers drawn under a seed (msk.study.draw_people: stature, BMI, erector spinae and
psoas tone, disc strength, schedule seed) live the bundled office_worker week on the lumbar model
for D days, untreated and with a PIR programme of the erector spinae (daily for the first 8
weeks; its session outcome from one episode of the session on the reference person,
msk.sessions), on a local pool of 1 and 2 threads (and, with --dask, a LocalCluster of 1 and 2
worker processes of one thread each). Reports wall time, person-years per hour and wall seconds
per person-year, and checks that every configuration gives the same dataset.

Run by hand (never in the tests), with the project's environment::

    .venv/bin/python bench/cohort.py --people 20 --days 365 --json cohort.json [--dask]
    .venv/bin/python bench/cohort.py --people 40 --days 180 --mode fixed --workers 2 \
        --plot docs/images/cohort_office_worker.png          # the picture of docs/guide/cluster.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from typing import Any

import msk
import numpy as np
from msk import lifetimes, sessions, study
from msk import protocols as p


def pir_programme(model: msk.Model, weeks: int = 8) -> list[dict[str, Any]]:
    """Daily PIR of the erector spinae for ``weeks`` weeks, 3 cycles at 20 % MVC (the session of
    examples/python/lifetime_office_worker.py); its outcome from one episode on ``model``."""
    muscles = list(model.core.groups["erector_spinae"])
    session = p.Protocol(
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
    table = sessions.time_course(model, session, retest_min=()).outcome.reset_index()
    outcome = [
        {str(k): (str(v) if k == "muscle" else float(v)) for k, v in r.items()}
        for r in table.to_dict("records")
    ]
    return [
        lifetimes.intervention(
            "pir",
            ["erector_spinae"],
            first_day=0,
            last_day=7 * weeks - 1,
            duration_s=60.0,
            outcome=outcome,
        )
    ]


def same(a: Any, b: Any) -> bool:
    kept = [v for v in a.data_vars if v not in ("recomputed", "file")]
    try:
        import xarray as xr

        xr.testing.assert_identical(a[kept], b[kept])
        return True
    except AssertionError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", default="", help="posture mode ('' the default, or fixed)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--dask", action="store_true", help="also on a Dask LocalCluster")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--plot", help="draw the cohort (msk.plot.cohort) to this PNG")
    args = parser.parse_args(argv)

    reference = msk.load_model(
        "lumbar",
        {"groups.erector_spinae.tone": "hypertonic", "groups.psoas.tone": "hypertonic"},
    )
    t0 = time.perf_counter()
    programmes = {"none": [], "pir": pir_programme(reference)}
    session_s = time.perf_counter() - t0
    people = study.draw_people(args.people, seed=args.seed)
    person_years = args.people * len(programmes) * args.days / 365.0
    options = {
        "duration_days": args.days,
        "programmes": programmes,
        "mode": args.mode,
        "progress": False,
    }
    model = msk.load_model("lumbar")

    rows: list[dict[str, Any]] = []
    datasets = []

    def record(backend: str, workers: int, wall: float, cpu: float, ds: Any) -> None:
        datasets.append(ds)
        rows.append(
            {
                "backend": backend,
                "workers": workers,
                "wall_s": round(wall, 2),
                "cpu_s_driver": round(cpu, 2),
                "person_years": round(person_years, 3),
                "person_years_per_hour": round(person_years / wall * 3600.0, 1),
                "wall_s_per_person_year": round(wall / person_years, 3),
                "n_failed": int(ds.attrs["n_failed"]),
            }
        )
        print(json.dumps(rows[-1]), flush=True)

    for workers in args.workers:
        c0, w0 = time.process_time(), time.perf_counter()
        ds = study.lifetime_cohort(model, "office_worker", people, n_workers=workers, **options)
        record("threads", workers, time.perf_counter() - w0, time.process_time() - c0, ds)
    if args.dask:
        from distributed import Client, LocalCluster

        for workers in args.workers:
            with (
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                ) as cluster,
                Client(cluster) as client,
            ):
                client.wait_for_workers(workers)
                c0, w0 = time.process_time(), time.perf_counter()
                ds = study.lifetime_cohort(model, "office_worker", people, client=client, **options)
                record("dask", workers, time.perf_counter() - w0, time.process_time() - c0, ds)

    identical = all(same(datasets[0], d) for d in datasets[1:])
    print(f"same dataset in every configuration: {identical}")
    ds = datasets[0]
    level = ds.sel(level="L4-L5")
    effect = {
        name: {
            programme: float(np.nanmedian(level[name].sel(programme=programme)))
            for programme in programmes
        }
        for name in ("fatigue_damage", "daily_stature_loss", "facet_share_mean")
    }
    report = {
        "machine": {
            "nproc": os.cpu_count(),
            "platform": platform.platform(),
            "load_average": os.getloadavg(),
        },
        "people": args.people,
        "days": args.days,
        "programmes": list(programmes),
        "mode": args.mode or "default",
        "session_outcome_s": round(session_s, 2),
        "runs": rows,
        "identical": identical,
        "medians_L4_L5": effect,
    }
    if args.plot:
        msk.plot.cohort(
            ds,
            title=f"office_worker, lumbar model: {args.people} people, {args.days} days, "
            "untreated and with 8 weeks of daily PIR of the erector spinae",
            path=args.plot,
        )
        print(f"wrote {args.plot}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=1)
    print(json.dumps(report, indent=1))
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
