"""The timeline: a routine compiled into timed segments, each with cues at exact offsets.

Every second of silence Alexa plays is part of a timed hold, so the routine is laid out once,
in seconds from the start, and everything else (speech rendering, "how much time is left",
"next", resuming after a pause) reads positions on this one line.

Coached time is the holds: the routine's own figure (10 minutes for the psoas release). Spoken
setup, side switches, the intro, the closing and the safety advisory are overhead, reported
separately, so a "60-second hold" is always 60 seconds of holding.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from enum import StrEnum

from psoas_release.core.preferences import (
    DEFAULT_PREFERENCES,
    Countdown,
    CueLevel,
    Pace,
    Preferences,
)
from psoas_release.core.routines import Hold, Routine, Side
from psoas_release.core.speaking import speaking_seconds

SETTLE_S = 3.0
"""Silence after a setup instruction, for the person to get into position."""

PAUSE_AFTER_TALK_S = 1.0
"""Silence after the advisory and the intro, so sentences do not run into each other."""

RELEASE_CUE = "And release."
"""Said when a movement's last hold ends, before the next movement is set up."""

WHAT_YOU_CAN_SAY = (
    "Any time, you can say: Alexa, repeat the form cue, how much time is left, pause, or next."
)


class SegmentKind(StrEnum):
    """What happens during a segment; BREATHING and HOLD are coached time, the rest overhead."""

    ADVISORY = "advisory"
    INTRO = "intro"
    SETUP = "setup"
    SIDE_SETUP = "side_setup"
    BREATHING = "breathing"
    HOLD = "hold"
    SWITCH = "switch"
    RELEASE = "release"
    CLOSING = "closing"


COACHED_KINDS = frozenset({SegmentKind.BREATHING, SegmentKind.HOLD})


@dataclass(frozen=True)
class Cue:
    """Words said at an offset (seconds) into their segment."""

    at_s: float
    text: str


@dataclass(frozen=True)
class Segment:
    """A stretch of the routine: where it starts, how long it lasts, what is said in it."""

    kind: SegmentKind
    start_s: float
    duration_s: float
    movement: int | None
    side: Side | None
    cues: tuple[Cue, ...]

    @property
    def end_s(self) -> float:
        return round(self.start_s + self.duration_s, 3)

    @property
    def coached(self) -> bool:
        return self.kind in COACHED_KINDS


@dataclass(frozen=True)
class HoldSpan:
    """One hold as a person thinks of it: a movement, maybe a side, its breathing and hold."""

    movement: int
    side: Side | None
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Location:
    """Where a position falls: the segment and how far into it."""

    index: int
    segment: Segment
    offset_s: float


