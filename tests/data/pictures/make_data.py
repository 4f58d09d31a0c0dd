"""Write the inputs of the image tests (tests/python/test_pictures.py):

- ``spine_postures.h5``: lumbar postures, normal and with hypertonic erector spinae and psoas
  (standing, slouched sitting, a round-back lift, and a 150 kg lift that the muscles cannot hold,
  stored as failed), and the cervical model standing and slouched;
- ``lumbar_pir_short.h5``: the first seconds of the lumbar PIR run (models/runs/pir_lumbar.yaml),
  every half second, with the channels a spine animation draws.

The pictures are drawn from these files, so a change of the model's numbers does not move the
reference images. Run from the repository root with msk installed:

    python tests/data/pictures/make_data.py
"""

from __future__ import annotations

import json
from pathlib import Path

import msk
import numpy as np
import yaml
from msk import spine
from msk.results import Results
from msk.spine.files import EquilibriumWriter
from msk.spine.postures import as_posture

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def equilibria(path: Path) -> None:
    lumbar = msk.load_model("lumbar")
    hypertonic = lumbar.with_overrides(
        {"groups.erector_spinae.tone": "hypertonic", "groups.psoas.tone": "hypertonic"}
    )
    heavy = spine.Posture.preset("lift_round_back").replace(name="lift_150kg", load_kg=150.0)
    lumbar_postures = ["standing_relaxed", "sitting_slouched", "lift_round_back", heavy]
    variants = {"normal": (lumbar, {}), "hypertonic": (hypertonic, {"tone": "hypertonic"})}
    cervical = msk.load_model("cervical")
    meta = {
        "model_name": "lumbar",
        "mode": "rhythm",
        "labels": json.dumps(["normal", "hypertonic", "cervical"]),
        "postures": json.dumps(
            ["standing_relaxed", "sitting_slouched", "lift_round_back", "lift_150kg"]
        ),
    }
    with EquilibriumWriter(path, meta) as writer:
        for label, (model, overrides) in variants.items():
            writer.add_label(label, model.name, model.text, overrides)
            for p in lumbar_postures:
                posture = as_posture(p)
                try:
                    writer.add(label, spine.equilibrium(model, posture, mode="rhythm"))
                except msk.EquilibriumError as error:
                    writer.add_error(label, posture, "rhythm", str(error))
        writer.add_label("cervical", cervical.name, cervical.text, {})
        for p in ["standing_relaxed", "sitting_slouched"]:
            writer.add("cervical", spine.equilibrium(cervical, p, mode="rhythm"))


def episode(path: Path) -> None:
    run = yaml.safe_load((ROOT / "models" / "runs" / "pir_lumbar.yaml").read_text())
    model = msk.load_model(run["model"], run.get("overrides"))
    protocol = dict(run["protocol"])
    protocol["phases"] = [dict(protocol["phases"][0], duration=1.0), dict(protocol["phases"][1])]
    protocol["phases"][1]["cycles"] = 1
    full = msk.simulate(model, protocol, output_dt=0.5, progress=False)
    # What a spine animation draws: the coordinates, the levels and the muscles' activation.
    levels = ("pressure", "facet_force", "disc_height", "foramen_height", "foramen_width",
              "nerve_root_risk", "compression")  # fmt: skip
    keep = [
        c
        for c in full.channels
        if (c.startswith("joint.") and c.endswith(".angle"))
        or (c.startswith("segment.") and c.split(".")[-1] in levels)
        or c.startswith("region.")
        or (c.startswith("muscle.") and c.endswith(".activation"))
    ]
    results = Results(
        full.time,
        np.column_stack([full[c] for c in keep]),
        keep,
        [full.units[c] for c in keep],
        event_times=full.events["time"].to_numpy(),
        event_labels=list(full.events["label"]),
        meta=full.meta,
    )
    results.save(path)


if __name__ == "__main__":
    equilibria(HERE / "spine_postures.h5")
    episode(HERE / "lumbar_pir_short.h5")
    for name in ("spine_postures.h5", "lumbar_pir_short.h5"):
        print(HERE / name, (HERE / name).stat().st_size, "bytes")
