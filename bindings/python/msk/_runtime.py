"""Access to the compiled core ``msk._core``, the installed version, and the errors of files.

The lowest layer of the package: it imports nothing of msk but the core, and the core only when
a function here is called, so the pure-Python parts (results, protocols, plots) work on a machine
where the extension is not built.
"""

from __future__ import annotations

import sys
from types import ModuleType

__all__ = ["core_or_none", "installed_version", "io_error", "require_core"]


def require_core() -> ModuleType:
    """Return the compiled extension ``msk._core``.

    Returns
    -------
    module
        ``msk._core``.

    Raises
    ------
    ImportError
        The extension is not built or cannot be loaded; the message says how to fix it.
    """
    try:
        from msk import _core
    except ImportError as error:
        raise ImportError(
            "msk._core, the compiled part of msk, is not available "
            f"({error}). Build and install the package with `pip install .` from the msk "
            "source tree (needs a C++17 compiler, CMake, Eigen, yaml-cpp, Boost and HDF5). "
            "Reading results files, protocols and plots work without it."
        ) from error
    return _core


def core_or_none() -> ModuleType | None:
    """Return the compiled extension ``msk._core``, or None where it is not available.

    What readers of msk's files use to read through the core, and with h5py alone on a machine
    without it.

    Returns
    -------
    module or None
        ``msk._core``, or None when it cannot be imported.

    Raises
    ------
    Nothing
    """
    try:
        return require_core()
    except ImportError:
        return None


def installed_version() -> str:
    """Version of msk.

    Returns
    -------
    str
        The core's ``__version__``, else the installed distribution's, else ``"unknown"``.

    Raises
    ------
    Nothing
        A missing core or distribution gives ``"unknown"``.
    """
    core = sys.modules.get("msk._core")
    if core is None:
        try:
            core = require_core()
        except ImportError:
            core = None
    if core is not None:
        return str(core.__version__)
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover
        return "unknown"
    try:
        return version("msk")
    except PackageNotFoundError:
        return "unknown"


def io_error(message: str) -> Exception:
    """The error to raise for a file msk cannot read or write.

    Parameters
    ----------
    message : str
        What is wrong, naming the file.

    Returns
    -------
    Exception
        ``msk.IoError(message)``, or ``OSError(message)`` when the compiled extension is absent
        (results files are read with h5py alone).

    Raises
    ------
    Nothing
        The error is returned, for the caller to raise.
    """
    try:
        core = require_core()
    except ImportError:
        return OSError(message)
    error: Exception = core.IoError(message)
    return error
