"""Overrides of model fields: flat paths, the JSON the core takes, and errors that guide.

The core applies overrides and checks every value (``libmsk/src/model/loader.cpp``); this module
makes its refusals say who gave the override (a run file, ``msk.load_model(overrides=...)``, a
sweep) and which key, as typed, is at fault, with the valid names and a "did you mean" where a
name is misspelt::

    run.yaml: overrides: 'groups.erector_spinae.tone': expected one of hypertonic, normal,
    hypotonic, got hypertonik; did you mean 'hypertonic'?

The work is done only when the core refuses: the model is then compiled without overrides (for
its names) and, if no name is wrong, with one key at a time, to find the key at fault.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from msk._names import did_you_mean, unknown_name
from msk._runtime import require_core

__all__ = [
    "ELEMENT_NAMES",
    "check_override_keys",
    "explain_override_error",
    "flatten_overrides",
    "load_with_overrides",
    "overrides_json",
]

ELEMENT_NAMES = {
    "muscles": ("muscle", "muscle_names"),
    "bodies": ("body", "body_names"),
    "pairs": ("muscle pair", "pair_names"),
    "segments": ("spinal level", "segment_names"),
}
"""Sequences of a model file addressed by element name: what an element is, and the attribute of
a compiled model that lists the names."""

# What the core says when a key names no field (as opposed to a value it refuses).
_PATH_ERRORS = (
    "expected a known field",
    "expected the name or index of an existing element",
    "expected groups.NAME.FIELD",
    "expected a dotted path",
    "expected a path to a field",
    "expected a mapping or sequence to descend into",
    "expected a mapping or sequence (override",
)

Loader = Callable[[str], Any]
"""``load(overrides_json) -> msk._core.Model``: the model compiled with those overrides."""


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
        ``load(overrides_json) -> msk._core.Model`` (the core's loader with text and file bound).
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
        The model file itself does not validate (the core's message), or an override does not
        (:func:`explain_override_error`).
    ValueError
        As :func:`overrides_json`.
    """
    text = overrides_json(overrides, source)
    if not text:
        return load("")
    core = require_core()
    try:
        return load(text)
    except core.ModelError as error:
        raise explain_override_error(error, load, flatten_overrides(overrides or {}), source) from (
            None
        )


def _reason(message: str) -> str:
    """``expected ..., got ...`` of a core message ``FILE[:LINE]: FIELD: expected ...``."""
    at = message.find(": expected ")
    return message[at + 2 :] if at >= 0 else message


def _hint(reason: str) -> str:
    """A "did you mean" for the choices a core message lists, or ``""``."""
    one_of = re.match(r"expected one of (.+), got '?([^']*)'?$", reason)
    if one_of:
        return did_you_mean(one_of.group(2), [c.strip() for c in one_of.group(1).split(",")])
    field = re.match(r"expected a known field \((.+)\), got unknown field '(.+)'$", reason)
    if field:
        return did_you_mean(field.group(2), [c.strip() for c in field.group(1).split(",")])
    return ""


def _name_error(key: str, base: Any) -> str | None:
    """Why ``key`` names no element of ``base`` (a muscle, group, body... that the model lacks),
    or None when its names are right."""
    parts = key.split(".")
    head = parts[0]
    if head == "groups":
        groups = dict(getattr(base, "groups", {}) or {})
        if len(parts) < 3:
            return "expected groups.NAME.FIELD (a field of every muscle of group NAME)"
        if parts[1] not in groups:
            if not groups:
                return f"model {base.name!r} has no muscle groups"
            return unknown_name("muscle group", parts[1], groups, f" of model {base.name!r}")
        return None
    if head in ELEMENT_NAMES and len(parts) >= 2:
        kind, attribute = ELEMENT_NAMES[head]
        names = list(getattr(base, attribute, []) or [])
        if parts[1].isdigit() or parts[1] in names:
            return None
        if not names:
            return f"model {base.name!r} has no {head}"
        return unknown_name(kind, parts[1], names, f" of model {base.name!r}")
    return None


def _diagnose(
    error: BaseException,
    load: Loader,
    flat: Mapping[str, Any],
    source: str,
    paths_first: bool = False,
) -> tuple[BaseException, bool]:
    """The error to raise for a refusal of ``flat`` by the core, and whether a key names no
    field or element of the model (rather than a value the core refuses). With
    ``paths_first``, every key is tried before a refused value is reported, so that a key that
    names no field is found even after one with a bad value."""
    core = require_core()
    try:
        base = load("")
    except core.ModelError:
        return error, False  # the model itself does not validate: the core's message says where
    for key in flat:
        wrong = _name_error(key, base)
        if wrong is not None:
            return core.ModelError(f"{source}: {key!r}: {wrong}"), True
    first_value_error: BaseException | None = None
    for key, value in flat.items():
        try:
            load(json.dumps({key: value}, default=_json_default))
        except core.ModelError as alone:
            reason = _reason(str(alone))
            hint = _hint(reason)
            message = f"{source}: {key!r}: {reason}" + (f"; {hint}" if hint else "")
            if any(p in reason for p in _PATH_ERRORS):
                return core.ModelError(message), True
            if not paths_first:
                return core.ModelError(message), False
            first_value_error = first_value_error or core.ModelError(message)
    if first_value_error is not None:
        return first_value_error, False
    return core.ModelError(f"{source} (together): {error}"), False


def explain_override_error(
    error: BaseException, load: Loader, flat: Mapping[str, Any], source: str
) -> BaseException:
    """The error to raise for a refusal of overrides by the core.

    Parameters
    ----------
    error : msk.ModelError
        What the core raised when loading with ``flat``.
    load : callable
        ``load(overrides_json) -> msk._core.Model``.
    flat : mapping
        The overrides, flat, as the caller typed them.
    source : str
        Who gave them.

    Returns
    -------
    BaseException
        ``error`` itself when the model fails without overrides too; else a ``msk.ModelError``
        ``"<source>: '<key>': <what is wrong>"`` naming the first key that fails on its own (a
        name the model lacks, with the valid ones and a "did you mean"; or the core's reason
        for a value), or ``"<source> (together): <the core's message>"`` when only the
        combination fails.

    Raises
    ------
    Nothing
        The error is returned, for the caller to raise.
    """
    return _diagnose(error, load, flat, source)[0]


def check_override_keys(load: Loader, keys: Mapping[str, Any], source: str) -> None:
    """Check with one model load that every key names a field (values are checked later).

    Parameters
    ----------
    load : callable
        ``load(overrides_json) -> msk._core.Model`` of the base model.
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
        A key names no field or element of the model (as :func:`explain_override_error`); a
        value the core refuses is not raised here (the run that uses it fails on its own).
    ValueError
        As :func:`overrides_json`.
    """
    text = overrides_json(keys, source)
    if not text:
        return
    core = require_core()
    try:
        load(text)
    except core.ModelError as error:
        explained, names_no_field = _diagnose(
            error, load, flatten_overrides(keys), source, paths_first=True
        )
        if names_no_field:
            raise explained from None
