"""Equilibrium files: solved postures in HDF5, written by ``msk run`` and :func:`save`.

The format is the core's (``msk::io::EquilibriumWriter`` and ``load_equilibria``, layout in
docs/guide/results_format.md): this module writes and reads through the compiled core, and reads
with h5py alone only on a machine without it, so that an equilibrium file can be inspected there
too. :func:`load` gives :class:`StoredEquilibrium` (the tables and the geometry of the
:class:`~msk.EquilibriumResult` that was written, drawable by :func:`msk.plot.spine`).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msk._hdf5 import attr_value, plain, read_strings
from msk._runtime import core_or_none, io_error, require_core
from msk.spine.equilibria import (
    GROUP_UNITS,
    LEVEL_UNITS,
    MUSCLE_UNITS,
    EquilibriumResult,
    SpineGeometry,
    SpinePicture,
    frame_from_table,
    table_from_frame,
)
from msk.spine.postures import Posture

if TYPE_CHECKING:
    from types import ModuleType

    import h5py
    import pandas as pd

__all__ = [
    "EQUILIBRIUM_FORMAT",
    "EQUILIBRIUM_FORMAT_VERSION",
    "GEOMETRY_UNITS",
    "EquilibriumWriter",
    "StoredEquilibrium",
    "check_name",
    "is_equilibrium_file",
    "load",
    "load_errors",
    "load_table",
    "read_meta",
    "save",
]

EQUILIBRIUM_FORMAT = "msk-equilibrium"
"""Value of the root attribute ``format`` of an equilibrium file (``/meta`` has
``kind = "equilibrium"``); layout in docs/guide/results_format.md. The core's
``EQUILIBRIUM_FORMAT``, kept here for reading without the core."""

EQUILIBRIUM_FORMAT_VERSION = 1
"""Highest ``format_version`` of equilibrium files this module reads, and the one the core
writes."""

GEOMETRY_UNITS = {
    "joint_origin": "m",
    "body_position": "m",
    "body_rotation": "1",
    "muscle_path": "m",
    "gravity": "m/s^2",
}


def _core_or_none() -> ModuleType | None:
    """The compiled core, or None on a machine without it (files are then read with h5py)."""
    return core_or_none()


def check_name(kind: str, name: Any) -> str:
    """Check that ``name`` can name an HDF5 group of an equilibrium file.

    Parameters
    ----------
    kind : str
        What the name names, for the message (``"label"``, ``"posture"``).
    name : object
        The name to check.

    Returns
    -------
    str
        ``name``.

    Raises
    ------
    ValueError
        ``name`` is not a non-empty string without ``/`` (nor ``.`` or ``..``).
    """
    if isinstance(name, str):
        core = _core_or_none()
        if core is not None and core.is_valid_equilibrium_name(name):
            return name
        if core is None and name.strip() and "/" not in name and name not in (".", ".."):
            return name
    raise ValueError(f"{kind}: expected a non-empty name without '/', got {name!r}")


# --- what crosses to the core: plain dicts ----------------------------------------------------


def _posture_record(posture: Posture) -> dict[str, Any]:
    """The fields of ``posture`` as the core's writer takes them (None: left out of the file)."""
    record = dataclasses.asdict(posture)
    record["level_flexion_deg"] = {str(k): float(v) for k, v in posture.level_flexion_deg.items()}
    return record


def _meta_value(value: Any) -> str | int | float:
    """A ``/meta`` value as a Python string, int or float (NumPy scalars made plain)."""
    value = attr_value(value)
    return value.item() if hasattr(value, "item") else value


