"""The building blocks of every action: speak the routine from a place, or come to rest.

Actions (`core.machine`) choose where to go; these say how: what the reply says, where it
starts and stops, and what the state must remember of it so the next request can tell where
the person is.
"""

from __future__ import annotations

from collections.abc import Callable

from psoas_release.core.clock_time import ClockTime
from psoas_release.core.history import record, run_counts, streak, streak_phrase
from psoas_release.core.pace import speaking_pace
from psoas_release.core.reminder_words import REMINDER_OFFER_REPROMPT, offer_question
from psoas_release.core.reply import Reply
from psoas_release.core.routines import Routine
from psoas_release.core.speech import lead_of, plan_coaching
from psoas_release.core.state import Phase, SessionState
from psoas_release.core.timeline import Timeline, compile_timeline
from psoas_release.core.turn import Turn

CONTINUE_REPROMPT = "Say continue when you're ready, or stop."
END_PROMPT = "Say start over to go again, or stop."
OFFER_REPROMPT = "Shall we carry on where you left off? Say yes or no."
RESUME_PROMPT = "Say resume when you're ready."
RESUME_REPROMPT = ("I've saved your place. Say resume now, or later, say: "
                   "Alexa, open psoas release.")
START_PROMPT = "Say start to begin, or stop."

OFFERED_AFTER_DAYS = 2
"""A daily reminder is offered once, at the end of the second day in a row."""

Outcome = tuple[SessionState, Reply]
Action = Callable[[Turn], Outcome]
Then = Callable[[Turn, str], Outcome]
"""What follows an answer, by where the person is: the hold, an invitation, a question."""


def speak_from(turn: Turn, from_s: float, lead: str = "", routine: Routine | None = None, *,
               resettle_s: float = 0.0, restart: str = "") -> Outcome:
    """Speak the timeline from `from_s` as far as one reply allows, after `lead` (and, when a
    hold resumes, `resettle_s` of silence to get back into position and its `restart`)."""
    timeline = compile_timeline(routine, turn.state.preferences) if routine else turn.timeline
    assert timeline is not None, "speaking needs a routine"
    from_s = timeline.clamp(from_s)
    before = Reply(lead=lead, resettle_s=resettle_s, restart=restart)
    pace = speaking_pace(turn.pace)
    days = streak_if_finished(turn, timeline, from_s)
    offer = offered_time(turn, days)
    closing = offer_question(offer) if offer else END_PROMPT
    coaching, prompt = plan_coaching(timeline, from_s, before, end_prompt=closing, pace=pace)
    reprompt = CONTINUE_REPROMPT
    if coaching.reaches_end:
        prompt = f"{streak_phrase(days)} {closing}".strip()
        reprompt = REMINDER_OFFER_REPROMPT if offer else END_PROMPT
    else:
        offer = None
    reply = before._replace(coaching=coaching, prompt=prompt, reprompt=reprompt)
    state = anchored(turn.state._replace(
        phase=Phase.COACHING,
        routine_id=timeline.routine.id,
        position_s=from_s,
        anchor_at=turn.now,
        covers_until_s=coaching.until_s,
        speech_pace=pace,
        offer_time=offer.text if offer else None,
    ), reply)
    return state, reply


def offered_time(turn: Turn, streak_days: int) -> ClockTime | None:
    """The time of day to offer a daily reminder for at the end of this run, if it is the
    moment: the second day in a row, never offered before, no reminder yet, and a clock to
    set it by (the person's time zone). The time is when the run began, to the quarter hour."""
    state = turn.state
    if streak_days < OFFERED_AFTER_DAYS or not state.reminder.offer_due or not state.time_zone:
        return None
    return ClockTime.practised_at(state.run_started_at or turn.now, state.time_zone,
                                  state.utc_offset)


def anchored(state: SessionState, reply: Reply) -> SessionState:
    """`state` knowing how long `reply` talks before its coaching starts."""
    lead = lead_of(reply)
    return state._replace(lead_s=lead.words_s, lead_silence_s=lead.silence_s)


def streak_if_finished(turn: Turn, timeline: Timeline, from_s: float) -> int:
    """The streak the person will have if they hear the rest of the routine from `from_s`."""
    state, today = turn.state, turn.today
    will_count = state.run_counted or run_counts(
        state.heard_s + timeline.coached_left_s(from_s), timeline.coached_s)
    days = record(state.completions, today) if will_count else state.completions
    return streak(days, today)


def settle(turn: Turn, phase: Phase, position_s: float | None = None) -> SessionState:
    """The state at rest (not speaking): a phase and a saved place."""
    place = turn.position_s if position_s is None else position_s
    return turn.state._replace(phase=phase, position_s=place, anchor_at=None, lead_s=0.0,
                               lead_silence_s=0.0, covers_until_s=place, offer_time=None)


def resume_point(timeline: Timeline, position_s: float) -> float:
    """Where to pick up after an interruption: mid-hold exactly; mid-sentence from that
    sentence's start; in the silence after an instruction from the start of that silence, so
    the time to get into position, or to come out of one, is given whole again."""
    location = timeline.locate(position_s)
    segment = location.segment
    if segment.coached:
        return position_s
    for cue in segment.cues:
        if cue.at_s <= location.offset_s < cue.end_s:
            return segment.start_s + cue.at_s
    return segment.start_s + min(location.offset_s, segment.words_end_s)


def starting_point(timeline: Timeline, state: SessionState) -> float:
    """Where a routine begins for this person: the safety note until they have heard it."""
    return timeline.intro_s if state.advisory_heard else 0.0


def start_fresh(turn: Turn, lead: str = "", routine: Routine | None = None) -> Outcome:
    """A new run from the top: only history and preferences carry over from the old one."""
    routine = routine or turn.routine or turn.library.default
    turn = turn.with_state(turn.state.history_only()._replace(run_started_at=turn.now))
    timeline = compile_timeline(routine, turn.state.preferences)
    return speak_from(turn, starting_point(timeline, turn.state), lead, routine)
