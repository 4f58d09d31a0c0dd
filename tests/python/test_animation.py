"""msk.plot.animate and the sagittal scene: GIF frames, the draw_frame hook, MP4 without ffmpeg,
and the drawn geometry against the core's muscle lengths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import JOINT
from msk.results import Results

msk = pytest.importorskip("msk")
PIL = pytest.importorskip("PIL.Image")

FLEXORS = ["BIClong", "BICshort", "BRA"]


@pytest.fixture(scope="module")
def arm_run() -> Results:
    """1.2 s of the elbow: a voluntary flexion, then the examiner extends it."""
    pytest.importorskip("msk._core")
    from msk import protocols as p

    session = p.Protocol(
        [
            p.voluntary(0.6, {"BIClong": 0.4, "BRA": 0.4}),
            p.ramp(JOINT, to_deg=60.0, speed_deg_s=90),
        ],
        initial_angles_deg={JOINT: 90.0},
    )
    return msk.simulate("elbow", session, progress=False)


def gif_frames(path: Path) -> tuple[int, tuple[int, int]]:
    with PIL.open(path) as image:
        return image.n_frames, image.size


# --- geometry ------------------------------------------------------------------------------------


def test_drawn_muscle_paths_have_the_core_muscle_lengths(arm_run: Results) -> None:
    # BICshort has no wrap surface: its drawn polyline is its path, whose length the core records.
    scene = msk.plot.SagittalScene(arm_run)
    for row in range(0, arm_run.n_samples, 10):
        angles = {JOINT: float(arm_run[f"joint.{JOINT}.angle"][row])}
        path = scene.skeleton.muscle_path("BICshort", angles)
        length = np.linalg.norm(np.diff(path, axis=0), axis=1).sum()
        assert length == pytest.approx(arm_run["muscle.BICshort.mtu_length"][row], abs=1e-9)


def test_skeleton_follows_the_joint_angle(arm_run: Results) -> None:
    skeleton = msk.plot.Skeleton(arm_run.meta["model_text"])
    assert skeleton.bodies == ["humerus", "forearm"] and skeleton.coordinates == [JOINT]
    assert skeleton.parents == {"humerus": "ground", "forearm": "humerus"}
    extended = skeleton.segments({JOINT: 0.0})
    flexed = skeleton.segments({JOINT: np.pi / 2})
    (_, shoulder, elbow), (_, elbow_again, hand) = extended
    np.testing.assert_allclose(elbow, elbow_again)
    assert hand[1] < elbow[1] < shoulder[1]  # hanging straight down at full extension
    _, elbow_flexed, hand_flexed = flexed[1]
    np.testing.assert_allclose(elbow_flexed, elbow)  # the elbow stays where it is
    assert hand_flexed[0] - elbow[0] > 0.3 and abs(hand_flexed[1] - elbow[1]) < 0.05  # forward
    # The forearm keeps its length as it turns.
    assert np.linalg.norm(hand_flexed - elbow) == pytest.approx(np.linalg.norm(hand - elbow))


# An arm whose revolute joint has no name: the core calls its coordinate "link_joint".
UNNAMED_JOINT = """\
name: unnamed
gravity: [0, -9.81, 0]
bodies:
  - name: link
    joint: {type: revolute, axis: [0, 0, 1], range_deg: [-170, 170], limit_stiffness: 0}
    mass: 1.0
    com: [0, -0.5, 0]
    inertia: [0.01, 0.01, 0.01, 0, 0, 0]
