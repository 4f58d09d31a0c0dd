"""Overrides of model fields: flat paths, the JSON the core takes, and the check of a sweep's keys.

The core applies overrides and checks every value (``libmsk/src/model/``). Given who gave the
overrides (a run file, ``msk.load_model(overrides=...)``, a sweep), its refusals name that source
and the key at fault as typed, with the valid names and a "did you mean" where a name is
misspelt::

    run.yaml: overrides: 'groups.erector_spinae.tone': expected one of hypertonic, normal,
    hypotonic, got 'hypertonik'; did you mean 'hypertonic'?

This module flattens nested overrides, refuses what JSON cannot carry (NaN, infinities, objects)
with the key as typed, and checks a sweep's keys before its first run.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from typing import Any

from msk._runtime import require_core

__all__ = [
    "check_override_keys",
    "flatten_overrides",
    "load_with_overrides",
    "overrides_json",
]

# What the core says when a key names no field or element (as opposed to a value it refuses).
_PATH_ERRORS = (
    "expected a known field",
    "expected the name or index of ",
    "expected a muscle group",
    "expected groups.NAME.FIELD",
    "expected a dotted path",
    "expected a path to a field",
    "expected a mapping or sequence to descend into",
    "expected a mapping or sequence (override",
)

Loader = Callable[[str, str], Any]
"""``load(overrides_json, overrides_source) -> msk._core.Model``: the model compiled with those
overrides (the core's loader with the model text and file bound); a refusal of an override is a
``msk.ModelError`` that starts with ``overrides_source`` and quotes the key."""


def flatten_overrides(overrides: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested override mappings to dotted field paths.

    Parameters
    ----------
    overrides : mapping
        Dotted paths to values (``{"muscles.BIClong.tone": "hypertonic"}``), nested mappings
        (``{"muscles": {"BIClong": {"tone": "hypertonic"}}}``), or a mix.
    prefix : str
        Path of ``overrides`` itself (used in recursion).

    Returns
    -------
    dict of str to value
        One entry per leaf; lists and other non-mapping values are leaves.

    Raises
    ------
    ValueError
        An empty or non-string key, or the same path given twice.
    """
    flat: dict[str, Any] = {}
    for key, value in overrides.items():
        if not isinstance(key, str) or not key or key.startswith(".") or key.endswith("."):
            raise ValueError(f"overrides: expected a field name, got {key!r} under {prefix!r}")
        path = f"{prefix}.{key}" if prefix else key
        leaves = (
            flatten_overrides(value, path)
            if isinstance(value, Mapping) and value
            else {path: value}
        )
        for leaf, leaf_value in leaves.items():
            if leaf in flat:
                raise ValueError(f"overrides: {leaf!r} is given twice")
            flat[leaf] = leaf_value
    return flat


def _json_default(value: Any) -> Any:
    """Make NumPy scalars and arrays and paths JSON-serialisable."""
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"expected a number, string, bool, list or None, got {type(value).__name__}")


def _non_finite(value: Any) -> Any:
    """The first NaN or infinite number in ``value`` (a scalar or nested lists), else None."""
    if hasattr(value, "tolist") and getattr(value, "ndim", 0):
        value = value.tolist()  # a NumPy array
    if isinstance(value, (list, tuple)):
        for item in value:
            found = _non_finite(item)
            if found is not None:
                return found
        return None
    if isinstance(value, bool) or isinstance(value, (str, bytes)) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isfinite(number) else value


def overrides_json(overrides: Mapping[str, Any] | None, source: str) -> str:
    """The JSON object the core's loaders take.

    Parameters
    ----------
    overrides : mapping or None
        Flat or nested overrides (see :func:`flatten_overrides`).
    source : str
        Who gave them, for messages (``"msk.load_model(overrides=...)"``, ``"run.yaml:
        overrides"``).

    Returns
    -------
    str
        ``{"path": value, ...}`` with flat paths, or ``""`` for no overrides.

    Raises
    ------
    ValueError
        Not a mapping, a bad or repeated key, a NaN or infinite number, or a value that is not a
        number, string, bool, list or None; the message starts with ``source`` and quotes the
        key.
    """
    if not overrides:
        return ""
    if not isinstance(overrides, Mapping):
        raise ValueError(
            f"{source}: expected a dict of field paths, got {type(overrides).__name__}"
        )
    flat = flatten_overrides(overrides)
    for path, value in flat.items():
        bad = _non_finite(value)
        if bad is not None:
            raise ValueError(
                f"{source}: {path!r}: expected a finite number, got {bad!r} (NaN and infinite "
                "values cannot be set)"
            )
        try:
            json.dumps(value, default=_json_default, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{source}: {path!r}: {error}") from None
    return json.dumps(flat, default=_json_default, allow_nan=False)


def load_with_overrides(load: Loader, overrides: Mapping[str, Any] | None, source: str) -> Any:
    """Compile a model with overrides; a refusal names ``source`` and the key at fault.

    Parameters
    ----------
    load : callable
        ``load(overrides_json, overrides_source) -> msk._core.Model`` (the core's loader with
        text and file bound).
    overrides : mapping or None
        Flat or nested overrides.
    source : str
        Who gave them (see :func:`overrides_json`).

    Returns
    -------
    msk._core.Model

    Raises
    ------
    msk.ModelError
        The model file itself does not validate (the core's message names file, line and field),
        or an override does not: ``"<source>: '<key>': expected ..., got ..."`` for the first key
        the core refuses on its own, as typed, with the valid names and a "did you mean" for a
        misspelt muscle, group, level, field or choice; ``"<source> (together): ..."`` when only
        the combination is refused.
    ValueError
        As :func:`overrides_json`.
    """
    return load(overrides_json(overrides, source), source)


def check_override_keys(load: Loader, keys: Mapping[str, Any], source: str) -> None:
    """Check with one model load that every key names a field (values are checked later).

    Parameters
    ----------
    load : callable
        ``load(overrides_json, overrides_source) -> msk._core.Model`` of the base model.
    keys : mapping
        Every key that will be used, each with one of its values.
    source : str
        Who gave them.

    Returns
    -------
    None

    Raises
    ------
    msk.ModelError
        A key names no field or element of the model (the core's message, as in
        :func:`load_with_overrides`); every key is tried, so that one found after a key whose
        value the core refuses is still reported. A refused value is not raised here (the run
        that uses it fails on its own).
    ValueError
        As :func:`overrides_json`.
    """
    text = overrides_json(keys, source)
    if not text:
        return
    core = require_core()
    try:
        load(text, source)
        return
    except core.ModelError:
        pass
    for key, value in flatten_overrides(keys).items():
        try:
            load(json.dumps({key: value}, default=_json_default), source)
        except core.ModelError as error:
            if any(marker in str(error) for marker in _PATH_ERRORS):
                raise
