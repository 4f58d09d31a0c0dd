"""Shared fixtures of the Python tests.

Most tests need only the pure-Python package: results files are written here with h5py in the
documented layout, and ``fake_core`` stands in for the compiled extension where the Python layer's
own logic is under test. Tests that need the real ``msk._core`` carry the ``core`` marker and call
``pytest.importorskip("msk._core")``; run them alone with ``pytest -m core``.

A missing compiled core is an error of the test run, not a reason to skip: the session stops at
once with a message saying how to build it. ``MSK_ALLOW_NO_CORE=1`` runs the pure-Python tests
alone (the tests marked ``core`` are then skipped), for a machine without a C++ toolchain.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

# Use the installed package when there is one (it carries the compiled core); otherwise the source
# tree, which is enough for everything but the tests marked `core`.
SOURCE_PACKAGE_DIR = Path(__file__).resolve().parents[2] / "bindings" / "python"
if importlib.util.find_spec("msk") is None:
    sys.path.insert(0, str(SOURCE_PACKAGE_DIR))

import h5py  # noqa: E402
from hypothesis import settings  # noqa: E402

# Property tests (test_law_properties.py): the CI profile is deterministic (the same examples on
# every run, no example database) with moderate counts; MSK_HYPOTHESIS_PROFILE=explore searches
# at random, longer. No deadline: the suite makes no timing assertions.
settings.register_profile("ci", max_examples=40, derandomize=True, database=None, deadline=None)
settings.register_profile("explore", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("MSK_HYPOTHESIS_PROFILE", "ci"))

JOINT = "r_elbow_flex"
MUSCLES = ("BIClong", "TRIlong")
PAIR = "elbow"
DT = 0.01


ALLOW_NO_CORE = "MSK_ALLOW_NO_CORE"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--msk-update-baselines",
        action="store_true",
        default=False,
        help="write the reference images of test_pictures.py from this run (look at them "
        "before committing)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"core: needs the compiled extension msk._core (skipped only with {ALLOW_NO_CORE}=1)",
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop the run when ``msk._core`` cannot be imported, unless MSK_ALLOW_NO_CORE=1."""
    if os.environ.get(ALLOW_NO_CORE) == "1":
        return
    try:
        import msk._core  # noqa: F401
    except ImportError as error:
        pytest.exit(
            f"msk._core, the compiled part of msk, cannot be imported ({error}): the tests that "
            "need it would be skipped and the run would look green. Build and install the "
            "package (scripts/install_python.sh, or pip install .), or set "
            f"{ALLOW_NO_CORE}=1 to run the pure-Python tests alone.",
            returncode=pytest.ExitCode.TESTS_FAILED,
        )


# --- a synthetic PIR episode ----------------------------------------------------------------------

# Joint angle keyframes (time [s], angle [deg]): rest at 90 deg, a stretch that extends the elbow
# to the first barrier at 60 deg, then three PIR cycles (5 s contraction, 2 s relaxation, stretch
# at 5 deg/s) reaching 55, 52 and 50 deg.
ANGLE_KEYFRAMES = [
    (0.0, 90.0),
    (1.0, 90.0),
    (7.0, 60.0),
    (14.0, 60.0),
    (15.0, 55.0),
    (22.0, 55.0),
    (22.6, 52.0),
    (29.6, 52.0),
    (30.0, 50.0),
    (31.0, 50.0),
]
BARRIER_TIMES = [7.0, 15.0, 22.6, 30.0]
BARRIER_ANGLES_DEG = [60.0, 55.0, 52.0, 50.0]
CYCLE_START_TIMES = [7.0, 15.0, 22.6]


