#!/usr/bin/env python3
"""Write the bundled spine models, ``models/lumbar.yaml`` and ``models/cervical.yaml``.

The models are generated, not hand-edited, so that every number keeps its source and the
derivations (joint centres, masses from body-mass fractions, fibre lengths from the path lengths)
can be checked and re-run. Inputs:

- the Christophy et al. 2012 lumbar skeleton
  (``tests/data/opensim/christophy2012_lumbar_skeleton``), read for its joint centres, centres
  of mass, inertias and its flexion rhythm;
- ``models/data/trunk_muscles_myotorso.csv``: the trunk muscle fascicles of MyoTorso (MyoSuite's
  MuJoCo conversion of the Christophy lumbar model; Walia et al. 2025; Apache 2.0), right side,
  attachment points in the Christophy body frames and maximum isometric forces;
- ``models/data/hip_muscles_gait2392.csv``: iliacus, rectus femoris, the hamstrings and gluteus
  maximus of OpenSim's gait2392 model (Delp et al. 1990; opensim-org/opensim-models,
  Models/Gait2392_Simbody/gait2392_thelen2003muscle.osim; CC BY 3.0), right side: attachment
  points in the gait2392 pelvis, femur and tibia frames (the pelvis frame is Christophy's), maximum
  isometric forces, optimal fibre and tendon slack lengths, pennation; conditional points in msk's
  conventions (hip and knee flexion positive), the rectus femoris' moving tibial point sampled at
  0, 40 and 90 deg of knee flexion;
- ``models/data/neck_muscles_mortensen2018.csv``: the neck muscles of Mortensen, Vasavada &
  Merryweather 2018 (right side), with ``models/data/neck_skeleton_mortensen2018.csv``;
- the literature values written below, each with its source (docs/theory/spine.md lists them).

Run ``python3 scripts/make_spine_models.py`` to rewrite both files; ``--check`` exits non-zero when
the files on disk differ from what the script writes (the tests run it).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHRISTOPHY = (
    ROOT
    / "tests/data/opensim/christophy2012_lumbar_skeleton"
    / "Christophy2012_axialRotationUpd_skeletonOnly.osim"
)
TRUNK_MUSCLES = ROOT / "models/data/trunk_muscles_myotorso.csv"
HIP_MUSCLES = ROOT / "models/data/hip_muscles_gait2392.csv"
NECK_MUSCLES = ROOT / "models/data/neck_muscles_mortensen2018.csv"
NECK_SKELETON = ROOT / "models/data/neck_skeleton_mortensen2018.csv"

REFERENCE_MASS = 75.0  # [kg] the reference person (assumption: a 50th-percentile man)
REFERENCE_HEIGHT = 1.75  # [m] stature the Christophy geometry is taken to describe (assumption)

# AnyBody AMMR segment mass fractions of body mass (SPINE_PARAMETERS.md section 7, verified code).
FRACTION_HEAD_NECK = 0.081
FRACTION_THORAX = 0.1894
FRACTION_LUMBAR = 0.139  # spread over L1..L5 in proportion to Christophy's vertebra masses
FRACTION_ARMS = 2 * (0.028 + 0.016 + 0.006)  # upper arm, forearm, hand (both sides)

# The pelvis and legs (gait2392 frames; de Leva 1996 masses, SPINE research notes §2):
# hip joint centre in the gait2392 pelvis frame (= Christophy's, whose origin sits 0.979 m above
# msk's ground origin) [m] (opensim-org/opensim-models gait2392, verified code); the knee as a hinge
# at the femur's knee position in extension (gait2392's Yamaguchi & Zajac knee translates a few mm
# with flexion: approximation; femur-to-tibia offset from memory of the gait2392 knee splines).
HIP_CENTRE = [-0.0707, -0.0661, 0.0835]
KNEE_IN_FEMUR = [-0.0053, -0.396, 0.0]
PELVIS_COM = [-0.0707, 0.0, 0.0]  # gait2392 pelvis centre of mass (verified code)
PELVIS_INERTIA_GAIT2392 = ([0.1028, 0.0871, 0.0579], 11.777)  # [kg m^2], for 11.777 kg
TIBIA_COM = [0.0, -0.1867, 0.0]  # gait2392 tibia centre of mass (no (memory))
TIBIA_INERTIA_GAIT2392 = ([0.0504, 0.0051, 0.0511], 3.7075)  # [kg m^2] (no (memory))
FRACTION_PELVIS = 0.1117  # de Leva 1996 lower trunk, men (BMClab BSP_ZdeLeva.txt, verified code)
FRACTION_SHANK = 0.0433  # de Leva 1996 shank, men (verified code)
# The thighs (the model's ground) and the feet, for balance over the feet: de Leva 1996 thigh,
# men, 14.16 % of body mass with its centre of mass 40.95 % of the way from hip to knee (same
# table, no (memory)); the ankle in the gait2392 tibia frame (no (memory)); the centre of pressure
# of quiet standing a few cm in front of the ankles (assumption: 5 cm).
FRACTION_THIGH = 0.1416
THIGH_COM_FRACTION = 0.4095
ANKLE_IN_TIBIA = [0.0, -0.43, 0.0]
PRESSURE_OFFSET = 0.05
# Where the pelvis rests on a seat: the ischial tuberosities, 2 cm below the hamstrings' origin on
# them (gait2392 semimembranosus origin (-0.119, -0.097); assumption for the contact's depth).
SEAT_POINT = [-0.117, -0.12, 0.0]

LEVELS = ["L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"]  # bottom up
VERTEBRAE = ["L5", "L4", "L3", "L2", "L1"]
CHRISTOPHY_BODY = {v: "lumbar" + v[1] for v in VERTEBRAE}
CHRISTOPHY_JOINT = {
    "L5-S1": "L5_S1_IVDjnt",
    "L4-L5": "L4_L5_IVDjnt",
    "L3-L4": "L3_L4_IVDjnt",
    "L2-L3": "L2_L3_IVDjnt",
    "L1-L2": "L1_L2_IVDjnt",
}

# Disc geometry per level, L5-S1 ... L1-L2 [mm] (MRI, 14 adults aged 40-60; Anatomical Sciences J,
# "Measuring dimensions of lumbar intervertebral discs in normal subjects"; SPINE_PARAMETERS 1b).
DISC_MID_HEIGHT_MM = {"L1-L2": 10.0, "L2-L3": 11.59, "L3-L4": 12.45, "L4-L5": 13.82, "L5-S1": 12.99}
DISC_POSTERIOR_HEIGHT_MM = {
    "L1-L2": 7.31,
    "L2-L3": 8.58,
    "L3-L4": 9.08,
    "L4-L5": 10.14,
    "L5-S1": 8.51,
}
DISC_DEPTH_MM = {"L1-L2": 30.23, "L2-L3": 32.03, "L3-L4": 32.86, "L4-L5": 33.08, "L5-S1": 31.33}
# Endplate area [cm^2]: 16-18 at L4-L5 (PUBLISHED.md); rising craniocaudally from about 14-15 at
# L1-L2 (Panjabi 1992, unverified).
DISC_AREA_CM2 = {"L1-L2": 14.5, "L2-L3": 15.5, "L3-L4": 16.5, "L4-L5": 17.0, "L5-S1": 17.5}
# Foraminal height at neutral [mm]: 18-23 rising L1/2 to L4/5, lower at L5/S1 (Cramer 2003,
# Senoo 2014; unverified).
FORAMEN_HEIGHT_MM = {"L1-L2": 19.0, "L2-L3": 20.0, "L3-L4": 21.0, "L4-L5": 22.0, "L5-S1": 19.0}
# Pintar et al. 1992 ligament stiffness [N/mm] via AnyBody AMMR LigamentsLumbar.any (verified code),
# L1-L2 ... L5-S1 (the T12-L1 entry dropped).
PINTAR = {
    "ALL": {"L1-L2": 32.4, "L2-L3": 20.8, "L3-L4": 39.5, "L4-L5": 40.5, "L5-S1": 13.2},
    "PLL": {"L1-L2": 17.1, "L2-L3": 36.6, "L3-L4": 10.6, "L4-L5": 25.8, "L5-S1": 21.8},
    "LF": {"L1-L2": 23.0, "L2-L3": 25.1, "L3-L4": 34.5, "L4-L5": 27.2, "L5-S1": 20.2},
    "ISL": {"L1-L2": 10.0, "L2-L3": 9.6, "L3-L4": 18.1, "L4-L5": 8.7, "L5-S1": 16.3},
    "SSL": {"L1-L2": 23.0, "L2-L3": 24.8, "L3-L4": 34.8, "L4-L5": 18.0, "L5-S1": 17.8},
}
# Ligament lengths at neutral [mm]: AMMR's L4-L5 slack lengths (verified code); the capsular
# ligament's length is an estimate.
LIGAMENT_LENGTH_MM = {"ALL": 11.0, "PLL": 4.1, "LF": 7.7, "ISL": 4.3, "SSL": 6.2, "CL": 6.0}
# Ligament distance behind the disc centre [mm] (anatomical estimates, unverified: ALL on the
# anterior rim, PLL on the posterior rim, LF at the laminae, CL at the facets, ISL and SSL between
# and at the tips of the spinous processes).
LIGAMENT_ARM_MM = {"ALL": -18.0, "PLL": 16.0, "LF": 33.0, "CL": 35.0, "ISL": 50.0, "SSL": 62.0}
CAPSULE_STIFFNESS = 30.0  # [N/mm] Pintar 1992 (unverified)
# MyoTorso's forces imply 0.22 MPa on Ward et al. 2009's multifidus PCSA (23.9 cm^2 per side);
# msk doubles them (0.44 MPa, within the 0.22-1.0 MPa of published trunk models, PUBLISHED.md).
STRENGTH_SCALE = 2.0
# The hamstrings' tendon slack lengths are gait2392's times this factor. Calibration: it makes the
# muscles' passive hip moment with the knee straight follow Riener & Edrich 1999 (both legs, hip
# flexion 30-90 deg; rms 4 N m, against 122 N m at x1), validation case
# riener_edrich1999_passive_hip_moment_knee_straight.
HAMSTRING_SLACK_SCALE = 1.05
# Ligaments taut beyond 2 deg either way (Panjabi 1994: neutral zone 1-3 deg, unverified).
NEUTRAL_ZONE_DEG = 2.0

# Group fibre lengths [m]: multifidus 5.7 cm (Ward et al. 2009, PUBLISHED.md); rectus abdominis
# 28.3 cm (Delp et al. 2001, PUBLISHED.md); longissimus 9.9 cm and iliocostalis 13.0 cm (Ward 2009,
# unverified); psoas 11.7 cm (Regev et al. 2011, unverified); quadratus lumborum 8 cm and the
# obliques 12 cm (estimates).
FIBRE_LENGTH = {
    "multifidus": 0.057,
    "longissimus_lumborum": 0.099,
    "longissimus_thoracis": 0.099,
    "iliocostalis_lumborum": 0.130,
    "iliocostalis_thoracis": 0.130,
    "psoas": 0.117,
    "quadratus_lumborum": 0.08,
    "rectus_abdominis": 0.283,
    "external_oblique": 0.12,
    "internal_oblique": 0.12,
}
GROUPS = {
    "erector_spinae": [
        "longissimus_lumborum",
        "longissimus_thoracis",
        "iliocostalis_lumborum",
        "iliocostalis_thoracis",
    ],
    "longissimus": ["longissimus_lumborum", "longissimus_thoracis"],
    "iliocostalis": ["iliocostalis_lumborum", "iliocostalis_thoracis"],
    "multifidus": ["multifidus"],
    "psoas": ["psoas"],
    "quadratus_lumborum": ["quadratus_lumborum"],
    "rectus_abdominis": ["rectus_abdominis"],
    "external_oblique": ["external_oblique"],
    "internal_oblique": ["internal_oblique"],
    "abdominals": ["rectus_abdominis", "external_oblique", "internal_oblique"],
    "iliacus": ["iliacus"],
    "iliopsoas": ["iliacus", "psoas"],
    "rectus_femoris": ["rectus_femoris"],
    "hip_flexors": ["iliacus", "psoas", "rectus_femoris"],
    "hamstrings": ["hamstrings"],
    "gluteals": ["gluteus_maximus"],
    "flexors": ["rectus_abdominis", "external_oblique", "internal_oblique"],
    "extensors": [
        "longissimus_lumborum",
        "longissimus_thoracis",
        "iliocostalis_lumborum",
        "iliocostalis_thoracis",
        "multifidus",
    ],
}


def fmt(x: float) -> str:
    """A number as YAML, rounded to 6 significant digits."""
    if x == 0:
        return "0.0"
    s = f"{x:.6g}"
    if "e" not in s and "." not in s:
        s += ".0"
    return s


def vec(v: list[float] | tuple[float, ...]) -> str:
    return "[" + ", ".join(fmt(x) for x in v) + "]"


def christophy() -> dict:
    """Bodies and joints of the Christophy skeleton (legacy OpenSim 2 format)."""
    tree = ET.parse(CHRISTOPHY)
    bodies = {}
    for body in tree.iter("Body"):
        name = body.get("name")
        mass = float(body.findtext("mass"))
        com = [float(x) for x in body.findtext("mass_center").split()]
        inertia = [float(body.findtext(tag)) for tag in ("inertia_xx", "inertia_yy", "inertia_zz")]
        joint = body.find("Joint")
        joint_info = None
        if joint is not None and len(joint):
            j = joint[0]
            joint_info = {
                "name": j.get("name"),
                "parent": j.findtext("parent_body"),
                "in_parent": [float(x) for x in j.findtext("location_in_parent").split()],
                "in_child": [float(x) for x in j.findtext("location").split()],
            }
        bodies[name] = {"mass": mass, "com": com, "inertia": inertia, "joint": joint_info}
    rhythm = {}
    for c in tree.iter("CoordinateCouplerConstraint"):
        dep = (c.findtext("dependent_coordinate_name") or "").strip()
        if dep.endswith("_FE"):
            coeffs = c.find(".//coefficients").text.split()
            rhythm[dep[:-3].replace("_", "-")] = float(coeffs[0])
    # The L5-S1 share is the L5_S1 joint's own flex_extension coefficient.
    for t in tree.iter("TransformAxis"):
        if t.get("name") == "rotation1" and (t.findtext("coordinates") or "").strip() == (
            "flex_extension"
        ):
            rhythm["L5-S1"] = float(t.find(".//coefficients").text.split()[0])
    return {"bodies": bodies, "rhythm": rhythm}


def read_muscles(path: Path) -> list[dict]:
    with path.open() as f:
        return list(csv.DictReader(f))


def parse_path(text: str) -> list[tuple[str, list[float]]]:
    points = []
    for item in text.split(";"):
        body, xyz = item.split(":")
        points.append((body, [float(v) for v in xyz.split(",")]))
    return points


def lumbar_yaml() -> str:
    sk = christophy()
    b = sk["bodies"]
    rhythm = sk["rhythm"]
    # Ground is the pelvis/sacrum, at the Christophy ground frame: pelvis and sacrum welds.
    pelvis_origin = [0.0, b["pelvis"]["joint"]["in_parent"][1], 0.0]
    sacrum_origin = [0.0, b["sacrum"]["joint"]["in_parent"][1], 0.0]
    vert_mass_total = sum(b[CHRISTOPHY_BODY[v]]["mass"] for v in VERTEBRAE)

    # Body origins in ground at neutral (for the derived geometry: muscle lengths at neutral).
    origin = {"ground": [0.0, 0.0, 0.0], "pelvis": [0.0, 0.0, 0.0]}
    parent_of = {"L5": "pelvis", "L4": "L5", "L3": "L4", "L2": "L3", "L1": "L2"}
    for v in VERTEBRAE:
        j = b[CHRISTOPHY_BODY[v]]["joint"]
        base = sacrum_origin if v == "L5" else origin[parent_of[v]]
        origin[v] = [base[i] + j["in_parent"][i] - j["in_child"][i] for i in range(3)]
    torso_weld = b["torso"]["joint"]["in_parent"]
    origin["thorax"] = [origin["L1"][i] + torso_weld[i] for i in range(3)]
    joint_centre = {}
    for level, v in zip(LEVELS, VERTEBRAE):
        j = b[CHRISTOPHY_BODY[v]]["joint"]
        joint_centre[level] = [origin[v][i] + j["in_child"][i] for i in range(3)]

    # Mass above L1: head, neck and thorax, its centre of mass 2.0 cm in front of the L1-L2 joint
    # centre (Pearsall et al. 1996: whole-trunk CM about 2.0 cm anterior to L1/L2) and 0.35 m above
    # the torso frame's origin (head + thorax weighted; estimate).
    thorax_mass = (FRACTION_HEAD_NECK + FRACTION_THORAX) * REFERENCE_MASS
    thorax_com = [joint_centre["L1-L2"][0] + 0.02 - origin["thorax"][0], 0.35, 0.0]
    ti = b["torso"]["inertia"]
    thorax_inertia = [x * thorax_mass / b["torso"]["mass"] for x in ti]

    out: list[str] = []
    w = out.append
    w(
        "# msk model: the lumbar spine in the sagittal plane (generated by"
        " scripts/make_spine_models.py;"
    )
    w(
        "# do not edit by hand). Units: SI (m, kg, N, Pa, s, rad) unless a field name says"
        " otherwise."
    )
    w("#")
    w(
        "# Skeleton: Christophy M, Faruk Senan NA, Lotz JC, O'Reilly OM (2012) A musculoskeletal"
        " model"
    )
    w(
        "# for the lumbar spine. Biomech Model Mechanobiol 11:19-34 (joint centres, vertebra"
        " centres of"
    )
    w("# mass and inertias, flexion rhythm; file from mjhmilla/kinematicPassengerModel, MIT).")
    w("# Muscles: the trunk fascicles of MyoTorso (Walia R et al. 2025, MyoBack, bioRxiv")
    w("# 10.1101/2025.03.13.643057; MyoSuite, Apache 2.0), a MuJoCo conversion of the Christophy")
    w(
        "# model: attachment points and maximum isometric forces; each right-side fascicle stands"
        " for"
    )
    w("# both sides (force doubled). Masses: AnyBody AMMR body-mass fractions. Discs, ligaments,")
    w("# facets and foramina: see the sources beside each value and docs/theory/spine.md.")
    w("msk_format: 1")
    w("name: lumbar")
    w("description: >-")
    w(
        "  Lumbar spine and hips, sagittal plane: the thighs (ground), the pelvis/sacrum on the"
        " hips,"
    )
    w("  L5 ... L1 on flexion joints (positive = flexion), the head, neck and thorax above L1, the")
    w("  shanks on the knees; levels L5-S1 ... L1-L2 with discs, facets and ligaments; 105 trunk")
    w("  fascicles per side (erector spinae, multifidus, psoas to the femur, quadratus lumborum,")
    w("  rectus abdominis, obliques) and the hip muscles of gait2392 (iliacus, rectus femoris,")
    w("  hamstrings, gluteus maximus).")
    w("gravity: [0.0, -9.80665, 0.0]")
    w(
        f"subject: {{reference_mass: {fmt(REFERENCE_MASS)}, reference_height: "
        f"{fmt(REFERENCE_HEIGHT)}}}  # assumption: the Christophy geometry's person"
    )
    w("posture:")
    w("  ground: thigh  # the femurs: gravity follows the thighs, the pelvis turns on the hips")
    w("  hip_coordinate: hip")
    w("  knee_coordinate: knee")
    w("  prescribed: [knee]  # the knees are posed, not balanced")
    w("  trunk_body: thorax")
    w("  seat_body: pelvis")
    seat = [SEAT_POINT[0], SEAT_POINT[1] + pelvis_origin[1], 0.0]
    w(
        f"  seat_point: {vec(seat)}  # the ischial tuberosities (gait2392 hamstring origins, 2 cm"
        " lower)"
    )
    w("  load_body: thorax")
    w("  shoulder: [-0.01, 0.37, 0.0]  # glenohumeral centres (Christophy/Mortensen torso frame)")
    w(f"  arm_mass: {fmt(FRACTION_ARMS * REFERENCE_MASS)}  # both arms, AMMR fractions")
    w("  arm_length: 0.68  # shoulder to grip, 0.39 x stature (Drillis & Contini 1966)")
    w("  arm_com_fraction: 0.43  # de Leva 1996 segment centres of mass, combined")
    w("  load_reference: L5-S1")
    hip = [HIP_CENTRE[0], HIP_CENTRE[1] + pelvis_origin[1], 0.0]
    knee = [hip[i] + KNEE_IN_FEMUR[i] for i in range(3)]
    thigh_com = [hip[i] + THIGH_COM_FRACTION * KNEE_IN_FEMUR[i] for i in range(3)]
    w("  feet_body: tibia  # balance over the feet (a posture's balance, task mode)")
    w(f"  ankle_point: {vec(ANKLE_IN_TIBIA)}  # gait2392 ankle in the tibia frame")
    w(f"  pressure_offset: {fmt(PRESSURE_OFFSET)}  # centre of pressure in front of the ankles")
    w(
        f"  ground_mass: {fmt(2 * FRACTION_THIGH * REFERENCE_MASS)}  # both thighs, de Leva 1996"
        " (14.16 % each)"
    )
    w(f"  ground_com: {vec(thigh_com)}  # 40.95 % of the way from hip to knee (de Leva 1996)")
    pelvis_mass = FRACTION_PELVIS * REFERENCE_MASS
    shank_mass = FRACTION_SHANK * REFERENCE_MASS
    w("bodies:")
    w("  - name: pelvis  # pelvis and sacrum; the model's ground is the femurs")
    w("    parent: ground")
    w("    joint:")
    w("      name: hip")
    w("      type: revolute")
    w("      axis: [0.0, 0.0, -1.0]  # positive = hip flexion (anterior pelvic tilt on the thighs)")
    w(f"      location_in_parent: {vec(hip)}  # gait2392 hip joint centre")
    w(f"      location_in_child: {vec(hip)}")
    w("      range_deg: [-30.0, 130.0]")
    w("      default_deg: 0.0")
    w("      limit_stiffness: 1.0")
    w(f"    mass: {fmt(pelvis_mass)}  # de Leva 1996 lower trunk, 11.17 % of body mass")
    w(f"    com: {vec([PELVIS_COM[0], pelvis_origin[1], 0.0])}  # gait2392")
    pin = [x * pelvis_mass / PELVIS_INERTIA_GAIT2392[1] for x in PELVIS_INERTIA_GAIT2392[0]]
    w(f"    inertia: {vec(pin + [0.0, 0.0, 0.0])}  # gait2392, scaled to the mass")
    w("  - name: tibia  # both shanks")
    w("    parent: ground")
    w("    joint:")
    w("      name: knee")
    w("      type: revolute")
    w("      axis: [0.0, 0.0, -1.0]  # positive = knee flexion")
    w(f"      location_in_parent: {vec([knee[0], knee[1], HIP_CENTRE[2]])}  # hinge knee")
    w("      location_in_child: [0.0, 0.0, 0.0]")
    w("      range_deg: [-10.0, 150.0]")
    w("      default_deg: 0.0")
    w("      limit_stiffness: 1.0")
    w(f"    mass: {fmt(2 * shank_mass)}  # de Leva 1996 shank, 4.33 % of body mass, both sides")
    w(f"    com: {vec(TIBIA_COM)}  # gait2392")
    tin = [x * 2 * shank_mass / TIBIA_INERTIA_GAIT2392[1] for x in TIBIA_INERTIA_GAIT2392[0]]
    w(f"    inertia: {vec(tin + [0.0, 0.0, 0.0])}  # gait2392, scaled to the mass")
    for level, v in zip(LEVELS, VERTEBRAE):
        cb = b[CHRISTOPHY_BODY[v]]
        j = cb["joint"]
        parent = parent_of[v]
        in_parent = j["in_parent"]
        if v == "L5":
            in_parent = [sacrum_origin[i] + j["in_parent"][i] for i in range(3)]
        mass = FRACTION_LUMBAR * REFERENCE_MASS * cb["mass"] / vert_mass_total
        inertia = [x * mass / cb["mass"] for x in cb["inertia"]]
        joint = level.replace("-", "_")
        w(f"  - name: {v}")
        w(f"    parent: {parent}")
        w("    joint:")
        w(f"      name: {joint}")
        w("      type: revolute")
        w("      axis: [0.0, 0.0, -1.0]  # positive = flexion")
        w(f"      location_in_parent: {vec(in_parent)}  # Christophy {j['name']}")
        w(f"      location_in_child: {vec(j['in_child'])}")
        w("      range_deg: [-15.0, 25.0]")
        # Episodes start, and the habitual fibre lengths of the tone law are taken, at the
        # unloaded neutral shape (the recumbent lordosis), where the fibres sit at their optimal
        # length.
        w(f"      default_deg: {fmt(13.0 * rhythm[level])}")
        w("      limit_stiffness: 1.0")
        w(f"    mass: {fmt(mass)}  # AMMR lumbar fraction, shared as Christophy's vertebra masses")
        w(f"    com: {vec(cb['com'])}  # Christophy")
        w(f"    inertia: {vec(inertia + [0.0, 0.0, 0.0])}")
    w("  - name: thorax  # head, neck and thorax (arms: see posture)")
    w("    parent: L1")
    w(f"    joint: {{type: weld, location_in_parent: {vec(torso_weld)}}}  # Christophy torsojnt")
    w(f"    mass: {fmt(thorax_mass)}  # AMMR head+neck 8.1 % and thorax 18.94 % of body mass")
    w(f"    com: {vec(thorax_com)}  # 2.0 cm in front of L1-L2 (Pearsall 1996)")
    w(f"    inertia: {vec(thorax_inertia + [0.0, 0.0, 0.0])}")

    # Muscles: fibres at their optimal length in the unloaded neutral shape (the recumbent
    # lordosis, 13 deg x rhythm of flexion from the geometry), where discs and ligaments are
    # unloaded too.
    # MyoTorso's "Abdomen" frame (the rectus sheath where the obliques meet, on L5 at
    # (0.098, 0.0711) and turned by 0.64 x the L5-S1 angle) is replaced by points fixed in L3 at
    # the same place in the neutral posture, so that the external obliques cross the upper levels
    # and the internal obliques the lower ones.
    abdomen_origin = [origin["L5"][0] + 0.098, origin["L5"][1] + 0.0711, 0.0]
    frame_origin = {
        "pelvis": pelvis_origin,
        "sacrum": sacrum_origin,
        "torso": origin["thorax"],
        "Abdomen": abdomen_origin,
        **{CHRISTOPHY_BODY[v]: origin[v] for v in VERTEBRAE},
    }
    msk_body = {
        "pelvis": "pelvis",
        "sacrum": "pelvis",
        "torso": "thorax",
        "Abdomen": "L3",
        **{CHRISTOPHY_BODY[v]: v for v in VERTEBRAE},
    }

    def point_in(body: str, p: list[float]) -> list[float]:
        """A MyoTorso point in its msk body's frame."""
        if body in ("pelvis", "sacrum", "Abdomen"):
            target = origin["pelvis" if msk_body[body] == "pelvis" else msk_body[body]]
            return [frame_origin[body][i] + p[i] - target[i] for i in range(3)]
        return p

    # Poses at the neutral shape: each level flexed by its share of 13 deg about its joint centre.
    # body: (rotation angle about +z, origin); the hips at 0.
    pose = {"ground": (0.0, [0.0, 0.0, 0.0]), "pelvis": (0.0, [0.0, 0.0, 0.0])}
    for level, v in zip(LEVELS, VERTEBRAE):
        parent = parent_of[v]
        angle_p, origin_p = pose[parent]
        j = b[CHRISTOPHY_BODY[v]]["joint"]
        loc = j["in_parent"]
        if v == "L5":
            loc = [sacrum_origin[i] + j["in_parent"][i] for i in range(3)]
        centre = rotate(angle_p, loc, origin_p)
        angle = angle_p - math.radians(13.0 * rhythm[level])  # flexion turns about -z
        offset = rotate(angle, j["in_child"], [0.0, 0.0, 0.0])
        pose[v] = (angle, [centre[i] - offset[i] for i in range(3)])
    pose["thorax"] = (pose["L1"][0], rotate(pose["L1"][0], torso_weld, pose["L1"][1]))

    def neutral_point(body: str, p: list[float]) -> list[float]:
        angle, o = pose[body]
        return rotate(angle, p, o)

    muscles = read_muscles(TRUNK_MUSCLES)
    for m in muscles:
        m["name"] = m["name"].replace(".", "_")  # dots separate the fields of override paths
    w("muscles:")
    group_members: dict[str, list[str]] = {}
    hip_ground = [HIP_CENTRE[0], HIP_CENTRE[1] + pelvis_origin[1], HIP_CENTRE[2]]

    def leg_point(body: str, p: list[float]) -> tuple[str, list[float]]:
        """A gait2392 point as (msk body, point in its frame): the pelvis frame is Christophy's
        (0.979 m up), the femur is the ground (its origin at the hip centre), the tibia its own."""
        if body == "pelvis":
            return "pelvis", [p[0], p[1] + pelvis_origin[1], p[2]]
        if body == "femur":
            return "ground", [hip_ground[i] + p[i] for i in range(3)]
        return "tibia", p

    def parse_leg_path(text: str) -> list[tuple[str, list[float], str]]:
        """Points "body:x,y,z[@coordinate:min:max]" (a condition in radians)."""
        out = []
        for item in text.split(";"):
            body, rest = item.split(":", 1)
            xyz, _, condition = rest.partition("@")
            out.append((body, [float(v) for v in xyz.split(",")], condition))
        return out

    def write_point(body: str, p: list[float], condition: str = "") -> None:
        if condition:
            coord, lo, hi = condition.split(":")
            w(
                f"      - {{body: {body}, point: {vec(p)},\n"
                f"         active_when: {{coordinate: {coord}, range: [{lo}, {hi}]}}}}"
            )
        else:
            w(f"      - {{body: {body}, point: {vec(p)}}}")

    # The psoas crosses the hip to the lesser trochanter (gait2392 psoas_r: over the pelvic brim,
    # the iliopectineal via point while the hip is below 45 deg of flexion, two femoral points).
    psoas_to_femur = [
        ("pelvis", [-0.0288, -0.0805, 0.0816], f"hip:{-math.pi / 2:.6g}:{math.pi / 4:.6g}"),
        ("femur", [0.0016, -0.0507, 0.0038], ""),
        ("femur", [-0.0188, -0.0597, 0.0104], ""),
    ]
    for m in muscles:
        path = parse_path(m["path"])
        extra = psoas_to_femur if m["group"] == "psoas" else []
        ground_pts = [neutral_point(msk_body[body], point_in(body, p)) for body, p in path]
        ground_pts += [leg_point(body, p)[1] for body, p, _ in extra]  # at the hips' 0
        length = sum(math.dist(a, c) for a, c in zip(ground_pts, ground_pts[1:]))
        lopt = min(FIBRE_LENGTH[m["group"]], 0.9 * length)
        slack = length - lopt
        group_members.setdefault(m["group"], []).append(m["name"])
        w(f"  - name: {m['name']}")
        f0 = 2.0 * STRENGTH_SCALE * float(m["max_isometric_force_N_per_side"])  # both sides
        w(f"    max_isometric_force: {fmt(f0)}")
        w(f"    optimal_fibre_length: {fmt(lopt)}")
        w(f"    tendon_slack_length: {fmt(slack)}")
        w("    pennation_at_optimal: 0.0")
        w("    tone: normal")
        w("    path:")
        for body, p in path:
            write_point(msk_body[body], point_in(body, p))
        for body, p, condition in extra:
            write_point(*leg_point(body, p), condition)
    # The hip muscles of gait2392, as published there (forces for both sides; not scaled by
    # STRENGTH_SCALE, which calibrates MyoTorso's trunk forces).
    with HIP_MUSCLES.open() as f:
        for m in csv.DictReader(f):
            group_members.setdefault(m["group"], []).append(m["name"])
            w(f"  - name: {m['name']}")
            w(f"    max_isometric_force: {fmt(2.0 * float(m['max_isometric_force_N_per_side']))}")
            w(f"    optimal_fibre_length: {fmt(float(m['optimal_fibre_length_m']))}")
            slack = float(m["tendon_slack_length_m"])
            if m["group"] == "hamstrings":
                slack *= HAMSTRING_SLACK_SCALE
                w(
                    f"    tendon_slack_length: {fmt(slack)}  # gait2392 x {HAMSTRING_SLACK_SCALE}"
                    " (calibration: Riener & Edrich 1999 passive hip moment)"
                )
            else:
                w(f"    tendon_slack_length: {fmt(slack)}")
            w(f"    pennation_at_optimal: {fmt(float(m['pennation_rad']))}")
            w("    tone: normal")
            w("    path:")
            for body, p, condition in parse_leg_path(m["path"]):
                write_point(*leg_point(body, p), condition)
    write_reflex_ceiling(w)
    w("groups:")
    for group, parts in GROUPS.items():
        names = [n for part in parts for n in group_members.get(part, [])]
        w(f"  {group}: [{', '.join(names)}]")
    w("pairs:")
    w("  - name: trunk")
    w("    joint: L4_L5")
    w(
        "    agonists: ["
        + ", ".join(n for part in GROUPS["abdominals"] for n in group_members[part])
        + "]"
    )
    w(
        "    antagonists: ["
        + ", ".join(n for part in GROUPS["extensors"] for n in group_members[part])
        + "]"
    )
    w("  - name: hip")
    w("    joint: hip")
    w(
        "    agonists: ["
        + ", ".join(n for part in GROUPS["hip_flexors"] for n in group_members[part])
        + "]"
    )
    w(
        "    antagonists: ["
        + ", ".join(
            n for part in GROUPS["hamstrings"] + GROUPS["gluteals"] for n in group_members[part]
        )
        + "]"
    )

    write_tone_profiles(w, LUMBAR_TONE_PROFILES)

    # Segments.
    w("segment_defaults:")
    w("  region: lumbar")
    w("  degeneration: 0.0  # healthy (0 ... 1 severe; Pfirrmann grade G -> (G - 1) / 4)")
    w("  disc:")
    w("    stiffness_toe: 5.0e5  # 0.5 kN/mm near zero load (in-vitro, unverified)")
    w(
        "    stiffness: 1.5e6  # to 2.0 kN/mm above the toe (1.73 +- 0.45 disc only, review"
        " PMC4844119)"
    )
    w("    toe_compression: 2.0e-4")
    w("    moment_coefficients_deg: [0.4726, 0.0141, 0.002]  # Han 2010 via AMMR DiscStiffness.any")
    w(
        "    preload_stiffening: true  # bounded: x1.71 at 250 N, x2.11 at 500 N (Gardner-Morse &"
        " Stokes 2004), at most x2.63"
    )
    w("    preload_gain_max: 1.6261  # s_max, through both points (derived)")
    w("    preload_force: 435.69  # F_s [N], through both points (derived)")
    w("    pressure_factor: 1.5  # Nachemson 1981: total nucleus pressure under load")
    w(
        "    swelling_pressure: 1.0e5  # unloaded disc; calibration: Wilke 1999 prone 0.10 MPa"
        " (Urban & McMullin 1988: 0.10-0.23)"
    )
    w("    pressure_blend: 4.0  # p-norm joining load and swelling pressure (assumption)")
    w("    osmotic_pressure: 1.5e5  # fluid-model calibration targets, docs/theory/spine.md")
    w("    osmotic_exponent: 2.22  # half the fluid lost at 0.7 MPa (Urban & McMullin 1988)")
    w("    fluid_time_constant: 16000.0  # creep over hours (O'Connell 2011)")
    w("    recovery_factor: 3.5  # recovery 3-4 x slower (O'Connell 2011)")
    w("    damping: 1.0  # [N m s/rad] assumption (Crisco 2007: damping rises with load)")
    w("  facet:")
    w("    lever_arm: 0.035  # 30-40 mm behind the disc centre (anatomical estimate)")
    w("    gap: 5.0e-4  # the 0.5 mm initial gap of FE models (0.2-1 mm; unverified)")
    w(
        f"    stiffness: {fmt(FACET_STIFFNESS)}  # [N/m^1.5] calibration: 16 % of L4-L5"
        " compression in standing at hydration 0.7 (Adams & Hutton 1980, after creep)"
    )
    w("    exponent: 1.5")
    w("  foramen:")
    w("    disc_gain: 1.0  # follows the disc height 1:1 (pedicle-bounded)")
    w("    angle_gain: 0.0229  # 0.4 mm per degree of flexion (inference from Inufusa 1996)")
    w("    stenosis_height: 0.015  # Hasegawa 1995")
    w("    stenosis_posterior_disc_height: 0.004  # Hasegawa 1995")
    w("    width: 0.008  # osseous width 6.0-8.1 mm (Gkasdaris 2018)")
    w("    flavum_moment_arm: 0.033  # the LF's moment arm (ligaments below)")
    w("    flavum_length: 0.0077  # AMMR L4L5Ligaments.any LF slack length")
    w(
        "    volume_loss_bulge: 0.25  # 0.2 mm bulge per 0.8 mm of height lost with nucleus volume"
        " (Brinckmann & Grootenboer 1991)"
    )
    w("    risk_height_width: 1.155e-3  # risk 0.8 at 15 mm, 0.05 at 20 mm (inference)")
    w("    risk_posterior_width: 0.693e-3  # risk 0.8 at 4 mm, 0.05 at 7 mm (inference)")
    w("  shear:")
    w(
        "    disc_stiffness: 3.0e4  # [N/m] with the facets 100 N/mm (intact 53-140 N/mm,"
        " Miller 1986)"
    )
    w(
        "    facet_stiffness: 7.0e4  # [N/m] facets resist most shear erect (Hutton, Stott &"
        " Cyron 1977; assumption: 70 %)"
    )
    w("    engagement_opening: 7.5e-3  # half engaged at 7.5 mm opening (assumption)")
    w("    engagement_width: 1.5e-3  # (assumption)")
    w("    repetitive_limit: 700.0  # [N] repeated loading (Gallagher & Marras 2012; unverified)")
    w("    action_limit: 1000.0  # [N] occasional loading (Gallagher & Marras 2012; unverified)")
    w("    ultimate: 2000.0  # [N] 1.99 +- 0.64 kN (Belwadi & Yang 2008)")
    w("  degeneration_effects:")
    w(
        f"    height_loss: {fmt(DEGENERATION_HEIGHT_LOSS)}  # of h_0 at index 1; calibration:"
        " Pollintine 2004 (40 % neural-arch share, severe, erect, 2 kN)"
    )
    w("    height_exponent: 4.0  # height lower only at grade V (Salamat 2016)")
    w("    swelling_loss: 0.5  # lower swelling pressure (Urban & McMullin 1988; assumption)")
    w("    pressure_factor_loss: 0.3  # nucleus pressure -30 % (Adams, McNally & Dolan 1996)")
    w("    laxity: 0.3  # neutral-zone laxity, largest at grade III (hypothesis H17)")
    w("segments:")
    nz = math.radians(NEUTRAL_ZONE_DEG)
    for level in LEVELS:
        joint = level.replace("-", "_")
        h = DISC_MID_HEIGHT_MM[level] / 1000.0
        scale = h / (DISC_MID_HEIGHT_MM["L4-L5"] / 1000.0)
        share = rhythm[level]
        # The unloaded shape: 13 deg less lordosis than standing (recumbent 36.8 vs standing
        # 49.8 deg, Asian Spine J 2019, n = 627), shared by the rhythm.
        neutral = 13.0 * share
        w(f"  - name: {level}")
        w(f"    joint: {joint}")
        w(f"    rhythm: {fmt(share)}  # Christophy 2012 flexion coupler")
        w(f"    neutral_angle_deg: {fmt(neutral)}  # the recumbent shape, 13 deg x rhythm")
        axis = axis_tilt(joint_centre, level)
        w(f"    axis_tilt_deg: {fmt(axis)}  # normal to the disc: bisects the vertebrae's axes")
        w("    disc:")
        w(f"      height: {fmt(h)}")
        w(f"      posterior_height: {fmt(DISC_POSTERIOR_HEIGHT_MM[level] / 1000.0)}")
        w(f"      depth: {fmt(DISC_DEPTH_MM[level] / 1000.0)}")
        w(f"      area: {fmt(DISC_AREA_CM2[level] * 1e-4)}")
        w(f"      fluid_height: {fmt(0.27 * h)}  # 1.5 mm a day at L4-L5 (Boos 1996, secondary)")
        w("    foramen:")
        w(f"      height: {fmt(FORAMEN_HEIGHT_MM[level] / 1000.0)}")
        if level == "L4-L5":
            # Intra-abdominal pressure, driven by this level's extensor moment (Mairiaux et al.
            # 1984 measured it at L4/5); hypothesis H22, docs/theory/spine.md §7.2.
            w("    laws:")
            w("      abdominal_pressure: {law: abdominal_pressure}  # H22; 'none' switches it off")
        w("    ligaments:")
        for lig, arm_mm in LIGAMENT_ARM_MM.items():
            k = CAPSULE_STIFFNESS if lig == "CL" else PINTAR[lig][level]
            length = LIGAMENT_LENGTH_MM[lig] / 1000.0 * scale
            arm = arm_mm / 1000.0
            slack = abs(arm) * nz / length  # taut beyond the neutral zone
            w(
                f"      - {{name: {lig}, stiffness: {fmt(k * 1000.0)}, neutral_length: "
                f"{fmt(length)}, moment_arm: {fmt(arm)}, slack_strain: {fmt(slack)}, "
                f"toe_length: 1.0e-3}}"
            )
    return "\n".join(out) + "\n"


