"""Returning users through the real skill: streaks across days in their own time zone, and
preferences changed by voice mid-hold that last between sessions."""

from __future__ import annotations

from typing import Any

import pytest

from psoas_release.alexa.skill import build_skill, invoke_skill
from psoas_release.alexa.time_zone import TimeZoneLookup
from psoas_release.core.library import RoutineLibrary
from psoas_release.core.preferences import CueLevel, Pace
from psoas_release.core.speaking import speaking_seconds
from psoas_release.core.speech import LEAD_GAP_S
from psoas_release.storage import MemoryStateStore
from tests.skill.device import TEST_DEVICE_ID, TEST_USER_ID, EchoDevice
from tests.voices import seed_known_voice

DAY = 86_400.0


class SettingsApi:
    """Alexa's settings API as the skill sees it: one device, one time zone."""

    def __init__(self, zone: str) -> None:
        self.zone = zone
        self.urls: list[str] = []

    def __call__(self, url: str, token: str) -> bytes:
        self.urls.append(url)
        assert token == "test-token"
        return f'"{self.zone}"'.encode()


def device_with(library: RoutineLibrary, model: dict[str, Any],
                api: SettingsApi | None = None) -> EchoDevice:
    store = MemoryStateStore()
    seed_known_voice(store, TEST_USER_ID, TEST_DEVICE_ID)
    skill = build_skill(library=library, store=store, environ={},
                        time_zone=TimeZoneLookup(api) if api else None)
    return EchoDevice(lambda event, context: invoke_skill(skill, event, context), model)


def do_the_routine(device: EchoDevice) -> str:
    text = device.say("start psoas release").text
    device.wait(1000)
    device.end_session("EXCEEDED_MAX_REPROMPTS")
    return text


def test_three_days_running(library: RoutineLibrary, model: dict[str, Any]) -> None:
    device = device_with(library, model)
    first = do_the_routine(device)
    assert not first.endswith("days running.")
    device.wait(DAY - 1000)
    second = do_the_routine(device)
    assert second.startswith("Welcome back. Good to have you back.") is False
    assert second.endswith("That's two days running. Say start over to go again, or stop.")
    device.wait(DAY - 1000)
    third = do_the_routine(device)
    assert third.startswith("You're on a two-day streak. This is the psoas release")
    assert third.endswith("That's three days running. Say start over to go again, or stop.")
    device.wait(3 * DAY)
    assert device.say("start psoas release").text.startswith("Good to have you back.")


def test_the_calendar_is_the_devices_time_zone(
    library: RoutineLibrary, model: dict[str, Any]
) -> None:
    api = SettingsApi("America/Los_Angeles")
    device = device_with(library, model, api)
    device.clock = device.clock.replace(hour=5)  # 05:00 UTC: still yesterday evening in LA
    do_the_routine(device)
    assert api.urls == ["https://api.amazonalexa.com/v2/devices/amzn1.ask.device.TESTDEVICE"
                        "/settings/System.timeZone"]
    assert device.last is not None
    device.wait(17 * 3600 - 1000)  # 22:00 UTC the same day: the next afternoon in LA
    text = do_the_routine(device)
    assert "That's two days running." in text, "in UTC both runs were on one day"


def test_a_broken_settings_api_falls_back_to_utc(
    library: RoutineLibrary, model: dict[str, Any]
) -> None:
    api = SettingsApi("Mars/Olympus_Mons")
    device = device_with(library, model, api)
    device.say("start psoas release")
    device.wait(5)
    heard = device.say("how much time is left")
    assert heard.state.time_zone == "Mars/Olympus_Mons"
    assert heard.text
    device.wait(1000)
    device.end_session("EXCEEDED_MAX_REPROMPTS")
    device.wait(DAY - 1000)
    assert "That's two days running." in do_the_routine(device)