def synthetic_episode() -> dict[str, Any]:
    """Channels, units, descriptions and events of a small elbow PIR episode.

    Returns
    -------
    dict
        ``time`` (n,), ``channels`` {name: (n,)}, ``units`` and ``descriptions`` {name: str},
        ``event_times`` (m,), ``event_labels`` (m,), ``meta`` {str: str|int|float}.
    """
    time = np.round(np.arange(0.0, 31.0 + DT / 2, DT), 10)
    keys_t, keys_a = zip(*ANGLE_KEYFRAMES)
    angle = np.radians(np.interp(time, keys_t, keys_a))
    velocity = np.gradient(angle, time)
    contracting = np.zeros_like(time)
    for start in CYCLE_START_TIMES:
        contracting[(time >= start) & (time < start + 5.0)] = 0.2

    channels: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    descriptions: dict[str, str] = {}

    def add(name: str, values: np.ndarray, unit: str, description: str) -> None:
        channels[name] = np.asarray(values, dtype=float)
        units[name] = unit
        descriptions[name] = description

    add(f"joint.{JOINT}.angle", angle, "rad", "joint angle")
    add(f"joint.{JOINT}.velocity", velocity, "rad/s", "joint angular velocity")
    add(f"examiner.{JOINT}.torque", -2.0 * (velocity < 0), "N m", "torque applied by examiner")
    for k, muscle in enumerate(MUSCLES):
        sign = 1.0 if k == 0 else -1.0
        voluntary = contracting if k == 0 else np.zeros_like(time)
        reflex = 0.05 + 0.02 * k + 0.1 * np.clip(-velocity, 0, None)
        excitation = np.clip(voluntary + reflex, 0, 1)
        activation = np.convolve(excitation, np.ones(5) / 5, mode="same")
        force = 600.0 * activation
        add(f"muscle.{muscle}.excitation", excitation, "1", "total excitation")
        add(f"muscle.{muscle}.activation", activation, "1", "activation")
        add(f"muscle.{muscle}.reflex_excitation", reflex, "1", "stretch-reflex excitation")
        add(f"muscle.{muscle}.voluntary_excitation", voluntary, "1", "voluntary excitation")
        add(f"muscle.{muscle}.fibre_length", 0.1 + 0.02 * angle, "m", "fibre length")
        add(f"muscle.{muscle}.fibre_velocity", 0.02 * velocity, "m/s", "fibre velocity")
        add(f"muscle.{muscle}.force", force, "N", "muscle-tendon force")
        add(f"muscle.{muscle}.moment.{JOINT}", sign * 0.03 * force, "N m", "moment about joint")
    flexor = channels[f"muscle.{MUSCLES[0]}.moment.{JOINT}"]
    extensor = channels[f"muscle.{MUSCLES[1]}.moment.{JOINT}"]
    add(f"pair.{PAIR}.cci", np.minimum(flexor, -extensor) / 20.0, "1", "co-contraction index")
    add(f"pair.{PAIR}.net_moment", flexor + extensor, "N m", "net moment of the pair")

    events = [(t, f"barrier:{JOINT}") for t in BARRIER_TIMES]
    events += [(t, f"pir_cycle_start:{k}") for k, t in enumerate(CYCLE_START_TIMES, start=1)]
    events.sort(key=lambda e: (e[0], not e[1].startswith("barrier")))  # barrier before cycle start
    meta = {
        "model_name": "elbow",
        "model_file": "elbow.yaml",
        "model_text": "name: elbow\nmuscles: {}\n",
        "protocol": json.dumps(
            {"phases": [{"type": "pir", "joint": JOINT, "muscles": ["BIClong"]}]}
        ),
        "solver": "dopri5",
        "seed": 7,
        "rtol": 1e-6,
    }
    return {
        "time": time,
        "channels": channels,
        "units": units,
        "descriptions": descriptions,
        "event_times": np.array([e[0] for e in events]),
        "event_labels": [e[1] for e in events],
        "meta": meta,
    }


def write_results_file(
    path: Path,
    episode: dict[str, Any],
    *,
    track_order: bool = False,
    fixed_length_labels: bool = False,
    with_events: bool = True,
    file_format: str = "msk-results",
    format_version: int = 1,
) -> Path:
    """Write ``episode`` to ``path`` in the documented msk results layout, with h5py only."""
    with h5py.File(path, "w") as f:
        f.attrs["format"] = file_format
        f.attrs["format_version"] = np.int64(format_version)
        f.attrs["msk_version"] = "0.1.0-test"
        meta = f.create_group("meta")
        for key, value in episode["meta"].items():
            meta.attrs[key] = value
        f.create_dataset("time", data=episode["time"]).attrs["units"] = "s"
        channels = f.create_group("channels", track_order=track_order)
        for name, values in episode["channels"].items():
            dataset = channels.create_dataset(name, data=values, chunks=True, compression="gzip")
            dataset.attrs["units"] = episode["units"][name]
            dataset.attrs["description"] = episode["descriptions"][name]
        if with_events:
            events = f.create_group("events")
            events.create_dataset("time", data=episode["event_times"])
            labels = episode["event_labels"]
            if fixed_length_labels:
                events.create_dataset("label", data=np.array(labels, dtype="S"))
            else:
                events.create_dataset(
                    "label", data=np.array(labels, dtype=object), dtype=h5py.string_dtype()
                )
    return path


