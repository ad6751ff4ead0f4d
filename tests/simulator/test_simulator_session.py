"""The simulated Echo: barge-in, timestamps, reprompts, timeouts and saved sessions, on a
clock that never runs by itself."""

from __future__ import annotations

import re

import pytest

from psoas_release.core.position import SPOKEN_REQUEST_S, START_LATENCY_S
from psoas_release.core.routines import Routine, Side
from psoas_release.core.ssml import Text, pieces_of
from psoas_release.core.state import Phase
from psoas_release.simulator.display import progress_text
from psoas_release.simulator.envelopes import alexa_timestamp
from psoas_release.simulator.progress import progress_of
from psoas_release.simulator.session import LISTEN_S
from psoas_release.storage import SqliteStateStore
from tests.simulator.conftest import START, Rig, RigFactory

ALEXA_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def into_first_knee_hold(rig: Rig, seconds: float) -> None:
    rig.conversation.say("start psoas release")
    assert rig.conversation.wait_until("Right side. Lace your fingers")
    assert rig.conversation.wait_until("One minute, starting now.")
    rig.conversation.wait(seconds)


def test_the_form_cue_35_s_into_the_knee_hold_keeps_the_other_25(
    rig: Rig, psoas: Routine
) -> None:
    into_first_knee_hold(rig, 35)
    heard = rig.conversation.say("repeat the form cue")
    assert heard.text.startswith(psoas.movements[1].form_cue)
    after_the_answer = progress_of(heard.state, rig.conversation.library, heard.state.lead_s)
    assert after_the_answer.side is Side.RIGHT
    assert after_the_answer.hold_left_s is not None
    assert 23 <= after_the_answer.hold_left_s <= 27


def test_the_progress_line_shows_movement_side_and_seconds_left(rig: Rig) -> None:
    into_first_knee_hold(rig, 40)
    progress = rig.conversation.progress()
    assert (progress.movement_number, progress.side) == (2, Side.RIGHT)
    assert progress.hold_left_s == pytest.approx(20, abs=0.01)
    line = progress_text(progress, rig.conversation.activity()).plain
    assert line.startswith("holding"), "40 s into the hold Alexa is silent"
    assert "2/5 Knee to chest hug · right side · hold 0:20 left · " in line
    assert line.endswith(" left in all")


def test_a_barge_in_stops_the_speech_and_the_request_carries_the_simulated_time(
    rig: Rig,
) -> None:
    into_first_knee_hold(rig, 35)
    spoke_at = rig.clock.now()
    before = len(rig.transcript.said())
    heard = rig.conversation.say("how much time is left")
    request = rig.requests[-1]
    stamp = request["request"]["timestamp"]
    assert ALEXA_TIMESTAMP.fullmatch(stamp)
    assert stamp == alexa_timestamp(spoke_at + SPOKEN_REQUEST_S)
    assert not request["session"]["new"]
    rig.conversation.wait(25)
    since = rig.transcript.said()[before:]
    assert since == [p.words for p in pieces_of(heard.ssml) if isinstance(p, Text)][:2]
    assert since[0].startswith("About 25 seconds on this side")
    assert since[1] == "Ten seconds left.", "only the new reply plays"


def test_speech_plays_piece_by_piece_on_the_clock(rig: Rig) -> None:
    rig.conversation.say("start psoas release")
    assert rig.transcript.said() == []
    rig.conversation.wait(SPOKEN_REQUEST_S + START_LATENCY_S - 1.5)  # just as speech starts
    assert rig.transcript.said()[0].startswith("A safety note:")
    assert len(rig.transcript.said()) == 1
    rig.conversation.wait(60)
    assert 3 < len(rig.transcript.said()) < 12


def test_silence_gets_the_reprompt_then_the_session_ends_as_alexa_ends_it(rig: Rig) -> None:
    rig.conversation.say("start psoas release")
    rig.conversation.wait(30)
    paused = rig.conversation.say("pause")
    assert paused.reprompt
    speech_ends = rig.clock.now() + START_LATENCY_S + rig.conversation.speech_left_s()
    rig.conversation.wait(LISTEN_S - 1)
    assert rig.conversation.in_session
    assert rig.transcript.said()[-1] == paused.text
    rig.conversation.wait(40)
    kinds = [(kind, words) for kind, _, words in rig.transcript.lines]
    assert ("reprompt", paused.reprompt) in kinds
    ended = rig.requests[-1]
    assert ended["request"]["type"] == "SessionEndedRequest"
    assert ended["request"]["reason"] == "EXCEEDED_MAX_REPROMPTS"
    reprompt_at = next(at for kind, at, _ in rig.transcript.lines if kind == "reprompt")
    assert reprompt_at == pytest.approx(speech_ends + LISTEN_S, abs=1.0)
    assert not rig.conversation.in_session
    assert rig.conversation.progress().phase is Phase.PAUSED


def test_the_whole_routine_ends_with_a_question_then_the_session_closes(rig: Rig) -> None:
    heard = rig.conversation.say("start psoas release")
    assert heard.reprompt == "Say start over to go again, or stop." and not heard.ends_session
    rig.conversation.wait(rig.conversation.speech_left_s() + LISTEN_S + 2)
    assert rig.requests[-1]["request"]["type"] == "LaunchRequest", "the reprompt plays first"
    rig.conversation.wait(LISTEN_S + 10)
    assert rig.requests[-1]["request"]["reason"] == "EXCEEDED_MAX_REPROMPTS"


def test_stop_ends_the_session_and_a_launch_opens_a_new_one(rig: Rig) -> None:
    rig.conversation.say("start psoas release")
    rig.conversation.wait(20)
    goodbye = rig.conversation.say("stop")
    assert goodbye.ends_session and not rig.conversation.in_session
    rig.conversation.wait(10)
    assert rig.transcript.said()[-1] == goodbye.text
    assert ("notice", "session closed") in [(k, w) for k, _, w in rig.transcript.lines]
    rig.conversation.say("open psoas release")
    assert rig.requests[-1]["session"]["new"]
    assert rig.requests[-1]["request"]["type"] == "LaunchRequest"


def test_an_unmatched_phrase_is_sent_as_the_fallback_intent(rig: Rig) -> None:
    rig.conversation.say("start psoas release")
    rig.conversation.say("purple monkey dishwasher")
    assert rig.requests[-1]["request"]["intent"]["name"] == "AMAZON.FallbackIntent"
    assert rig.conversation.last_reply is not None
    assert rig.conversation.last_reply.text.startswith("Sorry, I didn't catch that.")


def test_leaving_ends_the_session_and_the_next_simulator_offers_to_resume(
    rig: Rig, make_rig: RigFactory
) -> None:
    into_first_knee_hold(rig, 20)
    rig.conversation.end()
    ended = rig.requests[-1]["request"]
    assert (ended["type"], ended["reason"]) == ("SessionEndedRequest", "USER_INITIATED")
    stored = SqliteStateStore(rig.db).load("amzn1.ask.account.LOCAL-SIMULATOR")
    assert stored is not None and stored.data["phase"] == "paused"
    again = make_rig(rig.db)
    offer = again.conversation.say("start psoas release")
    assert offer.text == ("Welcome back. You were on the knee to chest hug, right side. "
                          "Shall we carry on?")


def test_nothing_happens_by_itself_on_a_frozen_clock(rig: Rig) -> None:
    rig.conversation.say("start psoas release")
    before = rig.clock.now()
    rig.conversation.advance()
    assert rig.clock.now() == before == START + SPOKEN_REQUEST_S
    assert rig.transcript.said() == []