def test_the_time_zone_is_asked_once_a_week_and_only_when_a_run_may_count(
    library: RoutineLibrary, model: dict[str, Any]
) -> None:
    api = SettingsApi("Europe/Berlin")
    device = device_with(library, model, api)
    device.say("start psoas release")
    assert api.urls == [], "a launch that only starts coaching counts nothing yet"
    device.wait(1000)
    device.end_session("EXCEEDED_MAX_REPROMPTS")
    assert len(api.urls) == 1, "asked when the run was counted"
    for _ in range(13):
        device.wait(DAY - 1000)
        do_the_routine(device)
    assert len(api.urls) == 2, "fourteen days of routines: asked on the first and the eighth"


def test_a_settings_api_that_fails_is_asked_again_a_week_later_not_sooner(
    library: RoutineLibrary, model: dict[str, Any]
) -> None:
    calls: list[str] = []

    def failing(url: str, token: str) -> bytes:
        calls.append(url)
        raise OSError("the settings API is down")

    store = MemoryStateStore()
    seed_known_voice(store, TEST_USER_ID, TEST_DEVICE_ID)
    skill = build_skill(library=library, store=store, environ={},
                        time_zone=TimeZoneLookup(failing))
    device = EchoDevice(lambda event, context: invoke_skill(skill, event, context), model)
    device.say("start psoas release")
    for _ in range(3):
        device.wait(10)
        device.say("how much time is left")
    assert len(calls) == 1
    device.wait(7 * DAY)
    device.say("how much time is left")
    assert len(calls) == 2


def test_fewer_cues_mid_hold_keeps_the_hold_and_drops_the_reminders(
    library: RoutineLibrary, model: dict[str, Any], psoas: Any
) -> None:
    device = device_with(library, model)
    device.say("start psoas release")
    device.wait_until_heard("One minute, starting now.", plus=20)
    heard = device.say("fewer cues")
    assert heard.text.startswith("Okay, fewer cues: just the timing.")
    assert heard.state.preferences.cue_level is CueLevel.BRIEF
    left = (heard.seconds_until("And release. Slowly lower your right leg")
            - heard.seconds_until("Thirty seconds left."))
    assert left == pytest.approx(30, abs=0.5)
    for movement in psoas.movements[1:]:
        assert not any(reminder in heard.text for reminder in movement.hold_reminders)
        assert not any(hold.feel_cue in heard.text for hold in movement.holds if hold.feel_cue)
    assert psoas.movements[2].form_cue not in heard.text


def test_a_slower_pace_lengthens_the_holds_within_the_routines_range(
    library: RoutineLibrary, model: dict[str, Any]
) -> None:
    device = device_with(library, model)
    device.say("start psoas release")
    device.wait_until_heard("One minute, starting now.", plus=20)
    heard = device.say("slower please")
    assert heard.state.preferences.pace is Pace.SLOW
    lead = speaking_seconds("Okay, a slower pace. The holds get a little longer.") + LEAD_GAP_S
    right_side_left = heard.seconds_until("And release. Slowly lower your right leg") - lead
    assert 53 <= right_side_left <= 57, "20 s held of 75: the time held stays held"
    start = heard.seconds_until("Seventy five seconds, starting now.", occurrence=1)
    end = heard.seconds_until("And release. Lower your left leg")
    assert end - start == pytest.approx(75, abs=0.5), "the left side is 75 s: 60 s + 25 %"


def test_preferences_last_into_the_next_session(
    library: RoutineLibrary, model: dict[str, Any]
) -> None:
    device = device_with(library, model)
    device.say("start psoas release")
    device.wait(5)
    device.say("count down every ten seconds")
    device.say("stop")
    device.wait(DAY)
    device.say("open psoas release")
    heard = device.say("no")
    assert "Fifty seconds left." in heard.text
    assert heard.state.preferences.countdown.value == "frequent"


def test_a_nonsense_preference_is_declined_kindly(
    library: RoutineLibrary, model: dict[str, Any]
) -> None:
    device = device_with(library, model)
    device.say("start psoas release")
    device.wait(5)
    heard = device.say("give me purple cues")
    assert heard.text.startswith("Sorry, I can't change that.")
    assert heard.state.phase.value == "coaching"