SACRAL_SLOPE_DEG = 39.0  # standing sacral slope 35-40 deg (Roussouly-type cohorts, unverified)
# Facet contact stiffness [N/m^1.5] of the lumbar levels, with the 0.5 mm gap of FE models: chosen
# so that the facets carry 16 % of L4-L5's compression in standing_relaxed at hydration 0.7
# (Adams & Hutton 1980: about 16 % in erect standing after creep); healthy standing at full
# hydration then gives 2 % (Pollintine et al. 2004: < 5 % with non-degenerated discs). Tangent
# stiffness 74 N/mm at 0.5 mm (10^2-10^3 N/mm in rigid-body models, unverified). Calibration.
FACET_STIFFNESS = 2.2e6
# Disc height lost at degeneration index 1, as a fraction of h_0: chosen so that a severely
# degenerated L4-L5 at the standing shape under 2 kN gives the facets 40 % of the compression
# (Pollintine et al. 2004). Calibration.
DEGENERATION_HEIGHT_LOSS = 0.37


def rotate(angle: float, p: list[float], origin: list[float]) -> list[float]:
    """origin + Rz(angle) p (sagittal plane; z unchanged)."""
    c, s = math.cos(angle), math.sin(angle)
    return [origin[0] + c * p[0] - s * p[1], origin[1] + s * p[0] + c * p[1], origin[2] + p[2]]


