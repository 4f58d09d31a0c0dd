"""Equilibrium files: solved postures in HDF5, written by ``msk run`` and :func:`save`.

:func:`load` reads them back as :class:`StoredEquilibrium` (the tables and the geometry of the
:class:`~msk.EquilibriumResult` that was written, drawable by :func:`msk.plot.spine`) with h5py
alone, without the compiled core. Layout: docs/guide/results_format.md.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msk._hdf5 import attr_value, plain, read_strings, write_strings
from msk._runtime import installed_version, io_error
from msk.spine.equilibria import (
    GROUP_UNITS,
    LEVEL_UNITS,
    MUSCLE_UNITS,
    EquilibriumResult,
    SpineGeometry,
    SpinePicture,
)
from msk.spine.postures import Posture

if TYPE_CHECKING:
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
``kind = "equilibrium"``); layout in docs/guide/results_format.md."""

EQUILIBRIUM_FORMAT_VERSION = 1
"""Highest ``format_version`` of equilibrium files this module reads, and the one it writes."""

GEOMETRY_UNITS = {
    "joint_origin": "m",
    "body_position": "m",
    "body_rotation": "1",
    "muscle_path": "m",
    "gravity": "m/s^2",
}


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
    if not isinstance(name, str) or not name.strip() or "/" in name or name in (".", ".."):
        raise ValueError(f"{kind}: expected a non-empty name without '/', got {name!r}")
    return name


def _posture_attrs(posture: Posture) -> dict[str, Any]:
    """The fields of ``posture`` as HDF5 attribute values (None fields are left out)."""
    import numpy as np

    out: dict[str, Any] = {}
    for field in dataclasses.fields(Posture):
        value = getattr(posture, field.name)
        if value is None:
            continue
        if field.name == "level_flexion_deg":
            value = json.dumps({str(k): float(v) for k, v in value.items()})
        elif isinstance(value, bool):
            value = np.bool_(value)
        elif isinstance(value, (int, float)):
            value = float(value)
        out[field.name] = value
    return out


def _posture_from_attrs(attrs: Mapping[str, Any]) -> Posture:
    """The Posture stored by :func:`_posture_attrs`."""
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(Posture):
        if field.name not in attrs:
            continue
        value = plain(attrs[field.name])
        if field.name == "level_flexion_deg":
            value = {str(k): float(v) for k, v in json.loads(value or "{}").items()}
        elif field.name == "supported":
            value = bool(value)
        elif field.name in ("name", "orientation", "source"):
            value = str(value)
        else:
            value = float(value)
        fields[field.name] = value
    return Posture(**fields)


def _write_table(
    group: h5py.Group, name: str, frame: pd.DataFrame, units: Mapping[str, str] | str
) -> None:
    """``frame`` as ``name/<index name>`` (the row names) and one dataset per column."""
    import numpy as np
    import pandas as pd

    table = group.create_group(name, track_order=True)
    write_strings(table, str(frame.index.name), frame.index)
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            table.create_dataset(str(column), data=series.to_numpy(dtype=bool))
        elif pd.api.types.is_integer_dtype(series):
            table.create_dataset(str(column), data=series.to_numpy(dtype=np.int64))
        elif pd.api.types.is_numeric_dtype(series):
            table.create_dataset(str(column), data=series.to_numpy(dtype=float))
        else:
            write_strings(table, str(column), series)
        unit = units if isinstance(units, str) else units.get(str(column), "")
        table[str(column)].attrs["units"] = unit


def _read_table(group: h5py.Group, index_name: str) -> pd.DataFrame:
    """A table written by :func:`_write_table`; units in ``attrs["units"]``."""
    import pandas as pd

    index = read_strings(group[index_name])
    data: dict[str, Any] = {}
    units: dict[str, str] = {}
    for name, dataset in group.items():
        if name == index_name:
            continue
        if dataset.dtype.kind in ("S", "O", "U"):
            data[name] = read_strings(dataset)
        else:
            data[name] = dataset[()]
        units[name] = str(plain(dataset.attrs.get("units", "")))
    frame = pd.DataFrame(data, index=pd.Index(index, name=index_name))
    frame.attrs["units"] = units
    return frame