"""


def test_an_unnamed_joint_is_drawn_where_the_core_turns_it() -> None:
    # Held at 20 degrees, the link is drawn at 20 degrees (a drawing that read the model text
    # itself named the joint "None", found no channel for it and drew the link hanging at 0).
    pytest.importorskip("msk._core")
    from msk import protocols as p

    model = msk.Model.from_text(UNNAMED_JOINT)
    assert model.joint_names == ["link_joint"]
    held = msk.simulate(
        model,
        p.Protocol([p.hold("link_joint", 0.2)], initial_angles_deg={"link_joint": 20.0}),
        progress=False,
    )
    np.testing.assert_allclose(held["joint.link_joint.angle"], np.radians(20.0), atol=1e-9)
    scene = msk.plot.SagittalScene(held)
    assert scene.skeleton.coordinates == ["link_joint"]
    assert scene.angles(0.1) == pytest.approx({"link_joint": np.radians(20.0)})
    ((body, start, end),) = scene.skeleton.segments(scene.angles(0.1))
    assert body == "link"
    np.testing.assert_allclose(start, [0.0, 0.0, 0.0], atol=1e-15)
    # Twice the centre of mass from the joint: 1 m along the link, turned 20 degrees forward.
    angle = np.radians(20.0)
    np.testing.assert_allclose(end, [np.sin(angle), -np.cos(angle), 0.0], atol=1e-12)
    title = msk.plot.snapshot(held, 0.1, trace=[]).axes[0].get_title()
    assert "link_joint 20°" in title


def test_skeleton_frames_are_the_cores(arm_run: Results) -> None:
    model = msk.Model.from_text(arm_run.meta["model_text"])
    skeleton = msk.plot.Skeleton(model)
    q = [np.radians(70.0)]
    frames = msk._core.body_frames(model.core, q)
    drawn = skeleton.frames({JOINT: q[0]})
    for b, name in enumerate(skeleton.bodies):
        np.testing.assert_array_equal(drawn[name][0], frames["rotation"][b])
        np.testing.assert_array_equal(drawn[name][1], frames["origin"][b])
    # A wrapped muscle is drawn over its surface: its drawn length is close to the core's.
    paths = skeleton.muscle_paths({JOINT: q[0]})
    data_paths = msk._core.muscle_paths(model.core, q, 64)
    fine = np.linalg.norm(np.diff(data_paths[model.muscle_names.index("TRIlong")], axis=0), axis=1)
    coarse = np.linalg.norm(np.diff(paths["TRIlong"], axis=0), axis=1)
    assert coarse.sum() == pytest.approx(fine.sum(), rel=1e-3)
    with pytest.raises(ValueError, match="arc_points"):
        msk.plot.Skeleton(model, arc_points=-1)


# --- animation -----------------------------------------------------------------------------------


def test_animate_writes_one_gif_frame_per_time_step(arm_run: Results, tmp_path: Path) -> None:
    path = msk.plot.animate(arm_run, tmp_path / "arm.gif", fps=5, speed=1.0, dpi=40)
    n_frames, size = gif_frames(path)
    assert path == tmp_path / "arm.gif"
    assert n_frames == int(np.floor(arm_run.duration / 0.2 + 1e-9)) + 1
    assert size == (400, 192)  # the default 10 x 4.8 inch figure at 40 dpi


def test_draw_frame_hook_and_time_span(tmp_path: Path, results_file: Path) -> None:
    # A results file without a model (written by h5py): any picture plugs in as draw_frame.
    results = Results.load(results_file)
    calls: list[tuple[float, int]] = []

    def draw_frame(ax: object, t: float) -> None:
        calls.append((t, len(ax.lines)))  # type: ignore[attr-defined]
        ax.plot([0.0, np.cos(t)], [0.0, np.sin(t)], color="k")  # type: ignore[attr-defined]

    path = msk.plot.animate(
        results,
        tmp_path / "custom.gif",
        fps=4,
        speed=2.0,
        t_start=10.0,
        t_end=13.0,
        scene=draw_frame,
        trace=[f"joint.{JOINT}.angle", f"examiner.{JOINT}.torque"],
        figsize=(6.0, 3.0),
        dpi=30,
    )
    times = [t for t, _ in calls]
    np.testing.assert_allclose(times, [10.0, 10.5, 11.0, 11.5, 12.0, 12.5, 13.0])
    assert all(n == 0 for _, n in calls)  # the axes are cleared before each frame
    assert gif_frames(path) == (7, (180, 90))

    alone = msk.plot.animate(
        results, tmp_path / "alone.gif", fps=2, t_end=1.0, scene=draw_frame, trace=[], dpi=20
    )
    assert gif_frames(alone)[0] == 3


def test_mp4_needs_ffmpeg(
    arm_run: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matplotlib import animation

    monkeypatch.setattr(animation.writers, "is_available", lambda name: False)
    with pytest.raises(RuntimeError, match=r"needs the ffmpeg program.*write a \.gif instead"):
        msk.plot.animate(arm_run, tmp_path / "arm.mp4")
    assert not (tmp_path / "arm.mp4").exists()


def test_mp4_with_ffmpeg(arm_run: Results, tmp_path: Path) -> None:
    from matplotlib import animation

    if not animation.writers.is_available("ffmpeg"):
        pytest.skip("ffmpeg is not installed")
    # 5.1 x 3.3 inch at 30 dpi: 153 x 99 pixels, odd sizes that the writer pads.
    path = msk.plot.animate(
        arm_run, tmp_path / "arm.mp4", fps=5, t_end=0.4, figsize=(5.1, 3.3), dpi=30
    )
    assert path.stat().st_size > 1000


def test_animate_checks_its_arguments(arm_run: Results, results_file: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"expected a \.gif or \.mp4 file"):
        msk.plot.animate(arm_run, tmp_path / "arm.avi")
    with pytest.raises(ValueError, match=r"speed: expected a positive number"):
        msk.plot.animate(arm_run, tmp_path / "arm.gif", speed=0)
    with pytest.raises(ValueError, match=r"t_start <= t_end"):
        msk.plot.animate(arm_run, tmp_path / "arm.gif", t_start=1.0, t_end=0.5)
    with pytest.raises(KeyError, match=r"no channel 'joint\.nope\.angle'"):
        msk.plot.animate(arm_run, tmp_path / "arm.gif", trace=["joint.nope.angle"])
    with pytest.raises(KeyError, match=r"no muscle \['DELT1'\]"):
        msk.plot.SagittalScene(arm_run, muscles=["DELT1"])
    # The synthetic file's model text has no bodies: the default scene cannot draw it.
    with pytest.raises(ValueError, match=r"expected a model with a list of bodies"):
        msk.plot.animate(Results.load(results_file), tmp_path / "x.gif")
    bare = Results(arm_run.time, arm_run.values, arm_run.channels, list(arm_run.units.values()))
    with pytest.raises(ValueError, match=r"no model text.*pass scene=draw_frame"):
        msk.plot.animate(bare, tmp_path / "x.gif")


def test_snapshot_draws_one_frame(arm_run: Results, tmp_path: Path) -> None:
    figure = msk.plot.snapshot(arm_run, 0.5, path=tmp_path / "pose.png")
    assert (tmp_path / "pose.png").stat().st_size > 5000
    scene_ax, trace_ax = figure.axes[:2]
    assert scene_ax.get_title().startswith("t = 0.50 s")
    assert len(scene_ax.lines) == 6 + 2 + 1  # muscles, two segments, the joint centres
    assert trace_ax.get_xlabel() == "time [s]" and trace_ax.get_ylabel() == "deg"
    assert any(ax.get_ylabel() == "activation [1]" for ax in figure.axes)  # the colour bar