def axis_tilt(joint_centre: dict, level: str) -> float:
    """Tilt of the disc normal from vertical, forward positive [deg]: the bisector of the long axes
    of the vertebrae above and below (the lines joining the level centres; for L5-S1 the sacral
    endplate's normal, tilted forward by the sacral slope; for L1-L2 the axis of L2 alone)."""
    i = LEVELS.index(level)
    here = joint_centre[level]
    angles = []
    if i + 1 < len(LEVELS):
        above = joint_centre[LEVELS[i + 1]]
        angles.append(math.degrees(math.atan2(above[0] - here[0], above[1] - here[1])))
    if i > 0:
        below = joint_centre[LEVELS[i - 1]]
        angles.append(math.degrees(math.atan2(here[0] - below[0], here[1] - below[1])))
    else:
        angles.append(SACRAL_SLOPE_DEG)
    return sum(angles) / len(angles)


# --- The cervical model -------------------------------------------------------------------------

# Mortensen 2018 bodies as msk bodies, bottom up; the skull and the jaw (welded to it) are the head.
NECK_BODY = {
    "cerv7": "C7",
    "cerv6": "C6",
    "cerv5": "C5",
    "cerv4": "C4",
    "cerv3": "C3",
    "cerv2": "C2",
    "cerv1": "C1",
    "skull": "head",
    "jaw": "head",
}
NECK_LEVELS = ["C7-T1", "C6-C7", "C5-C6", "C4-C5", "C3-C4", "C2-C3"]  # bottom up
NECK_VERTEBRAE = ["C7", "C6", "C5", "C4", "C3", "C2"]  # the upper vertebra of each level
# Bodies the model does not have: fixed to the thorax, which is msk's ground here.
NECK_GROUND_BODIES = ("spine", "ribcage", "rscapula", "rclavicle")

