"""The session state machine: `step(state, event, now) -> (state, reply)`, pure and total.

Transitions are data: `TRANSITIONS[phase][event]` names the action for every pair of the five
phases and the events below, and a test walks the whole table. Actions are plain functions of
one `Turn`; they read the clock only through `now`, so the same inputs always give the same
state and reply. Nothing here raises on bad input: an unknown event is a fallback, a corrupt
state is a fresh start with an apology, a routine that no longer exists is forgotten.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from psoas_release.core.answers import (
    describe_place,
    form_cue_answer,
    help_answer,
    list_routines_answer,
    pain_advice,
    reorientation,
    repeat_instruction,
    restart_cue,
    time_left_answer,
    whats_next_answer,
    why_answer,
)
from psoas_release.core.history import (
    COUNTS_AFTER_SHARE,
    local_date,
    record,
    streak,
    streak_greeting,
    streak_phrase,
)
from psoas_release.core.library import RoutineLibrary
from psoas_release.core.pace import (
    Ending,
    SpokenReply,
    VoicePace,
    learn,
    listening_pace,
    measure,
    pace_of,
    speaking_pace,
    with_pace,
)
from psoas_release.core.position import heard_position
from psoas_release.core.preferences import updated_preferences
from psoas_release.core.reply import Reply
from psoas_release.core.routines import Routine
from psoas_release.core.speaking import speaking_seconds
from psoas_release.core.speech import lead_of, plan_coaching, spoken_lengths
from psoas_release.core.state import Phase, SessionState
from psoas_release.core.timeline import TITLED_KINDS, Timeline, compile_timeline

NAVIGATION_TOLERANCE_S = 0.5
"""A position this close to a step counts as being on it."""

APOLOGY = "Sorry, I lost track of where we were, so let's start fresh."
CONTINUE_REPROMPT = "Say continue when you're ready, or stop."
RESUME_PROMPT = "Say resume when you're ready."
RESUME_REPROMPT = ("I've saved your place. Say resume now, or later, say: "
                   "Alexa, open psoas release.")
END_PROMPT = "Say start over to go again, or stop."
OFFER_REPROMPT = "Shall we carry on where you left off? Say yes or no."
START_PROMPT = "Say start to begin, or stop."
UNKNOWN_ROUTINE = "I don't know a routine by that name. You can ask what routines there are."


class EventKind(StrEnum):
    """Everything a person (or Alexa) can do, independent of how Alexa phrases it."""

    LAUNCH = "launch"
    START = "start"
    NEXT = "next"
    PREVIOUS = "previous"
    START_OVER = "start_over"
    REPEAT = "repeat"
    FORM_CUE = "form_cue"
    TIME_LEFT = "time_left"
    WHATS_NEXT = "whats_next"
    WHY = "why"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    PAIN = "pain"
    HELP = "help"
    FALLBACK = "fallback"
    YES = "yes"
    NO = "no"
    LIST_ROUTINES = "list_routines"
    SET_PREFERENCE = "set_preference"
    SESSION_ENDED = "session_ended"


@dataclass(frozen=True)
class Event:
    """One request, as the core sees it. `routine_id` and `routine_name` come with START:
    the catalogue id Alexa resolved, and the words the person said (untrusted).
    `preference` and `value` come with SET_PREFERENCE, equally untrusted."""

    kind: EventKind
    routine_id: str | None = None
    routine_name: str | None = None
    preference: str | None = None
    value: str | None = None
    device: str | None = None
    """Which device asked (a key, not Alexa's id): each keeps its own speaking pace."""
    new_session: bool = False
    """The request opens a session, so it cannot answer a question asked in another."""
    timed_out: bool = False
    """A session that ended because no one answered the reply and its reprompt."""


@dataclass(frozen=True)
class Turn:
    """What an action needs: the state, the event, the clock, and where the person is."""

    state: SessionState
    event: Event
    now: float
    library: RoutineLibrary
    timeline: Timeline | None
    position_s: float
    pace: VoicePace | None = None
    """What is known of this device's speaking pace; None before anything is."""

    @property
    def routine(self) -> Routine | None:
        return self.timeline.routine if self.timeline else None

    @property
    def today(self) -> date:
        """The person's calendar date now, for history and streaks."""
        return local_date(self.now, self.state.time_zone)

    def with_state(self, state: SessionState) -> Turn:
        return replace(self, state=state)

    @property
    def at_boundary(self) -> bool:
        """The last reply ended at a movement boundary and invited the person to continue."""
        return (
            self.timeline is not None
            and self.state.phase is Phase.COACHING
            and self.position_s >= self.state.covers_until_s
            and self.position_s < self.timeline.end_s
        )


Outcome = tuple[SessionState, Reply]
Action = Callable[[Turn], Outcome]


# --- building blocks -----------------------------------------------------------------------


def coach(turn: Turn, from_s: float, lead: str = "", routine: Routine | None = None, *,
          resettle_s: float = 0.0, restart: str = "") -> Outcome:
    """Speak the timeline from `from_s` as far as one reply allows, after `lead` (and, when a
    hold resumes, `resettle_s` of silence to get back into position and its `restart`)."""
    timeline = compile_timeline(routine, turn.state.preferences) if routine else turn.timeline
    assert timeline is not None, "coach needs a routine"
    from_s = timeline.clamp(from_s)
    before = Reply(lead=lead, resettle_s=resettle_s, restart=restart)
    pace = speaking_pace(turn.pace)
    coaching, prompt = plan_coaching(timeline, from_s, before, end_prompt=END_PROMPT, pace=pace)
    reprompt = CONTINUE_REPROMPT
    if coaching.reaches_end:
        streak_said = streak_phrase(streak_if_finished(turn, timeline, from_s))
        prompt, reprompt = f"{streak_said} {END_PROMPT}".strip(), END_PROMPT
    reply = replace(before, coaching=coaching, prompt=prompt, reprompt=reprompt)
    state = anchored(turn.state.with_(
        phase=Phase.COACHING,
        routine_id=timeline.routine.id,
        position_s=from_s,
        anchor_at=turn.now,
        covers_until_s=coaching.until_s,
        speech_pace=pace,
    ), reply)
    return state, reply


def anchored(state: SessionState, reply: Reply) -> SessionState:
    """`state` knowing how long `reply` talks before its coaching starts."""
    lead = lead_of(reply)
    return state.with_(lead_s=lead.words_s, lead_silence_s=lead.silence_s)


def streak_if_finished(turn: Turn, timeline: Timeline, from_s: float) -> int:
    """The streak the person will have if they hear the rest of the routine from `from_s`."""
    state = turn.state
    will_count = state.run_counted or (
        state.heard_s + timeline.coached_left_s(from_s) > COUNTS_AFTER_SHARE * timeline.coached_s
    )
    days = record(state.completions, turn.today) if will_count else state.completions
    return streak(days, turn.today)


def count_heard(state: SessionState, played_s: float, timeline: Timeline,
                today: date) -> SessionState:
    """Add coached seconds heard to this run; count the run once more than half is heard."""
    state = state.with_(heard_s=state.heard_s + max(0.0, played_s))
    if state.run_counted or state.heard_s <= COUNTS_AFTER_SHARE * timeline.coached_s:
        return state
    return state.with_(run_counted=True, completions=record(state.completions, today))


def settle(turn: Turn, phase: Phase, position_s: float | None = None) -> SessionState:
    """The state at rest (not speaking): a phase and a saved place."""
    return turn.state.with_(
        phase=phase,
        position_s=turn.position_s if position_s is None else position_s,
        anchor_at=None,
        lead_s=0.0,
        lead_silence_s=0.0,
        covers_until_s=turn.position_s if position_s is None else position_s,
    )


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
    turn = turn.with_state(turn.state.keep_progress())
    timeline = compile_timeline(routine, turn.state.preferences)
    return coach(turn, starting_point(timeline, turn.state), lead, routine)


def answer_then_carry_on(turn: Turn, text: str) -> Outcome:
    """Answer briefly, then keep the hold: coaching resumes exactly where it was heard."""
    phase = turn.state.phase
    if phase is Phase.COACHING and turn.timeline and not turn.at_boundary:
        return coach(turn, resume_point(turn.timeline, turn.position_s), text)
    if phase is Phase.COACHING:
        return settle(turn, Phase.COACHING), Reply(
            lead=text, prompt=CONTINUE_REPROMPT, reprompt=CONTINUE_REPROMPT
        )
    if phase is Phase.OFFERING_RESUME:
        return turn.state, Reply(lead=text, prompt=OFFER_REPROMPT, reprompt=OFFER_REPROMPT)
    if phase is Phase.PAUSED:
        return turn.state, Reply(lead=text, prompt=RESUME_PROMPT, reprompt=RESUME_REPROMPT)
    return turn.state, Reply(lead=text, prompt=START_PROMPT, reprompt=START_PROMPT)


def keep_coaching(turn: Turn) -> Outcome:
    """Carry on exactly where the person is, saying nothing extra (a stray yes or no)."""
    assert turn.timeline is not None
    return coach(turn, resume_point(turn.timeline, turn.position_s))


# --- actions -------------------------------------------------------------------------------


def launch_fresh(turn: Turn) -> Outcome:
    lead = ""
    if turn.state.completed_count or turn.state.completions:
        greeting = streak_greeting(streak(turn.state.completions, turn.today))
        lead = greeting or "Good to have you back."
    return start_fresh(turn, lead)


def go_again(turn: Turn) -> Outcome:
    """After finishing: the same routine once more, from the top."""
    return start_fresh(turn, "Here we go again.",
                       turn.routine)


def offer_resume(turn: Turn) -> Outcome:
    assert turn.timeline is not None
    place = describe_place(turn.timeline, turn.position_s)
    question = f"Welcome back. You were on {place}. Shall we carry on?"
    return settle(turn, Phase.OFFERING_RESUME), Reply(lead=question, reprompt=OFFER_REPROMPT)


def resume(turn: Turn) -> Outcome:
    assert turn.timeline is not None
    if turn.at_boundary:
        return coach(turn, turn.position_s)
    if turn.state.phase is Phase.COACHING:
        return coach(turn, resume_point(turn.timeline, turn.position_s), "We're still going.")
    return back_into_position(turn)


def back_into_position(turn: Turn) -> Outcome:
    """Pick up a paused routine as a coach would. Mid-hold: where we are and how to get back
    into position, the movement's settle time to do it, then the hold restarts with exactly
    the time it had left. Elsewhere: where we are, then the instruction that was cut off."""
    timeline = turn.timeline
    assert timeline is not None
    point = resume_point(timeline, turn.position_s)
    span = timeline.hold_at(point)
    if span is None:
        lead = f"Picking up at {describe_place(timeline, point)}."
        return coach(turn, timeline.after_title(point) if _on_title(timeline, point) else point,
                     lead)
    settle_s = timeline.routine.movements[span.movement].settle_s
    return coach(turn, point, reorientation(timeline, point), resettle_s=settle_s,
                 restart=restart_cue(span.end_s - point))


def _on_title(timeline: Timeline, position_s: float) -> bool:
    """Whether `position_s` is where a setup names its movement or side."""
    location = timeline.locate(position_s)
    return location.segment.kind in TITLED_KINDS and location.offset_s == 0


def start(turn: Turn) -> Outcome:
    """START: a named routine starts fresh; otherwise carry on with the current one."""
    asked = turn.library.get(turn.event.routine_id) if turn.event.routine_id else None
    if turn.event.routine_name and asked is None:
        if turn.state.phase in {Phase.COACHING, Phase.PAUSED, Phase.OFFERING_RESUME}:
            return answer_then_carry_on(turn, UNKNOWN_ROUTINE)
        default = turn.library.default
        lead = f"I don't know that routine, so here's {default.spoken_title}."
        return start_fresh(turn, lead, default)
    if asked is not None and (turn.routine is None or asked.id != turn.routine.id):
        return start_fresh(turn, "", asked)
    if turn.state.phase in {Phase.PAUSED, Phase.OFFERING_RESUME, Phase.COACHING}:
        return resume(turn)
    return start_fresh(turn, "", asked)


def start_over(turn: Turn) -> Outcome:
    return start_fresh(turn, "Starting over.",
                       turn.routine)


def go_next(turn: Turn) -> Outcome:
    assert turn.timeline is not None
    if turn.at_boundary or turn.state.phase is Phase.OFFERING_RESUME:
        return resume(turn)
    ahead = [s for s in turn.timeline.steps if s > turn.position_s + NAVIGATION_TOLERANCE_S]
    if not ahead:
        return finish(turn)
    return coach(turn, ahead[0])


def go_previous(turn: Turn) -> Outcome:
    assert turn.timeline is not None
    steps = turn.timeline.steps
    if turn.position_s < steps[0] - NAVIGATION_TOLERANCE_S:
        return coach(turn, starting_point(turn.timeline, turn.state), "We're at the start.")
    current = max(
        (i for i, s in enumerate(steps) if s <= turn.position_s + NAVIGATION_TOLERANCE_S),
        default=0,
    )
    target = steps[max(current - 1, 0)]
    lead = f"Going back to {describe_place(turn.timeline, target)}."
    return coach(turn, turn.timeline.after_title(target), lead)


def completed(state: SessionState) -> SessionState:
    """The state after a routine is done: counted once, nothing left to resume."""
    return state.keep_progress().with_(
        phase=Phase.FINISHED, completed_count=state.completed_count + 1
    )


def finish(turn: Turn) -> Outcome:
    state = completed(turn.state)
    return state, Reply(lead="That's the end of the routine. Say start over to go again.",
                        reprompt=START_PROMPT)


def pause(turn: Turn) -> Outcome:
    assert turn.timeline is not None
    place = describe_place(turn.timeline, turn.position_s)
    return settle(turn, Phase.PAUSED), Reply(
        lead=f"Paused on {place}.", prompt=RESUME_PROMPT, reprompt=RESUME_REPROMPT
    )


def stop(turn: Turn) -> Outcome:
    if turn.timeline is not None and turn.state.phase in {Phase.COACHING, Phase.PAUSED,
                                                          Phase.OFFERING_RESUME}:
        return settle(turn, Phase.PAUSED), Reply(
            lead="Okay. I've saved your place for next time. Goodbye.", end_session=True
        )
    return turn.state, Reply(lead="Goodbye.", end_session=True)


def pain(turn: Turn) -> Outcome:
    advice = pain_advice(turn.timeline, turn.position_s)
    if turn.timeline is None or turn.state.phase is Phase.FINISHED:
        return turn.state, Reply(lead=advice, end_session=True)
    prompt = "When you're ready, say resume to carry on, or next to skip this one."
    return settle(turn, Phase.PAUSED), Reply(lead=advice, prompt=prompt, reprompt=prompt)


def session_ended(turn: Turn) -> Outcome:
    if turn.state.phase in {Phase.COACHING, Phase.OFFERING_RESUME}:
        return settle(turn, Phase.PAUSED), Reply(end_session=True)
    return turn.state, Reply(end_session=True)


def yes(turn: Turn) -> Outcome:
    if turn.state.phase is Phase.COACHING and not turn.at_boundary:
        return keep_coaching(turn)
    return resume(turn)


def no(turn: Turn) -> Outcome:
    if turn.state.phase is Phase.OFFERING_RESUME:
        return start_fresh(turn, "Okay, starting from the top.", turn.routine)
    if turn.state.phase is Phase.COACHING and not turn.at_boundary:
        return keep_coaching(turn)
    return stop(turn)


def _answering(text_for: Callable[[Turn], str]) -> Action:
    return lambda turn: answer_then_carry_on(turn, text_for(turn))


def not_started(turn: Turn) -> Outcome:
    return turn.state, Reply(lead="We haven't started a routine yet.", prompt=START_PROMPT,
                             reprompt=START_PROMPT)


def already_finished(turn: Turn) -> Outcome:
    text = "You've finished the routine. Say start to go again, or stop."
    return turn.state, Reply(lead=text, reprompt=START_PROMPT)


def help_when_idle(turn: Turn) -> Outcome:
    return turn.state, Reply(lead=help_answer(None), prompt=START_PROMPT, reprompt=START_PROMPT)


def list_routines(turn: Turn) -> Outcome:
    text = list_routines_answer(turn.library)
    if turn.state.phase is Phase.COACHING:
        return answer_then_carry_on(turn, text)
    prompt = "Which one would you like?"
    return turn.state, Reply(lead=text, prompt=prompt, reprompt=prompt)


def offer_again(turn: Turn) -> Outcome:
    return turn.state, Reply(lead=OFFER_REPROMPT, reprompt=OFFER_REPROMPT)


def set_preference(turn: Turn) -> Outcome:
    """Change how coaching sounds or paces, at any moment, without losing the hold."""
    routine = turn.routine
    allowed_slow = routine.slow_pace_percent if routine else 1
    change = updated_preferences(turn.state.preferences, turn.event.preference,
                                 turn.event.value, slow_allowed=allowed_slow > 0)
    if isinstance(change, str):
        return answer_then_carry_on(turn, change)
    preferences, confirmation = change
    state = turn.state.with_(preferences=preferences)
    if turn.timeline is None:
        return answer_then_carry_on(turn.with_state(state), confirmation)
    timeline = compile_timeline(turn.timeline.routine, preferences)
    carried = replace(
        turn,
        state=state.with_(position_s=turn.timeline.carry(state.position_s, timeline),
                          covers_until_s=turn.timeline.carry(state.covers_until_s, timeline)),
        timeline=timeline,
        position_s=turn.timeline.carry(turn.position_s, timeline),
    )
    return answer_then_carry_on(carried, confirmation)


def fallback(turn: Turn) -> Outcome:
    return answer_then_carry_on(turn, "Sorry, I didn't catch that. You can say help.")


ANSWERS: Mapping[EventKind, Action] = {
    EventKind.FORM_CUE: _answering(lambda t: form_cue_answer(t.timeline, t.position_s)),
    EventKind.TIME_LEFT: _answering(lambda t: time_left_answer(t.timeline, t.position_s)),
    EventKind.WHATS_NEXT: _answering(lambda t: whats_next_answer(t.timeline, t.position_s)),
    EventKind.WHY: _answering(lambda t: why_answer(t.timeline, t.position_s)),
    EventKind.HELP: _answering(lambda t: help_answer(t.timeline)),
    EventKind.REPEAT: _answering(lambda t: repeat_instruction(t.timeline, t.position_s)),
    EventKind.FALLBACK: fallback,
    EventKind.LIST_ROUTINES: list_routines,
    EventKind.PAIN: pain,
    EventKind.STOP: stop,
    EventKind.SESSION_ENDED: session_ended,
    EventKind.SET_PREFERENCE: set_preference,
}

IN_ROUTINE: Mapping[EventKind, Action] = {
    **ANSWERS,
    EventKind.LAUNCH: offer_resume,
    EventKind.START: start,
    EventKind.NEXT: go_next,
    EventKind.PREVIOUS: go_previous,
    EventKind.START_OVER: start_over,
    EventKind.PAUSE: pause,
    EventKind.RESUME: resume,
    EventKind.YES: yes,
    EventKind.NO: no,
}

OUT_OF_ROUTINE: Mapping[EventKind, Action] = {
    **{kind: not_started for kind in EventKind},
    EventKind.LAUNCH: launch_fresh,
    EventKind.START: start,
    EventKind.START_OVER: launch_fresh,
    EventKind.RESUME: launch_fresh,
    EventKind.YES: launch_fresh,
    EventKind.NO: stop,
    EventKind.HELP: help_when_idle,
    EventKind.FALLBACK: help_when_idle,
    EventKind.LIST_ROUTINES: list_routines,
    EventKind.PAIN: pain,
    EventKind.STOP: stop,
    EventKind.SESSION_ENDED: session_ended,
    EventKind.SET_PREFERENCE: set_preference,
}

TRANSITIONS: Mapping[Phase, Mapping[EventKind, Action]] = {
    Phase.IDLE: OUT_OF_ROUTINE,
    Phase.FINISHED: {
        **OUT_OF_ROUTINE,
        **{k: already_finished for k in (
            EventKind.NEXT, EventKind.PREVIOUS, EventKind.REPEAT, EventKind.FORM_CUE,
            EventKind.TIME_LEFT, EventKind.WHATS_NEXT, EventKind.WHY, EventKind.PAUSE)},
        **{k: go_again for k in (EventKind.START_OVER, EventKind.RESUME, EventKind.YES)},
    },
    Phase.COACHING: IN_ROUTINE,
    Phase.PAUSED: IN_ROUTINE,
    Phase.OFFERING_RESUME: {**IN_ROUTINE, EventKind.PAUSE: offer_again,
                            EventKind.REPEAT: offer_again},
}


# --- the machine ---------------------------------------------------------------------------


ANSWERED_BY: Mapping[str, frozenset[EventKind]] = {
    END_PROMPT: frozenset({EventKind.STOP, EventKind.START_OVER}),
    CONTINUE_REPROMPT: frozenset({EventKind.RESUME, EventKind.NEXT, EventKind.YES}),
    OFFER_REPROMPT: frozenset({EventKind.YES, EventKind.NO}),
    RESUME_REPROMPT: frozenset({EventKind.RESUME}),
    START_PROMPT: frozenset({EventKind.START, EventKind.STOP}),
}
"""What answers each closing question or invitation (named by its reprompt): an answer proves
the reply played to its end, which is how a device's pace is learned."""


class Coach:
    """The session state machine over one routine library."""

    def __init__(self, library: RoutineLibrary) -> None:
        self.library = library

    def step(self, state: SessionState, event: Event, now: float) -> Outcome:
        """The next state and reply. Deterministic in its arguments; never raises."""
        turn = self._turn(state, event, now)
        kind = event.kind if isinstance(event.kind, EventKind) else EventKind.FALLBACK
        action = TRANSITIONS[turn.state.phase].get(kind, fallback)
        new_state, reply = action(turn)
        if state.recovered or turn.state.recovered:
            reply = replace(reply, lead=f"{APOLOGY} {reply.lead}".strip())
            if reply.coaching is not None:
                new_state = anchored(new_state, reply)
        return new_state.with_(recovered=False, spoken=awaiting(reply, event, turn.now)), reply

    def _turn(self, state: SessionState, event: Event, now: float) -> Turn:
        if not math.isfinite(now):
            now = state.anchor_at or 0.0
        state = learned(state, event, now)
        routine = self.library.get(state.routine_id) if state.routine_id else None
        if state.routine_id and routine is None:
            state = state.keep_progress().with_(recovered=True)
        if routine is None and state.phase not in {Phase.IDLE, Phase.FINISHED}:
            state = state.keep_progress().with_(recovered=True)
        timeline = compile_timeline(routine, state.preferences) if routine else None
        pace = pace_of(state.paces, event.device)
        position = 0.0
        if timeline is not None:
            position = timeline.clamp(
                heard_position(timeline, state, now, *listening_pace(pace))
                if state.phase is Phase.COACHING else state.position_s
            )
            if state.phase is Phase.COACHING:
                played = timeline.coached_left_s(state.position_s) - timeline.coached_left_s(
                    position)
                day = local_date(state.anchor_at or now, state.time_zone)
                state = count_heard(state, played, timeline, day)
                if position >= timeline.intro_s:
                    state = state.with_(advisory_heard=True)
            if state.phase is Phase.COACHING and position >= timeline.end_s:
                state = completed(state)
        return Turn(state, event, now, self.library, timeline, position, pace)


def learned(state: SessionState, event: Event, now: float) -> SessionState:
    """`state` with what this request teaches of the device's pace: whether it proves the last
    reply played to its end (a timed-out session, an answer to its question), and if so how
    long the device took to say it. The reply is then spent either way."""
    spoken = state.spoken
    if spoken is None or event.device != spoken.device:
        return state.with_(spoken=None)
    if event.kind is EventKind.SESSION_ENDED and event.timed_out:
        ending = Ending.TIMED_OUT
    elif event.kind.value in spoken.answers and not event.new_session:
        ending = Ending.ANSWERED
    else:
        return state.with_(spoken=None)
    observed = measure(spoken, now, ending)
    if observed is None:
        return state.with_(spoken=None)
    pace = learn(pace_of(state.paces, spoken.device), observed)
    return state.with_(spoken=None, paces=with_pace(state.paces, spoken.device, pace))


def awaiting(reply: Reply, event: Event, now: float) -> SpokenReply | None:
    """The record of `reply` while it waits for an answer, if its end can teach anything."""
    if event.device is None or reply.end_session or reply.reprompt is None:
        return None
    words_s, silence_s = spoken_lengths(reply)
    answers = frozenset(kind.value for kind in ANSWERED_BY.get(reply.reprompt, frozenset()))
    return SpokenReply(now, event.device, words_s, silence_s,
                       speaking_seconds(reply.reprompt), answers)