def _record(label: str, result: EquilibriumResult | StoredEquilibrium) -> dict[str, Any]:
    """One solved posture as the core's writer takes it."""
    import numpy as np

    geometry = result.geometry
    angles = result.joint_angles_deg
    paths = [np.asarray(p, dtype=float).reshape(-1, 3) for p in geometry.muscle_path]
    return {
        "label": label,
        "mode": result.mode,
        "posture": _posture_record(result.posture),
        "error": None,
        "effort": float(result.effort),
        "stature_m": float(geometry.stature_m),
        "levels": table_from_frame(result.levels, LEVEL_UNITS, "level"),
        "muscles": table_from_frame(result.muscles, MUSCLE_UNITS, "muscle"),
        "groups": table_from_frame(result.groups, GROUP_UNITS, "group"),
        "ligaments": table_from_frame(result.ligaments, "N", "level"),
        "joint_names": [str(j) for j in angles],
        "joint_angle_deg": np.array([float(a) for a in angles.values()], dtype=float),
        "body_names": list(geometry.body_names),
        "segment_bodies": list(geometry.segment_bodies),
        "joint_origin": np.asarray(geometry.joint_origin, dtype=float).reshape(-1, 3),
        "body_position": np.asarray(geometry.body_position, dtype=float).reshape(-1, 3),
        "body_rotation": np.asarray(geometry.body_rotation, dtype=float).reshape(-1, 3, 3),
        "muscle_path": paths,
        "load_body": list(geometry.load_body),
        "load_point": np.asarray(geometry.load_point, dtype=float).reshape(-1, 3),
        "load_force": np.asarray(geometry.load_force, dtype=float).reshape(-1, 3),
        "gravity": np.asarray(geometry.gravity, dtype=float).reshape(3),
    }