HEAD_MASS = 4.5  # [kg] Beier et al. 1979: 3.66-5.76 kg (21 heads); PUBLISHED.md: 4-5 kg
# Head radii of gyration about its principal axes [m] (Beier et al. 1979, means: 6.89 cm about the
# anterior axis, 7.18 cm about the lateral axis, 5.85 cm about the vertical axis).
HEAD_GYRATION = (0.0689, 0.0585, 0.0718)  # about x (anterior), y (up), z (right)
# Head centre of mass 1.0 cm in front of the occipital condyles (estimate: Beier 1979 puts it
# 0.8 cm in front of the auditory meatus; Surg Radiol Anat 1986;8:169, authors not confirmed, finds
# its line of gravity in front of the cervical spine). Mortensen's skull has it straight above.
HEAD_COM_ANTERIOR = 0.010  # [m]
NECK_RADIUS = 0.06  # [m] neck slices as uniform cylinders, 38 cm around (estimate, for inertia)

# Disc mid-height per level [mm]: Koken et al. 2014 (MRI, 50 men): C4-5 5.99, C5-6 6.07,
# C6-7 6.37; C2-3 and C3-4 at or below the men's pooled C2-3 ... C6-7 mean of 5.82 (Lee et al.,
# Korean J Spine, radiographs), C7-T1 as the mean of C5-6 and C6-7: estimates.
NECK_DISC_HEIGHT_MM = {
    "C2-C3": 5.5,
    "C3-C4": 5.8,
    "C4-C5": 5.99,
    "C5-C6": 6.07,
    "C6-C7": 6.37,
    "C7-T1": 6.2,
}
NECK_DISC_HEIGHT_NOTE = {
    "C2-C3": "estimate",
    "C3-C4": "Lee et al. men's pooled mean",
    "C4-C5": "Koken 2014, MRI, men",
    "C5-C6": "Koken 2014, MRI, men",
    "C6-C7": "Koken 2014, MRI, men",
    "C7-T1": "estimate",
}
NECK_POSTERIOR_FRACTION = 0.75  # posterior / middle disc height (estimate: lordotic wedge)
NECK_DISC_DEPTH_MM = 16.86  # men, C2-3 ... C6-7 pooled (Lee et al.); C7-T1 the same (assumption)
# Endplate area [cm^2]: 2-3 cm^2 (Panjabi 1991, unverified), rising caudally with the endplate
# width (estimate).
NECK_DISC_AREA_CM2 = {
    "C2-C3": 2.0,
    "C3-C4": 2.2,
    "C4-C5": 2.4,
    "C5-C6": 2.6,
    "C6-C7": 2.8,
    "C7-T1": 3.0,
}
# Foraminal height [mm] at C2/C3 ... C7/T1: CT of 320 normal Jordanian adults aged 16-37 (Abu
# Ghaida et al., "linear measurements of normal cervical intervertebral foramina"; abstract read,
# journal not confirmed).
NECK_FORAMEN_HEIGHT_MM = {
    "C2-C3": 10.15,
    "C3-C4": 8.09,
    "C4-C5": 8.00,
    "C5-C6": 8.18,
    "C6-C7": 8.43,
    "C7-T1": 7.97,
}
# Range of each lower level's coordinate [deg]: its flexion + extension range of motion either
# way, generous bounds for the equilibrium's search (representative values, White & Panjabi 1990;
# unverified).
NECK_ROM_DEG = {
    "C2-C3": 10.0,
    "C3-C4": 15.0,
    "C4-C5": 20.0,
    "C5-C6": 20.0,
    "C6-C7": 17.0,
    "C7-T1": 9.0,
}
# Standing T1 slope [deg]: 20-30 in most asymptomatic adults (41 of 85; "Normative segmental
# cervical lordosis distribution and sagittal vertical axis variations with T1 slope", 2025,
# abstract).
T1_SLOPE_DEG = 25.0

