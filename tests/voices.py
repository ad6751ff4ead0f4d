"""Devices whose speaking pace the skill has already learned, for tests of what comes after.

A skill learns a device's pace from a reply heard to its end (`core.pace`); most tests are
about what a person hears once that has happened, so they start from a record that knows the
device's voice, as one finished routine on it would leave.
"""

from __future__ import annotations

from psoas_release.alexa.mapping import device_key
from psoas_release.core.pace import VoicePace, with_pace
from psoas_release.core.state import SessionState
from psoas_release.storage import StateStore

LEARNED_WITHIN = 0.003
"""How closely one timed-out ten-minute routine pins a pace (1 s in about 300 s of words)."""


def learned(pace: float = 1.0) -> VoicePace:
    """A pace as one finished routine on the device leaves it."""
    return VoicePace(pace, pace - LEARNED_WITHIN, pace + LEARNED_WITHIN, 1e5, 1)


def knowing(state: SessionState, device_id: str, pace: float = 1.0) -> SessionState:
    """`state` with the device's pace already learned."""
    return state._replace(paces=with_pace(state.paces, device_key(device_id), learned(pace)))


def seed_known_voice(store: StateStore, user_id: str, device_id: str,
                     pace: float = 1.0) -> None:
    """Give the person's stored record the device's pace, and nothing else."""
    store.save(user_id, knowing(SessionState(), device_id, pace).to_dict(), None)
