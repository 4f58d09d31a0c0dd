#!/usr/bin/env python3
"""Draw the pictures of docs/guide/pictures.md into docs/images/gallery_*.png.

    python scripts/plot_gallery.py

Every picture is drawn by msk.plot from a fresh solve or run of the bundled models, so the page
shows what the code draws today.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import msk  # noqa: E402
from msk import spine  # noqa: E402
from msk.spine.postures import Posture  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
HYPERTONIC = {"groups.erector_spinae.tone": "hypertonic", "groups.psoas.tone": "hypertonic"}
OFFSET = "groups.erector_spinae.tone.threshold_offset"


def main() -> None:
    lumbar = msk.load_model("lumbar")
    hypertonic = lumbar.with_overrides(HYPERTONIC)
    postures = ["standing_relaxed", "sitting_slouched", "lift_round_back"]

    # One posture, and a grid with a posture the muscles cannot hold.
    spine.equilibrium(hypertonic, "sitting_slouched").plot(path=IMAGES / "gallery_spine.png")
    results: list = []
    titles = []
    for label, model in (("normal", lumbar), ("hypertonic", hypertonic)):
        for p in [
            *postures,
            Posture.preset("lift_round_back").replace(name="lift_60kg", load_kg=60.0),
        ]:
            name = p if isinstance(p, str) else p.name
            titles.append(f"{label}: {name}")
            try:
                results.append(spine.equilibrium(model, p))
            except msk.EquilibriumError as error:
                results.append(error)
    msk.plot.spine_postures(
        results, titles=titles, ncols=4, path=IMAGES / "gallery_spine_postures.png"
    )

    # Studies.
    table = spine.compare({"normal": lumbar, "hypertonic": hypertonic}, postures, n_workers=1)
    msk.plot.compare_levels(
        table,
        ["compression_N", "pressure_MPa", "foramen_height_mm"],
        path=IMAGES / "gallery_compare_levels.png",
    )
    ds = spine.sweep(
        lumbar,
        ["sitting_slouched"],
        {OFFSET: [-0.02, 0.0, 0.05, 0.1, 0.2, 0.5]},  # hypertonic ... normal
        n_workers=1,
        progress=False,
    )
    msk.plot.sweep(ds, "pressure_MPa", units={OFFSET: "L_opt"}, path=IMAGES / "gallery_sweep.png")

    # A lumbar PIR episode, one frame of its animation.
    import yaml

    run = yaml.safe_load((ROOT / "models" / "runs" / "pir_lumbar.yaml").read_text())
    model = msk.load_model(run["model"], run.get("overrides"))
    episode = msk.simulate(model, run["protocol"], output_dt=0.1, progress=False)
    contraction = float(episode.events["time"].iloc[2]) + 2.5  # inside the first contraction
    msk.plot.snapshot(
        episode,
        contraction,
        trace=["region.lumbar.angle"],
        path=IMAGES / "gallery_spine_episode.png",
    )
    for name in sorted(IMAGES.glob("gallery_*.png")):
        print(name.relative_to(ROOT))


if __name__ == "__main__":
    main()
