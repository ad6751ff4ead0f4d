"""The routine model: what a guided routine is, as plain frozen data.

Every client coaches from these values; nothing here knows about YAML, Alexa or storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Side(StrEnum):
    """Which side of the body works in a two-sided hold."""

    RIGHT = "right"
    LEFT = "left"


@dataclass(frozen=True)
class Hold:
    """One timed hold: the whole movement, or one side of it."""

    side: Side | None
    hold_s: int
    setup_cue: str | None


@dataclass(frozen=True)
class Movement:
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
    mid_hold_reminder: str
    why: str
    if_it_hurts: str

    @property
    def form_cue(self) -> str:
        """The form cue a person asks for mid-hold: the first of the form cues."""
        return self.form_cues[0]

    @property
    def has_sides(self) -> bool:
        return self.holds[0].side is not None


@dataclass(frozen=True)
class Breathing:
    """The paced breathing pattern, in seconds per half-breath."""

    inhale_s: int
    exhale_s: int
    inhale_cue: str
    exhale_cue: str


@dataclass(frozen=True)
class CataloguePlace:
    """Where the routine sits in the app's catalogue."""

    module_number: int
    module_title: str
    program: str
    workout: str
    level: str


@dataclass(frozen=True)
class Routine:
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
