"""The timeline: a routine compiled into timed segments, each with cues at exact offsets.

Every second of silence Alexa plays is part of a timed hold, so the routine is laid out once,
in seconds from the start, and everything else (speech rendering, "how much time is left",
"next", resuming after a pause) reads positions on this one line. Positions are in the
speaking model's time (`core.speaking`); a device that speaks slower or faster plays the
words longer or shorter, never the silences (see `core.position`).

Coached time is the holds: the routine's own figure (10 minutes for the psoas release). The
safety advisory, the intro, each setup with the silence to get into position, the release
and side switches with the silence to move, and the closing are overhead, reported
separately, so a "60-second hold" is always 60 seconds of holding.

How a coach lays out one movement, as a teacher beside the mat would:
- setup: the title ("Next, the glute bridge."), how to get into position, a prop, the form
  cue, "Take your time." after a level change or a prop; then silence (`settle_s` before a
  hold, `move_s` before a first side's setup);
- each hold: "One minute, starting now.", guided breaths on the breathing grid (full cues,
  then quiet ones), the rhythm cue, where to feel it, reminders that never repeat the other
  side's, and the countdown ("Thirty seconds left.");
- between sides the switch cue and `switch_s` of silence; after the last hold the release cue
  and `release_s` of silence before the next instruction.
"""

import bisect
import functools
import math
import re
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import NamedTuple

from psoas_release.core.numbers import duration_words, sentence
from psoas_release.core.preferences import (
    DEFAULT_PREFERENCES,
    Countdown,
    CueLevel,
    Pace,
    Preferences,
)
from psoas_release.core.routines import Hold, Movement, Routine, Side, reminder_count
from psoas_release.core.speaking import SLOWEST_PACE, speaking_seconds

PAUSE_AFTER_TALK_S = 1.0
"""Silence after the advisory and the intro, so sentences do not run into each other."""

TAKE_YOUR_TIME = "Take your time."
"""Said after a setup that changes level or needs a prop, before the longer silence."""

WHAT_YOU_CAN_SAY = (
    "Any time, you can say: Alexa, repeat the form cue, how much time is left, pause, or next."
)

CUE_ROOM_S = 2.0
"""Silence kept around a reminder or a feel cue in a hold, so it never runs into other words."""

FEEL_AFTER_S = 4.0
"""Where the feel cue goes: this long after the hold's opening words (start, breaths)."""

FINAL_STRETCH_S = 12.0
"""The end of a hold is for the last countdown mark and letting go: no reminder in it."""


class SegmentKind(StrEnum):
    """What happens during a segment; HOLD is coached time, the rest overhead."""

    ADVISORY = "advisory"
    INTRO = "intro"
    SETUP = "setup"
    SIDE_SETUP = "side_setup"
    HOLD = "hold"
    SWITCH = "switch"
    RELEASE = "release"
    CLOSING = "closing"


TITLED_KINDS = frozenset({SegmentKind.SETUP, SegmentKind.SIDE_SETUP})
"""Segments whose first cue names what comes ("Next, the glute bridge.", "Left side.")."""


class Cue(NamedTuple):
    """Words said at an offset (seconds) into their segment; `soft` ones are said quietly."""

    at_s: float
    text: str
    soft: bool = False

    @property
    def end_s(self) -> float:
        """Where the words end under the speaking model."""
        return self.at_s + speaking_seconds(self.text)


class Segment(NamedTuple):
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
        return self.kind is SegmentKind.HOLD

    @property
    def words_end_s(self) -> float:
        """Offset where the segment's last words end and its closing silence begins."""
        return max((cue.end_s for cue in self.cues), default=0.0)


class HoldSpan(NamedTuple):
    """One hold as a person thinks of it: a movement, maybe a side, from start to end."""

    movement: int
    side: Side | None
    start_s: float
    end_s: float


class Location(NamedTuple):
    """Where a position falls: the segment and how far into it."""

    segment_index: int
    segment: Segment
    offset_s: float