# Disc segment moment (disc with the longitudinal ligaments): Moroney et al. 1988 measured 0.21
# (flexion) and 0.32 (extension) N m/deg. With M = -(c1 t + c2 t^2 + c3 t^3), t in degrees, the
# secant stiffness at |t| = 5 deg (the range of Moroney's moments, up to 2.16 N m) is
# c1 + 25 c3 -+ 5 c2: c2 = (0.21 - 0.32) / 10 and c1 + 25 c3 = 0.265, split as 0.20 + 0.065
# (assumption: 25 % stiffening at 5 deg); c2^2 < 3 c1 c3 holds.
NECK_REFERENCE_ANGLE_DEG = 5.0
NECK_DISC_C1 = 0.20
NECK_DISC_C2 = (0.21 - 0.32) / (2.0 * NECK_REFERENCE_ANGLE_DEG)
NECK_DISC_C3 = (0.265 - NECK_DISC_C1) / NECK_REFERENCE_ANGLE_DEG**2

# Posterior ligaments (ALL and PLL are in Moroney's disc segment, so not repeated here; the
# supraspinous ligament is the thin ligamentum nuchae in the neck and is left out). Stiffness
# [N/mm] and length [mm] after Yoganandan, Kumaresan & Pintar 2000 (J Biomech Eng 122:623;
# unverified); distance behind the disc centre [mm]: the capsules at the facets (see
# NECK_FACET_ARM), the ligamentum flavum behind the canal (half the disc depth + the 11.2 mm
# sagittal canal diameter at C5, Kato et al. 2012), the interspinous ligament midway to the
# spinous-process tips (45 mm behind the C3-C4 centre: Mortensen's semispinalis cervicis
# insertion).
NECK_LIGAMENTS = {  # name: (stiffness N/mm, length mm, moment arm mm)
    "CL": (36.0, 6.5, 16.0),
    "LF": (20.0, 8.0, 19.6),
    "ISL": (6.0, 10.0, 32.0),
}
# Moroney 1988: the posterior arch and ligaments add 0.22 N m/deg in flexion and 0.41 in extension
# to the disc segment. The ligaments (taut beyond the neutral zone) give the flexion part and the
# facets the extension part, as secant stiffnesses at 5 deg without preload (Moroney's bending
# tests): the ligament stiffnesses are Yoganandan's times NECK_LIGAMENT_SCALE, and the facet
# stiffness is NECK_FACET_STIFFNESS, both solved for those targets with the segment laws
# (libmsk/include/msk/spine/segment.hpp); tests/cpp/test_spine_models.cpp checks them.
NECK_LIGAMENT_SCALE = 1.47
NECK_FACET_STIFFNESS = 7.9e6  # [N/m^1.5]
NECK_NEUTRAL_ZONE_DEG = 1.5  # ligaments taut beyond it (assumption)
# Facet lever arm [m]: the articular pillars, where Mortensen's semispinalis capitis arises on C5,
# lie 15.0 and 17.7 mm behind the C5-C6 and C4-C5 joint centres.
NECK_FACET_ARM = 0.016
NECK_FACET_GAP = 5.0e-4  # [m] the 0.5 mm initial gap of FE models (0.2-1 mm; unverified)

