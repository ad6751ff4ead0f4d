"""Barge-in on any voice: devices that speak from 120 to 180 words a minute, which the skill
is never told, interrupted anywhere in the routine through the real `lambda_handler`.

Before the skill knows a device, an interruption may repeat part of a hold but never cuts one
by more than 2 s. After one routine heard to its end on that device, an interruption resumes
within 2 s of where the speech stopped. What a person lives is measured from the SSML at the
device's own pace: the hold held before the question, plus what follows the answer until the
hold's release.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psoas_release.alexa.mapping import device_key
from psoas_release.alexa.skill import build_skill, invoke_skill
from psoas_release.core.coaching import resume_point
from psoas_release.core.library import RoutineLibrary, load_library
from psoas_release.core.position import coaching_of, position_after
from psoas_release.core.routines import Routine
from psoas_release.core.state import Phase, SessionState
from psoas_release.core.timeline import Timeline, compile_timeline
from psoas_release.storage import MemoryStateStore
from tests.conftest import ROUTINES_DIR
from tests.skill.conftest import MODEL_FILE
from tests.skill.device import TEST_DEVICE_ID, TEST_USER_ID, EchoDevice, Heard
from tests.skill.listening import holds, said

LIBRARY: RoutineLibrary = load_library(ROUTINES_DIR)
ROUTINE: Routine = LIBRARY.default
TIMELINE: Timeline = compile_timeline(ROUTINE)
MODEL: dict[str, Any] = json.loads(MODEL_FILE.read_text())
FIGURES = [hold.hold_s for movement in ROUTINE.movements for hold in movement.holds]
QUESTIONS = ["repeat the form cue", "how much time is left", "what's next",
             "why does this help"]
SLACK_S = 2.0
EPSILON = 1e-6

voices = st.floats(120, 180)
moments = st.floats(0.005, 0.995)
questions = st.sampled_from(QUESTIONS)
endings = st.sampled_from(["timed out", "stop", "start over"])


def echo(voice_wpm: float) -> EchoDevice:
    skill = build_skill(library=LIBRARY, store=MemoryStateStore(), environ={})
    return EchoDevice(lambda event, context: invoke_skill(skill, event, context), MODEL,
                      voice_wpm=voice_wpm)


@dataclass(frozen=True)
class Interruption:
    """Where the speech truly was when the person said "Alexa", and what the skill did."""

    truth_s: float
    """The timeline position the speech had reached, at the device's real pace."""
    hold_lived_s: float | None
    """For an interruption in a hold: the hold as the person lived it, else None."""
    figure_s: int | None
    uninterrupted_s: float | None
    """That hold as this device plays it when no one interrupts."""
    after: SessionState


def interrupt(device: EchoDevice, share: float, question: str) -> Interruption:
    """Let the last reply play `share` of its length, then ask `question` over it."""
    reply = device.last
    assert reply is not None
    before = reply.state
    lead_s = device.pace * before.lead_s + before.lead_silence_s
    at_s = share * device.speaking_s(reply.ssml)
    truth = position_after(coaching_of(TIMELINE, before), at_s - lead_s, device.pace)
    device.wait_into_speech(at_s)
    answer = device.say(question)
    lived, figure, uninterrupted = _hold_lived(device, reply, answer, at_s)
    return Interruption(truth, lived, figure, uninterrupted, answer.state)


def _hold_lived(device: EchoDevice, reply: Heard, answer: Heard,
                at_s: float) -> tuple[float | None, int | None, float | None]:
    heard = said(reply.ssml, device.pace)
    spans = holds(heard, ROUTINE)
    number = next((i for i, hold in enumerate(spans) if hold.start_s <= at_s < hold.end_s),
                  None)
    if number is None:
        return None, None, None
    hold = spans[number]
    starter, ender = heard[hold.start].words, heard[hold.end].words
    coaching_from = device.pace * answer.state.lead_s + answer.state.lead_silence_s
    resumed = [words for words in said(answer.ssml, device.pace)
               if words.at_s >= coaching_from - EPSILON]
    release = next(i for i, words in enumerate(resumed) if words.words == ender)
    figure = FIGURES[len(spans) - len(FIGURES) + number]
    restarts = [words.at_s for words in resumed[:release] if words.words == starter]
    if restarts:  # the hold starts again, whole
        return resumed[release].at_s - restarts[-1], figure, hold.length_s
    return (at_s - hold.start_s) + (resumed[release].at_s - coaching_from), figure, \
        hold.length_s


def never_cut(interruption: Interruption) -> None:
    """The interruption took no more than 2 s from the hold the device would have played
    (before its voice is known, a hold is sized for the model's voice, which a faster voice
    plays a little short whether interrupted or not: see `core.position`)."""
    after = interruption.after
    if after.phase is Phase.FINISHED:
        assert interruption.truth_s >= TIMELINE.end_s - SLACK_S, "taken as finished too soon"
        return
    assert after.phase is Phase.COACHING
    if interruption.hold_lived_s is not None:
        assert interruption.figure_s is not None and interruption.uninterrupted_s is not None
        floor = min(interruption.figure_s, interruption.uninterrupted_s)
        assert interruption.hold_lived_s >= floor - SLACK_S - EPSILON, \
            f"the hold was cut: {interruption.hold_lived_s:.1f} s of {floor:.1f}"
    latest = resume_point(TIMELINE, min(interruption.truth_s + SLACK_S, TIMELINE.end_s))
    assert after.position_s <= latest + EPSILON, "resumed after where the speech stopped"