class Timeline:
    """A routine laid out in time. Positions are seconds since the start of the advisory.

    Compared by identity: a timeline is compiled once per routine and preferences and cached,
    so caches keyed by it never hash its hundred cues."""

    def __init__(self, routine: Routine, segments: tuple[Segment, ...]) -> None:
        self.routine = routine
        self.segments = segments

    def __repr__(self) -> str:
        return f"Timeline({self.routine.id!r}, {len(self.segments)} segments)"

    @functools.cached_property
    def end_s(self) -> float:
        return self.segments[-1].end_s

    @property
    def intro_s(self) -> float:
        """Where a returning person starts: after the safety advisory."""
        return next(s.start_s for s in self.segments if s.kind is SegmentKind.INTRO)

    @functools.cached_property
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
        """Every hold in order."""
        return tuple(HoldSpan(s.movement, s.side, s.start_s, s.end_s)
                     for s in self.segments if s.coached and s.movement is not None)

    def hold_at(self, position_s: float) -> HoldSpan | None:
        """The hold playing at `position_s`, if one is."""
        return next((h for h in self.holds if h.start_s <= position_s < h.end_s), None)

    def next_hold(self, position_s: float) -> HoldSpan | None:
        """The first hold that starts after `position_s`, if any is left."""
        return next((h for h in self.holds if h.start_s > position_s), None)

    def hold_in_focus(self, position_s: float) -> HoldSpan | None:
        """The hold a person is in, or between holds the one being set up next: what a
        question about "this one" means during a release, a switch or a setup."""
        return self.hold_at(position_s) or self.next_hold(position_s)

    def hold_span(self, position_s: float) -> tuple[float, float] | None:
        """(start, end) of the hold playing at `position_s`."""
        hold = self.hold_at(position_s)
        return (hold.start_s, hold.end_s) if hold else None

    @functools.cached_property
    def cue_times(self) -> tuple[float, ...]:
        """Where each cue is said on the timeline, in the order said: never decreasing, so a
        reply from any moment starts at the first cue at or after it (`core.speech`)."""
        times = tuple(segment.start_s + cue.at_s for segment in self.segments
                      for cue in segment.cues)
        assert list(times) == sorted(times), "cues out of order"
        return times

    @functools.cached_property
    def _words_before(self) -> list[float]:
        """Seconds of words (at the speaking model) of the cues before each cue, and of all."""
        before = [0.0]
        for segment in self.segments:
            for cue in segment.cues:
                before.append(before[-1] + speaking_seconds(cue.text))
        return before

    def words_s_between(self, from_s: float, until_s: float) -> float:
        """Seconds of words (at the speaking model) of the cues said from `from_s` to before
        `until_s`."""
        times, before = self.cue_times, self._words_before
        first = bisect.bisect_left(times, from_s)
        return before[max(first, bisect.bisect_left(times, until_s))] - before[first]

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

    def after_title(self, position_s: float) -> float:
        """Where the instruction begins in the setup at or after `position_s`, past the title
        that names it: for coaching that follows words already naming the place."""
        index = self.locate(position_s).segment_index
        for segment in self.segments[index:]:
            if segment.kind in TITLED_KINDS and len(segment.cues) > 1:
                return segment.start_s + segment.cues[1].at_s
            if segment.coached:
                break
        return position_s

    def carry(self, position_s: float, other: "Timeline") -> float:
        """The same place on `other` (the routine at other preferences): same segment, as far
        into it as here, so time already held stays held."""
        location = self.locate(position_s)
        segment = other.segments[location.segment_index]
        return segment.start_s + min(location.offset_s, segment.duration_s)

    @functools.cached_property
    def _coached_ends(self) -> tuple[list[float], list[float]]:
        """Each hold's end, and the coached seconds from it to the routine's end."""
        holds = [s for s in self.segments if s.coached]
        ends = [s.end_s for s in holds]
        after = [sum(s.duration_s for s in holds[i + 1:]) for i in range(len(holds))]
        return ends, after

    def coached_left_s(self, position_s: float) -> float:
        """Coached seconds from `position_s` to the end."""
        ends, after = self._coached_ends
        index = bisect.bisect_right(ends, position_s)
        if index == len(ends):
            return 0.0
        hold = self.holds[index]
        return after[index] + hold.end_s - max(hold.start_s, position_s)


def sentences(text: str) -> list[str]:
    """`text` split after each full stop, question or exclamation mark: the places a spoken
    paragraph can be resumed from."""
    return [part for part in re.split(r"(?<=[.!?])\s+", text.strip()) if part]


def _spoken(kind: SegmentKind, start_s: float, texts: list[str], movement: int | None,
            side: Side | None, pause_s: float) -> Segment:
    """A segment of instructions said one after another, then `pause_s` of silence."""
    cues: list[Cue] = []
    at = 0.0
    for text in filter(None, texts):
        cues.append(Cue(at, text))
        at = round(at + speaking_seconds(text), 3)
    return Segment(kind, start_s, round(at + pause_s, 3), movement, side, tuple(cues))


