"""Results of an episode: time series by channel, with units, events, metadata and run statistics.

:class:`Results` is what :func:`msk.simulate` returns and what :meth:`Results.load` reads back from
an HDF5 file written by msk (by the core while it integrates, or by :meth:`Results.save`). It reads
files with the core's reader (``msk::io::load_results``), and with h5py alone on a machine without
the compiled extension, so that results can be inspected there too.

HDF5 layout (``format = "msk-results"``, ``format_version = 1``)::

    /                     attrs: format, format_version, msk_version
    /meta                 attrs: model_name, model_text, model_file, protocol, solver, seed, ...
    /time                 (n,) float64, attr units = "s"
    /channels/<name>      (n,) float64, attrs units, description
    /events/time          (m,) float64 [s]
    /events/label         (m,) variable-length UTF-8 strings
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msk._hdf5 import attr_value, plain, read_strings
from msk._runtime import core_or_none, io_error, require_core
from msk.state import State

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import xarray as xr
    from matplotlib.figure import Figure

__all__ = ["FORMAT", "FORMAT_VERSION", "Results"]

FORMAT = "msk-results"
"""Value of the root attribute ``format`` of an msk results file."""

FORMAT_VERSION = 1
"""Highest ``format_version`` this module reads, and the one it writes."""


class Results:
    """Time series of one episode.

    Build it with :func:`msk.simulate`, :meth:`Results.load` or :meth:`Results.from_episode`; the
    constructor takes the arrays directly.

    Parameters
    ----------
    time : array_like, shape (n,)
        Sample times [s], increasing.
    values : array_like, shape (n, n_channels)
        Channel values in SI units, one column per channel.
    channel_names : sequence of str, length n_channels
        Names such as ``"joint.r_elbow_flex.angle"`` or ``"muscle.BIClong.force"``.
    channel_units : sequence of str, length n_channels
        Units of each channel, e.g. ``"rad"``, ``"N"``, ``"1"`` for dimensionless.
    channel_descriptions : sequence of str, optional
        One sentence per channel.
    event_times : array_like, shape (m,), optional
        Event times [s].
    event_labels : sequence of str, length m, optional
        Event labels, e.g. ``"barrier:r_elbow_flex"``.
    meta : mapping, optional
        Run metadata (model name and text, protocol, solver, seed...).
    stats : mapping, optional
        Integrator statistics (steps, rhs_calls, rejected_steps, wall_time_s, stepper).
    path : str or path, optional
        File these results were read from or written to.
    final_state : State, optional
        The state the episode ended in (to continue from with ``msk.simulate(..., state=...)``).
    warnings : sequence of str, optional
        What the run noticed and went on with (see the attribute).

    Attributes
    ----------
    time : numpy.ndarray, shape (n,)
        Sample times [s].
    values : numpy.ndarray, shape (n, n_channels)
        All channels, column ``i`` is ``channels[i]``.
    channels : list of str
        Channel names in file order.
    units : dict of str to str
        Units by channel name.
    descriptions : dict of str to str
        Description by channel name.
    meta : dict
        Run metadata.
    stats : dict
        Integrator statistics; empty for files that do not record them.
    path : pathlib.Path or None
        Where the results live on disk, if anywhere.
    final_state : State or None
        The state the episode ended in; None for files written before msk stored it.
    warnings : list of str
        What the run noticed and went on with, each ``"t = <time> s: <message>"`` (e.g. a stretch
        that started past its barrier); ``msk.simulate`` also issues each as a Python warning.
    """

    def __init__(
        self,
        time: Any,
        values: Any,
        channel_names: Sequence[str],
        channel_units: Sequence[str],
        channel_descriptions: Sequence[str] | None = None,
        event_times: Any = None,
        event_labels: Sequence[str] | None = None,
        meta: Mapping[str, Any] | None = None,
        stats: Mapping[str, Any] | None = None,
        path: str | os.PathLike[str] | None = None,
        final_state: State | None = None,
        warnings: Sequence[str] | None = None,
    ) -> None:
        import numpy as np

        self.time: np.ndarray = np.asarray(time, dtype=float)
        self.values: np.ndarray = np.asarray(values, dtype=float)
        self.channels: list[str] = [str(c) for c in channel_names]
        if self.time.ndim != 1:
            raise ValueError(f"time: expected shape (n,), got {self.time.shape}")
        n_samples, n_channels = self.time.shape[0], len(self.channels)
        if self.values.shape != (n_samples, n_channels):
            raise ValueError(
                f"values: expected shape (n, n_channels) = ({n_samples}, {n_channels}), "
                f"got {self.values.shape}"
            )
        if len(set(self.channels)) != n_channels:
            raise ValueError("channel_names: expected distinct names, got duplicates")
        if len(channel_units) != n_channels:
            raise ValueError(
                f"channel_units: expected {n_channels} entries, got {len(channel_units)}"
            )
        descriptions = list(channel_descriptions) if channel_descriptions is not None else []
        if channel_descriptions is not None and len(descriptions) != n_channels:
            raise ValueError(
                f"channel_descriptions: expected {n_channels} entries, got {len(descriptions)}"
            )
        self.units: dict[str, str] = {c: str(u) for c, u in zip(self.channels, channel_units)}
        self.descriptions: dict[str, str] = {
            c: (str(descriptions[i]) if descriptions else "") for i, c in enumerate(self.channels)
        }
        self._event_times = np.asarray(event_times if event_times is not None else [], dtype=float)
        self._event_labels = [str(s) for s in (event_labels or [])]
        if self._event_times.shape != (len(self._event_labels),):
            raise ValueError(
                f"event_times, event_labels: expected the same length, got "
                f"{self._event_times.shape[0]} and {len(self._event_labels)}"
            )
        self.meta: dict[str, Any] = dict(meta or {})
        self.stats: dict[str, Any] = dict(stats or {})
        self.path: Path | None = Path(path) if path else None
        self.final_state: State | None = final_state
        self.warnings: list[str] = [str(w) for w in (warnings or [])]
        self._index = {c: i for i, c in enumerate(self.channels)}

    # --- construction --------------------------------------------------------------------------

    @classmethod
    def from_episode(cls, episode: Any, meta: Mapping[str, Any] | None = None) -> Results:
        """Wrap an ``msk._core.EpisodeResult`` without copying its arrays.

        Parameters
        ----------
        episode : msk._core.EpisodeResult
            What ``msk._core.simulate`` returned.
        meta : mapping, optional
            Run metadata to attach (the core result does not carry it).

        Returns
        -------
        Results
            The episode's channels, events and statistics, with ``meta``.

        Raises
        ------
        ValueError
            The episode's arrays do not have the shapes of the channel lists.
        """
        return cls(
            time=episode.time,
            values=episode.values,
            channel_names=list(episode.channel_names),
            channel_units=list(episode.channel_units),
            channel_descriptions=list(episode.channel_descriptions),
            event_times=episode.event_times,
            event_labels=list(episode.event_labels),
            meta=meta,
            stats=dict(episode.stats),
            path=episode.output or None,
            final_state=(
                State.from_mapping(episode.final_state)
                if getattr(episode, "final_state", None) is not None
                else None
            ),
            warnings=list(getattr(episode, "warnings", []) or []),
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Results:
        """Read a results file written by msk.

        Reads with the core's reader (``msk._core.load_results``, which checks the whole layout
        and names the dataset at fault); on a machine without the compiled extension, with h5py.

        Parameters
        ----------
        path : str or path
            HDF5 file with ``format = "msk-results"``.

        Returns
        -------
        Results
            With ``path`` set to the file.

        Raises
        ------
        FileNotFoundError
            No such file.
        msk.IoError
            Not an HDF5 file, not an msk results file, a newer format, or inconsistent datasets
            (``OSError`` when the compiled extension is not installed).
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such results file")
        core = core_or_none()
        if core is None:
            return cls._load_with_h5py(path)
        if not core.is_hdf5_file(os.fspath(path)):
            raise io_error(f"{path}: not a readable HDF5 file")
        data = core.load_results(os.fspath(path))
        meta = dict(data["meta"])
        meta.setdefault("msk_version", data["msk_version"])
        final = data["states"].get("final")
        return cls(
            data["time"],
            data["values"],
            data["channel_names"],
            data["channel_units"],
            data["channel_descriptions"],
            data["event_times"],
            data["event_labels"],
            meta=meta,
            stats=data["stats"],
            path=path,
            final_state=(
                State(float(final["time"]), tuple(final["names"]), final["values"])
                if final is not None
                else None
            ),
        )

    @classmethod
    def _load_with_h5py(cls, path: Path) -> Results:
        """:meth:`load` with h5py alone, for machines without the compiled core."""
        import h5py
        import numpy as np

        try:
            handle = h5py.File(path, "r")
        except OSError as error:
            raise io_error(f"{path}: not a readable HDF5 file ({error})") from None
        with handle as f:
            file_format = plain(f.attrs.get("format", ""))
            if file_format != FORMAT:
                raise io_error(
                    f"{path}: expected attribute format = {FORMAT!r}, got {file_format!r}"
                )
            version = int(plain(f.attrs.get("format_version", 0)))
            if version > FORMAT_VERSION:
                raise io_error(
                    f"{path}: format_version {version} is newer than this msk reads "
                    f"({FORMAT_VERSION}); upgrade msk"
                )
            if "time" not in f:
                raise io_error(f"{path}: missing dataset /time")
            time = np.asarray(f["time"][()], dtype=float)
            names: list[str] = []
            units: list[str] = []
            descriptions: list[str] = []
            columns: list[np.ndarray] = []
            group = f.get("channels")
            for name in group if group is not None else []:
                dataset = group[name]
                if dataset.shape != time.shape:
                    raise io_error(
                        f"{path}: /channels/{name}: expected shape {time.shape}, "
                        f"got {dataset.shape}"
                    )
                names.append(name)
                units.append(str(plain(dataset.attrs.get("units", ""))))
                descriptions.append(str(plain(dataset.attrs.get("description", ""))))
                columns.append(np.asarray(dataset[()], dtype=float))
            values = np.column_stack(columns) if columns else np.zeros((time.shape[0], 0))
            event_times: np.ndarray = np.zeros(0)
            event_labels: list[str] = []
            if "events" in f:
                if "time" in f["events"]:
                    event_times = np.asarray(f["events/time"][()], dtype=float)
                if "label" in f["events"]:
                    event_labels = read_strings(f["events/label"])
            meta = {k: plain(v) for k, v in f["meta"].attrs.items()} if "meta" in f else {}
            meta.setdefault("msk_version", str(plain(f.attrs.get("msk_version", ""))))
            stats: dict[str, Any] = {}
            if "stats" in f:
                stats = {k: plain(v) for k, v in f["stats"].attrs.items()}
            final_state = None
            if "state/final/values" in f and "state/final/names" in f:
                final = f["state/final"]
                final_state = State(
                    float(plain(final.attrs.get("time", 0.0))),
                    tuple(read_strings(final["names"])),
                    np.asarray(final["values"][()], dtype=float),
                )
        return cls(
            time,
            values,
            names,
            units,
            descriptions,
            event_times,
            event_labels,
            meta=meta,
            stats=stats,
            path=path,
            final_state=final_state,
            warnings=[w for w in str(meta.get("warnings", "") or "").split("\n") if w],
        )

    # --- saving --------------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str], *, compression: int | None = 4) -> Path:
        """Write the results to an HDF5 file in the msk format (overwrites ``path``).

        Parameters
        ----------
        path : str or path
            Destination file.
        compression : int or None
            gzip level 0-9 for the datasets, ``None`` to store them uncompressed.

        Returns
        -------
        pathlib.Path
            ``path``.

        Raises
        ------
        msk.IoError
            The file cannot be written (naming it).
        msk.InvalidArgument
            A metadata value, channel name or text the format refuses (naming it).
        """
        import numpy as np

        def scalar(value: Any) -> Any:
            value = attr_value(value)
            return value.item() if hasattr(value, "item") else value

        path = Path(path)
        data = {
            "time": np.ascontiguousarray(self.time, dtype=float),
            "values": np.ascontiguousarray(self.values, dtype=float).reshape(
                self.time.shape[0], len(self.channels)
            ),
            "channel_names": list(self.channels),
            "channel_units": [self.units[name] for name in self.channels],
            "channel_descriptions": [self.descriptions[name] for name in self.channels],
            "meta": {str(k): scalar(v) for k, v in self.meta.items()},
            "stats": {str(k): scalar(v) for k, v in self.stats.items()},
            "event_times": [float(t) for t in self._event_times],
            "event_labels": list(self._event_labels),
            "states": {},
        }
        if self.final_state is not None:
            data["states"]["final"] = {
                "time": float(self.final_state.time),
                "names": list(self.final_state.names),
                "values": [float(v) for v in self.final_state.values],
            }
        level = 0 if compression is None else int(compression)
        require_core().save_results(str(path), data, level)
        self.path = path
        return path

    # --- access --------------------------------------------------------------------------------

    def __getitem__(self, name: str) -> np.ndarray:
        """Values of one channel, shape (n,), in the units of ``self.units[name]``."""
        try:
            return self.values[:, self._index[name]]
        except KeyError:
            close = difflib.get_close_matches(name, self.channels, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise KeyError(f"no channel {name!r}{hint}") from None

    def __contains__(self, name: object) -> bool:
        """Whether the results have the channel ``name``."""
        return name in self._index

    @property
    def n_samples(self) -> int:
        """Number of samples n."""
        return int(self.time.shape[0])

    @property
    def duration(self) -> float:
        """Time spanned by the samples [s]."""
        return float(self.time[-1] - self.time[0]) if self.time.size else 0.0

    @property
    def events(self) -> pd.DataFrame:
        """Events as a DataFrame with columns ``time`` [s] and ``label``, in recorded order."""
        import pandas as pd

        frame = pd.DataFrame(
            {"time": self._event_times.copy(), "label": pd.Series(self._event_labels, dtype=str)}
        )
        frame.attrs["units"] = {"time": "s"}
        return frame

    def _entities(self, prefix: str) -> list[str]:
        """Names of the entities with channels ``<prefix>.<name>.<...>``, in channel order."""
        seen: dict[str, None] = {}
        for channel in self.channels:
            parts = channel.split(".")
            if len(parts) >= 3 and parts[0] == prefix:
                seen.setdefault(parts[1], None)
        return list(seen)

    @property
    def joints(self) -> list[str]:
        """Joint names that have channels."""
        return self._entities("joint")

    @property
    def muscles(self) -> list[str]:
        """Muscle names that have channels."""
        return self._entities("muscle")

    @property
    def pairs(self) -> list[str]:
        """Agonist/antagonist pair names that have channels."""
        return self._entities("pair")

    def _group(self, prefix: str, name: str) -> pd.DataFrame:
        """Channels ``<prefix>.<name>.*`` as a DataFrame indexed by time, short column names."""
        import pandas as pd

        head = f"{prefix}.{name}."
        selected = [c for c in self.channels if c.startswith(head)]
        if not selected:
            known = self._entities(prefix)
            raise KeyError(f"no {prefix} {name!r}; these results have {prefix}s {known}")
        short = [c[len(head) :] for c in selected]
        frame = pd.DataFrame(
            self.values[:, [self._index[c] for c in selected]],
            index=self._time_index(),
            columns=short,
        )
        frame.attrs["units"] = {s: self.units[c] for s, c in zip(short, selected)}
        frame.attrs["descriptions"] = {s: self.descriptions[c] for s, c in zip(short, selected)}
        return frame

    def muscle(self, name: str) -> pd.DataFrame:
        """All channels of one muscle.

        Parameters
        ----------
        name : str
            Muscle name, e.g. ``"BIClong"``.

        Returns
        -------
        pandas.DataFrame
            Indexed by time [s]; columns named after the channel without the ``muscle.<name>.``
            prefix (``excitation``, ``activation``, ``force``, ``moment.<joint>``...);
            ``df.attrs["units"]`` maps columns to units.

        Raises
        ------
        KeyError
            No channel of that muscle (the message lists the muscles that have channels).
        """
        return self._group("muscle", name)

    def joint(self, name: str) -> pd.DataFrame:
        """All channels of one joint (``angle`` [rad], ``velocity`` [rad/s]) by time [s].

        Parameters
        ----------
        name : str
            Joint coordinate name, e.g. ``"r_elbow_flex"``.

        Returns
        -------
        pandas.DataFrame
            Indexed by time [s]; columns without the ``joint.<name>.`` prefix; units in
            ``df.attrs["units"]``.

        Raises
        ------
        KeyError
            No channel of that joint (the message lists the joints that have channels).
        """
        return self._group("joint", name)

    def pair(self, name: str) -> pd.DataFrame:
        """All channels of one muscle pair (``cci`` [1], ``net_moment`` [N m]), by time [s].

        Parameters
        ----------
        name : str
            Pair name, e.g. ``"elbow"``.

        Returns
        -------
        pandas.DataFrame
            Indexed by time [s]; columns without the ``pair.<name>.`` prefix; units in
            ``df.attrs["units"]``.

        Raises
        ------
        KeyError
            No channel of that pair (the message lists the pairs that have channels).
        """
        return self._group("pair", name)

    def _time_index(self) -> pd.Index:
        import pandas as pd

        return pd.Index(self.time, name="time")

    # --- conversion ----------------------------------------------------------------------------

    def to_pandas(self, channels: Iterable[str] | None = None) -> pd.DataFrame:
        """All (or some) channels as a DataFrame.

        Parameters
        ----------
        channels : iterable of str, optional
            Channel names to keep; all by default.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``time`` [s], one column per channel in SI units; ``df.attrs["units"]`` and
            ``df.attrs["descriptions"]`` map channel names to units and descriptions,
            ``df.attrs["meta"]`` holds the run metadata.

        Raises
        ------
        KeyError
            A channel name the results do not have (with suggestions).
        """
        import pandas as pd

        selected = list(channels) if channels is not None else list(self.channels)
        for name in selected:
            if name not in self._index:
                self[name]  # raises KeyError with suggestions
        frame = pd.DataFrame(
            self.values[:, [self._index[c] for c in selected]],
            index=self._time_index(),
            columns=selected,
        )
        frame.attrs["units"] = {c: self.units[c] for c in selected}
        frame.attrs["descriptions"] = {c: self.descriptions[c] for c in selected}
        frame.attrs["meta"] = dict(self.meta)
        return frame

    def to_xarray(self, channels: Iterable[str] | None = None) -> xr.Dataset:
        """All (or some) channels as an :class:`xarray.Dataset`.

        Parameters
        ----------
        channels : iterable of str, optional
            Channel names to keep; all by default.

        Returns
        -------
        xarray.Dataset
            One variable per channel along dimension ``time`` (coordinate in seconds, attrs
            ``units = "s"``), each with attrs ``units`` and ``description`` (so xarray's plots
            label their axes with the units); events as variables ``event_time`` [s] and
            ``event_label`` along dimension ``event``; run metadata in the dataset attrs.

        Raises
        ------
        KeyError
            A channel name the results do not have (with suggestions).
        ImportError
            xarray is not installed.
        """
        import numpy as np

        try:
            import xarray as xr
        except ImportError:
            raise ImportError("Results.to_xarray needs xarray: pip install xarray") from None
        selected = list(channels) if channels is not None else list(self.channels)
        for name in selected:
            if name not in self._index:
                self[name]  # raises KeyError with suggestions
        time = xr.Variable("time", self.time, attrs={"units": "s", "long_name": "time"})
        variables = {
            name: xr.Variable(
                "time",
                self.values[:, self._index[name]],
                attrs={"units": self.units[name], "description": self.descriptions[name]},
            )
            for name in selected
        }
        variables["event_time"] = xr.Variable(
            "event", self._event_times, attrs={"units": "s", "description": "event time"}
        )
        variables["event_label"] = xr.Variable(
            "event", np.array(self._event_labels, dtype=object), attrs={"description": "event"}
        )
        attrs = {k: attr_value(v) for k, v in self.meta.items()}
        return xr.Dataset(variables, coords={"time": time}, attrs=attrs)

    # --- plotting and display ------------------------------------------------------------------

    def plot(self, **kwargs: Any) -> Figure:
        """Draw the dashboard of these results (keywords go to :func:`msk.plot.dashboard`).

        Parameters
        ----------
        **kwargs
            Keywords of :func:`msk.plot.dashboard` (``muscles``, ``joints``, ``path``,
            ``title``...).

        Returns
        -------
        matplotlib.figure.Figure

        Raises
        ------
        KeyError
            A muscle or joint the results do not have.
        """
        from msk.plot import dashboard

        return dashboard(self, **kwargs)

    def __repr__(self) -> str:
        name = self.meta.get("model_name") or "?"
        span = f"{self.time[0]:.4g} to {self.time[-1]:.4g} s" if self.time.size else "empty"
        parts = [
            f"{len(self.joints)} joint(s)",
            f"{len(self.muscles)} muscle(s)",
            f"{len(self.pairs)} pair(s)",
        ]
        where = f", file '{self.path}'" if self.path else ""
        return (
            f"<msk.Results {name!r}: {self.n_samples} samples, {span}, "
            f"{len(self.channels)} channels ({', '.join(parts)}), "
            f"{len(self._event_labels)} event(s){where}>"
        )
