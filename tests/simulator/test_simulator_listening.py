"""At any playback speed Alexa listens for 8 real seconds, and the status line says what she
is doing: speaking, holding a silent hold, listening (with the seconds left), or nothing."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from psoas_release.simulator.clock import SimulatedClock
from psoas_release.simulator.session import LISTEN_S
from psoas_release.simulator.terminal import run_interactive
from tests.simulator.conftest import START, FakeRealTime, Rig, RigFactory
from tests.simulator.test_simulator_terminal import ScriptedKeys

SPEED = 10


def fast_rig(make_rig: RigFactory, rig: Rig | None = None) -> tuple[Rig, FakeRealTime]:
    real = FakeRealTime()
    clock = SimulatedClock(START, SPEED, monotonic=real.monotonic, sleep=real.sleep)
    return make_rig(rig.db if rig else None, clock=clock), real


def test_at_speed_10_speech_is_fast_but_alexa_listens_8_real_seconds(
    make_rig: RigFactory,
) -> None:
    rig, real = fast_rig(make_rig)
    rig.conversation.say("start psoas release")
    rig.conversation.wait(30)
    asked = rig.conversation.say("pause")
    assert asked.reprompt and not asked.ends_session
    speech_s = rig.conversation.speech_left_s()
    before = real.now
    rig.conversation.wait(speech_s)
    assert real.now - before == pytest.approx(speech_s / SPEED)
    assert rig.conversation.activity() == "listening 8s"
    before = real.now
    rig.conversation.wait(LISTEN_S - 1)
    assert real.now - before == pytest.approx(LISTEN_S - 1)
    assert rig.conversation.activity() == "listening 1s"
    assert rig.conversation.in_session
    rig.conversation.say("resume")
    assert rig.requests[-1]["request"]["intent"]["name"] == "AMAZON.ResumeIntent"
    assert not rig.requests[-1]["session"]["new"]


def test_an_answer_6_real_seconds_after_shall_we_carry_on_is_in_the_same_session(
    make_rig: RigFactory,
) -> None:
    first = make_rig()
    first.conversation.say("start psoas release")
    first.conversation.wait(90)
    first.conversation.say("stop")
    rig, real = fast_rig(make_rig, first)
    offer_s = 1.5 / SPEED + 5.0 / SPEED  # the request, then about 5 s of "Welcome back…"
    keys = ScriptedKeys(real, [(0.0, "open psoas release\r"), (offer_s + 6.0, "yes\r"),
                               (offer_s + 7.0, "\x04")])
    assert run_interactive(rig.conversation, Console(file=io.StringIO()), keys) == 0
    launch, answer = rig.requests[0], rig.requests[1]
    assert rig.conversation.last_reply is not None
    assert "Shall we carry on?" in (first_reply := rig.transcript.said()[0]), first_reply
    assert answer["request"]["intent"]["name"] == "AMAZON.YesIntent"
    assert not answer["session"]["new"], "the answer came inside Alexa's 8 seconds"
    assert answer["session"]["sessionId"] == launch["session"]["sessionId"]


def test_the_status_line_says_speaking_then_holding_through_a_silent_hold(
    rig: Rig,
) -> None:
    rig.conversation.say("start psoas release")
    assert rig.conversation.wait_until("Breathe in through your nose.")
    rig.conversation.wait(0.2)
    assert rig.conversation.activity() == "speaking"
    rig.conversation.wait(2.5)  # the silence after the breath cue, within the hold
    assert rig.conversation.activity() == "holding"
    assert rig.conversation.wait_until("And release. Slowly lower your right leg to the floor.")
    rig.conversation.wait(5)  # the pause for switching sides: no hold, no words
    assert rig.conversation.activity() == "quiet"


def test_the_status_line_says_closed_when_alexa_has_stopped(rig: Rig) -> None:
    rig.conversation.say("start psoas release")
    rig.conversation.wait(20)
    rig.conversation.say("stop")
    rig.conversation.wait(20)
    assert rig.conversation.activity() == "closed"
