"""The state of an episode, as plain data: where one episode ends, the next can start.

A :class:`State` holds the time and the value of every state variable of a model, by name (joint
angles and speeds, activations, reflex and depression filters, viscoelastic branches, disc fluid...;
``model.core.state_names`` lists them). :attr:`msk.Results.final_state` is the state an episode
ended in, also stored in its results file (``/state/final``); ``msk.simulate(model, protocol,
state=...)`` continues from it::

    session = msk.simulate(model, pir_protocol)
    rest = msk.simulate(model, [msk.protocols.hold("r_elbow_flex", 1800)],
                        state=session.final_state)
    retest = msk.simulate(model, [stretch], state=rest.final_state)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class State:
    """Time and state variables of a model, by name (plain data).

    Attributes
    ----------
    time : float
        Simulation time [s].
    names : tuple of str, length n_states
        State names, e.g. ``"joint.r_elbow_flex.angle"``, ``"muscle.BIClong.activation"``.
    values : numpy.ndarray, shape (n_states,)
        Values in SI units (see the model's state units), read-only.
    """

    time: float
    names: tuple[str, ...]
    values: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        import numpy as np

        values = np.array(self.values, dtype=float)
        values.setflags(write=False)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "names", tuple(str(n) for n in self.names))
        object.__setattr__(self, "time", float(self.time))
        if values.shape != (len(self.names),):
            raise ValueError(
                f"values: expected shape ({len(self.names)},) to match names, got {values.shape}"
            )
        if not np.all(np.isfinite(values)) or not np.isfinite(self.time):
            raise ValueError("State: expected finite time and values")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> State:
        """A state from ``{"time", "names", "values"}`` (what the core returns).

        Returns
        -------
        State

        Raises
        ------
        KeyError
            A key is missing.
        ValueError
            Values and names differ in length, or a value is not finite.
        """
        return cls(float(data["time"]), tuple(data["names"]), data["values"])

    def to_dict(self) -> dict[str, Any]:
        """The state as ``{"time": float, "names": list, "values": list}`` (JSON-ready).

        Returns
        -------
        dict

        Raises
        ------
        Nothing
        """
        return {"time": self.time, "names": list(self.names), "values": self.values.tolist()}

    def __getitem__(self, name: str) -> float:
        """The value of one state variable by name.

        Raises
        ------
        KeyError
            Not a state name.
        """
        try:
            return float(self.values[self.names.index(name)])
        except ValueError:
            raise KeyError(f"{name!r} is not a state name") from None

    def as_series(self) -> Any:
        """The values as a pandas Series indexed by state name.

        Returns
        -------
        pandas.Series

        Raises
        ------
        ImportError
            pandas is not installed.
        """
        import pandas as pd

        return pd.Series(self.values, index=list(self.names), name=f"t = {self.time:g} s")

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"State(t = {self.time:g} s, {len(self.names)} variables)"


def as_state(state: State | Mapping[str, Any] | None) -> State | None:
    """A :class:`State` from a State, a mapping or None (None passes through).

    Returns
    -------
    State or None

    Raises
    ------
    ValueError
        Neither a State nor a mapping.
    """
    if state is None or isinstance(state, State):
        return state
    if isinstance(state, Mapping):
        return State.from_mapping(state)
    raise ValueError(f"state: expected an msk.State or a mapping, got {type(state).__name__}")