@pytest.fixture
def episode() -> dict[str, Any]:
    """The synthetic episode as plain arrays (see :func:`synthetic_episode`)."""
    return synthetic_episode()


@pytest.fixture
def results_file(tmp_path: Path, episode: dict[str, Any]) -> Path:
    """A results file in the documented layout, written with h5py alone."""
    return write_results_file(tmp_path / "episode.h5", episode)


# --- a stand-in for msk._core ---------------------------------------------------------------------


class FakeCore(types.ModuleType):
    """Implements the ``msk._core`` contract on synthetic data, recording the calls it gets."""

    def __init__(self) -> None:
        super().__init__("msk._core")
        self.__version__ = "0.0.0-fake"

        class Error(Exception):
            pass

        class ModelError(Error):
            pass

        class SimulationError(Error):
            pass

        class IoError(Error):
            pass

        class InvalidArgument(Error):
            pass

        class Model:
            def __init__(self, text: str, file: str, overrides: dict[str, Any]) -> None:
                self.name = "elbow"
                self.file = file
                self.text = text + ("" if not overrides else f"# overrides {overrides}\n")
                self.muscle_names = list(MUSCLES)
                self.joint_names = [JOINT]
                self.pair_names = [PAIR]
                data = synthetic_episode()
                self.channel_names = list(data["channels"])
                self.channel_units = [data["units"][c] for c in self.channel_names]

        self.Error = Error
        self.ModelError = ModelError
        self.SimulationError = SimulationError
        self.IoError = IoError
        self.InvalidArgument = InvalidArgument
        self.Model = Model
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.fail_with: Exception | None = None
        self.real: Any = None  # the compiled core (fake_core sets it)
        self.progress_calls = 3

    def load_model_text(
        self,
        text: str,
        file: str,
        overrides_json: str = "",
        overrides_source: str = "<overrides>",
    ) -> Any:
        self.calls.append(("load_model_text", (text, file, overrides_json)))
        overrides = json.loads(overrides_json) if overrides_json else {}
        for key, value in overrides.items():
            if str(value) == "bad":
                raise self.ModelError(f"{overrides_source}: {key!r}: expected a number, got bad")
        return self.Model(text, file, overrides)

    def save_results(self, path: str, data: dict[str, Any], compression_level: int = 4) -> None:
        """The compiled core's writer (one writer owns the format; the fake has no other)."""
        self.calls.append(("save_results", (path, compression_level)))
        assert self.real is not None, "the compiled core is missing"
        self.real.save_results(path, data, compression_level)

    def simulate(
        self,
        model: Any,
        protocol_json: str,
        options_json: str,
        output: str = "",
        progress: Callable[[float, float], bool] | None = None,
    ) -> Any:
        self.calls.append(("simulate", (model, protocol_json, options_json, output, progress)))
        json.loads(protocol_json)
        json.loads(options_json)
        data = synthetic_episode()
        t_end = float(data["time"][-1])
        for k in range(self.progress_calls):
            if (
                progress is not None
                and progress(t_end * (k + 1) / self.progress_calls, t_end) is False
            ):
                raise self.Error("cancelled")
        if self.fail_with is not None:
            raise self.fail_with
        names = list(data["channels"])
        values = np.column_stack([data["channels"][c] for c in names])
        for array in (values, data["time"], data["event_times"]):
            array.flags.writeable = False  # the core hands out read-only views
        episode = types.SimpleNamespace(
            time=data["time"],
            values=values,
            channel_names=names,
            channel_units=[data["units"][c] for c in names],
            channel_descriptions=[data["descriptions"][c] for c in names],
            event_times=data["event_times"],
            event_labels=data["event_labels"],
            stats={
                "steps": 120,
                "rhs_calls": 800,
                "rejected_steps": 2,
                "wall_time_s": 0.01,
                "stepper": json.loads(options_json)["stepper"],
            },
            output=output,
        )
        if output:
            from msk.results import Results

            Results.from_episode(episode, meta={"model_name": model.name}).save(output)
        return episode


@pytest.fixture
def fake_core(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCore]:
    """Install :class:`FakeCore` as ``msk._core`` for the duration of a test."""
    import msk

    core = FakeCore()
    try:
        import msk._core as real  # the compiled core, for the one writer of results files
    except ImportError:
        real = None
    core.real = real
    monkeypatch.setitem(sys.modules, "msk._core", core)
    monkeypatch.setattr(msk, "_core", core, raising=False)
    yield core