# Muscle groups of the cervical model (Mortensen's groups, as anatomical groups), and the
# flexors and extensors: Mortensen's "flexion" and "extension" ObjectGroups, the flexors with the
# hyoid muscles (Mortensen 2018 adds them as neck flexors).
# Tone profiles: the override `tone_profile: NAME` sets each group's tone preset and scales its
# strength (docs/theory/neural.md, "Tone profiles"). Janda's crossed syndromes are clinical
# descriptions (Janda 1987; Page, Frank & Lardner 2010, The Janda Approach); the measured
# associations are weak (hip-extension range vs pelvic tilt r = -0.04 and lordosis r = -0.09,
# Heino et al. 1990; pelvic inclination vs lordosis uncorrelated in asymptomatic adults, Youdas
# et al. 1996). The strength factor 0.8 is an assumption.
LUMBAR_TONE_PROFILES = {
    "lower_crossed": {
        "source": (
            "Janda's lower crossed syndrome (Janda 1987; Page, Frank & Lardner 2010): tight hip "
            "flexors and lumbar erector spinae, weak abdominals and gluteals; weak evidence "
            "(Heino et al. 1990; Youdas et al. 1996); strength 0.8 is an assumption"
        ),
        "groups": {
            "hip_flexors": {"tone": "hypertonic"},
            "erector_spinae": {"tone": "hypertonic"},
            "abdominals": {"tone": "hypotonic", "strength": 0.8},
            "gluteals": {"tone": "hypotonic", "strength": 0.8},
        },
    },
}

NECK_TONE_PROFILES = {
    "upper_crossed": {
        "source": (
            "Janda's upper crossed syndrome (Janda 1987; Page, Frank & Lardner 2010): tight upper "
            "trapezius, levator scapulae, sternocleidomastoid and suboccipitals (pectorals not "
            "modelled), weak deep neck flexors (Falla, Jull & Hodges 2004: less deep flexor "
            "activity in neck pain); strength 0.8 is an assumption"
        ),
        "groups": {
            "upper_trapezius": {"tone": "hypertonic"},
            "levator_scapulae": {"tone": "hypertonic"},
            "sternocleidomastoid": {"tone": "hypertonic"},
            "suboccipitals": {"tone": "hypertonic"},
            "longus_colli": {"tone": "hypotonic", "strength": 0.8},
            "longus_capitis": {"tone": "hypotonic", "strength": 0.8},
        },
    },
}


def write_reflex_ceiling(w: Callable[[str], None]) -> None:
    """The trunk and neck muscles' static reflex saturates at 0.1 (docs/theory/neural.md §1)."""
    w("law_defaults:")
    w("  muscles:")
    w(
        "    reflex: {law: tonic_stretch_reflex, saturation: 0.1}  # resting tone in chronic low"
        " back pain: a few % to about 10 % of maximum (assumption)"
    )


def write_tone_profiles(w: Callable[[str], None], profiles: dict[str, Any]) -> None:
    """The model file's ``tone_profiles`` section."""
    w("tone_profiles:")
    for name, profile in profiles.items():
        w(f"  {name}:")
        w(f"    source: {json.dumps(profile['source'])}")
        w("    groups:")
        for group, change in profile["groups"].items():
            fields = ", ".join(f"{k}: {v}" for k, v in change.items())
            w(f"      {group}: {{{fields}}}")


NECK_GROUPS = {
    "sternocleidomastoid": ["sternocleidomastoid"],
    "scalenes": ["scalenes"],
    "longus_colli": ["longus_colli"],
    "longus_capitis": ["longus_capitis"],
    "splenius": ["splenius_capitis", "splenius_cervicis"],
    "semispinalis": ["semispinalis_capitis", "semispinalis_cervicis"],
    "upper_trapezius": ["trapezius"],
    "levator_scapulae": ["levator_scapulae"],
    "hyoids": ["hyoid"],
    "suboccipitals": ["suboccipital"],
    "cervical_erector_spinae": ["erector_spinae_cervical"],
}
NECK_FLEXION_GROUP = [
    "cleid_mast",
    "cleid_occ",
    "long_cap_sklc4",
    "long_col_c1c5",
    "long_col_c1thx",
    "long_col_c5thx",
    "scalenus_ant",
    "stern_mast",
]
NECK_EXTENSION_GROUP = [
    "iliocost_cerv_c5rib",
    "levator_scap",
    "longissi_cap_sklc6",
    "longissi_cerv_c4thx",
    "obl_cap_inf",
    "obl_cap_sup",
    "rectcap_post_maj",
    "rectcap_post_min",
    "scalenus_med",
    "scalenus_post",
    "semi_cap_sklc5",
    "semi_cap_sklthx",
    "semi_cerv_c3thx",
    "splen_cap_sklc6",
    "splen_cap_sklthx",
    "splen_cerv_c3thx",
    "trap_acr",
    "trap_cl",
]


CERVICAL_HEADER = """\
# msk model: the cervical spine in the sagittal plane (generated by scripts/make_spine_models.py;
# do not edit by hand). Units: SI (m, kg, N, Pa, s, rad) unless a field name says otherwise.
#
# Skeleton and muscles: Mortensen JD, Vasavada AN, Merryweather AS (2018) The inclusion of hyoid
# muscles improve moment generating capacity and dynamic simulations in musculoskeletal models of
# the head and neck. PLoS ONE 13(6):e0199912 (after Vasavada, Li & Delp 1998); the file
# models/reference/Mortensen2018.osim of mjhmilla/kinematicPassengerModel (MIT), read into
# models/data/neck_skeleton_mortensen2018.csv and neck_muscles_mortensen2018.csv: joint centres,
# flexion couplers, muscle paths, forces, fibre and tendon lengths. Each right-side muscle stands
# for both sides (force doubled). Masses: AMMR body-mass fractions and Beier et al. 1979 (head).
# Discs, ligaments, facets and foramina: see the sources beside each value and
# docs/theory/spine.md.
msk_format: 1
name: cervical
description: >-
  Cervical spine, sagittal plane: thorax/T1 (ground), C7 ... C2 on flexion joints (positive =
  flexion), C1 and the head on the two upper joints coupled to one head_flexion coordinate; levels
  C7-T1 ... C2-C3 with discs, facets and ligaments; the 36 neck muscles per side of Mortensen et
  al. 2018 (hyoids, sternocleidomastoid, scalenes, longus colli and capitis, splenius,
  semispinalis, upper trapezius, levator scapulae, cervical erector spinae, suboccipitals).
"""


