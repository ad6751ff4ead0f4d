"""The session state machine: `step(state, event, now) -> (state, reply)`, pure and total.

`arrive` (`core.turn`) brings the saved state up to now and says where the person stands;
then `TRANSITIONS[where][event]` names the action, for every pair, and a test walks the whole
table. Every move of the machine is in that table: no action looks at the phase again, each
is written for the places the table sends it. Actions are plain functions of one `Turn`; they
read the clock only through `now`, so the same inputs always give the same state and reply.
Nothing here raises on bad input: a corrupt state is a fresh start with an apology, a routine
that no longer exists is forgotten.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

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
from psoas_release.core.coaching import (
    CONTINUE_REPROMPT,
    END_PROMPT,
    OFFER_REPROMPT,
    RESUME_PROMPT,
    RESUME_REPROMPT,
    START_PROMPT,
    Action,
    Outcome,
    Then,
    anchored,
    resume_point,
    settle,
    speak_from,
    start_fresh,
    starting_point,
)
from psoas_release.core.events import Event, EventKind
from psoas_release.core.history import streak, streak_greeting, week_phrase
from psoas_release.core.library import RoutineLibrary
from psoas_release.core.pace import SpokenReply
from psoas_release.core.preferences import updated_preferences
from psoas_release.core.reminder_words import REMINDER_OFFER_REPROMPT
from psoas_release.core.reminding import (
    Keep,
    accepted,
    accepting,
    answering_consent,
    answering_outcome,
    as_it_is,
    declining,
    offering_again,
    passing_over,
    paused_here,
    wishing,
)
from psoas_release.core.reply import Reply
from psoas_release.core.speaking import speaking_seconds
from psoas_release.core.speech import spoken_lengths
from psoas_release.core.state import Phase, SessionState
from psoas_release.core.timeline import TITLED_KINDS, Timeline, compile_timeline
from psoas_release.core.turn import Turn, Where, arrive, completed

NAVIGATION_TOLERANCE_S = 0.5
"""A position this close to a step counts as being on it."""

APOLOGY = "Sorry, I lost track of where we were, so let's start fresh."
UNKNOWN_ROUTINE = "I don't know a routine by that name. You can ask what routines there are."
NOT_CAUGHT = "Sorry, I didn't catch that. You can say help."


# --- after an answer, by where the person is ------------------------------------------------


def carry_on(turn: Turn, text: str) -> Outcome:
    """Answer briefly, then keep the hold: coaching resumes exactly where it was heard."""
    assert turn.timeline is not None
    return speak_from(turn, resume_point(turn.timeline, turn.position_s), text)


def wait_for_continue(turn: Turn, text: str) -> Outcome:
    return settle(turn, Phase.COACHING), Reply(lead=text, prompt=CONTINUE_REPROMPT,
                                               reprompt=CONTINUE_REPROMPT)


def wait_for_resume(turn: Turn, text: str) -> Outcome:
    return turn.state, Reply(lead=text, prompt=RESUME_PROMPT, reprompt=RESUME_REPROMPT)


def ask_again(turn: Turn, text: str) -> Outcome:
    return turn.state, Reply(lead=text, prompt=OFFER_REPROMPT, reprompt=OFFER_REPROMPT)


def invite_to_start(turn: Turn, text: str) -> Outcome:
    return turn.state, Reply(lead=text, prompt=START_PROMPT, reprompt=START_PROMPT)


def invite_to_go_again(turn: Turn, text: str) -> Outcome:
    return turn.state, Reply(lead=text, prompt=END_PROMPT, reprompt=END_PROMPT)


def answering(text_for: Callable[[Turn], str], then: Then) -> Action:
    return lambda turn: then(turn, text_for(turn))


def questions(then: Then) -> dict[EventKind, Action]:
    """What every question does in a routine: a short answer, then `then`."""
    return {
        EventKind.FORM_CUE: answering(lambda t: form_cue_answer(t.timeline, t.position_s), then),
        EventKind.TIME_LEFT: answering(lambda t: time_left_answer(t.timeline, t.position_s),
                                       then),
        EventKind.WHATS_NEXT: answering(lambda t: whats_next_answer(t.timeline, t.position_s),
                                        then),
        EventKind.WHY: answering(lambda t: why_answer(t.timeline, t.position_s), then),
        EventKind.HELP: answering(lambda t: help_answer(t.timeline), then),
        EventKind.REPEAT: answering(lambda t: repeat_instruction(t.timeline, t.position_s),
                                    then),
        EventKind.FALLBACK: answering(lambda t: NOT_CAUGHT, then),
        EventKind.SET_PREFERENCE: setting_preference(then),
    }


def reminders(then: Then, keep: Keep) -> dict[EventKind, Action]:
    """What the reminder requests do anywhere: the words, then `then`; the person's place is
    kept by `keep` while Alexa asks for consent. "How am I doing" belongs with them: both are
    about the habit, not the routine under way."""
    return {
        EventKind.PROGRESS: answering(lambda t: week_phrase(t.state.completions, t.today), then),
        EventKind.SET_REMINDER: wishing(then, keep),
        EventKind.READ_REMINDER: wishing(then, keep),
        EventKind.STOP_REMINDER: wishing(then, keep),
        EventKind.REMINDER_DONE: answering_outcome(then, keep),
        EventKind.PERMISSION_ANSWER: answering_consent(then, keep),
    }


# --- moving through the routine -------------------------------------------------------------


def still_going(turn: Turn) -> Outcome:
    assert turn.timeline is not None
    return speak_from(turn, resume_point(turn.timeline, turn.position_s), "We're still going.")


def keep_coaching(turn: Turn) -> Outcome:
    """Carry on exactly where the person is, saying nothing extra (a stray yes or no)."""
    assert turn.timeline is not None
    return speak_from(turn, resume_point(turn.timeline, turn.position_s))


def continue_on(turn: Turn) -> Outcome:
    """The reply stopped at a movement and the person is ready: on from there."""
    return speak_from(turn, turn.position_s)


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
        return speak_from(turn, timeline.after_title(point) if _on_title(timeline, point)
                          else point, lead)
    settle_s = timeline.routine.movements[span.movement].settle_s
    return speak_from(turn, point, reorientation(timeline, point), resettle_s=settle_s,
                      restart=restart_cue(span.end_s - point))


def _on_title(timeline: Timeline, position_s: float) -> bool:
    """Whether `position_s` is where a setup names its movement or side."""
    location = timeline.locate(position_s)
    return location.segment.kind in TITLED_KINDS and location.offset_s == 0


def go_next(turn: Turn) -> Outcome:
    """Skip to the next side or movement; past the last one, the routine is done."""
    assert turn.timeline is not None
    ahead = [s for s in turn.timeline.steps if s > turn.position_s + NAVIGATION_TOLERANCE_S]
    if not ahead:
        return completed(turn.state), Reply(
            lead="That's the end of the routine. Say start over to go again.",
            reprompt=START_PROMPT)
    return speak_from(turn, ahead[0])


def go_previous(turn: Turn) -> Outcome:
    """Back to the previous side or movement, named once."""
    assert turn.timeline is not None
    steps = turn.timeline.steps
    if turn.position_s < steps[0] - NAVIGATION_TOLERANCE_S:
        return speak_from(turn, starting_point(turn.timeline, turn.state), "We're at the start.")
    current = max(
        (i for i, s in enumerate(steps) if s <= turn.position_s + NAVIGATION_TOLERANCE_S),
        default=0,
    )
    target = steps[max(current - 1, 0)]
    lead = f"Going back to {describe_place(turn.timeline, target)}."
    return speak_from(turn, turn.timeline.after_title(target), lead)


def start_over(turn: Turn) -> Outcome:
    return start_fresh(turn, "Starting over.", turn.routine)


def from_the_top(turn: Turn) -> Outcome:
    return start_fresh(turn, "Okay, starting from the top.", turn.routine)


def pause(turn: Turn) -> Outcome:
    assert turn.timeline is not None
    place = describe_place(turn.timeline, turn.position_s)
    return settle(turn, Phase.PAUSED), Reply(
        lead=f"Paused on {place}.", prompt=RESUME_PROMPT, reprompt=RESUME_REPROMPT
    )


def offer_resume(turn: Turn) -> Outcome:
    assert turn.timeline is not None
    place = describe_place(turn.timeline, turn.position_s)
    question = f"Welcome back. You were on {place}. Shall we carry on?"
    return settle(turn, Phase.OFFERING_RESUME), Reply(lead=question, reprompt=OFFER_REPROMPT)


def offer_again(turn: Turn) -> Outcome:
    return turn.state, Reply(lead=OFFER_REPROMPT, reprompt=OFFER_REPROMPT)


def starting(resume: Action, then: Then) -> Action:
    """START in a routine: another routine by name starts fresh; an unknown name is answered,
    then `then`; the routine already under way goes on by `resume`."""

    def action(turn: Turn) -> Outcome:
        asked = turn.library.get(turn.event.routine_id) if turn.event.routine_id else None
        if turn.event.routine_name and asked is None:
            return then(turn, UNKNOWN_ROUTINE)
        if asked is not None and (turn.routine is None or asked.id != turn.routine.id):
            return start_fresh(turn, "", asked)
        return resume(turn)

    return action


def start_a_routine(turn: Turn) -> Outcome:
    """START out of a routine: the one named, or the default."""
    asked = turn.library.get(turn.event.routine_id) if turn.event.routine_id else None
    if turn.event.routine_name and asked is None:
        default = turn.library.default
        lead = f"I don't know that routine, so here's {default.spoken_title}."
        return start_fresh(turn, lead, default)
    return start_fresh(turn, "", asked)


def launch_fresh(turn: Turn) -> Outcome:
    lead = ""
    if turn.state.completed_count or turn.state.completions:
        greeting = streak_greeting(streak(turn.state.completions, turn.today))
        lead = greeting or "Good to have you back."
    return start_fresh(turn, lead)


def go_again(turn: Turn) -> Outcome:
    """After finishing: the same routine once more, from the top."""
    return start_fresh(turn, "Here we go again.", turn.routine)


# --- stopping ---------------------------------------------------------------------------------


def save_place_and_stop(turn: Turn) -> Outcome:
    return settle(turn, Phase.PAUSED), Reply(
        lead="Okay. I've saved your place for next time. Goodbye.", end_session=True)


def goodbye(turn: Turn) -> Outcome:
    return turn.state, Reply(lead="Goodbye.", end_session=True)


def stop_for_pain(turn: Turn) -> Outcome:
    advice = pain_advice(turn.timeline, turn.position_s)
    prompt = "When you're ready, say resume to carry on, or next to skip this one."
    return settle(turn, Phase.PAUSED), Reply(lead=advice, prompt=prompt, reprompt=prompt)


def pain_out_of_routine(turn: Turn) -> Outcome:
    return turn.state, Reply(lead=pain_advice(None, 0.0), end_session=True)


def save_place(turn: Turn) -> Outcome:
    """The session ended mid-routine: the place is kept for next time."""
    return settle(turn, Phase.PAUSED), Reply(end_session=True)


def stay(turn: Turn) -> Outcome:
    return turn.state, Reply(end_session=True)


# --- out of a routine -----------------------------------------------------------------------


def not_started(turn: Turn) -> Outcome:
    return invite_to_start(turn, "We haven't started a routine yet.")


def already_finished(turn: Turn) -> Outcome:
    text = "You've finished the routine. Say start to go again, or stop."
    return turn.state, Reply(lead=text, reprompt=START_PROMPT)


def help_when_idle(turn: Turn) -> Outcome:
    return invite_to_start(turn, help_answer(None))


def which_routine(turn: Turn) -> Outcome:
    prompt = "Which one would you like?"
    return turn.state, Reply(lead=list_routines_answer(turn.library), prompt=prompt,
                             reprompt=prompt)


def setting_preference(then: Then) -> Action:
    """Change how coaching sounds or paces, at any moment, without losing the hold; then
    `then` with the confirmation."""

    def action(turn: Turn) -> Outcome:
        routine = turn.routine
        allowed_slow = routine.slow_pace_percent if routine else 1
        change = updated_preferences(turn.state.preferences, turn.event.preference,
                                     turn.event.value, slow_allowed=allowed_slow > 0)
        if isinstance(change, str):
            return then(turn, change)
        preferences, confirmation = change
        state = turn.state._replace(preferences=preferences)
        if turn.timeline is None:
            return then(turn.with_state(state), confirmation)
        timeline = compile_timeline(turn.timeline.routine, preferences)
        carried = turn._replace(
            state=state._replace(
                position_s=turn.timeline.carry(state.position_s, timeline),
                covers_until_s=turn.timeline.carry(state.covers_until_s, timeline)),
            timeline=timeline,
            position_s=turn.timeline.carry(turn.position_s, timeline),
        )
        return then(carried, confirmation)

    return action


# --- the table --------------------------------------------------------------------------------

K = EventKind

OUT_OF_A_ROUTINE: Mapping[EventKind, Action] = {
    **{kind: not_started for kind in EventKind},
    K.LAUNCH: launch_fresh, K.START: start_a_routine, K.START_OVER: launch_fresh,
    K.RESUME: launch_fresh, K.YES: launch_fresh, K.NO: goodbye, K.STOP: goodbye,
    K.HELP: help_when_idle, K.FALLBACK: help_when_idle, K.LIST_ROUTINES: which_routine,
    K.PAIN: pain_out_of_routine, K.SESSION_ENDED: stay,
    K.SET_PREFERENCE: setting_preference(invite_to_start),
    **reminders(invite_to_start, as_it_is),
}

AFTER_A_ROUTINE: Mapping[EventKind, Action] = {
    **OUT_OF_A_ROUTINE,
    **{kind: already_finished for kind in (
        K.NEXT, K.PREVIOUS, K.REPEAT, K.FORM_CUE, K.TIME_LEFT, K.WHATS_NEXT, K.WHY, K.PAUSE)},
    **{kind: go_again for kind in (K.START_OVER, K.RESUME, K.YES)},
    **reminders(invite_to_go_again, as_it_is),
}

TRANSITIONS: Mapping[Where, Mapping[EventKind, Action]] = {
    Where.COACHING: {
        **questions(carry_on),
        **reminders(carry_on, paused_here),
        K.LAUNCH: offer_resume, K.START: starting(still_going, carry_on), K.NEXT: go_next,
        K.PREVIOUS: go_previous, K.START_OVER: start_over, K.PAUSE: pause,
        K.RESUME: still_going, K.YES: keep_coaching, K.NO: keep_coaching,
        K.STOP: save_place_and_stop, K.PAIN: stop_for_pain, K.SESSION_ENDED: save_place,
        K.LIST_ROUTINES: answering(lambda t: list_routines_answer(t.library), carry_on),
    },
    Where.AT_BOUNDARY: {
        **questions(wait_for_continue),
        **reminders(wait_for_continue, paused_here),
        K.LAUNCH: offer_resume, K.START: starting(continue_on, wait_for_continue),
        K.NEXT: continue_on, K.PREVIOUS: go_previous, K.START_OVER: start_over,
        K.PAUSE: pause, K.RESUME: continue_on, K.YES: continue_on,
        K.NO: save_place_and_stop, K.STOP: save_place_and_stop, K.PAIN: stop_for_pain,
        K.SESSION_ENDED: save_place,
        K.LIST_ROUTINES: answering(lambda t: list_routines_answer(t.library),
                                   wait_for_continue),
    },
    Where.PAUSED: {
        **questions(wait_for_resume),
        **reminders(wait_for_resume, as_it_is),
        K.LAUNCH: offer_resume, K.START: starting(back_into_position, wait_for_resume),
        K.NEXT: go_next, K.PREVIOUS: go_previous, K.START_OVER: start_over, K.PAUSE: pause,
        K.RESUME: back_into_position, K.YES: back_into_position, K.NO: save_place_and_stop,
        K.STOP: save_place_and_stop, K.PAIN: stop_for_pain, K.SESSION_ENDED: stay,
        K.LIST_ROUTINES: which_routine,
    },
    Where.OFFERING_RESUME: {
        **questions(ask_again),
        **reminders(ask_again, as_it_is),
        K.REPEAT: offer_again, K.PAUSE: offer_again,
        K.LAUNCH: offer_resume, K.START: starting(back_into_position, ask_again),
        K.NEXT: back_into_position, K.PREVIOUS: go_previous, K.START_OVER: start_over,
        K.RESUME: back_into_position, K.YES: back_into_position, K.NO: from_the_top,
        K.STOP: save_place_and_stop, K.PAIN: stop_for_pain, K.SESSION_ENDED: save_place,
        K.LIST_ROUTINES: which_routine,
    },
    Where.IDLE: OUT_OF_A_ROUTINE,
    Where.FINISHED: AFTER_A_ROUTINE,
    Where.OFFERING_REMINDER: {
        **{kind: passing_over(action) for kind, action in AFTER_A_ROUTINE.items()},
        K.YES: accepting(invite_to_go_again, as_it_is),
        K.NO: declining(invite_to_go_again),
        K.REPEAT: offering_again, K.HELP: offering_again, K.FALLBACK: offering_again,
        K.REMINDER_DONE: accepted(answering_outcome(invite_to_go_again, as_it_is)),
    },
}

ANSWERED_BY: Mapping[str, frozenset[EventKind]] = {
    END_PROMPT: frozenset({K.STOP, K.START_OVER}),
    CONTINUE_REPROMPT: frozenset({K.RESUME, K.NEXT, K.YES}),
    OFFER_REPROMPT: frozenset({K.YES, K.NO}),
    RESUME_REPROMPT: frozenset({K.RESUME}),
    START_PROMPT: frozenset({K.START, K.STOP}),
    REMINDER_OFFER_REPROMPT: frozenset({K.YES, K.NO}),
}
"""What answers each closing question or invitation (named by its reprompt): an answer proves
the reply played to its end, which is how a device's pace is learned."""