@dataclass(frozen=True)
class Timeline:
    """A routine laid out in time. Positions are seconds since the start of the advisory."""

    routine: Routine
    segments: tuple[Segment, ...]

    @property
    def end_s(self) -> float:
        return self.segments[-1].end_s

    @property
    def intro_s(self) -> float:
        """Where a returning person starts: after the safety advisory."""
        return next(s.start_s for s in self.segments if s.kind is SegmentKind.INTRO)

    @property
    def coached_s(self) -> float:
        return sum(s.duration_s for s in self.segments if s.coached)

    @property
    def overhead_s(self) -> float:
        """Spoken and transition time on top of the coached time (advisory excluded)."""
        return self.end_s - self.intro_s - self.coached_s

    @functools.cached_property
    def _starts(self) -> list[float]:
        return [segment.start_s for segment in self.segments]

    def clamp(self, position_s: float) -> float:
        return min(max(position_s, 0.0), self.end_s)

    def locate(self, position_s: float) -> Location:
        """The segment playing at `position_s` (the last one at or after the end)."""
        position_s = self.clamp(position_s)
        index = max(bisect.bisect_right(self._starts, position_s) - 1, 0)
        segment = self.segments[index]
        return Location(index, segment, position_s - segment.start_s)

    @functools.cached_property
    def holds(self) -> tuple[HoldSpan, ...]:
        """Every hold in order, each spanning its breathing and hold segments."""
        spans: list[HoldSpan] = []
        for segment in self.segments:
            if not segment.coached or segment.movement is None:
                continue
            last = spans[-1] if spans else None
            if last and (last.movement, last.side) == (segment.movement, segment.side):
                spans[-1] = HoldSpan(last.movement, last.side, last.start_s, segment.end_s)
            else:
                spans.append(HoldSpan(segment.movement, segment.side, segment.start_s,
                                      segment.end_s))
        return tuple(spans)

    def hold_at(self, position_s: float) -> HoldSpan | None:
        """The hold playing at `position_s`, if one is."""
        return next((h for h in self.holds if h.start_s <= position_s < h.end_s), None)

    def next_hold(self, position_s: float) -> HoldSpan | None:
        """The first hold that starts after `position_s`, if any is left."""
        return next((h for h in self.holds if h.start_s > position_s), None)

    def hold_span(self, position_s: float) -> tuple[float, float] | None:
        """(start, end) of the hold playing at `position_s`: breathing plus hold segments."""
        hold = self.hold_at(position_s)
        return (hold.start_s, hold.end_s) if hold else None

    @functools.cached_property
    def steps(self) -> tuple[float, ...]:
        """Where "next" and "previous" land: each movement's setup, each side switch, the end."""
        kinds = {SegmentKind.SETUP, SegmentKind.SWITCH, SegmentKind.CLOSING}
        return tuple(s.start_s for s in self.segments if s.kind in kinds)

    @functools.cached_property
    def movement_starts(self) -> tuple[float, ...]:
        """Where each movement's setup begins: the places a long reply may stop and invite the
        person to continue (never before the closing, which is too short to wait for)."""
        return tuple(s.start_s for s in self.segments if s.kind is SegmentKind.SETUP)

    def carry(self, position_s: float, other: Timeline) -> float:
        """The same place on `other` (the routine at other preferences): same segment, as far
        into it as here, so time already held stays held."""
        location = self.locate(position_s)
        segment = other.segments[location.index]
        return segment.start_s + min(location.offset_s, segment.duration_s)

    def coached_left_s(self, position_s: float) -> float:
        """Coached seconds from `position_s` to the end."""
        return sum(
            max(0.0, s.end_s - max(s.start_s, position_s))
            for s in self.segments
            if s.coached and s.end_s > position_s
        )


def _spoken(kind: SegmentKind, start_s: float, text: str, movement: int | None,
            side: Side | None, pause_s: float) -> Segment:
    """A segment that is one instruction followed by a short silence."""
    duration = round(speaking_seconds(text) + pause_s, 3)
    return Segment(kind, start_s, duration, movement, side, (Cue(0.0, text),))


def _place(placed: list[Cue], alternatives: list[Cue], length_s: float) -> None:
    """Add the first alternative that fits in the segment without talking over another cue."""
    for candidate in alternatives:
        start, end = candidate.at_s, candidate.at_s + speaking_seconds(candidate.text)
        if start < 0 or end > length_s:
            continue
        if not any(start < c.at_s + speaking_seconds(c.text) and c.at_s < end for c in placed):
            placed.append(candidate)
            return


REMINDER_SHIFTS_S = (0, -6, 6, -10, 10, -14)
"""Where the mid-hold reminder may go, relative to the middle, in order of preference."""

TIME_LEFT_WORDS = {
    10: "Ten more seconds.", 20: "Twenty seconds.", 30: "Thirty seconds.", 40: "Forty seconds.",
    50: "Fifty seconds.", 60: "One minute to go.", 70: "Seventy seconds.",
    80: "Eighty seconds.", 90: "Ninety seconds.", 120: "Two minutes to go.",
}
"""What is said with so many seconds of a hold left."""

COUNTDOWN_MARKS = {
    Countdown.STANDARD: (60, 30, 10),
    Countdown.FREQUENT: tuple(sorted(TIME_LEFT_WORDS, reverse=True)),
    Countdown.MINIMAL: (10,),
}
"""Seconds left at which each countdown style speaks, where the hold is long enough."""


def hold_seconds(routine: Routine, hold: Hold, preferences: Preferences) -> int:
    """The hold's length at the person's pace: slower stays within the routine's range."""
    if preferences.pace is Pace.SLOW:
        return round(hold.hold_s * (100 + routine.slow_pace_percent) / 100)
    return hold.hold_s


