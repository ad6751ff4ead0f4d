"""The routine model: what a guided routine is, as plain frozen data.

Every client coaches from these values; nothing here knows about YAML, Alexa or storage.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Side(StrEnum):
    """Which side of the body works in a two-sided hold."""

    RIGHT = "right"
    LEFT = "left"


DEFAULT_MOVE_S = 3
"""Silence after a two-sided movement's setup, before its first side is set up."""
DEFAULT_SETTLE_S = 5
"""Silence after the last setup word before a hold starts: time to get into position."""
DEFAULT_RELEASE_S = 4
"""Silence after a release cue, before the next instruction."""
TAKE_YOUR_TIME_S = 10
"""The least silence after a setup that changes level or needs a prop."""
REMINDER_EVERY_S = 50
"""A hold says one of its movement's reminders for every so many seconds it lasts."""


def reminder_count(hold_s: float) -> int:
    """How many reminders a hold of `hold_s` seconds says: one per 50 s, at least one."""
    return max(1, int(hold_s // REMINDER_EVERY_S))


class Hold(NamedTuple):
    """One timed hold: the whole movement, or one side of it."""

    side: Side | None
    hold_s: int
    setup_cue: str | None
    feel_cue: str | None = None


class Movement(NamedTuple):
    """One movement of a routine, with everything a coach says about it."""

    id: str
    name: str
    spoken_name: str
    duration_s: int
    holds: tuple[Hold, ...]
    switch_s: int
    switch_cue: str | None
    guided_breaths: int
    setup_cue: str
    form_cues: tuple[str, ...]
    hold_reminders: tuple[str, ...]
    release_cue: str
    why: str
    if_it_hurts: str
    prop_cue: str | None = None
    changes_level: bool = False
    move_s: int = DEFAULT_MOVE_S
    settle_s: int = DEFAULT_SETTLE_S
    release_s: int = DEFAULT_RELEASE_S

    @property
    def form_cue(self) -> str:
        """The form cue a person asks for mid-hold: the first of the form cues."""
        return self.form_cues[0]

    @property
    def has_sides(self) -> bool:
        return self.holds[0].side is not None

    @property
    def takes_time(self) -> bool:
        """Getting into it changes level or needs a prop: "take your time", and more silence."""
        return self.changes_level or self.prop_cue is not None


class Breathing(NamedTuple):
    """The paced breathing pattern, in seconds per half-breath, and the words that pace it:
    full cues first, then quieter ones as the person settles in, then a rhythm reminder."""

    inhale_s: int
    exhale_s: int
    inhale_cue: str
    exhale_cue: str
    full_cue_breaths: int
    quiet_inhale_cue: str
    quiet_exhale_cue: str
    rhythm_cue: str

    @property
    def cycle_s(self) -> int:
        return self.inhale_s + self.exhale_s


class CataloguePlace(NamedTuple):
    """Where the routine sits in the app's catalogue."""

    module_number: int
    module_title: str
    program: str
    workout: str
    level: str


class Routine(NamedTuple):
    """A complete guided routine as loaded from one file in `routines/`."""

    id: str
    title: str
    spoken_title: str
    spoken_names: tuple[str, ...]
    catalogue: CataloguePlace
    duration_s: int
    breathing: Breathing
    safety_advisory: str
    intro: str
    closing: str
    references: tuple[str, ...]
    movements: tuple[Movement, ...]
    slow_pace_percent: int = 0
    """How much longer holds may be made for a slower pace, in percent."""

    @property
    def minutes(self) -> int:
        return round(self.duration_s / 60)
