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
- ``models/data/neck_muscles_mortensen2018.csv``: the neck muscles of Mortensen, Vasavada &
  Merryweather 2018 (right side), with ``models/data/neck_skeleton_mortensen2018.csv``;
- the literature values written below, each with its source (docs/theory/spine.md lists them).

Run ``python3 scripts/make_spine_models.py`` to rewrite both files; ``--check`` exits non-zero when
the files on disk differ from what the script writes (the tests run it).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHRISTOPHY = (
    ROOT
    / "tests/data/opensim/christophy2012_lumbar_skeleton"
    / "Christophy2012_axialRotationUpd_skeletonOnly.osim"
)
TRUNK_MUSCLES = ROOT / "models/data/trunk_muscles_myotorso.csv"
NECK_MUSCLES = ROOT / "models/data/neck_muscles_mortensen2018.csv"
NECK_SKELETON = ROOT / "models/data/neck_skeleton_mortensen2018.csv"

REFERENCE_MASS = 75.0  # [kg] the reference person (assumption: a 50th-percentile man)
REFERENCE_HEIGHT = 1.75  # [m] stature the Christophy geometry is taken to describe (assumption)

# AnyBody AMMR segment mass fractions of body mass (SPINE_PARAMETERS.md section 7, verified code).
FRACTION_HEAD_NECK = 0.081
FRACTION_THORAX = 0.1894
FRACTION_LUMBAR = 0.139  # spread over L1..L5 in proportion to Christophy's vertebra masses
FRACTION_ARMS = 2 * (0.028 + 0.016 + 0.006)  # upper arm, forearm, hand (both sides)

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
    origin = {"ground": [0.0, 0.0, 0.0]}
    parent_of = {"L5": "ground", "L4": "L5", "L3": "L4", "L2": "L3", "L1": "L2"}
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
        "  Lumbar spine, sagittal plane: pelvis/sacrum (ground), L5 ... L1 on flexion joints"
        " (positive"
    )
    w("  = flexion), and the head, neck and thorax above L1; levels L5-S1 ... L1-L2 with discs,")
    w("  facets and ligaments; 105 trunk fascicles per side (erector spinae, multifidus, psoas,")
    w("  quadratus lumborum, rectus abdominis, obliques).")
    w("gravity: [0.0, -9.80665, 0.0]")
    w(
        f"subject: {{reference_mass: {fmt(REFERENCE_MASS)}, reference_height: "
        f"{fmt(REFERENCE_HEIGHT)}}}  # assumption: the Christophy geometry's person"
    )
    w("posture:")
    w("  ground: pelvis")
    w("  load_body: thorax")
    w("  shoulder: [-0.01, 0.37, 0.0]  # glenohumeral centres (Christophy/Mortensen torso frame)")
    w(f"  arm_mass: {fmt(FRACTION_ARMS * REFERENCE_MASS)}  # both arms, AMMR fractions")
    w("  arm_length: 0.68  # shoulder to grip, 0.39 x stature (Drillis & Contini 1966)")
    w("  arm_com_fraction: 0.43  # de Leva 1996 segment centres of mass, combined")
    w("  load_reference: L5-S1")
    w("bodies:")
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
        "pelvis": "ground",
        "sacrum": "ground",
        "torso": "thorax",
        "Abdomen": "L3",
        **{CHRISTOPHY_BODY[v]: v for v in VERTEBRAE},
    }

    def point_in(body: str, p: list[float]) -> list[float]:
        """A MyoTorso point in its msk body's frame."""
        if body in ("pelvis", "sacrum", "Abdomen"):
            target = origin[msk_body[body]]
            return [frame_origin[body][i] + p[i] - target[i] for i in range(3)]
        return p

    # Poses at the neutral shape: each level flexed by its share of 13 deg about its joint centre.
    pose = {"ground": (0.0, [0.0, 0.0, 0.0])}  # body: (rotation angle about +z, origin)
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
    for m in muscles:
        path = parse_path(m["path"])
        ground_pts = [neutral_point(msk_body[body], point_in(body, p)) for body, p in path]
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
            w(f"      - {{body: {msk_body[body]}, point: {vec(point_in(body, p))}}}")
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

    # Segments.
    w("segment_defaults:")
    w("  region: lumbar")
    w("  disc:")
    w("    stiffness_toe: 5.0e5  # 0.5 kN/mm near zero load (in-vitro, unverified)")
    w(
        "    stiffness: 1.5e6  # to 2.0 kN/mm above the toe (1.73 +- 0.45 disc only, review"
        " PMC4844119)"
    )
    w("    toe_compression: 2.0e-4")
    w("    moment_coefficients_deg: [0.4726, 0.0141, 0.002]  # Han 2010 via AMMR DiscStiffness.any")
    w(
        "    preload_stiffening: true  # x1.71 at 250 N, x2.11 at 500 N (Gardner-Morse & Stokes"
        " 2004)"
    )
    w("    pressure_factor: 1.5  # Nachemson 1981")
    w("    swelling_pressure: 1.0e5  # Urban & McMullin 1988: 0.10-0.23 MPa; Wilke 1999 prone 0.10")
    w("    osmotic_pressure: 1.5e5  # fluid-model calibration targets, docs/theory/spine.md")
    w("    osmotic_exponent: 2.22  # half the fluid lost at 0.7 MPa (Urban & McMullin 1988)")
    w("    fluid_time_constant: 16000.0  # creep over hours (O'Connell 2011)")
    w("    recovery_factor: 3.5  # recovery 3-4 x slower (O'Connell 2011)")
    w("    damping: 1.0  # [N m s/rad] assumption (Crisco 2007: damping rises with load)")
    w("  facet:")
    w("    lever_arm: 0.035  # 30-40 mm behind the disc centre (anatomical estimate)")
    w("    gap: 1.2e-3  # axial (tip) clearance; see docs/theory/spine.md, Facets")
    w("    stiffness: 6.0e6  # [N/m^1.5] 200 N/mm at 0.5 mm (10^2-10^3 N/mm in models)")
    w("    exponent: 1.5")
    w("  foramen:")
    w("    disc_gain: 1.0  # follows the disc height 1:1 (pedicle-bounded)")
    w("    angle_gain: 0.0229  # 0.4 mm per degree of flexion (inference from Inufusa 1996)")
    w("    stenosis_height: 0.015  # Hasegawa 1995")
    w("    stenosis_posterior_disc_height: 0.004  # Hasegawa 1995")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk")
    args = parser.parse_args(argv)
    targets = {ROOT / "models/lumbar.yaml": lumbar_yaml()}
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