class EquilibriumWriter:
    """Writes an equilibrium file one posture at a time, flushing after each, so that an error
    or a kill later on keeps every posture written before it (what ``msk run`` uses; :func:`save`
    writes a whole mapping at once).

    Parameters
    ----------
    path : str or path
        Destination file (overwritten).
    meta : mapping
        ``/meta`` attributes (strings or numbers; others are stored as JSON); ``kind`` and
        ``msk_version`` are set by the writer.

    Raises
    ------
    OSError
        The file cannot be created.
    """

    def __init__(self, path: str | os.PathLike[str], meta: Mapping[str, Any]) -> None:
        import h5py
        import numpy as np

        self.path = Path(path)
        self._file = h5py.File(self.path, "w", track_order=True)
        self._file.attrs["format"] = EQUILIBRIUM_FORMAT
        self._file.attrs["format_version"] = np.int64(EQUILIBRIUM_FORMAT_VERSION)
        self._file.attrs["msk_version"] = installed_version()
        group = self._file.create_group("meta", track_order=True)
        group.attrs["kind"] = "equilibrium"
        group.attrs["msk_version"] = installed_version()
        for key, value in meta.items():
            if key not in ("kind", "msk_version"):
                group.attrs[key] = attr_value(value)
        self._root = self._file.create_group("equilibrium", track_order=True)
        self._file.flush()

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
        Nothing
        """
        if self._file.id.valid:
            self._file.close()

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
        if label in self._root:
            raise ValueError(f"label: {label!r} is written twice")
        group = self._root.create_group(label, track_order=True)
        group.attrs["model_name"] = model_name
        group.attrs["model_text"] = model_text
        group.attrs["overrides"] = json.dumps(dict(overrides or {}))

    def _posture_group(self, label: str, posture: Posture, mode: str) -> h5py.Group:
        if label not in self._root:
            self.add_label(label)
        name = check_name("posture", posture.name)
        if name in self._root[label]:
            raise ValueError(
                f"{label}/{name}: posture written twice (give postures distinct names)"
            )
        group = self._root[label].create_group(name, track_order=True)
        group.attrs["label"] = label
        group.attrs["mode"] = mode
        for key, value in _posture_attrs(posture).items():
            group.attrs[key] = value
        return group

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
        """
        import numpy as np

        group = self._posture_group(label, result.posture, result.mode)
        group.attrs["effort"] = float(result.effort)
        levels = result.levels.copy()
        levels.index.name = "level"
        _write_table(group, "levels", levels, LEVEL_UNITS)
        _write_table(group, "muscles", result.muscles, MUSCLE_UNITS)
        groups = result.groups.copy()
        groups.index.name = "group"
        _write_table(group, "groups", groups, GROUP_UNITS)
        ligaments = result.ligaments.copy()
        ligaments.index.name = "level"
        _write_table(group, "ligaments", ligaments, "N")

        geometry = result.geometry
        group.attrs["stature_m"] = float(geometry.stature_m)
        write_strings(group, "joint", result.joint_angles_deg)
        group.create_dataset(
            "joint_angle_deg", data=np.array(list(result.joint_angles_deg.values()), dtype=float)
        ).attrs["units"] = "deg"
        write_strings(group, "body", geometry.body_names)
        write_strings(group, "segment_body", geometry.segment_bodies)
        for name in ("joint_origin", "body_position", "body_rotation", "gravity"):
            dataset = group.create_dataset(name, data=getattr(geometry, name))
            dataset.attrs["units"] = GEOMETRY_UNITS[name]
        counts = [len(p) for p in geometry.muscle_path]
        flat = np.concatenate(geometry.muscle_path) if geometry.muscle_path else np.zeros((0, 3))
        group.create_dataset("muscle_path", data=flat).attrs["units"] = "m"
        group.create_dataset(
            "muscle_path_offsets", data=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        )
        loads = group.create_group("loads", track_order=True)
        write_strings(loads, "body", geometry.load_body)
        loads.create_dataset("point", data=geometry.load_point).attrs["units"] = "m"
        loads.create_dataset("force", data=geometry.load_force).attrs["units"] = "N"
        self._file.flush()

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
        group = self._posture_group(label, posture, mode)
        group.attrs["error"] = str(message)
        self._file.flush()


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


