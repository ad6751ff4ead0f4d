"""Conversations through the real `lambda_handler`, as a person lying on a mat has them."""

from __future__ import annotations

import pytest

from psoas_release.core.routines import Routine
from psoas_release.core.speaking import speaking_seconds
from psoas_release.core.speech import LEAD_GAP_S
from psoas_release.core.state import Phase
from psoas_release.core.timeline import compile_timeline
from tests.skill.device import EchoDevice

RIGHT_KNEE = "Right side. Lace your fingers"


def test_start_psoas_release_coaches_the_whole_routine(device: EchoDevice, psoas: Routine) -> None:
    heard = device.say("Alexa, start psoas release")
    assert heard.text.startswith("A safety note: this is general information")
    assert "Any time, you can say: Alexa, repeat the form cue" in heard.text
    for movement in psoas.movements:
        assert movement.spoken_name in heard.text
    assert heard.text.endswith(f"{psoas.closing} Say start over to go again, or stop.")
    assert heard.reprompt == "Say start over to go again, or stop."
    assert not heard.ends_session, "the session stays open so the person can interrupt"
    assert heard.state.phase is Phase.COACHING


def test_so_as_release_is_heard_as_the_same_skill(device: EchoDevice) -> None:
    assert device.say("open so as release").state.phase is Phase.COACHING


def test_the_form_cue_35_seconds_into_a_hold_keeps_the_other_25(
    device: EchoDevice, psoas: Routine
) -> None:
    device.say("start psoas release")
    device.wait_until_heard("One minute, starting now.", plus=35)
    heard = device.say("repeat the form cue")
    form_cue = psoas.movements[1].form_cue
    assert heard.text.startswith(form_cue)
    lead = speaking_seconds(form_cue) + LEAD_GAP_S
    left = heard.seconds_until("And release. Slowly lower your right leg") - lead
    assert 23 <= left <= 27, "within 2 s of the 25 s left, on a device the skill knows"


def test_how_much_time_is_left(device: EchoDevice) -> None:
    device.say("start psoas release")
    device.wait_until_heard("One minute, starting now.", plus=35)
    heard = device.say("how much time is left")
    assert heard.text.startswith("About 25 seconds on this side. The routine ends in about ")
    assert heard.text.split(". ")[1].endswith(" minutes")


def test_what_is_next_and_why(device: EchoDevice, psoas: Routine) -> None:
    device.say("start psoas release")
    device.wait_until_heard("One minute, starting now.", plus=10, occurrence=2)
    assert device.say("what's next").text.startswith("Next, the glute bridge.")
    assert device.say("why does this help").text.startswith(psoas.movements[1].why)


def test_pause_then_a_new_session_an_hour_later_resumes(device: EchoDevice) -> None:
    device.say("start psoas release")
    device.wait_until_heard("One minute, starting now.", plus=20, occurrence=2)
    paused = device.say("pause")
    assert paused.text.startswith("Paused on the knee to chest hug, left side.")
    assert not paused.ends_session
    device.end_session("EXCEEDED_MAX_REPROMPTS")
    device.wait(3600)
    offer = device.say("open psoas release")
    assert offer.text == ("Welcome back. You were on the knee to chest hug, left side. "
                          "Shall we carry on?")
    assert offer.reprompt
    resumed = device.say("yes")
    assert resumed.text.startswith("Back to the knee to chest hug, left side. Now lace your "
                                   "fingers around your left knee, and hug it in. About 40 "
                                   "seconds to go, starting now.")
    assert resumed.state.phase is Phase.COACHING


def test_stop_saves_and_a_dropped_session_offers_to_resume(device: EchoDevice) -> None:
    device.say("start psoas release")
    device.wait_until_heard("Next, the glute bridge.", plus=30)
    goodbye = device.say("stop")
    assert goodbye.ends_session
    assert "saved your place" in goodbye.text
    device.wait(600)
    assert "the glute bridge" in device.say("open psoas release").text
    assert device.say("no").text.startswith("Okay, starting from the top.")


def test_an_interrupted_session_is_saved_where_the_speech_stopped(device: EchoDevice) -> None:
    device.say("start psoas release")
    device.wait_until_heard("Next, the kneeling stretch.", plus=40)
    device.end_session("USER_INITIATED")
    device.wait(60)
    assert "the kneeling stretch" in device.say("open psoas release").text


@pytest.mark.parametrize("steps", range(10))
def test_next_previous_and_start_over_from_every_step(
    device: EchoDevice, psoas: Routine, steps: int
) -> None:
    device.say("start psoas release")
    positions = []
    for _ in range(steps):
        device.wait(4)
        heard = device.say("next")
        positions.append(heard.state.position_s)
    assert positions == sorted(positions)
    if steps and device.last and device.last.state.phase is Phase.COACHING:
        before = device.last.state.position_s
        device.wait(4)
        back = device.say("previous")
        assert back.text.startswith("Going back to")
        rest = back.text.split(". ", 1)[1]
        assert not rest.startswith(("First,", "Next,", "Last,", "Right side.", "Left side.")), \
            "the place is named once"
        at_title = compile_timeline(psoas).after_title(before)
        assert back.state.position_s < before if steps > 1 else back.state.position_s == at_title
    device.wait(4)
    again = device.say("start over")
    assert again.text.startswith("Starting over. ")
    intro_s = compile_timeline(psoas).intro_s
    expected = intro_s if again.state.advisory_heard else 0.0
    assert again.state.position_s == expected, "the safety note again only if not yet heard"


def test_it_hurts_stops_at_once_with_advice(device: EchoDevice, psoas: Routine) -> None:
    device.say("start psoas release")
    device.wait_until_heard(RIGHT_KNEE, plus=30)
    heard = device.say("it hurts")
    assert psoas.movements[1].if_it_hurts in heard.text
    assert "check with a doctor" in heard.text
    assert heard.state.phase is Phase.PAUSED
    assert "Breathe in" not in heard.text


def test_help_and_fallback_mid_hold_continue_the_hold(device: EchoDevice) -> None:
    device.say("start psoas release")
    device.wait_until_heard("One minute, starting now.", plus=20)
    helped = device.say("help")
    assert helped.text.startswith("You can say: repeat the form cue")
    assert "Ten seconds left." in helped.text
    device.wait(2)
    lost = device.say("purple monkey dishwasher")
    assert lost.text.startswith("Sorry, I didn't catch that.")
    assert "Ten seconds left." in lost.text


def test_a_second_launch_after_finishing_skips_the_advisory(device: EchoDevice) -> None:
    device.say("start psoas release")
    device.wait(1000)
    device.end_session("USER_INITIATED")
    device.wait(86_400)
    heard = device.say("start psoas release")
    assert heard.text.startswith("Good to have you back. This is the psoas release")
    assert "safety note" not in heard.text


def test_list_routines(device: EchoDevice) -> None:
    heard = device.say("ask psoas release what routines there are")
    assert heard.text == (
        "In Unlock Psoas, there are 2 routines for beginners: the ten minute psoas release, "
        "and the five minute psoas release. Which one would you like?"
    )