class EquilibriumWriter:
    """Writes an equilibrium file one posture at a time, flushing after each, so that an error
    or a kill later on keeps every posture written before it (what ``msk run`` uses; :func:`save`
    writes a whole mapping at once). The core's ``EquilibriumWriter`` writes the file.

    Parameters
    ----------
    path : str or path
        Destination file (overwritten).
    meta : mapping
        ``/meta`` attributes (strings or numbers; others are stored as JSON); ``kind`` and
        ``msk_version`` are set by the writer.

    Raises
    ------
    msk.IoError
        The file cannot be created.
    ImportError
        The compiled core is not available.
    """

    def __init__(self, path: str | os.PathLike[str], meta: Mapping[str, Any]) -> None:
        core = require_core()
        self.path = Path(path)
        self._labels: set[str] = set()
        self._postures: set[tuple[str, str]] = set()
        values = {str(k): _meta_value(v) for k, v in meta.items()}
        self._writer = core.EquilibriumWriter(os.fspath(self.path), values)

    def __enter__(self) -> EquilibriumWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (idempotent).

        Returns
        -------
        None

        Raises
        ------
        msk.IoError
            The file cannot be closed.
        """
        self._writer.close()

    def add_label(
        self,
        label: str,
        model_name: str = "",
        model_text: str = "",
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        """Create ``/equilibrium/<label>``: one model variant.

        Parameters
        ----------
        label : str
            The variant's label (no ``/``).
        model_name, model_text : str
            The variant's model (``msk.Model.from_text(model_text)`` rebuilds it).
        overrides : mapping, optional
            The overrides that made it from the run's model (stored as JSON).

        Returns
        -------
        None

        Raises
        ------
        ValueError
            A bad label, or one written before.
        """
        check_name("label", label)
        if label in self._labels:
            raise ValueError(f"label: {label!r} is written twice")
        self._writer.add_label(label, model_name, model_text, json.dumps(dict(overrides or {})))
        self._labels.add(label)

    def _claim(self, label: str, posture: Posture) -> None:
        """Check the names of a posture about to be written under ``label``."""
        check_name("label", label)
        name = check_name("posture", posture.name)
        if (label, name) in self._postures:
            raise ValueError(
                f"{label}/{name}: posture written twice (give postures distinct names)"
            )
        if label not in self._labels:
            self.add_label(label)

    def add(self, label: str, result: EquilibriumResult | StoredEquilibrium) -> None:
        """Write one solved posture under ``/equilibrium/<label>/<posture name>``.

        Parameters
        ----------
        label : str
            The model variant (created if needed).
        result : EquilibriumResult or StoredEquilibrium
            The solved posture: its tables, geometry, joint angles and effort are written.

        Returns
        -------
        None

        Raises
        ------
        ValueError
            The posture was written before under this label, or a bad name.
        msk.InvalidArgument
            Tables or geometry of mismatched sizes (nothing is written).
        """
        self._claim(label, result.posture)
        self._writer.add(_record(label, result))
        self._postures.add((label, result.posture.name))

    def add_error(self, label: str, posture: Posture, mode: str, message: str) -> None:
        """Record a posture that failed (the muscles cannot hold it, or the core refused one of
        its values): the posture's group with attribute ``error`` and no tables.

        Parameters
        ----------
        label : str
            The model variant.
        posture : Posture
            The posture that failed (its fields are stored).
        mode : str
            The posture mode it was solved in.
        message : str
            Why it failed.

        Returns
        -------
        None

        Raises
        ------
        ValueError
            The posture was written before under this label, or a bad name.
        """
        self._claim(label, posture)
        record = {
            "label": label,
            "mode": mode,
            "posture": _posture_record(posture),
            "error": str(message) or "(no message)",
        }
        self._writer.add(record)
        self._postures.add((label, posture.name))


def save(
    path: str | os.PathLike[str],
    results: Mapping[tuple[str, str], EquilibriumResult | StoredEquilibrium],
    *,
    meta: Mapping[str, Any] | None = None,
) -> Path:
    """Write equilibria to an HDF5 equilibrium file (overwrites ``path``), the format
    ``msk run`` writes for an equilibrium run file and :func:`load` reads.

    Parameters
    ----------
    path : str or path
        Destination file.
    results : mapping
        ``{(label, posture name): result}``, e.g. ``{("normal", "standing_relaxed"): r}``;
        the posture name must be ``result.posture.name``.
    meta : mapping, optional
        Extra ``/meta`` attributes (strings or numbers; others are stored as JSON).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        A key is not a (label, posture name) pair matching its result, or a name contains '/'.
    msk.IoError
        The file cannot be written.
    ImportError
        The compiled core is not available.
    """
    items = list(results.items())
    for key, result in items:
        if not (isinstance(key, tuple) and len(key) == 2) or key[1] != result.posture.name:
            raise ValueError(
                f"results: expected keys (label, posture name), got {key!r} for posture "
                f"{result.posture.name!r}"
            )
    first = items[0][1] if items else None
    defaults: dict[str, Any] = {}
    if first is not None:
        defaults = {
            "model_name": _model_name(first),
            "model_file": "" if isinstance(first, StoredEquilibrium) else first.model.file,
            "model_text": _model_text(first),
            "mode": first.mode,
        }
    labels: set[str] = set()
    with EquilibriumWriter(path, {**defaults, **dict(meta or {})}) as writer:
        for (label, _), result in items:
            if label not in labels:
                writer.add_label(label, _model_name(result), _model_text(result))
                labels.add(label)
            writer.add(label, result)
    return Path(path)


def _model_name(result: EquilibriumResult | StoredEquilibrium) -> str:
    if isinstance(result, StoredEquilibrium):
        return result.model_name
    return result.model.name


def _model_text(result: EquilibriumResult | StoredEquilibrium) -> str:
    if isinstance(result, StoredEquilibrium):
        return result.model_text
    return result.model.text


@dataclasses.dataclass(frozen=True, eq=False)
class StoredEquilibrium(SpinePicture):
    """One posture's equilibrium read back from an equilibrium file (:func:`load`).

    It has the tables and the geometry of the :class:`EquilibriumResult` that was written, and
    draws the same picture (:func:`msk.plot.spine`), without the compiled core.

    Attributes
    ----------
    label : str
        The model variant (a key of the run file's ``compare``; ``"default"`` without one).
    posture : Posture
    mode : str
        ``"fixed"``, ``"rhythm"`` or ``"relaxed"``.
    levels, muscles, groups : pandas.DataFrame
        As :attr:`EquilibriumResult.levels`, ``.muscles``, ``.groups``; units in
        ``attrs["units"]``.
    ligaments : pandas.DataFrame
        Ligament tensions [N], one row per level, one column per ligament.
    geometry : SpineGeometry
    joint_angles_deg : dict
        The coordinates the equilibrium ended at [deg].
    effort : float
        Sum of squared voluntary activations [1].
    model_name, model_text : str
        The model variant (``msk.Model.from_text(model_text)`` rebuilds it).
    path : pathlib.Path or None
        The file it was read from.
    """

    label: str
    posture: Posture
    mode: str
    levels: pd.DataFrame
    muscles: pd.DataFrame
    groups: pd.DataFrame
    ligaments: pd.DataFrame
    geometry: SpineGeometry
    joint_angles_deg: dict[str, float]
    effort: float
    model_name: str = ""
    model_text: str = ""
    path: Path | None = None

    def __repr__(self) -> str:
        return (
            f"<msk.spine.StoredEquilibrium {self.label!r} {self.model_name!r} in "
            f"{self.posture.name!r}: {self.summary()}>"
        )


# --- reading: the core, or h5py without it ----------------------------------------------------


def _read(path: Path) -> dict[str, Any]:
    """The whole content of an equilibrium file, as the core's ``load_equilibria`` returns it:
    ``{msk_version, format_version, meta, labels, equilibria}``; read with h5py when the core
    is not available."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such equilibrium file")
    core = _core_or_none()
    if core is None:
        return _read_with_h5py(path)
    if not core.is_hdf5_file(os.fspath(path)):
        raise io_error(f"{path}: not a readable HDF5 file")
    data: dict[str, Any] = core.load_equilibria(os.fspath(path))
    return data


