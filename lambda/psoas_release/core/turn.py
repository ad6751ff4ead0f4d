"""Where a person stands when a request arrives: the saved state brought up to now.

A saved state says what the last reply set going, not where the person is: a coaching reply
keeps playing after it is sent. So before any event is handled, `arrive` works out what time
and the world have done since, in this order, and the transition table takes it from there:

1. the device's pace is learned if this request proves the last reply played to its end, and
   the person's UTC offset is worked out anew if the one known does not cover now
   (`core.local_time`);
2. a saved routine that no longer exists is forgotten: the person is IDLE, with an apology;
3. during coaching, the place the speech reached is heard (`core.position`) and the coached
   seconds heard are counted towards the run;
4. a reply that played the routine to its end has finished it: the person is FINISHED, or
   OFFERING_REMINDER when its last words offered a daily reminder;
5. a reply that stopped at a movement boundary and has played out leaves the person
   AT_BOUNDARY, waiting to say "continue".
"""

import math
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from psoas_release.core.clock_time import ClockTime
from psoas_release.core.events import Event, EventKind
from psoas_release.core.history import record, run_counts
from psoas_release.core.library import RoutineLibrary
from psoas_release.core.local_time import local_date, span_at
from psoas_release.core.pace import (
    Ending,
    VoicePace,
    learn,
    listening_pace,
    measure,
    pace_of,
    with_pace,
)
from psoas_release.core.position import heard_position
from psoas_release.core.reminder_record import Offer, Pending, Wish
from psoas_release.core.routines import Routine
from psoas_release.core.state import Phase, SessionState
from psoas_release.core.timeline import Timeline, compile_timeline

NO_ROUTINE_PHASES = frozenset({Phase.IDLE, Phase.FINISHED, Phase.OFFERING_REMINDER})
"""Phases with no routine under way."""


class Where(StrEnum):
    """The phase a turn starts from: the saved phase, brought up to now by `arrive`."""

    IDLE = "idle"
    COACHING = "coaching"
    """A reply is coaching the routine, and its speech has not yet run out."""
    AT_BOUNDARY = "at_boundary"
    """A reply stopped at a movement boundary, played out, and invited "continue"."""
    PAUSED = "paused"
    OFFERING_RESUME = "offering_resume"
    FINISHED = "finished"
    OFFERING_REMINDER = "offering_reminder"
    """Finished, and the reply's last words asked whether to set a daily reminder."""


class Turn(NamedTuple):
    """What an action needs: the state, the event, the clock, and where the person is."""

    state: SessionState
    event: Event
    now: float
    library: RoutineLibrary
    timeline: Timeline | None
    position_s: float
    where: Where
    pace: VoicePace | None = None
    """What is known of this device's speaking pace; None before anything is."""

    @property
    def routine(self) -> Routine | None:
        return self.timeline.routine if self.timeline else None

    @property
    def time_heard(self) -> ClockTime | None:
        """The time of day the event names, if it names one Alexa understood."""
        return ClockTime.parse(self.event.value)

    @property
    def today(self) -> date:
        """The person's calendar date now, for history and streaks."""
        return local_date(self.now, self.state.time_zone, self.state.utc_offset)

    def with_state(self, state: SessionState) -> "Turn":
        return self._replace(state=state)


def arrive(state: SessionState, event: Event, now: float, library: RoutineLibrary) -> Turn:
    """The turn for `event`: `state` brought up to `now` (see the module's notes)."""
    if not math.isfinite(now):
        now = state.anchor_at or 0.0
    state = learned(state, event, now)
    span = span_at(now, state.time_zone, state.utc_offset)
    if span is not state.utc_offset:
        state = state._replace(utc_offset=span)
    routine = library.get(state.routine_id) if state.routine_id else None
    if (state.routine_id and routine is None) or (
            routine is None and state.phase not in NO_ROUTINE_PHASES):
        state = state.history_only()._replace(recovered=True)
    timeline = compile_timeline(routine, state.preferences) if routine else None
    pace = pace_of(state.paces, event.device)
    position = 0.0
    if timeline is not None and state.phase is Phase.COACHING:
        position = timeline.clamp(heard_position(timeline, state, now, *listening_pace(pace)))
        state = counted(state, position, timeline, now)
        if position >= timeline.end_s:
            state = completed(state, offer_heard=True)
    elif timeline is not None:
        position = timeline.clamp(state.position_s)
    return Turn(state, event, now, library, timeline, position,
                where_from(state, timeline, position), pace)


def where_from(state: SessionState, timeline: Timeline | None, position_s: float) -> Where:
    if state.phase is Phase.COACHING and timeline is not None \
            and state.covers_until_s <= position_s < timeline.end_s:
        return Where.AT_BOUNDARY
    return Where(state.phase.value)


def counted(state: SessionState, position_s: float, timeline: Timeline,
            now: float) -> SessionState:
    """The coached seconds the speech played since the reply started, added to this run; the
    run counts once, on the day more than half of it has been heard."""
    played = timeline.coached_left_s(state.position_s) - timeline.coached_left_s(position_s)
    heard_s = state.heard_s + max(0.0, played)
    advisory_heard = state.advisory_heard or position_s >= timeline.intro_s
    if state.run_counted or not run_counts(heard_s, timeline.coached_s):
        return state._replace(heard_s=heard_s, advisory_heard=advisory_heard)
    day = local_date(state.anchor_at or now, state.time_zone, state.utc_offset)
    return state._replace(heard_s=heard_s, advisory_heard=advisory_heard, run_counted=True,
                          completions=record(state.completions, day))


def completed(state: SessionState, *, offer_heard: bool = False) -> SessionState:
    """The state after a routine is done: counted once, nothing left to resume. When the reply
    that finished it was heard to its end and offered a daily reminder, the offer is made:
    once, whatever the answer, and the reminder it offers waits for a yes."""
    done = state.history_only()._replace(phase=Phase.FINISHED,
                                         completed_count=state.completed_count + 1)
    offered = ClockTime.parse(state.offer_time) if offer_heard else None
    if offered is None:
        return done
    reminder = done.reminder._replace(offer=Offer.MADE, pending=Pending(Wish.SET, offered))
    return done._replace(phase=Phase.OFFERING_REMINDER, reminder=reminder)


def learned(state: SessionState, event: Event, now: float) -> SessionState:
    """`state` with what this request teaches of the device's pace: whether it proves the last
    reply played to its end (a timed-out session, an answer to its question), and if so how
    long the device took to say it. The reply is then spent either way."""
    spoken = state.spoken
    if spoken is None:
        return state
    state = state._replace(spoken=None)
    if event.device != spoken.device:
        return state
    if event.kind is EventKind.SESSION_ENDED and event.timed_out:
        ending = Ending.TIMED_OUT
    elif event.kind.value in spoken.answers and not event.new_session:
        ending = Ending.ANSWERED
    else:
        return state
    observed = measure(spoken, now, ending)
    if observed is None:
        return state
    pace = learn(pace_of(state.paces, spoken.device), observed)
    return state._replace(paces=with_pace(state.paces, spoken.device, pace))
