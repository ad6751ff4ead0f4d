"""The session state machine: every phase x event, the behaviours a person relies on, and
properties over random conversations."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psoas_release.core.clock_time import ClockTime
from psoas_release.core.coaching import CONTINUE_REPROMPT
from psoas_release.core.events import Event, EventKind
from psoas_release.core.library import RoutineLibrary
from psoas_release.core.machine import TRANSITIONS, Coach
from psoas_release.core.numbers import number_words
from psoas_release.core.position import heard_position
from psoas_release.core.reminder_record import Offer, Pending, ReminderRecord, Wish
from psoas_release.core.routines import Routine
from psoas_release.core.speech import render_reply, render_reprompt
from psoas_release.core.ssml import MAX_SPEECH_CHARS, validate
from psoas_release.core.state import Phase, SessionState
from psoas_release.core.timeline import compile_timeline
from psoas_release.core.turn import Where, arrive
from tests.core.conversation import START_TIME, Conversation
from tests.core.spans import hold_spans

K = EventKind


def state_in(where: Where, psoas: Routine) -> SessionState:
    """A representative state for `where`, 40 s into the knee-to-chest right side (at the
    boundary: a reply that stopped before the glute bridge has played out)."""
    timeline = compile_timeline(psoas)
    position = hold_spans(timeline)[1][0] + 40
    if where is Where.IDLE:
        return SessionState()
    if where is Where.FINISHED:
        return SessionState(phase=Phase.FINISHED, completed_count=1, advisory_heard=True)
    if where is Where.OFFERING_REMINDER:
        offer = ReminderRecord(offer=Offer.MADE, pending=Pending(Wish.SET, ClockTime(7, 15)))
        return SessionState(phase=Phase.OFFERING_REMINDER, completed_count=2,
                            advisory_heard=True, time_zone="Europe/London", reminder=offer)
    if where is Where.AT_BOUNDARY:
        boundary = timeline.movement_starts[2]
        return SessionState(phase=Phase.COACHING, routine_id=psoas.id, position_s=boundary,
                            anchor_at=START_TIME - 60, covers_until_s=boundary,
                            advisory_heard=True)
    anchored = where is Where.COACHING
    return SessionState(
        phase=Phase(where.value), routine_id=psoas.id, position_s=position,
        anchor_at=START_TIME if anchored else None,
        covers_until_s=timeline.end_s if anchored else position, advisory_heard=True,
    )


def test_the_transition_table_covers_everywhere_and_every_event() -> None:
    assert set(TRANSITIONS) == set(Where)
    for where in Where:
        assert set(TRANSITIONS[where]) == set(EventKind), where


@pytest.mark.parametrize("where", list(Where))
def test_each_representative_state_arrives_where_it_says(
    where: Where, library: RoutineLibrary, psoas: Routine
) -> None:
    turn = arrive(state_in(where, psoas), Event(K.HELP), START_TIME + 5, library)
    assert turn.where is where


def test_a_reply_that_played_the_routine_to_its_end_arrives_finished_and_counted(
    library: RoutineLibrary, psoas: Routine
) -> None:
    timeline = compile_timeline(psoas)
    state = SessionState(phase=Phase.COACHING, routine_id=psoas.id, position_s=0.0,
                         anchor_at=START_TIME, covers_until_s=timeline.end_s)
    turn = arrive(state, Event(K.HELP), START_TIME + 2 * timeline.end_s, library)
    assert turn.where is Where.FINISHED
    assert turn.state.completed_count == 1 and turn.state.routine_id is None
    assert turn.state.completions, "heard in full: the run counts"


def test_a_saved_routine_that_no_longer_exists_arrives_idle_with_an_apology_owed(
    library: RoutineLibrary,
) -> None:
    state = SessionState(phase=Phase.PAUSED, routine_id="retired-routine", completed_count=2)
    turn = arrive(state, Event(K.RESUME), START_TIME, library)
    assert turn.where is Where.IDLE
    assert turn.state.recovered and turn.state.completed_count == 2


W = Where
EXPECTED = {
    (W.IDLE, K.LAUNCH): Phase.COACHING,
    (W.IDLE, K.START): Phase.COACHING,
    (W.IDLE, K.FORM_CUE): Phase.IDLE,
    (W.IDLE, K.NEXT): Phase.IDLE,
    (W.IDLE, K.STOP): Phase.IDLE,
    (W.IDLE, K.NO): Phase.IDLE,
    (W.COACHING, K.FORM_CUE): Phase.COACHING,
    (W.COACHING, K.TIME_LEFT): Phase.COACHING,
    (W.COACHING, K.HELP): Phase.COACHING,
    (W.COACHING, K.FALLBACK): Phase.COACHING,
    (W.COACHING, K.PAUSE): Phase.PAUSED,
    (W.COACHING, K.STOP): Phase.PAUSED,
    (W.COACHING, K.PAIN): Phase.PAUSED,
    (W.COACHING, K.SESSION_ENDED): Phase.PAUSED,
    (W.COACHING, K.NEXT): Phase.COACHING,
    (W.COACHING, K.LAUNCH): Phase.OFFERING_RESUME,
    (W.AT_BOUNDARY, K.RESUME): Phase.COACHING,
    (W.AT_BOUNDARY, K.FORM_CUE): Phase.COACHING,
    (W.AT_BOUNDARY, K.NO): Phase.PAUSED,
    (W.AT_BOUNDARY, K.SESSION_ENDED): Phase.PAUSED,
    (W.PAUSED, K.RESUME): Phase.COACHING,
    (W.PAUSED, K.LAUNCH): Phase.OFFERING_RESUME,
    (W.PAUSED, K.FORM_CUE): Phase.PAUSED,
    (W.PAUSED, K.NEXT): Phase.COACHING,
    (W.PAUSED, K.STOP): Phase.PAUSED,
    (W.OFFERING_RESUME, K.YES): Phase.COACHING,
    (W.OFFERING_RESUME, K.NO): Phase.COACHING,
    (W.OFFERING_RESUME, K.HELP): Phase.OFFERING_RESUME,
    (W.OFFERING_RESUME, K.SESSION_ENDED): Phase.PAUSED,
    (W.FINISHED, K.LAUNCH): Phase.COACHING,
    (W.FINISHED, K.START_OVER): Phase.COACHING,
    (W.FINISHED, K.NEXT): Phase.FINISHED,
    (W.FINISHED, K.STOP): Phase.FINISHED,
    (W.COACHING, K.SET_REMINDER): Phase.COACHING,
    (W.COACHING, K.PROGRESS): Phase.COACHING,
    (W.OFFERING_REMINDER, K.YES): Phase.FINISHED,
    (W.OFFERING_REMINDER, K.NO): Phase.FINISHED,
    (W.OFFERING_REMINDER, K.HELP): Phase.OFFERING_REMINDER,
    (W.OFFERING_REMINDER, K.SESSION_ENDED): Phase.FINISHED,
    (W.OFFERING_REMINDER, K.LAUNCH): Phase.COACHING,
}


@pytest.mark.parametrize(("where", "kind"), list(itertools.product(Where, EventKind)))
def test_everywhere_every_event_gives_a_valid_reply(
    where: Where, kind: EventKind, library: RoutineLibrary, psoas: Routine
) -> None:
    state, reply = Coach(library).step(state_in(where, psoas), Event(kind), START_TIME + 5)
    validate(render_reply(reply))
    if reply.reprompt:
        assert render_reprompt(reply)
    assert SessionState.from_dict(state.to_dict()) == state
    if (where, kind) in EXPECTED:
        assert state.phase is EXPECTED[(where, kind)]
    if kind is K.STOP:
        assert reply.end_session
    if state.phase is Phase.COACHING:
        assert not reply.end_session
        assert reply.coaching is not None or reply.prompt == CONTINUE_REPROMPT, \
            "coaching, or waiting at a movement boundary for continue"


def test_start_psoas_release_coaches_the_whole_routine_in_one_reply(
    library: RoutineLibrary,
) -> None:
    person = Conversation(library)
    text = person.say(K.LAUNCH)
    assert text.startswith("A safety note:")
    assert "Any time, you can say" in text
    assert person.reply.coaching is not None and person.reply.coaching.reaches_end
    assert not person.state.advisory_heard, "heard only once it has been said"
    person.wait(60)
    person.say(K.TIME_LEFT)
    assert person.state.advisory_heard


def test_a_safety_note_cut_short_is_said_again_next_time(library: RoutineLibrary) -> None:
    person = Conversation(library)
    person.say(K.LAUNCH)
    person.wait(3)
    person.say(K.STOP)
    person.wait(600)
    person.say(K.LAUNCH)
    assert person.say(K.NO).startswith("Okay, starting from the top. A safety note:")


def test_previous_during_the_intro_stays_at_the_start(library: RoutineLibrary) -> None:
    person = Conversation(library, SessionState(advisory_heard=True))
    person.say(K.LAUNCH)
    person.wait(5)
    assert person.say(K.PREVIOUS).startswith("We're at the start. This is the psoas release")
    assert person.state.position_s == person.timeline.intro_s


def test_continue_after_a_reply_that_stopped_at_a_movement_says_no_reorientation(
    library: RoutineLibrary,
) -> None:
    person = Conversation(library, SessionState(advisory_heard=True))
    person.say(K.LAUNCH)
    person.state = person.state._replace(covers_until_s=person.timeline.movement_starts[2])
    person.wait(2000)
    text = person.say(K.RESUME)
    assert text.startswith("Next, the glute bridge.")


def test_a_returning_person_starts_after_the_advisory(library: RoutineLibrary) -> None:
    person = Conversation(library, SessionState(advisory_heard=True, phase=Phase.FINISHED))
    text = person.say(K.LAUNCH)
    assert "safety note" not in text
    assert text.startswith("This is the psoas release")


def test_repeat_the_form_cue_35_seconds_into_a_hold_keeps_25_seconds(
    library: RoutineLibrary, psoas: Routine
) -> None:
    person = Conversation(library)
    person.say(K.LAUNCH)
    person.wait_until_hold(1, into_s=35)
    text = person.say(K.FORM_CUE)
    assert text.startswith(psoas.movements[1].form_cue)
    assert person.hold_seconds_left() == pytest.approx(25, abs=2)
    assert person.hold_seconds_left() >= 25 - 0.01


def test_two_questions_in_a_row_do_not_eat_the_hold(library: RoutineLibrary) -> None:
    person = Conversation(library)
    person.say(K.LAUNCH)
    person.wait_until_hold(3, into_s=20)
    person.say(K.TIME_LEFT)
    left = person.hold_seconds_left()
    person.wait(1)
    person.say(K.WHY)
    assert person.hold_seconds_left() == pytest.approx(left)


def test_time_left_names_the_hold_and_the_whole(library: RoutineLibrary) -> None:
    person = Conversation(library)
    person.say(K.LAUNCH)
    person.wait_until_hold(1, into_s=35)
    text = person.say(K.TIME_LEFT)
    left = person.timeline.end_s - person.state.position_s
    assert text.startswith("About 25 seconds on this side. The routine ends in about "
                           f"{number_words(round(left / 60))} minutes.")


def test_what_is_next_from_the_right_side_is_the_left_side(library: RoutineLibrary) -> None:
    person = Conversation(library)
    person.say(K.LAUNCH)
    person.wait_until_hold(1, into_s=10)
    assert person.say(K.WHATS_NEXT).startswith("Next, the left side.")
    person.wait_until_hold(2, into_s=10)
    assert person.say(K.WHATS_NEXT).startswith("Next, the glute bridge.")


def test_pause_then_an_hour_later_resume_where_we_were(library: RoutineLibrary) -> None:
    person = Conversation(library)
    person.say(K.LAUNCH)
    person.wait_until_hold(2, into_s=35)
    assert person.say(K.PAUSE).startswith("Paused on the knee to chest hug, left side.")
    saved = person.state.position_s
    person.wait(3600)
    offer = person.say(K.LAUNCH)
    assert offer == ("Welcome back. You were on the knee to chest hug, left side. "
                     "Shall we carry on?")
    text = person.say(K.YES)
    assert text.startswith("Back to the knee to chest hug, left side. Now lace your fingers "
                           "around your left knee, and hug it in. About 25 seconds to go, "
                           "starting now.")
    assert person.state.position_s == pytest.approx(saved)
    assert person.hold_seconds_left() == pytest.approx(25, abs=2)


def test_no_to_the_resume_offer_starts_from_the_top(library: RoutineLibrary) -> None:
    person = Conversation(library)
    person.say(K.LAUNCH)
    person.wait_until_hold(2, into_s=35)
    person.say(K.STOP)
    person.wait(60)
    person.say(K.LAUNCH)
    text = person.say(K.NO)
    assert text.startswith("Okay, starting from the top. This is the psoas release")
    assert person.state.position_s == person.timeline.intro_s


def test_next_and_previous_walk_every_step(library: RoutineLibrary) -> None:
    person = Conversation(library)
    person.say(K.LAUNCH)
    steps = person.timeline.steps
    visited = []
    for _ in range(len(steps) + 1):
        person.wait(5)
        person.say(K.NEXT)
        visited.append(person.state.position_s)
        if person.state.phase is Phase.FINISHED:
            break
    assert visited[: len(steps)] == list(steps)
    assert person.state.phase is Phase.FINISHED
    person = Conversation(library)
    person.say(K.LAUNCH)
    for _ in steps:
        person.wait(3)
        person.say(K.NEXT)
    back = []
    for _ in steps:
        person.wait(3)
        person.say(K.PREVIOUS)
        back.append(person.state.position_s)
    assert back == sorted(back, reverse=True)
    assert back[-1] == person.timeline.after_title(steps[0])


def test_start_over_returns_to_the_intro(library: RoutineLibrary) -> None:
    person = Conversation(library)
    person.say(K.LAUNCH)
    person.wait(300)
    assert person.say(K.START_OVER).startswith("Starting over. This is the psoas release")
    assert person.state.position_s == person.timeline.intro_s


def test_it_hurts_stops_coaching_with_the_movements_advice(
    library: RoutineLibrary, psoas: Routine
) -> None:
    person = Conversation(library)
    person.say(K.LAUNCH)
    person.wait_until_hold(5, into_s=10)
    text = person.say(K.PAIN)
    assert person.reply.coaching is None
    assert person.state.phase is Phase.PAUSED
    assert psoas.movements[3].if_it_hurts in text
    assert "check with a doctor" in text


def test_a_clock_that_goes_backwards_keeps_the_place(library: RoutineLibrary) -> None:
    person = Conversation(library)
    person.say(K.LAUNCH)
    person.wait(200)
    person.say(K.FORM_CUE)
    place = person.state.position_s
    person.wait(-500)
    person.say(K.TIME_LEFT)
    assert person.state.position_s == place


def test_a_huge_time_jump_finishes_the_routine_once(library: RoutineLibrary) -> None:
    person = Conversation(library)
    person.say(K.LAUNCH)
    person.wait(10**9)
    person.say(K.SESSION_ENDED)
    assert person.state.phase is Phase.FINISHED
    assert person.state.completed_count == 1
    person.say(K.SESSION_ENDED)
    assert person.state.completed_count == 1


def test_a_state_naming_a_routine_that_no_longer_exists_starts_fresh_with_an_apology(
    library: RoutineLibrary,
) -> None:
    gone = SessionState(phase=Phase.PAUSED, routine_id="retired-routine", position_s=99)
    person = Conversation(library, gone)
    text = person.say(K.LAUNCH)
    assert text.startswith("Sorry, I lost track of where we were, so let's start fresh.")
    assert person.state.phase is Phase.COACHING


def test_a_corrupt_state_is_apologised_for_once(library: RoutineLibrary) -> None:
    person = Conversation(library, SessionState.from_dict({"version": 99}))
    assert person.say(K.LAUNCH).startswith("Sorry, I lost track")
    person.wait(30)
    assert not person.say(K.TIME_LEFT).startswith("Sorry")


def test_an_unknown_routine_name_falls_back_to_the_default(library: RoutineLibrary) -> None:
    person = Conversation(library)
    text = person.say(K.START, routine_id=None, routine_name="yoga <flow> & more")
    assert text.startswith("I don't know that routine, so here's the ten minute psoas release.")


# --- properties over random conversations --------------------------------------------------

NAVIGATION = {K.PREVIOUS, K.START_OVER, K.START, K.LAUNCH, K.NO, K.YES, K.RESUME}
QUESTIONS = {K.FORM_CUE, K.TIME_LEFT, K.WHATS_NEXT, K.WHY, K.HELP, K.FALLBACK, K.REPEAT}

conversations = st.lists(
    st.tuples(
        st.sampled_from(EventKind),
        st.one_of(
            st.floats(min_value=0, max_value=40),
            st.floats(min_value=-60, max_value=4000),
        ),
        st.sampled_from([None, "unlock-psoas-flex-foundations", "no-such-routine"]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conversations)
def test_random_conversations_keep_every_promise(
    library: RoutineLibrary,
    steps: list[tuple[EventKind, float, str | None]],
) -> None:
    coach = Coach(library)
    state, now = SessionState(), START_TIME
    for kind, jump, routine_id in steps:
        now += jump
        before = state
        event = Event(kind, routine_id=routine_id if kind is K.START else None)
        state, reply = coach.step(state, event, now)
        ssml = render_reply(reply)
        validate(ssml)
        assert len(ssml) <= MAX_SPEECH_CHARS
        assert SessionState.from_dict(state.to_dict()) == state
        same_routine = before.routine_id == state.routine_id and state.routine_id
        if not same_routine or kind in NAVIGATION or before.phase is Phase.FINISHED:
            continue
        timeline = compile_timeline(library.get(state.routine_id or "") or library.default)
        heard = heard_position(timeline, before, now) \
            if before.phase is Phase.COACHING else before.position_s
        if state.phase in {Phase.COACHING, Phase.PAUSED}:
            assert timeline.coached_left_s(state.position_s) <= \
                timeline.coached_left_s(before.position_s) + 1e-6
        if kind in QUESTIONS and before.phase is Phase.COACHING and state.phase is Phase.COACHING:
            assert state.position_s <= heard + 1e-6
            span = timeline.hold_span(heard)
            if span:
                assert span[1] - state.position_s >= span[1] - heard - 1e-6