def _overlaps(start: float, end: float, taken: list[tuple[float, float]], room: float) -> bool:
    """Whether words from `start` to `end` (plus `room` either side) touch a placed cue's
    words (`taken`, from and to), all timed at the slowest voice, so no device talks over
    itself. A plain loop: compiling a timeline asks this thousands of times."""
    for said_from, said_until in taken:
        if start - room < said_until and said_from < end + room:
            return True
    return False


def _place(placed: list[Cue], text: str, offsets: Iterable[float], length_s: float,
           room: float = 0.0) -> None:
    """Add `text` at the first of `offsets` where it fits in the hold without touching other
    words; leave it out when none does."""
    said_s = speaking_seconds(text) * SLOWEST_PACE
    taken = [(cue.at_s, cue.at_s + speaking_seconds(cue.text) * SLOWEST_PACE) for cue in placed]
    for at in offsets:
        if at >= 0 and at + said_s <= length_s and not _overlaps(at, at + said_s, taken, room):
            placed.append(Cue(float(at), text))
            return


def _near(target: float, low: float, high: float) -> Iterator[float]:
    """Whole-second offsets from `low` to `high`, nearest to `target` first (earlier on ties).

    Walked outwards from the target as they are asked for: a cue usually fits within a few
    tries, and sorting every offset of every hold was a fifth of compiling a timeline."""
    first, last = max(0, int(low)), int(high)
    below = max(min(math.floor(target), last), first - 1)
    above = below + 1
    while below >= first or above <= last:
        if above > last or (below >= first and target - below <= above - target):
            yield float(below)
            below -= 1
        else:
            yield float(above)
            above += 1


def _time_left_words(left: int) -> str:
    return sentence(f"{duration_words(left)} left.")


COUNTDOWN_MARKS = {
    Countdown.STANDARD: (60, 30, 10),
    Countdown.FREQUENT: (120, 90, 80, 70, 60, 50, 40, 30, 20, 10),
    Countdown.MINIMAL: (10,),
}
"""Seconds left at which each countdown style speaks ("Thirty seconds left."), where the hold
is at least one and a half times as long."""


def start_cue(length_s: int) -> str:
    """What opens a hold: how long it lasts, and that the clock is running."""
    return sentence(f"{duration_words(length_s)}, starting now.")


def hold_seconds(routine: Routine, hold: Hold, preferences: Preferences) -> int:
    """The hold's length at the person's pace: slower stays within the routine's range."""
    if preferences.pace is Pace.SLOW:
        return round(hold.hold_s * (100 + routine.slow_pace_percent) / 100)
    return hold.hold_s


def _breath_cues(routine: Routine, movement: Movement) -> list[Cue]:
    """The guided breaths on the breathing grid, full cues first, then quieter ones, then the
    rhythm cue. The start cue takes the place of an out-breath, so the first in-breath begins
    `exhale_s` after the hold starts."""
    breathing = routine.breathing
    if not movement.guided_breaths:
        return []
    cues: list[Cue] = []
    at = float(breathing.exhale_s)
    for number in range(movement.guided_breaths):
        full = number < breathing.full_cue_breaths
        cues.append(Cue(at, breathing.inhale_cue if full else breathing.quiet_inhale_cue,
                        soft=not full))
        cues.append(Cue(at + breathing.inhale_s,
                        breathing.exhale_cue if full else breathing.quiet_exhale_cue,
                        soft=not full))
        at += breathing.cycle_s
    cues.append(Cue(at, breathing.rhythm_cue))
    return cues


def _hold_segment(routine: Routine, index: int, number: int, start_s: float,
                  preferences: Preferences) -> Segment:
    """One hold: its start cue and breaths, the countdown, then (with full cues) where to feel
    it and reminders, each where it fits without touching other words."""
    movement = routine.movements[index]
    hold = movement.holds[number]
    length_s = hold_seconds(routine, hold, preferences)
    cues = [Cue(0.0, start_cue(length_s)), *_breath_cues(routine, movement)]
    opening_end = max(cue.at_s + speaking_seconds(cue.text) * SLOWEST_PACE for cue in cues)
    for left in COUNTDOWN_MARKS[preferences.countdown]:
        if length_s >= 1.5 * left:
            _place(cues, _time_left_words(left), [float(length_s - left)], length_s)
    if preferences.cue_level is CueLevel.FULL:
        if hold.feel_cue:
            target = opening_end + FEEL_AFTER_S
            _place(cues, hold.feel_cue, _near(target, target, length_s / 2), length_s, CUE_ROOM_S)
        for reminder, target in _reminders(routine, movement, number, preferences):
            _place(cues, reminder, _near(target, 1, length_s - FINAL_STRETCH_S), length_s,
                   CUE_ROOM_S)
    return Segment(SegmentKind.HOLD, start_s, float(length_s), index, hold.side,
                   tuple(sorted(cues, key=lambda cue: cue.at_s)))