# --- the machine ------------------------------------------------------------------------------


class Coach:
    """The session state machine over one routine library."""

    def __init__(self, library: RoutineLibrary) -> None:
        self.library = library

    def step(self, state: SessionState, event: Event, now: float) -> Outcome:
        """The next state and reply. Deterministic in its arguments; never raises.

        A reply whose effect is a `ReminderCall` asks the adapter, not the person: the adapter
        makes the call and steps again from the same `state` at the same `now`, the event now
        REMINDER_DONE with the outcome, and that reply is the answer. Nothing is saved in
        between, so the record changes only with what the API said."""
        turn = arrive(state, event, now, self.library)
        new_state, reply = TRANSITIONS[turn.where][event.kind](turn)
        if state.recovered or turn.state.recovered:
            reply = reply._replace(lead=f"{APOLOGY} {reply.lead}".strip())
            if reply.coaching is not None:
                new_state = anchored(new_state, reply)
        return new_state._replace(recovered=False, spoken=awaiting(reply, event, turn.now)), \
            reply


def awaiting(reply: Reply, event: Event, now: float) -> SpokenReply | None:
    """The record of `reply` while it waits for an answer, if its end can teach anything."""
    if event.device is None or reply.end_session or reply.reprompt is None:
        return None
    words_s, silence_s = spoken_lengths(reply)
    answers = frozenset(kind.value for kind in ANSWERED_BY.get(reply.reprompt, frozenset()))
    return SpokenReply(now, event.device, words_s, silence_s,
                       speaking_seconds(reply.reprompt), answers)
