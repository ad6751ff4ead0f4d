"""The routine model: what a guided routine is, as plain frozen data.

Every client coaches from these values; nothing here knows about YAML, Alexa or storage.
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, NamedTuple


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


def build_routine(document: Mapping[str, Any]) -> Routine:
    """The frozen routine for a document that passed the schema and the semantic checks."""
    catalogue = document["catalogue"]
    breathing = document["breathing"]
    return Routine(
        id=document["id"],
        title=document["title"],
        spoken_title=document["spoken_title"],
        spoken_names=tuple(document["spoken_names"]),
        catalogue=CataloguePlace(
            module_number=catalogue["module"]["number"],
            module_title=catalogue["module"]["title"],
            program=catalogue["program"],
            workout=catalogue["workout"],
            level=catalogue["level"],
        ),
        duration_s=document["duration_s"],
        breathing=Breathing(
            inhale_s=breathing["inhale_s"],
            exhale_s=breathing["exhale_s"],
            inhale_cue=_one_line(breathing["inhale_cue"]),
            exhale_cue=_one_line(breathing["exhale_cue"]),
            full_cue_breaths=breathing["full_cue_breaths"],
            quiet_inhale_cue=_one_line(breathing["quiet_inhale_cue"]),
            quiet_exhale_cue=_one_line(breathing["quiet_exhale_cue"]),
            rhythm_cue=_one_line(breathing["rhythm_cue"]),
        ),
        safety_advisory=_one_line(document["safety_advisory"]),
        intro=_one_line(document["intro"]),
        closing=_one_line(document["closing"]),
        references=tuple(document["references"]),
        movements=tuple(_build_movement(movement) for movement in document["movements"]),
        slow_pace_percent=document.get("slow_pace_percent", 0),
    )


def _build_movement(movement: Mapping[str, Any]) -> Movement:
    feel_cue = _optional_line(movement.get("feel_cue"))
    if "sides" in movement:
        holds = tuple(
            Hold(Side(side["side"]), side["hold_s"], _one_line(side["setup_cue"]),
                 _optional_line(side.get("feel_cue")) or feel_cue)
            for side in movement["sides"]
        )
    else:
        holds = (Hold(None, movement["hold_s"], None, feel_cue),)
    return Movement(
        id=movement["id"],
        name=movement["name"],
        spoken_name=_one_line(movement["spoken_name"]),
        duration_s=movement["duration_s"],
        holds=holds,
        switch_s=movement.get("switch_s", 0),
        switch_cue=_optional_line(movement.get("switch_cue")),
        guided_breaths=movement.get("guided_breaths", 0),
        setup_cue=_one_line(movement["setup_cue"]),
        form_cues=tuple(_one_line(cue) for cue in movement["form_cues"]),
        hold_reminders=tuple(_one_line(cue) for cue in movement["hold_reminders"]),
        release_cue=_one_line(movement["release_cue"]),
        why=_one_line(movement["why"]),
        if_it_hurts=_one_line(movement["if_it_hurts"]),
        prop_cue=_optional_line(movement.get("prop_cue")),
        changes_level=movement.get("changes_level", False),
        move_s=movement.get("move_s", DEFAULT_MOVE_S),
        settle_s=movement.get("settle_s", DEFAULT_SETTLE_S),
        release_s=movement.get("release_s", DEFAULT_RELEASE_S),
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _optional_line(text: str | None) -> str | None:
    return _one_line(text) if text else None