def _stored(data: Mapping[str, Any], path: Path) -> dict[tuple[str, str], StoredEquilibrium]:
    """The solved postures of a file's content, keyed by (label, posture name)."""
    labels = {label["name"]: label for label in data["labels"]}
    out: dict[tuple[str, str], StoredEquilibrium] = {}
    for record in data["equilibria"]:
        if record["error"] is not None:
            continue
        posture = Posture(**record["posture"])
        levels = frame_from_table(record["levels"])
        levels.attrs["posture"] = posture.name
        ligaments = frame_from_table(record["ligaments"])
        ligaments.attrs["units"] = "N"
        label = labels.get(record["label"], {})
        out[(record["label"], posture.name)] = StoredEquilibrium(
            label=record["label"],
            posture=posture,
            mode=record["mode"],
            levels=levels,
            muscles=frame_from_table(record["muscles"]),
            groups=frame_from_table(record["groups"]),
            ligaments=ligaments,
            geometry=SpineGeometry.from_stored(record),
            joint_angles_deg={
                str(j): float(a) for j, a in zip(record["joint_names"], record["joint_angle_deg"])
            },
            effort=float(record["effort"]),
            model_name=str(label.get("model_name", "")),
            model_text=str(label.get("model_text", "")),
            path=path,
        )
    return out