def _hold_segments(routine: Routine, index: int, hold: Hold, start_s: float,
                   preferences: Preferences) -> list[Segment]:
    """The guided breaths (on the breathing grid), then the hold with its marks and reminder."""
    movement = routine.movements[index]
    length_s = hold_seconds(routine, hold, preferences)
    breathing = routine.breathing
    cycle = breathing.inhale_s + breathing.exhale_s
    breath_s = movement.guided_breaths * cycle
    segments = []
    if breath_s:
        cues = []
        for n in range(movement.guided_breaths):
            cues.append(Cue(float(n * cycle), breathing.inhale_cue))
            cues.append(Cue(float(n * cycle + breathing.inhale_s), breathing.exhale_cue))
        segments.append(Segment(SegmentKind.BREATHING, start_s, float(breath_s), index,
                                hold.side, tuple(cues)))
    rest_s = float(length_s - breath_s)
    if rest_s > 0:
        cues = [] if breath_s else [Cue(0.0, "Hold.")]
        for left in COUNTDOWN_MARKS[preferences.countdown]:
            if length_s >= 1.5 * left:
                _place(cues, [Cue(rest_s - left, TIME_LEFT_WORDS[left])], rest_s)
        if preferences.cue_level is CueLevel.FULL:
            middle = length_s / 2 - breath_s
            _place(cues, [Cue(float(round(middle + shift)), movement.mid_hold_reminder)
                          for shift in REMINDER_SHIFTS_S], rest_s)
        segments.append(Segment(SegmentKind.HOLD, start_s + breath_s, rest_s, index,
                                hold.side, tuple(sorted(cues, key=lambda cue: cue.at_s))))
    return segments


def _movement_segments(routine: Routine, index: int, start_s: float,
                       preferences: Preferences) -> list[Segment]:
    movement = routine.movements[index]
    full = preferences.cue_level is CueLevel.FULL
    count = len(routine.movements)
    title = f"{'Last' if index == count - 1 else 'Next'}, {movement.spoken_name}." if index \
        else f"First, {movement.spoken_name}."
    segments: list[Segment] = []
    clock = start_s
    for number, hold in enumerate(movement.holds):
        if number == 0:
            text = f"{title} {movement.setup_cue}"
            if hold.side is None and full:
                text += f" {movement.form_cue}"
            segments.append(_spoken(SegmentKind.SETUP, clock, text, index, None,
                                    SETTLE_S if hold.side is None else PAUSE_AFTER_TALK_S))
        else:
            switch_cue = movement.switch_cue or "Switch sides."
            switch_s = max(float(movement.switch_s), speaking_seconds(switch_cue))
            segments.append(Segment(SegmentKind.SWITCH, clock, switch_s, index, hold.side,
                                    (Cue(0.0, switch_cue),)))
        clock = segments[-1].end_s
        if hold.side is not None:
            form = f" {movement.form_cue}" if number == 0 and full else ""
            text = f"{hold.side.value.capitalize()} side. {hold.setup_cue}{form}"
            segments.append(_spoken(SegmentKind.SIDE_SETUP, clock, text, index, hold.side,
                                    SETTLE_S))
            clock = segments[-1].end_s
        segments += _hold_segments(routine, index, hold, clock, preferences)
        clock = segments[-1].end_s
    segments.append(_spoken(SegmentKind.RELEASE, clock, RELEASE_CUE, index, None, 0.0))
    return segments


@functools.cache
def compile_timeline(
    routine: Routine, preferences: Preferences = DEFAULT_PREFERENCES
) -> Timeline:
    """Lay the routine out in time for the person's preferences.

    Cached: routines and preferences are immutable, so is their timeline. Every preference
    gives the same segments in the same order, only timed or worded differently, so a
    position carries over from one to another (`Timeline.carry`).
    """
    segments = [_spoken(SegmentKind.ADVISORY, 0.0, routine.safety_advisory, None, None,
                        PAUSE_AFTER_TALK_S)]
    intro = f"{routine.intro} {WHAT_YOU_CAN_SAY}"
    segments.append(_spoken(SegmentKind.INTRO, segments[-1].end_s, intro, None, None,
                            PAUSE_AFTER_TALK_S))
    for index in range(len(routine.movements)):
        segments += _movement_segments(routine, index, segments[-1].end_s, preferences)
    segments.append(_spoken(SegmentKind.CLOSING, segments[-1].end_s, routine.closing, None,
                            None, 0.0))
    return Timeline(routine, tuple(segments))
