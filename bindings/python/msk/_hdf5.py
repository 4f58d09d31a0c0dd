"""Values in and out of HDF5 attributes and string datasets, as msk's files store them.

Shared by the readers and writers of results files (:mod:`msk.results`) and equilibrium files
(:mod:`msk.spine.files`). h5py is imported only by the functions that need it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["attr_value", "plain", "read_strings", "write_strings"]


def plain(value: Any) -> Any:
    """An HDF5 attribute value as a plain Python value.

    Parameters
    ----------
    value : object
        What h5py returned: bytes, a NumPy scalar or array, or a Python value.

    Returns
    -------
    str, int, float, bool or list
        Bytes decoded as UTF-8 (invalid bytes replaced), NumPy scalars as Python scalars, arrays
        as lists of plain values; anything else unchanged.

    Raises
    ------
    Nothing
    """
    import numpy as np

    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def read_strings(dataset: Any) -> list[str]:
    """A 1-D HDF5 dataset of strings (variable or fixed length) as a list of str.

    Parameters
    ----------
    dataset : h5py.Dataset
        Shape (n,).

    Returns
    -------
    list of str
        Length n.

    Raises
    ------
    OSError
        h5py cannot read the dataset.
    """
    if dataset.shape == (0,) or dataset.size == 0:
        return []
    if dataset.dtype.kind in ("S", "O", "U"):
        try:
            return [str(s) for s in dataset.asstr()[()]]
        except (TypeError, ValueError):
            pass
    return [plain(s) if isinstance(s, bytes) else str(s) for s in dataset[()]]


def attr_value(value: Any) -> Any:
    """A metadata value as a string or number attribute (what every msk reader accepts).

    Parameters
    ----------
    value : object
        A bool, number, string, None, mapping, list or tuple, or anything with a ``str``.

    Returns
    -------
    str, int or float
        Bools as 0/1, numbers and strings unchanged, None as ``""``, mappings and sequences as
        JSON, anything else as its ``str``.

    Raises
    ------
    TypeError
        A mapping or sequence holds a value JSON cannot encode.
    """
    import numpy as np

    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (str, int, float, np.integer, np.floating)):
        return value
    if value is None:
        return ""
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(value)
    return str(value)


def write_strings(group: Any, name: str, values: Iterable[Any]) -> None:
    """Write ``values`` as a 1-D dataset of variable-length UTF-8 strings.

    Parameters
    ----------
    group : h5py.Group
        Where to create the dataset.
    name : str
        Dataset name.
    values : iterable
        Written as their ``str``.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        ``name`` exists in ``group``.
    """
    import h5py
    import numpy as np

    group.create_dataset(
        name, data=np.array([str(v) for v in values], dtype=object), dtype=h5py.string_dtype()
    )