def _errors(data: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """The failed postures of a file's content: {(label, posture name): message}."""
    return {
        (record["label"], record["posture"]["name"]): str(record["error"])
        for record in data["equilibria"]
        if record["error"] is not None
    }


def is_equilibrium_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is an equilibrium file.

    Parameters
    ----------
    path : str or path
        Any file.

    Returns
    -------
    bool
        True for an HDF5 file whose ``/meta`` says ``kind = "equilibrium"``; False for anything
        else, including a missing or unreadable file.

    Raises
    ------
    Nothing
    """
    core = _core_or_none()
    if core is not None:
        return bool(core.is_equilibrium_file(os.fspath(path)))
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return "meta" in f and plain(f["meta"].attrs.get("kind", "")) == "equilibrium"
    except (OSError, ValueError):
        return False


def read_meta(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``/meta`` attributes of an equilibrium file.

    Parameters
    ----------
    path : str or path
        An equilibrium file.

    Returns
    -------
    dict
        Attribute name to plain value (``model_name``, ``mode``, ``run_file``, ...).

    Raises
    ------
    FileNotFoundError
        No such file.
    msk.IoError
        Not an HDF5 file, not an equilibrium file, a newer format, or a malformed one
        (``OSError`` when the compiled extension is not installed).
    """
    return dict(_read(Path(path))["meta"])


def load(path: str | os.PathLike[str]) -> dict[tuple[str, str], StoredEquilibrium]:
    """Read the solved postures of an equilibrium file (``msk run`` on an equilibrium run
    file, or :func:`save`), with the core's reader (h5py alone without the core).

    Parameters
    ----------
    path : str or path
        HDF5 file whose ``/meta`` has ``kind = "equilibrium"``.

    Returns
    -------
    dict
        ``{(label, posture name): StoredEquilibrium}`` in file order. Postures that failed
        are left out (:func:`load_errors` lists them).

    Raises
    ------
    FileNotFoundError
        No such file.
    msk.IoError
        Not an HDF5 file, not an equilibrium file, a newer format, or a malformed one (the
        message names the dataset; ``OSError`` when the compiled extension is not installed).
    """
    path = Path(path)
    return _stored(_read(path), path)


def load_errors(path: str | os.PathLike[str]) -> dict[tuple[str, str], str]:
    """The postures of an equilibrium file that failed.

    Parameters
    ----------
    path : str or path
        An equilibrium file.

    Returns
    -------
    dict
        ``{(label, posture name): message}``: the message of the :class:`msk.EquilibriumError`
        (naming the level and the moment missing) or of the core's refusal of a value.

    Raises
    ------
    FileNotFoundError
        No such file.
    msk.IoError
        Not an HDF5 file, not an equilibrium file, a newer format, or a malformed one
        (``OSError`` when the compiled extension is not installed).
    """
    return _errors(_read(Path(path)))


def load_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The levels of every solved posture of an equilibrium file in one table.

    Parameters
    ----------
    path : str or path
        An equilibrium file.

    Returns
    -------
    pandas.DataFrame
        Index (``label``, ``posture``, ``level``), the columns of
        :attr:`EquilibriumResult.levels`; ``attrs["units"]`` maps columns to units and
        ``attrs["errors"]`` lists the postures that failed, as ``"label/posture: message"``.
        ``table.loc["hypertonic"] - table.loc["normal"]`` gives the differences.

    Raises
    ------
    FileNotFoundError
        No such file.
    msk.IoError
        Not an HDF5 file, not an equilibrium file, a newer format, or a malformed one
        (``OSError`` when the compiled extension is not installed).
    """
    import numpy as np
    import pandas as pd

    path = Path(path)
    data = _read(path)
    stored = _stored(data, path)
    frames = []
    keys: list[list[str]] = [[], [], []]
    for (label, name), result in stored.items():
        frames.append(result.levels.reset_index(drop=True))
        keys[0] += [label] * len(result.levels)
        keys[1] += [name] * len(result.levels)
        keys[2] += list(result.levels.index)
    if frames:
        table = pd.concat(frames, ignore_index=True)
        # Index levels in file order (not sorted by name), so that the index stays lexsorted
        # and table.loc["hypertonic"] selects without a PerformanceWarning.
        factors = [pd.factorize(np.array(k, dtype=object), sort=False) for k in keys]
        table.index = pd.MultiIndex(
            levels=[list(uniques) for _, uniques in factors],
            codes=[codes for codes, _ in factors],
            names=["label", "posture", "level"],
        )
    else:
        table = pd.DataFrame(
            columns=list(LEVEL_UNITS),
            index=pd.MultiIndex.from_arrays([[], [], []], names=["label", "posture", "level"]),
        )
    table.attrs["units"] = dict(LEVEL_UNITS)
    table.attrs["errors"] = [f"{lb}/{p}: {m}" for (lb, p), m in _errors(data).items()]
    return table


# --- the h5py reader, for machines without the core -------------------------------------------


def _read_with_h5py(path: Path) -> dict[str, Any]:
    """What the core's ``load_equilibria`` returns, read with h5py (same keys and types)."""
    import h5py

    try:
        handle = h5py.File(path, "r")
    except OSError as error:
        raise io_error(f"{path}: not a readable HDF5 file ({error})") from None
    with handle as f:
        kind = plain(f["meta"].attrs.get("kind", "")) if "meta" in f else ""
        version = int(plain(f.attrs.get("format_version", 0)) or 0)
        if kind != "equilibrium" or "equilibrium" not in f:
            raise io_error(
                f"{path}: /meta@kind: expected an equilibrium file (/meta attribute kind = "
                f'"equilibrium" and a group /equilibrium), got kind = "{kind}" (episode '
                "results files open with msk.Results.load)"
            )
        if version > EQUILIBRIUM_FORMAT_VERSION:
            raise io_error(
                f"{path}: /@format_version: expected at most {EQUILIBRIUM_FORMAT_VERSION}, got "
                f"{version} (written by a newer msk: upgrade msk)"
            )
        labels: list[dict[str, Any]] = []
        equilibria: list[dict[str, Any]] = []
        for label, label_group in f["equilibrium"].items():
            attrs = label_group.attrs
            labels.append(
                {
                    "name": label,
                    "model_name": str(plain(attrs.get("model_name", ""))),
                    "model_text": str(plain(attrs.get("model_text", ""))),
                    "overrides_json": str(plain(attrs.get("overrides", "{}"))),
                }
            )
            for name, group in label_group.items():
                if "error" in group.attrs or "levels" in group:
                    equilibria.append(_record_with_h5py(group, label, name))
        return {
            "msk_version": str(plain(f.attrs.get("msk_version", ""))),
            "format_version": version,
            "meta": {k: _attribute(v) for k, v in f["meta"].attrs.items()},
            "labels": labels,
            "equilibria": equilibria,
        }


def _attribute(value: Any) -> Any:
    """An attribute as the core reads it: strings, ints (booleans as 0/1) and floats."""
    value = plain(value)
    return int(value) if isinstance(value, bool) else value


def _posture_with_h5py(attrs: Any, name: str) -> dict[str, Any]:
    """The posture fields of a posture group, as the core reads them (absent ones: defaults;
    the name: the group's)."""
    record = _posture_record(Posture(name=name))
    for field in dataclasses.fields(Posture):
        if field.name not in attrs:
            continue
        value = plain(attrs[field.name])
        if field.name == "level_flexion_deg":
            value = {str(k): float(v) for k, v in json.loads(value or "{}").items()}
        elif field.name in ("supported", "instructed", "balance"):
            value = bool(value)
        elif field.name in ("name", "orientation", "source", "support"):
            value = str(value)
        else:
            value = float(value)
        record[field.name] = value
    return record


def _table_with_h5py(group: h5py.Group, index_name: str) -> dict[str, Any]:
    """A table group as the core reads it: {index_name, index, columns [(name, units, values)]}."""
    import numpy as np

    columns = []
    for name, dataset in group.items():
        if name == index_name:
            continue
        units = str(plain(dataset.attrs.get("units", "")))
        if dataset.dtype.kind in ("S", "O", "U"):
            values: Any = read_strings(dataset)
        elif dataset.dtype.kind == "b":
            values = np.asarray(dataset[()], dtype=bool)
        elif dataset.dtype.kind in ("i", "u"):
            values = np.asarray(dataset[()], dtype=np.int64)
        else:
            values = np.asarray(dataset[()], dtype=float)
        columns.append((name, units, values))
    return {"index_name": index_name, "index": read_strings(group[index_name]), "columns": columns}


def _record_with_h5py(group: h5py.Group, label: str, name: str) -> dict[str, Any]:
    """One posture group as the core reads it."""
    import numpy as np

    attrs = group.attrs
    record: dict[str, Any] = {
        "label": str(plain(attrs.get("label", label))),
        "mode": str(plain(attrs.get("mode", ""))),
        "posture": _posture_with_h5py(attrs, name),
        "error": (str(plain(attrs["error"])) or "(no message)") if "error" in attrs else None,
    }
    if record["error"] is not None:
        return record

    def points(dataset: Any) -> np.ndarray:
        return np.asarray(dataset[()], dtype=float).reshape(-1, 3)

    offsets = np.asarray(group["muscle_path_offsets"][()], dtype=np.int64)
    flat = points(group["muscle_path"])
    record.update(
        {
            "effort": float(plain(attrs.get("effort", float("nan")))),
            "stature_m": float(plain(attrs.get("stature_m", 1.75))),
            "levels": _table_with_h5py(group["levels"], "level"),
            "muscles": _table_with_h5py(group["muscles"], "muscle"),
            "groups": _table_with_h5py(group["groups"], "group"),
            "ligaments": _table_with_h5py(group["ligaments"], "level"),
            "joint_names": read_strings(group["joint"]),
            "joint_angle_deg": np.asarray(group["joint_angle_deg"][()], dtype=float),
            "body_names": read_strings(group["body"]),
            "segment_bodies": read_strings(group["segment_body"]),
            "joint_origin": points(group["joint_origin"]),
            "body_position": points(group["body_position"]),
            "body_rotation": np.asarray(group["body_rotation"][()], dtype=float).reshape(-1, 3, 3),
            "muscle_path": [flat[a:b] for a, b in zip(offsets[:-1], offsets[1:])],
            "load_body": read_strings(group["loads/body"]),
            "load_point": points(group["loads/point"]),
            "load_force": points(group["loads/force"]),
            "gravity": np.asarray(group["gravity"][()], dtype=float).reshape(3),
        }
    )
    return record
