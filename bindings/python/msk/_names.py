"""Messages for a name that is not one of the valid ones: "did you mean" and the list to pick from.

Used wherever a user types a name (models, muscles, groups, postures, tone presets, channels), so
that every such error reads the same way::

    unknown muscle 'BICLong' of model 'elbow'; did you mean 'BIClong'? (muscles: BIClong, ...)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["MAX_LISTED", "did_you_mean", "listing", "unknown_name"]

MAX_LISTED = 40
"""Valid names listed at most in a message; longer lists end with "... and N more"."""


def did_you_mean(name: object, valid: Iterable[str], n: int = 3) -> str:
    """The close matches of ``name`` among ``valid`` as ``"did you mean 'a' or 'b'?"``.

    Parameters
    ----------
    name : object
        What was typed (anything but a string has no close match).
    valid : iterable of str
        The valid names.
    n : int
        Matches given at most.

    Returns
    -------
    str
        ``"did you mean 'x'?"``, ``"did you mean 'x' or 'y'?"``, or ``""`` when nothing is close
        (difflib's ratio below 0.6; case is ignored for the comparison, and a name that differs
        only by case is the one suggestion).

    Raises
    ------
    Nothing
    """
    if not isinstance(name, str):
        return ""
    names = list(dict.fromkeys(valid))
    by_folded: dict[str, str] = {}
    for candidate in names:
        by_folded.setdefault(candidate.lower(), candidate)
    if name.lower() in by_folded and by_folded[name.lower()] != name:
        close = [by_folded[name.lower()]]  # the same name but for case
    else:
        close = difflib.get_close_matches(name.lower(), list(by_folded), n=n)
        close = [by_folded[c] for c in close if by_folded[c] != name]
    if not close:
        return ""
    quoted = [repr(c) for c in close]
    shown = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"did you mean {shown}?"


def listing(valid: Iterable[str], limit: int = MAX_LISTED) -> str:
    """``"a, b, c"``: the valid names in their order, at most ``limit`` of them.

    Parameters
    ----------
    valid : iterable of str
        The valid names.
    limit : int
        Names shown at most; the rest are counted (``"... and 12 more"``).

    Returns
    -------
    str
        The names joined by commas, or ``"none"`` for no names.

    Raises
    ------
    Nothing
    """
    names = [str(v) for v in dict.fromkeys(valid)]
    if not names:
        return "none"
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f", ... and {len(names) - limit} more"


def unknown_name(kind: str, name: object, valid: Iterable[str], where: str = "") -> str:
    """The message for a name that is not valid: suggestion first, then the valid names.

    Parameters
    ----------
    kind : str
        What the name names, singular (``"muscle"``, ``"posture preset"``).
    name : object
        What was typed.
    valid : iterable of str
        The valid names.
    where : str
        Appended to the kind, e.g. ``" of model 'elbow'"``.

    Returns
    -------
    str
        ``"unknown muscle 'BICLong' of model 'elbow'; did you mean 'BIClong'? (valid: ...)"``.

    Raises
    ------
    Nothing
    """
    names = list(valid)
    hint = did_you_mean(name, names)
    text = f"unknown {kind} {name!r}{where}"
    if hint:
        text += f"; {hint}"
    return f"{text} (valid: {listing(names)})"
