"""Where the person is in the routine right now: what the live progress line shows.

Why: the skill keeps no running clock; its state says where the last reply started coaching
(`position_s`), what it said first (`lead_s`, `lead_silence_s`), and how far it goes
(`covers_until_s`). The seconds of that reply actually played, at the simulated voice's own
pace, give the position through the core's own mapping (`core.position.position_after`), and
the core's timeline turns a position into a movement, a side and the time left.
"""

from __future__ import annotations

from dataclasses import dataclass

from psoas_release.core.library import RoutineLibrary
from psoas_release.core.position import coaching_of, position_after
from psoas_release.core.routines import Side
from psoas_release.core.state import Phase, SessionState
from psoas_release.core.timeline import Timeline, compile_timeline


@dataclass(frozen=True)
class Progress:
    """The routine as the person is living it; `None` fields are not known or not relevant."""

    phase: Phase
    routine_title: str | None = None
    position_s: float = 0.0
    movement_number: int | None = None
    """1-based, for people."""
    movement_count: int | None = None
    movement_name: str | None = None
    side: Side | None = None
    hold_left_s: float | None = None
    """Seconds left in the hold playing now; None between holds."""
    total_left_s: float | None = None


def playing_position(state: SessionState, timeline: Timeline, played_s: float | None,
                     voice_pace: float = 1.0) -> float:
    """The timeline position after `played_s` seconds of the reply that left `state`, on a
    device whose voice takes `voice_pace` seconds per second of the speaking model.

    The reply first says other words (an answer, a welcome), and it stops coaching at
    `covers_until_s`. With nothing playing, the saved position stands.
    """
    if played_s is None or state.phase is not Phase.COACHING or state.anchor_at is None:
        return state.position_s
    talk = played_s - voice_pace * state.lead_s - state.lead_silence_s
    return position_after(coaching_of(timeline, state), talk, voice_pace)


def progress_of(
    state: SessionState, library: RoutineLibrary, played_s: float | None = None,
    voice_pace: float = 1.0,
) -> Progress:
    """The progress line's content for `state`, `played_s` seconds into its reply's speech."""
    routine = library.get(state.routine_id) if state.routine_id else None
    if routine is None or state.phase in {Phase.IDLE, Phase.FINISHED}:
        return Progress(state.phase)
    timeline: Timeline = compile_timeline(routine, state.preferences)
    position = timeline.clamp(playing_position(state, timeline, played_s, voice_pace))
    segment = timeline.locate(position).segment
    movement = None if segment.movement is None else routine.movements[segment.movement]
    span = timeline.hold_span(position)
    return Progress(
        phase=state.phase,
        routine_title=routine.spoken_title,
        position_s=position,
        movement_number=None if segment.movement is None else segment.movement + 1,
        movement_count=len(routine.movements),
        movement_name=_title(movement.spoken_name) if movement else None,
        side=segment.side,
        hold_left_s=None if span is None else span[1] - position,
        total_left_s=timeline.end_s - position,
    )


def _title(spoken_name: str) -> str:
    """'the knee to chest hug' -> 'Knee to chest hug': a name for a line, not a sentence."""
    name = spoken_name.removeprefix("the ")
    return name[:1].upper() + name[1:]