def read_commented_csv(path: Path) -> list[dict]:
    """Rows of a CSV file whose leading lines starting with '#' are comments."""
    with path.open() as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def floats(text: str) -> list[float]:
    return [float(v) for v in text.split()]


def rotation_xyz(angles: list[float]) -> list[list[float]]:
    """Body-fixed x-y-z rotation matrix Rx(a) Ry(b) Rz(c) (OpenSim's orientation_in_parent)."""
    a, b, c = angles
    rx = [[1.0, 0.0, 0.0], [0.0, math.cos(a), -math.sin(a)], [0.0, math.sin(a), math.cos(a)]]
    ry = [[math.cos(b), 0.0, math.sin(b)], [0.0, 1.0, 0.0], [-math.sin(b), 0.0, math.cos(b)]]
    rz = [[math.cos(c), -math.sin(c), 0.0], [math.sin(c), math.cos(c), 0.0], [0.0, 0.0, 1.0]]

    def mul(p: list[list[float]], q: list[list[float]]) -> list[list[float]]:
        return [[sum(p[i][k] * q[k][j] for k in range(3)) for j in range(3)] for i in range(3)]

    return mul(mul(rx, ry), rz)


def neck_axis_tilt(joint_centre: dict, level: str) -> float:
    """Tilt of the disc normal from vertical, forward positive [deg]: the bisector of the axes of
    the vertebrae above and below (lines joining joint centres; T1's endplate normal, tilted
    forward by the T1 slope, below C7-T1)."""
    i = NECK_LEVELS.index(level)
    chain = NECK_LEVELS + ["C1-C2"]
    here, above = joint_centre[level], joint_centre[chain[i + 1]]
    angles = [math.degrees(math.atan2(above[0] - here[0], above[1] - here[1]))]
    if i > 0:
        below = joint_centre[NECK_LEVELS[i - 1]]
        angles.append(math.degrees(math.atan2(here[0] - below[0], here[1] - below[1])))
    else:
        angles.append(T1_SLOPE_DEG)
    return sum(angles) / len(angles)