def within_slack(interruption: Interruption) -> None:
    never_cut(interruption)
    if interruption.after.phase is Phase.FINISHED:
        return
    if interruption.hold_lived_s is not None:
        assert interruption.figure_s is not None
        assert interruption.hold_lived_s <= interruption.figure_s + SLACK_S + EPSILON, \
            f"repeated {interruption.hold_lived_s - interruption.figure_s:.1f} s of the hold"
    earliest = resume_point(TIMELINE, max(interruption.truth_s - SLACK_S, 0.0))
    assert interruption.after.position_s >= earliest - EPSILON, "repeated more than 2 s"


def finish_one_routine(device: EchoDevice, ending: str) -> None:
    """A whole first routine heard to its end, then the way it ends."""
    device.say("start psoas release")
    if ending == "timed out":
        device.time_out()
        device.wait(86_400)
        device.say("start psoas release")
    elif ending == "stop":
        device.answer("stop")
        device.wait(86_400)
        device.say("start psoas release")
    else:
        device.answer("start over")


def a_first_routine_never_cuts_a_hold(voice: float, share: float, question: str) -> None:
    device = echo(voice)
    device.say("start psoas release")
    never_cut(interrupt(device, share, question))


def after_one_routine_an_interruption_resumes_within_slack(
    voice: float, share: float, question: str, ending: str
) -> None:
    device = echo(voice)
    finish_one_routine(device, ending)
    within_slack(interrupt(device, share, question))


def after_one_routine_a_hold_asked_about_lasts_its_figure(
    voice: float, into: float, number: int
) -> None:
    device = echo(voice)
    finish_one_routine(device, "timed out")
    reply = device.last
    assert reply is not None
    spans = holds(said(reply.ssml, device.pace), ROUTINE)
    hold = spans[len(spans) - len(FIGURES) + number]
    share = (hold.start_s + min(into, FIGURES[number] - 1.0)) / device.speaking_s(reply.ssml)
    interruption = interrupt(device, share, "how much time is left")
    assert interruption.hold_lived_s is not None
    within_slack(interruption)


QUICK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LONG = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIRST = given(voice=voices, share=moments, question=questions)
AFTER = given(voice=voices, share=moments, question=questions, ending=endings)
HOLD = given(voice=voices, into=st.floats(2, 119), number=st.integers(0, 7))

test_a_first_routine_never_cuts_a_hold_by_more_than_two_seconds = QUICK(FIRST(
    a_first_routine_never_cuts_a_hold))
test_after_one_finished_routine_an_interruption_resumes_within_two_seconds = QUICK(AFTER(
    after_one_routine_an_interruption_resumes_within_slack))
test_after_one_finished_routine_each_hold_asked_about_lasts_its_figure = QUICK(HOLD(
    after_one_routine_a_hold_asked_about_lasts_its_figure))
test_many_first_routines_never_cut_a_hold = pytest.mark.slow(LONG(FIRST(
    a_first_routine_never_cuts_a_hold)))
test_many_learned_voices_resume_within_two_seconds = pytest.mark.slow(LONG(AFTER(
    after_one_routine_an_interruption_resumes_within_slack)))
test_many_holds_asked_about_last_their_figure = pytest.mark.slow(LONG(HOLD(
    after_one_routine_a_hold_asked_about_lasts_its_figure)))


@QUICK
@given(voice=voices)
def test_holds_are_sized_for_the_voice_once_it_is_known(voice: float) -> None:
    device = echo(voice)
    finish_one_routine(device, "timed out")
    reply = device.last
    assert reply is not None
    spans = holds(said(reply.ssml, device.pace), ROUTINE)
    lengths = [hold.length_s for hold in spans]
    assert all(abs(length - figure) <= 0.5 for length, figure in zip(lengths, FIGURES,
                                                                    strict=True)), lengths


def test_two_devices_of_one_person_keep_their_own_paces() -> None:
    store = MemoryStateStore()
    skill = build_skill(library=LIBRARY, store=store, environ={})

    def on(device_id: str, voice_wpm: float) -> EchoDevice:
        return EchoDevice(lambda event, context: invoke_skill(skill, event, context), MODEL,
                          voice_wpm=voice_wpm, device_id=device_id)

    kitchen, bedroom = on("amzn1.ask.device.KITCHEN", 124), on("amzn1.ask.device.BEDROOM", 176)
    kitchen.say("start psoas release")
    kitchen.time_out()
    bedroom.clock = kitchen.clock
    bedroom.say("start psoas release")
    bedroom.time_out()
    stored = store.load(TEST_USER_ID)
    assert stored is not None
    paces = dict(SessionState.from_dict(stored.data).paces)
    assert sorted(round(pace.ratio, 2) for pace in paces.values()) == [0.85, 1.21]
    for device in (kitchen, bedroom):
        device.wait(86_400)
        if device.say("start psoas release").state.phase is Phase.OFFERING_RESUME:
            device.answer("no")  # the other device left a routine open: from the top
        within_slack(interrupt(device, 0.6, "how much time is left"))


def test_a_corrupt_pace_record_falls_back_to_the_estimate_that_is_never_late() -> None:
    store = MemoryStateStore()
    record = SessionState(completed_count=4).to_dict()
    record["paces"] = [{"device": device_key(TEST_DEVICE_ID), "ratio": "fast"}]
    store.save(TEST_USER_ID, record, None)
    skill = build_skill(library=LIBRARY, store=store, environ={})
    device = EchoDevice(lambda event, context: invoke_skill(skill, event, context), MODEL)
    heard = device.say("start psoas release")
    assert not heard.text.startswith("Sorry"), "the rest of the record is kept"
    assert heard.state.completed_count == 4
    interruption = interrupt(device, 0.7, "repeat the form cue")
    never_cut(interruption)
    assert interruption.after.position_s < interruption.truth_s - 10, \
        "placed as the slowest voice would be: early, never late"
