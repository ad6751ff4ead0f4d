"""The routine catalogue by voice: list it, pick by name or length, and a new routine needs
only a file."""

from __future__ import annotations

import pytest

from psoas_release.core.library import RoutineLibrary
from psoas_release.core.state import Phase
from tests.skill.device import EchoDevice


def test_list_then_pick_by_length(device: EchoDevice) -> None:
    listing = device.say("ask psoas release what routines there are")
    assert "the five minute psoas release" in listing.text
    assert not listing.ends_session
    picked = device.say("the five minute one")
    assert picked.state.routine_id == "unlock-psoas-quick-release"
    assert "This is the quick psoas release" in picked.text


@pytest.mark.parametrize(
    ("utterance", "routine_id"),
    [
        ("ask psoas release to start the short one", "unlock-psoas-quick-release"),
        ("ask so as release to start the five minute psoas release",
         "unlock-psoas-quick-release"),
        ("ask psoas release to start the ten minute routine", "unlock-psoas-flex-foundations"),
        ("start psoas release", "unlock-psoas-flex-foundations"),
    ],
)
def test_start_a_routine_by_name_or_duration(
    device: EchoDevice, utterance: str, routine_id: str
) -> None:
    heard = device.say(utterance)
    assert heard.state.routine_id == routine_id
    assert heard.state.phase is Phase.COACHING


def test_the_five_minute_routine_holds_thirty_seconds_a_side(
    device: EchoDevice, library: RoutineLibrary
) -> None:
    heard = device.say("ask psoas release to start the five minute one")
    start = heard.seconds_until("Thirty seconds, starting now.")
    end = heard.seconds_until("And release. Slowly lower your right leg to the floor.")
    assert end - start == pytest.approx(30, abs=0.5)
    quick = library.get("unlock-psoas-quick-release")
    assert quick is not None
    assert heard.text.endswith(f"{quick.closing} Say start over to go again, or stop.")


def test_an_unknown_routine_name_mid_routine_keeps_coaching(device: EchoDevice) -> None:
    device.say("start psoas release")
    device.wait_until_heard("One minute, starting now.", plus=20)
    heard = device.say("start the underwater basket weaving")
    assert heard.text.startswith("I don't know a routine by that name.")
    assert heard.state.routine_id == "unlock-psoas-flex-foundations"
    assert heard.state.phase is Phase.COACHING
