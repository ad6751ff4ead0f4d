"""A person's session state: versioned, serialisable, and never trusted on the way back in.

State travels through Alexa session attributes and the persistent store, so it comes back as
whatever JSON those hand over. `from_dict` checks every field; anything unknown or corrupt
gives a fresh state flagged `recovered`, so the reply can apologise instead of crashing.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from typing import Any

STATE_VERSION = 1


class Phase(StrEnum):
    """Where the conversation is."""

    IDLE = "idle"
    OFFERING_RESUME = "offering_resume"
    COACHING = "coaching"
    PAUSED = "paused"
    FINISHED = "finished"


@dataclass(frozen=True)
class SessionState:
    """Everything needed to pick up where a person is, in plain values.

    Coaching is anchored: the last reply started speaking the timeline at `position_s`, after
    `lead_s` seconds of other words, in answer to a request stamped `anchor_at` (epoch
    seconds), and its speech ran to `covers_until_s`. Outside coaching, `position_s` is simply
    the saved place.
    """

    phase: Phase = Phase.IDLE
    routine_id: str | None = None
    position_s: float = 0.0
    anchor_at: float | None = None
    lead_s: float = 0.0
    covers_until_s: float = 0.0
    advisory_heard: bool = False
    completed_count: int = 0
    version: int = STATE_VERSION
    recovered: bool = False
    """Set when the stored state was unusable and this fresh one replaced it; never saved."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("recovered")
        data["phase"] = self.phase.value
        return data

    @classmethod
    def from_dict(cls, data: Any) -> SessionState:
        """The state in `data`, or a fresh state with `recovered=True` if it is not usable."""
        if data is None or data == {}:
            return cls()
        try:
            return _checked(cls, data)
        except (TypeError, ValueError, KeyError):
            return cls(recovered=True)

    def keep_progress(self) -> SessionState:
        """A fresh state that remembers only what outlives a routine: advisory and count."""
        return SessionState(
            advisory_heard=self.advisory_heard, completed_count=self.completed_count
        )

    def with_(self, **changes: Any) -> SessionState:
        return replace(self, **changes)


_NUMBER_FIELDS = {"position_s", "lead_s", "covers_until_s"}


def _checked(cls: type[SessionState], data: Any) -> SessionState:
    if not isinstance(data, dict):
        raise TypeError("state is not a mapping")
    if data.get("version") != STATE_VERSION:
        raise ValueError(f"unknown state version {data.get('version')!r}")
    known = {f.name for f in fields(cls)} - {"recovered"}
    if set(data) - known:
        raise ValueError(f"unknown fields {sorted(set(data) - known)}")
    values = dict(data)
    values["phase"] = Phase(data.get("phase", Phase.IDLE.value))
    for name in _NUMBER_FIELDS & set(data):
        values[name] = _finite(data[name], minimum=0.0)
    if data.get("anchor_at") is not None:
        values["anchor_at"] = _finite(data["anchor_at"], minimum=0.0)
    if not isinstance(data.get("routine_id", None), str | None):
        raise TypeError("routine_id is not text")
    if not isinstance(data.get("advisory_heard", False), bool):
        raise TypeError("advisory_heard is not true or false")
    count = data.get("completed_count", 0)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise TypeError("completed_count is not a count")
    return cls(**values)


def _finite(value: Any, minimum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{value!r} is not a number")
    if not math.isfinite(value) or value < minimum:
        raise ValueError(f"{value!r} is out of range")
    return float(value)