def _reminders(routine: Routine, movement: Movement, number: int,
               preferences: Preferences) -> list[tuple[str, float]]:
    """(reminder, where it should go) for hold `number`: spread evenly through the hold, taken
    from where the movement's earlier holds left off, so no side repeats another's words."""
    lengths = [hold_seconds(routine, hold, preferences) for hold in movement.holds]
    first = sum(reminder_count(length) for length in lengths[:number])
    count = min(reminder_count(lengths[number]), len(movement.hold_reminders))
    reminders = movement.hold_reminders
    return [(reminders[(first + i) % len(reminders)], lengths[number] * (i + 1) / (count + 1))
            for i in range(count)]


def _title(routine: Routine, index: int) -> str:
    movement = routine.movements[index]
    if index == 0:
        return f"First, {movement.spoken_name}."
    last = index == len(routine.movements) - 1
    return f"{'Last' if last else 'Next'}, {movement.spoken_name}."


def _setup_texts(routine: Routine, index: int, full: bool) -> list[str]:
    """The movement's title and how to get into it (the form cue too when it has no sides)."""
    movement = routine.movements[index]
    texts = [_title(routine, index), movement.setup_cue]
    if movement.prop_cue:
        texts.append(movement.prop_cue)
    if full and not movement.has_sides:
        texts.append(movement.form_cue)
    if movement.takes_time:
        texts.append(TAKE_YOUR_TIME)
    return texts


def _movement_segments(routine: Routine, index: int, start_s: float,
                       preferences: Preferences) -> list[Segment]:
    movement = routine.movements[index]
    full = preferences.cue_level is CueLevel.FULL
    pause = movement.move_s if movement.has_sides else movement.settle_s
    segments = [_spoken(SegmentKind.SETUP, start_s, _setup_texts(routine, index, full), index,
                        None, pause)]
    for number, hold in enumerate(movement.holds):
        if number:
            segments.append(_spoken(SegmentKind.SWITCH, segments[-1].end_s,
                                    [movement.switch_cue or "Switch sides."], index, hold.side,
                                    movement.switch_s))
        if hold.side is not None:
            texts = [f"{sentence(hold.side.value)} side.", hold.setup_cue or ""]
            if number == 0 and full:
                texts.append(movement.form_cue)
            segments.append(_spoken(SegmentKind.SIDE_SETUP, segments[-1].end_s, texts, index,
                                    hold.side, movement.settle_s))
        segments.append(_hold_segment(routine, index, number, segments[-1].end_s, preferences))
    segments.append(_spoken(SegmentKind.RELEASE, segments[-1].end_s, [movement.release_cue],
                            index, None, movement.release_s))
    return segments


_COMPILED: dict[tuple[int, Preferences], Timeline] = {}
"""Timelines by routine identity and preferences. Keyed by identity because a routine's hash
walks its every movement and cue, on every lookup; the timeline keeps its routine alive, so
the identity is never reused while the entry exists."""


def compile_timeline(
    routine: Routine, preferences: Preferences = DEFAULT_PREFERENCES
) -> Timeline:
    """Lay the routine out in time for the person's preferences.

    Cached: routines and preferences are immutable, so is their timeline. Every preference
    gives the same segments in the same order, only timed or worded differently, so a
    position carries over from one to another (`Timeline.carry`).
    """
    key = (id(routine), preferences)
    timeline = _COMPILED.get(key)
    if timeline is None:
        timeline = _COMPILED[key] = _compile(routine, preferences)
    return timeline


def _compile(routine: Routine, preferences: Preferences) -> Timeline:
    segments = [_spoken(SegmentKind.ADVISORY, 0.0, sentences(routine.safety_advisory), None,
                        None, PAUSE_AFTER_TALK_S)]
    segments.append(_spoken(SegmentKind.INTRO, segments[-1].end_s,
                            [*sentences(routine.intro), WHAT_YOU_CAN_SAY], None, None,
                            PAUSE_AFTER_TALK_S))
    for index in range(len(routine.movements)):
        segments += _movement_segments(routine, index, segments[-1].end_s, preferences)
    segments.append(_spoken(SegmentKind.CLOSING, segments[-1].end_s,
                            sentences(routine.closing), None, None, 0.0))
    return Timeline(routine, tuple(segments))
