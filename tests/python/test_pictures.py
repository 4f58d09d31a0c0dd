"""The pictures: rendered and compared with stored reference images, and checked structurally.

Image tests render each kind of picture from stored inputs (``tests/data/pictures``: an
equilibrium file of lumbar and cervical postures, one of them failed, and a short lumbar PIR
episode), so that a change in the model's numbers does not move the pictures; they compare the
PNG with ``tests/python/baseline_images/<name>.png`` by matplotlib's RMS image comparison within
``TOLERANCE``. Fonts are pinned (DejaVu Sans, which matplotlib ships) and the style reset, so the
references hold on a clean machine.

Regenerate the references after an intended change of a picture with

    pytest tests/python/test_pictures.py --msk-update-baselines

then look at every image in ``tests/python/baseline_images`` before committing it.
Structural tests check what a reader relies on: no two texts and no colour bars overlap, every
panel is present when some postures failed, labels never collide, the spine fills its panel.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

mpl = pytest.importorskip("matplotlib")
from matplotlib.testing.compare import compare_images  # noqa: E402

pytestmark = pytest.mark.core

HERE = Path(__file__).resolve().parent
BASELINES = HERE / "baseline_images"
DATA = HERE.parent / "data" / "pictures"
EQUILIBRIA = DATA / "spine_postures.h5"
EPISODE = DATA / "lumbar_pir_short.h5"
#: RMS difference of the 0-255 pixel values allowed between a rendering and its reference.
TOLERANCE = 6.0

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.sans-serif": ["DejaVu Sans"],
    "text.hinting": "auto",
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "path.simplify": True,
}


@pytest.fixture(autouse=True)
def pinned_style() -> Iterator[None]:
    """The default style with pinned fonts, for every test of this file."""
    import matplotlib.pyplot as plt

    with mpl.rc_context():
        mpl.style.use("default")
        mpl.rcParams.update(STYLE)
        yield
    plt.close("all")


def _check_image(request: pytest.FixtureRequest, fig: Any, name: str, tmp_path: Path) -> Path:
    """Save ``fig`` and compare it with its reference (or write the reference when asked)."""
    actual = tmp_path / f"{name}.png"
    fig.savefig(actual, dpi=100)
    expected = BASELINES / f"{name}.png"
    if request.config.getoption("--msk-update-baselines"):
        BASELINES.mkdir(exist_ok=True)
        shutil.copyfile(actual, expected)
        return actual
    assert expected.is_file(), (
        f"no reference image {expected}; run pytest {Path(__file__).name} "
        "--msk-update-baselines and look at it"
    )
    failure = compare_images(str(expected), str(actual), tol=TOLERANCE)
    assert failure is None, failure
    return actual


# --- inputs ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stored() -> dict[tuple[str, str], Any]:
    from msk import spine

    return spine.load(EQUILIBRIA)


@pytest.fixture(scope="module")
def stored_errors() -> dict[tuple[str, str], str]:
    from msk import spine

    return spine.load_errors(EQUILIBRIA)


def _panels(stored: dict, errors: dict) -> tuple[list[Any], list[str]]:
    """The lumbar postures of the stored file with the failed one in its place."""
    from msk.spine.files import read_meta

    meta = read_meta(EQUILIBRIA)
    import json

    results, titles = [], []
    for label in json.loads(meta["labels"]):
        for posture in json.loads(meta["postures"]):
            key = (label, posture)
            if key in stored:
                results.append(stored[key])
            elif key in errors:
                results.append(errors[key])
            else:
                continue
            titles.append(f"{label}: {posture}")
    return results, titles


def _compare_table(stored: dict) -> Any:
    """A table shaped as msk.spine.compare returns it, from the stored lumbar postures."""
    import pandas as pd
    from msk.spine import LEVEL_UNITS

    columns = ["compression_N", "pressure_MPa", "foramen_height_mm"]
    frames = {}
    for (label, posture), r in stored.items():
        if label not in ("normal", "hypertonic"):
            continue
        df = r.levels[columns].copy()
        df.index = pd.MultiIndex.from_product([[posture], df.index], names=["posture", "level"])
        frames.setdefault(label, []).append(df)
    table = pd.concat({label: pd.concat(f) for label, f in frames.items()}, axis=1)
    table.attrs["units"] = {c: LEVEL_UNITS[c] for c in columns}
    return table


def _sweep_dataset(stored: dict) -> Any:
    """A dataset shaped as msk.spine.sweep returns it: pressure over a tone offset (the two
    stored variants at two offsets), postures and levels."""
    import xarray as xr

    postures = [p for (label, p) in stored if label == "normal"]
    levels = list(stored[("normal", postures[0])].levels.index)
    values = np.array(
        [
            [stored[(label, p)].levels["pressure_MPa"].to_numpy() for p in postures]
            for label in ("normal", "hypertonic")
        ]
    )
    ds = xr.Dataset(
        {"pressure_MPa": (["tone_offset", "posture", "level"], values, {"units": "MPa"})},
        coords={"tone_offset": [0.0, -0.04], "posture": postures, "level": levels},
    )
    ds.coords["tone_offset"].attrs["units"] = "m"
    ds.attrs["model"] = "lumbar"
    return ds


# --- structure -------------------------------------------------------------------------------


def _boxes(fig: Any, kinds: tuple[str, ...] = ("text",)) -> list[tuple[str, Any]]:
    """Window extents of the visible, non-empty texts of a drawn figure (and colour-bar axes)."""
    renderer = fig.canvas.get_renderer()
    boxes = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        bar = ax.get_label() == "<colorbar>"
        own = [] if bar and "colorbar" in kinds else [ax.xaxis.label, ax.yaxis.label]
        for text in [*ax.texts, ax.title, *own]:
            if text.get_visible() and text.get_text().strip():
                boxes.append((text.get_text(), text.get_window_extent(renderer)))
        if "colorbar" in kinds and bar:  # the bar with its ticks and label
            boxes.append(("colorbar", ax.get_tightbbox(renderer)))
    return boxes


def _overlaps(boxes: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    pairs = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            if box_a.overlaps(box_b) and box_a.width > 0 and box_b.width > 0:
                pairs.append((a, b))
    return pairs


def test_spine_postures_keeps_a_panel_for_each_posture_and_greys_the_failed(
    stored: dict, stored_errors: dict
) -> None:
    import msk

    assert stored_errors, "the stored file should hold a failed posture"
    results, titles = _panels(stored, stored_errors)
    fig = msk.plot.spine_postures(results, titles=titles, ncols=3)
    fig.canvas.draw()
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.get_visible()]
    assert len(panels) == len(results)
    failed = [ax for ax in panels if any(t.get_text() == "failed" for t in ax.texts)]
    assert len(failed) == len(stored_errors)
    # The grid keeps its shape: panel k in row k // 3, column k % 3, failed or not.
    places = [(ax.get_subplotspec().rowspan.start, ax.get_subplotspec().colspan.start)
              for ax in panels]  # fmt: skip
    assert places == [(k // 3, k % 3) for k in range(len(results))]


def test_spine_postures_text_and_colour_bars_do_not_overlap(
    stored: dict, stored_errors: dict
) -> None:
    import msk

    results, titles = _panels(stored, stored_errors)
    fig = msk.plot.spine_postures(results, titles=titles, ncols=3)
    fig.canvas.draw()
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(bars) == 4  # pressure, activation, facet force, nerve-root risk
    assert _overlaps(_boxes(fig, ("text", "colorbar"))) == []


def test_level_labels_never_collide_even_when_the_spine_is_small(stored: dict) -> None:
    import matplotlib.pyplot as plt
    import msk

    for result in stored.values():
        fig, ax = plt.subplots(figsize=(2.0, 2.2), layout="constrained")
        msk.plot.spine(result, ax=ax, colorbar=False, title="")
        fig.canvas.draw()
        labels = [t for t in ax.texts if t.get_text() in set(result.levels.index)]
        assert len(labels) == len(result.levels)
        renderer = fig.canvas.get_renderer()
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels]
        assert _overlaps(boxes) == [], result.posture.name
        plt.close(fig)


def test_the_spine_fills_its_panel(stored: dict) -> None:
    import msk

    result = stored[("normal", "standing_relaxed")]
    fig = msk.plot.spine(result)
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    # The vertebral bodies and discs span most of the panel's height (no far-away margins).
    levels = result.geometry.joint_origin[
        [list(result.geometry.body_names).index(b) for b in result.geometry.segment_bodies]
    ]
    span = float(np.ptp(levels[:, 1]))
    assert span / (y1 - y0) > 0.3
    assert (x1 - x0) < 0.6 and (y1 - y0) < 0.6  # metres: the region, not the whole body


def test_every_body_is_drawn_and_pelvis_is_drawn_for_lumbar(stored: dict) -> None:
    import msk
    from msk._spine_plot import _Painter, _scales

    result = stored[("normal", "sitting_slouched")]
    fig = msk.plot.spine(result, colorbar=False)
    ax = fig.axes[0]
    painter = _Painter(ax, result, _scales([result], None, None))
    painter.spine(True)
    painter.bodies_other()
    assert painter.hip is not None  # the pelvis (ground of the lumbar model) was placed
    # The posture flexes the hips: a dashed thigh (not modelled) hangs from the hip.
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert dashed


def test_foramina_and_nerve_roots_follow_the_table(stored: dict) -> None:
    import msk
    from matplotlib.patches import Ellipse

    result = stored[("normal", "standing_relaxed")]
    fig = msk.plot.spine(result, show_muscles=False, colorbar=False)
    ellipses = [p for p in fig.axes[0].patches if isinstance(p, Ellipse)]
    from matplotlib.colors import to_rgba

    foramina = [p for p in ellipses if p.get_facecolor() == to_rgba("0.3")]
    heights = sorted(round(p.height * 1e3, 3) for p in foramina)
    widths = sorted(round(p.width * 1e3, 3) for p in foramina)
    assert widths == sorted(round(v, 3) for v in result.levels["foramen_width_mm"])
    expected = sorted(round(v, 3) for v in result.levels["foramen_height_mm"])
    assert heights == expected


def test_a_seat_is_drawn_when_the_posture_sits_on_one(stored: dict) -> None:
    import dataclasses

    import msk
    from matplotlib.patches import Rectangle

    result = stored[("normal", "sitting_slouched")]

    class Seated:
        levels, muscles, geometry, effort = (
            result.levels,
            result.muscles,
            result.geometry,
            result.effort,
        )
        posture = dataclasses.replace(result.posture)

    Seated.posture.support = "seat"  # a field postures will gain; absent: no seat
    fig = msk.plot.spine(Seated(), colorbar=False)
    assert any(isinstance(p, Rectangle) and p.get_hatch() for p in fig.axes[0].patches)
    fig = msk.plot.spine(result, colorbar=False)
    assert not any(isinstance(p, Rectangle) and p.get_hatch() for p in fig.axes[0].patches)


def test_compare_levels_has_units_and_a_panel_per_posture_and_quantity(stored: dict) -> None:
    import msk

    table = _compare_table(stored)
    fig = msk.plot.compare_levels(table)
    postures = list(dict.fromkeys(table.index.get_level_values(0)))
    assert len(fig.axes) == 3 * len(postures)
    ylabels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert ylabels == ["compression [N]", "intradiscal pressure [MPa]", "foramen height [mm]"]
    with pytest.raises(KeyError, match="the table has"):
        msk.plot.compare_levels(table, ["pressure"])


def test_sweep_draws_a_line_per_level_against_the_parameter(stored: dict) -> None:
    import msk

    ds = _sweep_dataset(stored)
    fig = msk.plot.sweep(ds, "pressure_MPa")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == ds.sizes["posture"]
    assert len(visible[0].lines) == ds.sizes["level"]
    assert visible[0].get_xlabel() == "tone_offset [m]"
    assert visible[0].get_ylabel() == "intradiscal pressure [MPa]"
    with pytest.raises(KeyError, match="has no dimension"):
        msk.plot.sweep(ds, "pressure_MPa", x="speed")


def test_sweep_of_an_episode_study_draws_bands_over_the_other_dimension() -> None:
    import msk
    import xarray as xr

    rng = np.random.default_rng(0)
    ds = xr.Dataset(
        {"peak_torque": (["speed_deg_s", "person"], rng.normal(5, 1, (4, 6)), {"units": "N m"})},
        coords={"speed_deg_s": [10.0, 30.0, 60.0, 90.0], "person": np.arange(6)},
    )
    fig = msk.plot.sweep(ds, "peak_torque")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "speed_deg_s [deg/s]"
    assert ax.get_ylabel() == "peak torque [N·m]"
    assert ax.collections  # the band over the people


def test_dashboard_event_labels_do_not_overlap_or_leave_the_panel(tmp_path: Path) -> None:
    import msk
    from conftest import synthetic_episode
    from msk.results import Results

    data = synthetic_episode()
    # A start event just before the first cycle, and the last barrier at the very end.
    times = [6.9, *data["event_times"], 31.0]
    labels = ["pir_start", *data["event_labels"], "barrier"]
    results = Results(
        data["time"],
        np.column_stack(list(data["channels"].values())),
        list(data["channels"]),
        [data["units"][c] for c in data["channels"]],
        event_times=times,
        event_labels=labels,
        meta=data["meta"],
    )
    fig = msk.plot.dashboard(results)
    fig.canvas.draw()
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    texts = [t for t in ax.texts if t.get_text()]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    assert _overlaps(boxes) == []
    panel = ax.get_window_extent(renderer)
    for text, box in boxes:
        assert panel.x0 - 1 <= box.x0 and box.x1 <= panel.x1 + 1, text


# --- images ----------------------------------------------------------------------------------


def test_image_spine_postures(
    request: pytest.FixtureRequest, tmp_path: Path, stored: dict, stored_errors: dict
) -> None:
    import msk

    results, titles = _panels(stored, stored_errors)
    fig = msk.plot.spine_postures(results, titles=titles, ncols=3)
    _check_image(request, fig, "spine_postures", tmp_path)


def test_image_spine_one_posture(
    request: pytest.FixtureRequest, tmp_path: Path, stored: dict
) -> None:
    import msk

    fig = msk.plot.spine(stored[("hypertonic", "lift_round_back")])
    _check_image(request, fig, "spine_lift", tmp_path)


def test_image_compare_levels(request: pytest.FixtureRequest, tmp_path: Path, stored: dict) -> None:
    import msk

    fig = msk.plot.compare_levels(_compare_table(stored), title="normal and hypertonic")
    _check_image(request, fig, "compare_levels", tmp_path)


def test_image_sweep(request: pytest.FixtureRequest, tmp_path: Path, stored: dict) -> None:
    import msk

    fig = msk.plot.sweep(_sweep_dataset(stored), "pressure_MPa")
    _check_image(request, fig, "sweep_levels", tmp_path)


def test_image_spine_episode_snapshot(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    import msk
    from msk.results import Results

    results = Results.load(EPISODE)
    fig = msk.plot.snapshot(results, float(results.time[-1]) / 2)
    _check_image(request, fig, "spine_episode", tmp_path)


def test_the_report_of_a_run_keeps_failed_postures_in_run_order(tmp_path: Path) -> None:
    import matplotlib.image
    from msk import cli

    stored = cli._with_failures(str(EQUILIBRIA), __import__("msk").spine.load(EQUILIBRIA))
    keys = list(stored)
    assert keys.index(("normal", "lift_150kg")) == 3  # after the normal lift, in run order
    assert isinstance(stored[("normal", "lift_150kg")], str)
    path = tmp_path / "report.png"
    cli._equilibrium_figure(stored, path)
    assert matplotlib.image.imread(path).shape[0] > 100


def test_colour_bars_under_a_given_axes_do_not_overlap(stored: dict) -> None:
    import matplotlib.pyplot as plt
    import msk

    result = stored[("normal", "standing_relaxed")]
    for layout in ("constrained", None):
        fig, axes = plt.subplots(1, 2, figsize=(8, 6), layout=layout)
        msk.plot.spine(result, ax=axes[0])
        fig.canvas.draw()
        bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
        assert len(bars) == 4
        assert _overlaps(_boxes(fig, ("text", "colorbar"))) == [], layout
        plt.close(fig)


def test_spine_scene_refuses_a_model_without_levels() -> None:
    import msk
    from conftest import synthetic_episode
    from msk.plot import SpineScene
    from msk.results import Results

    data = synthetic_episode()
    results = Results(
        data["time"],
        np.column_stack(list(data["channels"].values())),
        list(data["channels"]),
        [data["units"][c] for c in data["channels"]],
        meta={**data["meta"], "model_text": msk.load_model("elbow").text},
    )
    with pytest.raises(ValueError, match="no spinal levels"):
        SpineScene(results)


def test_a_spine_episode_is_drawn_as_a_spine_with_its_colour_bars() -> None:
    import msk
    from matplotlib.patches import Polygon
    from msk.results import Results

    results = Results.load(EPISODE)
    fig = msk.plot.snapshot(results, float(results.time[-1]) / 2, trace=[])
    scene_ax = fig.axes[0]
    levels = [c.split(".")[1] for c in results.channels if c.endswith(".pressure")]
    discs = [p for p in scene_ax.patches if isinstance(p, Polygon)]
    assert len(discs) > 2 * len(levels)  # vertebrae, discs, posterior elements, sacrum
    labels = {t.get_text() for t in scene_ax.texts}
    assert set(levels) <= labels
    assert sum(ax.get_label() == "<colorbar>" for ax in fig.axes) == 4


def test_a_thigh_body_is_drawn_as_a_thigh_instead_of_the_posture_s_dashed_one(
    stored: dict,
) -> None:
    import dataclasses

    import msk

    result = stored[("normal", "sitting_slouched")]
    g = result.geometry
    hip = np.array([[-0.068, 0.853, 0.0]])  # a femur hanging from the hip, frame as ground
    geometry = dataclasses.replace(
        g,
        body_names=(*g.body_names, "femur_r"),
        joint_origin=np.vstack([g.joint_origin, hip]),
        body_position=np.vstack([g.body_position, hip]),
        body_rotation=np.concatenate([g.body_rotation, np.eye(3)[None]]),
    )

    class WithThigh:
        levels, muscles, posture, effort = (
            result.levels,
            result.muscles,
            result.posture,
            result.effort,
        )

    WithThigh.geometry = geometry
    fig = msk.plot.spine(WithThigh(), colorbar=False, show_muscles=False)
    lines = fig.axes[0].lines
    assert any(line.get_linewidth() >= 10 for line in lines)  # the thigh
    assert not any(line.get_linestyle() == "--" for line in lines)  # no dashed stand-in