def cervical_yaml() -> str:
    skeleton = {row["body"]: row for row in read_commented_csv(NECK_SKELETON)}
    muscles = read_commented_csv(NECK_MUSCLES)

    # Body origins and joint centres in the thorax (ground) frame at zero coordinates: every
    # frame is parallel to it there.
    origin = {"spine": [0.0, 0.0, 0.0], "ribcage": [0.0, 0.0, 0.0]}
    joint_centre = {}
    chain = ["cerv7", "cerv6", "cerv5", "cerv4", "cerv3", "cerv2", "cerv1", "skull"]
    for body in chain:
        row = skeleton[body]
        base = origin[row["parent"]]
        centre = [base[i] + floats(row["location_in_parent"])[i] for i in range(3)]
        origin[body] = [centre[i] - floats(row["location_in_child"])[i] for i in range(3)]
        joint_centre[body] = centre
    origin["jaw"] = origin["skull"]
    level_centre = {lv: joint_centre[b] for lv, b in zip(NECK_LEVELS, chain)}
    level_centre["C1-C2"] = joint_centre["cerv1"]

    def in_ground(body: str, p: list[float]) -> list[float]:
        """A point of a body that msk fixes to the thorax, in the thorax frame."""
        row = skeleton[body]
        r = rotation_xyz(floats(row["orientation_in_parent"]))
        loc = floats(row["location_in_parent"])
        return [loc[i] + sum(r[i][k] * p[k] for k in range(3)) for i in range(3)]

    def point_in(body: str, p: list[float]) -> tuple[str, list[float]]:
        """A Mortensen path point as (msk body, point in its frame)."""
        if body in NECK_GROUND_BODIES:
            return "ground", in_ground(body, p)
        return NECK_BODY[body], p  # the jaw frame is the skull frame

    # Shares of neck flexion (lower neck, pitch2) and head flexion (pitch1) per joint: the
    # Mortensen couplers' slopes, renormalised to sum 1 (the lower neck's sum to 1.001).
    def shares(coordinate: str) -> dict:
        raw = {
            b: float(skeleton[b]["pitch_spline_y"]) / 1.74533
            for b in chain
            if skeleton[b]["pitch_coordinate"] == coordinate
        }
        total = sum(raw.values())
        return {b: v / total for b, v in raw.items()}

    neck_share = shares("pitch2")
    head_share = shares("pitch1")

    # Masses: head + neck = AMMR's 8.1 % of body mass; the head HEAD_MASS; the neck's rest shared
    # as Mortensen's vertebra masses (C1 ... C7).
    head_neck_mass = FRACTION_HEAD_NECK * REFERENCE_MASS
    neck_bodies = ["cerv7", "cerv6", "cerv5", "cerv4", "cerv3", "cerv2", "cerv1"]
    mortensen_neck = sum(float(skeleton[b]["mass"]) for b in neck_bodies)
    neck_mass = {
        b: (head_neck_mass - HEAD_MASS) * float(skeleton[b]["mass"]) / mortensen_neck
        for b in neck_bodies
    }
    skull_mass = float(skeleton["skull"]["mass"])
    jaw_mass = float(skeleton["jaw"]["mass"])
    head_com_y = (
        skull_mass * floats(skeleton["skull"]["mass_center"])[1]
        + jaw_mass * floats(skeleton["jaw"]["mass_center"])[1]
    ) / (skull_mass + jaw_mass)
    head_inertia = [HEAD_MASS * r * r for r in HEAD_GYRATION]

    def slice_inertia(body: str) -> list[float]:
        """Uniform cylinder of radius NECK_RADIUS, as tall as the joint spacing."""
        i = chain.index(body)
        above, below = joint_centre[chain[i + 1]], joint_centre[body]
        h = math.dist(above, below)
        m = neck_mass[body]
        across = m * (3.0 * NECK_RADIUS**2 + h * h) / 12.0
        return [across, 0.5 * m * NECK_RADIUS**2, across]

    out: list[str] = []
    w = out.append
    out.extend(CERVICAL_HEADER.splitlines())
    w("gravity: [0.0, -9.80665, 0.0]")
    w(
        f"subject: {{reference_mass: {fmt(REFERENCE_MASS)}, reference_height: "
        f"{fmt(REFERENCE_HEIGHT)}}}  # assumption: the lumbar model's person"
    )
    w("posture:")
    w("  ground: thorax  # gravity follows pelvic tilt + lumbar and thoracic flexion")
    w("  head_coordinate: head_flexion")
    w("bodies:")
    parent_of = {
        "cerv7": "ground",
        "cerv6": "C7",
        "cerv5": "C6",
        "cerv4": "C5",
        "cerv3": "C4",
        "cerv2": "C3",
        "cerv1": "C2",
        "skull": "C1",
    }
    joint_name = {b: lv.replace("-", "_") for lv, b in zip(NECK_LEVELS, chain)}
    joint_name["cerv1"] = "C1_C2"
    joint_name["skull"] = "C0_C1"
    for body in chain:
        row = skeleton[body]
        name = NECK_BODY[body]
        w(f"  - name: {name}" + ("  # skull and jaw" if body == "skull" else ""))
        w(f"    parent: {parent_of[body]}")
        w("    joint:")
        w(f"      name: {joint_name[body]}")
        w("      type: revolute")
        if body in head_share:
            w("      coordinate: head_flexion")
            w(
                f"      ratio: {fmt(head_share[body])}  # Mortensen pitch1 share"
                f" ({row['pitch_spline_y']} / 1.74533, renormalised)"
            )
        w("      axis: [0.0, 0.0, -1.0]  # positive = flexion")
        w(
            f"      location_in_parent: {vec(floats(row['location_in_parent']))}"
            f"  # Mortensen {row['joint']}"
        )
        w(f"      location_in_child: {vec(floats(row['location_in_child']))}")
        if body == "cerv1":
            lo, hi = floats(row["pitch_range"])
            w(
                f"      range_deg: [{fmt(-math.degrees(hi))}, {fmt(-math.degrees(lo))}]"
                "  # Mortensen pitch1 range (its positive = extension)"
            )
            w("      limit_stiffness: 1.0")
            # Mortensen's C2-C1 and C1-skull bushings' damping, in the coordinate: sum r^2 c.
            damping = sum(
                head_share[b] ** 2 * floats(skeleton[b]["bushing_damping"])[2] for b in head_share
            )
            w(f"      damping: {fmt(damping)}  # Mortensen's two upper bushings, sum ratio^2 c")
        elif body != "skull":
            rom = NECK_ROM_DEG[joint_name[body].replace("_", "-")]
            w(
                f"      range_deg: [{fmt(-rom)}, {fmt(rom)}]  # its flexion + extension range"
                " each way (White & Panjabi 1990)"
            )
            w("      limit_stiffness: 1.0")
        if body == "skull":
            w(f"    mass: {fmt(HEAD_MASS)}  # Beier 1979: 3.66-5.76 kg; Mortensen skull + jaw 4.0")
            w(
                f"    com: {vec([HEAD_COM_ANTERIOR, head_com_y, 0.0])}  # 1 cm in front of the"
                " condyles (estimate); height: Mortensen skull + jaw"
            )
            w(f"    inertia: {vec(head_inertia + [0.0, 0.0, 0.0])}  # Beier 1979 radii of gyration")
        else:
            w(
                f"    mass: {fmt(neck_mass[body])}  # AMMR head+neck 8.1 % less the head, shared as"
                " Mortensen's"
            )
            w(f"    com: {vec(floats(row['mass_center']))}  # Mortensen")
            w(
                f"    inertia: {vec(slice_inertia(body) + [0.0, 0.0, 0.0])}  # cylinder r = 6 cm"
                " (estimate)"
            )

    # Muscles: Mortensen's paths, forces, fibre and tendon lengths.
    w("# Muscles: Mortensen 2018's paths, fibre and tendon lengths and forces (their flexor and")
    w("# extensor strengths scaled to static strength experiments). Points on the thorax (spine),")
    w("# ribcage, scapula and clavicle are fixed in ground at their neutral places; the hyoid's")
    w("# points are in C1 and C3, as in the data.")
    w("muscles:")
    group_members: dict[str, list[str]] = {}
    for m in muscles:
        group_members.setdefault(m["group"], []).append(m["name"])
        w(f"  - name: {m['name']}")
        w(f"    max_isometric_force: {fmt(2.0 * float(m['max_isometric_force']))}  # both sides")
        w(f"    optimal_fibre_length: {fmt(float(m['optimal_fibre_length']))}")
        w(f"    tendon_slack_length: {fmt(float(m['tendon_slack_length']))}")
        w(f"    pennation_at_optimal: {fmt(float(m['pennation_at_optimal']))}")
        w("    tone: normal")
        w("    path:")
        for body, p in parse_path(m["path"]):
            target, q = point_in(body, p)
            note = f"  # {body}" if body != "skull" and target in ("ground", "head") else ""
            w(f"      - {{body: {target}, point: {vec(q)}}}{note}")
    write_reflex_ceiling(w)
    w("groups:")
    for group, parts in NECK_GROUPS.items():
        names = [n for part in parts for n in group_members[part]]
        w(f"  {group}: [{', '.join(names)}]")
    flexors = NECK_FLEXION_GROUP + group_members["hyoid"]
    w(f"  flexors: [{', '.join(flexors)}]")
    w(f"  extensors: [{', '.join(NECK_EXTENSION_GROUP)}]")
    w("pairs:")
    w("  - name: neck")
    w("    joint: C4_C5")
    w(f"    agonists: [{', '.join(flexors)}]")
    w(f"    antagonists: [{', '.join(NECK_EXTENSION_GROUP)}]")
    write_tone_profiles(w, NECK_TONE_PROFILES)

    # Segments.
    c1, c2, c3 = NECK_DISC_C1, NECK_DISC_C2, NECK_DISC_C3
    nz = math.radians(NECK_NEUTRAL_ZONE_DEG)
    w("segment_defaults:")
    w("  region: cervical")
    w("  degeneration: 0.0  # healthy; the degeneration effects are the lumbar defaults")
    w("  disc:")
    w("    stiffness_toe: 5.0e5  # as lumbar: Moroney 1988 found cervical compression stiffness")
    w("    stiffness: 1.5e6  # similar to thoracic and lumbar segments")
    w("    toe_compression: 2.0e-4")
    w(
        f"    moment_coefficients_deg: {vec([c1, c2, c3])}  # Moroney 1988: 0.21 / 0.32 N m/deg"
        " at 5 deg"
    )
    w("    preload_stiffening: false  # Moroney's values hold without preload; lumbar-only law")
    w("    pressure_factor: 1.5  # Nachemson 1981 (lumbar; assumption)")
    w("    swelling_pressure: 1.0e5  # as lumbar (Urban & McMullin 1988; assumption)")
    w("    pressure_blend: 4.0  # as lumbar (assumption)")
    w("    osmotic_pressure: 1.5e5  # as lumbar (fluid-model calibration targets)")
    w("    osmotic_exponent: 2.22  # as lumbar")
    w("    fluid_time_constant: 16000.0  # as lumbar (O'Connell 2011)")
    w("    recovery_factor: 3.5  # as lumbar (O'Connell 2011)")
    w("  facet:")
    w(f"    lever_arm: {fmt(NECK_FACET_ARM)}  # articular pillars behind C4-C5/C5-C6 (Mortensen)")
    w(f"    gap: {fmt(NECK_FACET_GAP)}  # FE models' initial gap, 0.2-1 mm (unverified)")
    w(
        f"    stiffness: {fmt(NECK_FACET_STIFFNESS)}  # [N/m^1.5] adds Moroney's 0.41 N m/deg"
        " at 5 deg extension"
    )
    w("    exponent: 1.5")
    w("  foramen:")
    w("    disc_gain: 1.0  # follows the disc height 1:1 (pedicle-bounded; as lumbar)")
    w(
        "    angle_gain: 0.00688  # 0.12 mm/deg: +1.0 / -0.9 mm at full flexion / extension"
        " (Kitagawa 2004) over about 8 deg per level (assumption)"
    )
    w("    stenosis_height: 0.006  # 75 % of normal, as Hasegawa's 15 of 20 mm lumbar (assumption)")
    w(
        "    stenosis_posterior_disc_height: 0.002  # half of normal, as Hasegawa's 4 of 8.5 mm"
        " lumbar (assumption)"
    )
    w("    width: 0.005  # estimate (assumption)")
    lf_length, lf_arm = NECK_LIGAMENTS["LF"][1], NECK_LIGAMENTS["LF"][2]
    w(f"    flavum_moment_arm: {fmt(lf_arm / 1000.0)}  # the LF's moment arm (ligaments below)")
    w(f"    flavum_length: {fmt(lf_length / 1000.0)}  # the LF's length (ligaments below)")
    w("    volume_loss_bulge: 0.25  # lumbar figure (Brinckmann & Grootenboer 1991; assumption)")
    w("    risk_height_width: 0.462e-3  # the lumbar width x 6/15 (assumption)")
    w("    risk_posterior_width: 0.347e-3  # the lumbar width x 2/4 (assumption)")
    w("  shear:  # lumbar values (assumption)")
    w("    repetitive_limit: 700.0  # lumbar limits; no cervical limit in the sources")
    w("    action_limit: 1000.0")
    w("    ultimate: 2000.0")
    w(
        f"  ligaments:  # Yoganandan 2000 stiffness x {fmt(NECK_LIGAMENT_SCALE)} (Moroney 1988"
        " calibration) and lengths"
    )
    for lig, (k, length_mm, arm_mm) in NECK_LIGAMENTS.items():
        length = length_mm / 1000.0
        arm = arm_mm / 1000.0
        slack = arm * nz / length  # taut beyond the neutral zone
        w(
            f"    - {{name: {lig}, stiffness: {fmt(k * NECK_LIGAMENT_SCALE * 1000.0)}, "
            f"neutral_length: {fmt(length)}, moment_arm: {fmt(arm)}, slack_strain: "
            f"{fmt(slack)}, toe_length: 1.0e-3}}"
        )
    w("# neutral_angle 0: the discs and ligaments are unloaded in Mortensen's shape, the relaxed")
    w("# upright neck (Vasavada et al. 1998); the lying postures keep the neck there, and no")
    w("# recumbent cervical shape was found to set another value from (assumption).")
    w("segments:")
    for level, v in zip(NECK_LEVELS, NECK_VERTEBRAE):
        body = {NECK_BODY[b]: b for b in chain}[v]
        h = NECK_DISC_HEIGHT_MM[level] / 1000.0
        w(f"  - name: {level}")
        w(f"    joint: {level.replace('-', '_')}")
        w(
            f"    rhythm: {fmt(neck_share[body])}  # Mortensen pitch2 coupler"
            f" ({skeleton[body]['pitch_spline_y']} / 1.74533, renormalised)"
        )
        w("    neutral_angle_deg: 0.0")
        tilt = neck_axis_tilt(level_centre, level)
        w(f"    axis_tilt_deg: {fmt(tilt)}  # normal to the disc: bisects the vertebrae's axes")
        w("    disc:")
        w(f"      height: {fmt(h)}  # {NECK_DISC_HEIGHT_NOTE[level]}")
        w(
            f"      posterior_height: {fmt(NECK_POSTERIOR_FRACTION * h)}"
            f"  # {fmt(NECK_POSTERIOR_FRACTION)} x height (estimate)"
        )
        w(f"      depth: {fmt(NECK_DISC_DEPTH_MM / 1000.0)}  # Lee et al., men, C2-3 ... C6-7")
        w(f"      area: {fmt(NECK_DISC_AREA_CM2[level] * 1e-4)}  # estimate within 2-3 cm^2")
        w(f"      fluid_height: {fmt(0.27 * h)}  # the lumbar fraction of the height (assumption)")
        damping = floats(skeleton[body]["bushing_damping"])[2]
        w(f"      damping: {fmt(damping)}  # [N m s/rad] Mortensen's bushing (10 % of k)")
        w("    foramen:")
        w(f"      height: {fmt(NECK_FORAMEN_HEIGHT_MM[level] / 1000.0)}  # CT, Abu Ghaida et al.")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk")
    args = parser.parse_args(argv)
    targets = {
        ROOT / "models/lumbar.yaml": lumbar_yaml(),
        ROOT / "models/cervical.yaml": cervical_yaml(),
    }
    status = 0
    for path, text in targets.items():
        if args.check:
            if not path.exists() or path.read_text() != text:
                print(f"{path.relative_to(ROOT)} differs from scripts/make_spine_models.py")
                status = 1
        else:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