def _open_equilibrium_file(path: str | os.PathLike[str]) -> h5py.File:
    """Open an equilibrium file for reading, or raise naming what is wrong."""
    import h5py

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such equilibrium file")
    try:
        handle = h5py.File(path, "r")
    except OSError as error:
        raise io_error(f"{path}: not a readable HDF5 file ({error})") from None
    kind = plain(handle["meta"].attrs.get("kind", "")) if "meta" in handle else ""
    version = int(plain(handle.attrs.get("format_version", 0)) or 0)
    if kind != "equilibrium" or "equilibrium" not in handle:
        handle.close()
        raise io_error(
            f"{path}: expected an equilibrium file (/meta attribute kind = 'equilibrium' and a "
            f"group /equilibrium), got kind = {kind!r}; episode files open with msk.Results.load"
        )
    if version > EQUILIBRIUM_FORMAT_VERSION:
        handle.close()
        raise io_error(
            f"{path}: format_version {version} is newer than this msk reads "
            f"({EQUILIBRIUM_FORMAT_VERSION}); upgrade msk"
        )
    return handle


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
        Not an HDF5 file, not an equilibrium file, or a newer format (``OSError`` when the
        compiled extension is not installed).
    """
    with _open_equilibrium_file(path) as f:
        return {k: plain(v) for k, v in f["meta"].attrs.items()}


def _read_stored(group: h5py.Group, label_group: h5py.Group, path: Path) -> StoredEquilibrium:
    import numpy as np

    attrs = group.attrs
    posture = _posture_from_attrs(attrs)
    levels = _read_table(group["levels"], "level")
    levels.attrs["posture"] = posture.name
    ligaments = _read_table(group["ligaments"], "level")
    ligaments.attrs["units"] = "N"
    offsets = np.asarray(group["muscle_path_offsets"][()], dtype=np.int64)
    flat = np.asarray(group["muscle_path"][()], dtype=float).reshape(-1, 3)
    loads = group["loads"]
    geometry = SpineGeometry(
        body_names=tuple(read_strings(group["body"])),
        segment_bodies=tuple(read_strings(group["segment_body"])),
        stature_m=float(plain(attrs.get("stature_m", 1.75))),
        gravity=np.asarray(group["gravity"][()], dtype=float),
        joint_origin=np.asarray(group["joint_origin"][()], dtype=float),
        body_position=np.asarray(group["body_position"][()], dtype=float),
        body_rotation=np.asarray(group["body_rotation"][()], dtype=float),
        muscle_path=tuple(flat[a:b] for a, b in zip(offsets[:-1], offsets[1:])),
        load_body=tuple(read_strings(loads["body"])),
        load_point=np.asarray(loads["point"][()], dtype=float).reshape(-1, 3),
        load_force=np.asarray(loads["force"][()], dtype=float).reshape(-1, 3),
    )
    joints = read_strings(group["joint"])
    angles = np.asarray(group["joint_angle_deg"][()], dtype=float)
    return StoredEquilibrium(
        label=str(plain(attrs.get("label", label_group.name.rsplit("/", 1)[-1]))),
        posture=posture,
        mode=str(plain(attrs.get("mode", ""))),
        levels=levels,
        muscles=_read_table(group["muscles"], "muscle"),
        groups=_read_table(group["groups"], "group"),
        ligaments=ligaments,
        geometry=geometry,
        joint_angles_deg={j: float(a) for j, a in zip(joints, angles)},
        effort=float(plain(attrs.get("effort", float("nan")))),
        model_name=str(plain(label_group.attrs.get("model_name", ""))),
        model_text=str(plain(label_group.attrs.get("model_text", ""))),
        path=path,
    )


def load(path: str | os.PathLike[str]) -> dict[tuple[str, str], StoredEquilibrium]:
    """Read the solved postures of an equilibrium file (``msk run`` on an equilibrium run
    file, or :func:`save`), with h5py alone.

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
        Not an HDF5 file, not an equilibrium file, or a newer format (``OSError`` when the
        compiled extension is not installed).
    """
    path = Path(path)
    out: dict[tuple[str, str], StoredEquilibrium] = {}
    with _open_equilibrium_file(path) as f:
        for label, label_group in f["equilibrium"].items():
            for name, group in label_group.items():
                if "error" in group.attrs or "levels" not in group:
                    continue
                out[(label, name)] = _read_stored(group, label_group, path)
    return out


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
        Not an HDF5 file, not an equilibrium file, or a newer format (``OSError`` when the
        compiled extension is not installed).
    """
    with _open_equilibrium_file(path) as f:
        return {
            (label, name): str(plain(group.attrs["error"]))
            for label, label_group in f["equilibrium"].items()
            for name, group in label_group.items()
            if "error" in group.attrs
        }


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
        Not an HDF5 file, not an equilibrium file, or a newer format (``OSError`` when the
        compiled extension is not installed).
    """
    import numpy as np
    import pandas as pd

    stored = load(path)
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
    table.attrs["errors"] = [f"{lb}/{p}: {m}" for (lb, p), m in load_errors(path).items()]
    return table
