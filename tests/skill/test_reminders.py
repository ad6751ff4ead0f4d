"""Daily reminders through the real skill: envelopes into `lambda_handler`, the SDK's reminder
client over real HTTPS to Alexa's APIs on the loopback address (`tests.alexa_api_server`),
and what the person hears, what the API holds and what the record keeps, turn by turn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from psoas_release.alexa.permission import REMINDERS_SCOPE
from psoas_release.core.clock_time import ClockTime
from psoas_release.core.reminder_record import Offer, ReminderRecord
from psoas_release.core.reminders import REMINDER_TEXT
from psoas_release.core.state import Phase, SessionState
from psoas_release.simulator.alexa_api import AlexaApi, reminder_time
from psoas_release.storage import SqliteStateStore
from tests.skill.device import TEST_DEVICE_ID, TEST_TOKEN, TEST_USER_ID, EchoDevice, Heard
from tests.voices import seed_known_voice

LONDON = "Europe/London"
DAY = timedelta(days=1)


@pytest.fixture
def echo(alexa_api: AlexaApi, lambda_module: ModuleType, model: dict[str, Any],
         tmp_path: Path) -> EchoDevice:
    """An Echo in London (en-GB) whose voice the skill knows, talking to the real skill, whose
    apiEndpoint is Alexa's APIs on the loopback address (started first: the skill's time zone
    lookup keeps the fetch it finds when it is built)."""
    seed_known_voice(SqliteStateStore(tmp_path / "state.sqlite3"), TEST_USER_ID, TEST_DEVICE_ID)
    alexa_api.set_time_zone(TEST_TOKEN, LONDON)
    device = EchoDevice(lambda_module.lambda_handler, model, api_endpoint=alexa_api.endpoint)
    device.envelopes.locale = "en-GB"
    return device


def allowed_in_the_app(echo: EchoDevice, api: AlexaApi, allowed: bool = True) -> None:
    """The person gives (or takes back) the permission in the Alexa app: the API honours it,
    and Alexa's requests say so."""
    api.allow_reminders(TEST_TOKEN, allowed)
    echo.envelopes.reminders_allowed = allowed


def record(tmp_path: Path) -> ReminderRecord:
    stored = SqliteStateStore(tmp_path / "state.sqlite3").load(TEST_USER_ID)
    assert stored is not None
    return SessionState.from_dict(stored.data).reminder


def the_reminders(api: AlexaApi) -> list[str]:
    return [reminder_time(reminder) for reminder in api.reminders(TEST_TOKEN)]


def do_the_routine(echo: EchoDevice) -> Heard:
    """Start the routine and hear it to the end; the reply that coached it."""
    heard = echo.say("start psoas release")
    echo.wait_until_quiet()
    return heard


def lose_the_record(tmp_path: Path) -> None:
    """The store forgets the reminder (another device's old save, a restore)."""
    store = SqliteStateStore(tmp_path / "state.sqlite3")
    stored = store.load(TEST_USER_ID)
    assert stored is not None
    state = SessionState.from_dict(stored.data)
    store.save(TEST_USER_ID, state._replace(reminder=ReminderRecord()).to_dict(), stored.version)


# --- set, change, read back, stop -------------------------------------------------------------


def test_set_read_back_change_and_stop_a_daily_reminder(
    echo: EchoDevice, alexa_api: AlexaApi, tmp_path: Path
) -> None:
    allowed_in_the_app(echo, alexa_api)
    heard = echo.say("ask psoas release to remind me every day at seven")
    assert heard.text.startswith("Done. I'll remind you every day at seven in the morning. To "
                                 "change it, say: change my reminder to eight.")
    [reminder] = alexa_api.reminders(TEST_TOKEN)
    assert reminder["trigger"] == {
        "type": "SCHEDULED_ABSOLUTE", "scheduledTime": "2026-11-27T07:00:00",
        "timeZoneId": LONDON,
        "recurrence": {"startDateTime": "2026-11-27T07:00:00",
                       "recurrenceRules": ["FREQ=DAILY;BYHOUR=7;BYMINUTE=0;BYSECOND=0"]},
    }
    assert reminder["alertInfo"]["spokenInfo"]["content"] == [
        {"locale": "en-GB", "text": REMINDER_TEXT}]
    assert record(tmp_path).token == reminder["alertToken"]

    assert echo.say("when is my reminder").text.startswith(
        "Your reminder is every day at seven in the morning.")
    assert echo.say("change my reminder to eight thirty").text.startswith(
        "Done. Your reminder is now every day at eight thirty in the morning.")
    assert the_reminders(alexa_api) == [f"every day at 08:30 ({LONDON})"]
    assert record(tmp_path).time == ClockTime(8, 30)
    assert echo.say("remind me every morning").text.startswith(
        "Done. Your reminder is now every day at seven in the morning.")

    assert echo.say("stop my reminders").text.startswith("Okay, I've stopped your daily reminder.")
    assert alexa_api.reminders(TEST_TOKEN) == []
    assert record(tmp_path).token is None
    assert echo.say("when is my reminder").text.startswith("You don't have a reminder from me.")


def test_a_time_alexa_could_not_hear_is_asked_for(echo: EchoDevice, alexa_api: AlexaApi) -> None:
    allowed_in_the_app(echo, alexa_api)
    heard = echo.say("ask psoas release to remind me every day")
    assert heard.text.startswith("To set a daily reminder, tell me when. For example, say: "
                                 "remind me every day at seven.")
    assert not heard.ends_session
    assert echo.say("remind me every day at half past six").text.startswith(
        "Done. I'll remind you every day at six thirty in the morning.")


def test_a_reminder_the_record_lost_is_found_not_made_twice(
    echo: EchoDevice, alexa_api: AlexaApi, tmp_path: Path
) -> None:
    allowed_in_the_app(echo, alexa_api)
    echo.say("ask psoas release to remind me every day at seven")
    echo.end_session("USER_INITIATED")
    lose_the_record(tmp_path)
    echo.wait(3600)
    assert echo.say("ask psoas release to remind me every day at nine").text.startswith(
        "Done. Your reminder is now every day at nine in the morning.")
    assert the_reminders(alexa_api) == [f"every day at 09:00 ({LONDON})"]


# --- permission by voice --------------------------------------------------------------------


def test_permission_asked_by_voice_accepted_and_the_wish_resumed(
    echo: EchoDevice, alexa_api: AlexaApi, tmp_path: Path
) -> None:
    echo.say("start psoas release")
    echo.wait_into_speech(150)
    heard = echo.say("remind me every day at seven thirty")
    assert heard.text == ("To remind you every day at seven thirty in the morning, I need your "
                          "permission to set reminders. Your place is saved.")
    assert heard.directives == [{
        "type": "Connections.SendRequest", "name": "AskFor", "token": "",
        "payload": {"@type": "AskForPermissionsConsentRequest", "@version": "2",
                    "permissionScopes": [{"permissionScope": REMINDERS_SCOPE,
                                          "consentLevel": "ACCOUNT"}]},
    }]
    assert heard.ends_session and heard.reprompt_ssml is None
    assert alexa_api.calls == [], "no call before the person allows it"

    alexa_api.allow_reminders(TEST_TOKEN)
    heard = echo.answer_consent("ACCEPTED")
    assert heard.text == ("Done. I'll remind you every day at seven thirty in the morning. To "
                          "change it, say: change my reminder to eight. To stop it, say: stop "
                          "my reminders. Say resume when you're ready.")
    assert the_reminders(alexa_api) == [f"every day at 07:30 ({LONDON})"]
    assert record(tmp_path).pending is None
    assert echo.say("resume").state.phase is Phase.COACHING


def test_a_no_hears_how_to_allow_it_in_the_app_once_and_is_never_nagged(
    echo: EchoDevice, alexa_api: AlexaApi, tmp_path: Path
) -> None:
    echo.say("ask psoas release to remind me every day at seven")
    heard = echo.answer_consent("DENIED")
    assert heard.text.startswith("Okay, no reminder. If you change your mind, open the Alexa "
                                 "app, find Psoas Release in your skills, and turn on Reminders")
    echo.wait(3600)
    for _ in range(2):
        echo.clock += DAY
        heard = do_the_routine(echo)
        assert "remind you" not in heard.text and not heard.asks_for_permission
        echo.time_out()
    assert echo.say("ask psoas release to remind me every day at seven").asks_for_permission
    heard = echo.answer_consent("DENIED")
    assert heard.text.startswith("Okay, no reminder then.")
    assert alexa_api.reminders(TEST_TOKEN) == []
    assert record(tmp_path).advice_given


def test_no_answer_to_alexa_leaves_things_as_they_were(
    echo: EchoDevice, alexa_api: AlexaApi, tmp_path: Path
) -> None:
    echo.say("ask psoas release to remind me every day at seven")
    heard = echo.answer_consent("NOT_ANSWERED")
    assert heard.text.startswith("No problem. If you'd like a daily reminder later, just ask.")
    assert record(tmp_path) == ReminderRecord()
    assert alexa_api.calls == []


def test_permission_revoked_in_the_app_is_asked_for_again_and_nothing_is_lost(
    echo: EchoDevice, alexa_api: AlexaApi, tmp_path: Path
) -> None:
    allowed_in_the_app(echo, alexa_api)
    echo.say("ask psoas release to remind me every day at seven")
    token = record(tmp_path).token
    echo.wait(3600)
    allowed_in_the_app(echo, alexa_api, allowed=False)
    heard = echo.say("ask psoas release when is my reminder")
    assert heard.text == "To check your reminder, I need your permission to manage reminders."
    assert heard.asks_for_permission
    assert record(tmp_path).token == token, "the reminder is still the person's"
    alexa_api.allow_reminders(TEST_TOKEN)
    assert echo.answer_consent("ACCEPTED").text.startswith(
        "Your reminder is every day at seven in the morning.")


def test_the_api_refusing_what_the_request_allowed_asks_once_and_never_loops(
    echo: EchoDevice, alexa_api: AlexaApi, tmp_path: Path
) -> None:
    allowed_in_the_app(echo, alexa_api)
    echo.say("ask psoas release to remind me every day at seven")
    echo.wait(3600)
    alexa_api.allow_reminders(TEST_TOKEN, False)  # revoked; the request has not caught up
    heard = echo.say("ask psoas release to change my reminder to eight")
    assert heard.asks_for_permission
    heard = echo.answer_consent("ACCEPTED")
    assert heard.text.startswith("Alexa still won't let me manage your reminders, so nothing "
                                 "has changed.")
    assert not heard.asks_for_permission
    assert the_reminders(alexa_api) == [f"every day at 07:00 ({LONDON})"]
    assert record(tmp_path).time == ClockTime(7, 0)


@pytest.mark.parametrize("payload", [
    {"permissionScope": REMINDERS_SCOPE, "status": "ACCEPTED"},
    {"permissionScopes": [{"permissionScope": REMINDERS_SCOPE, "consentLevel": "ACCOUNT",
                           "status": "ACCEPTED"}]},
])
def test_both_documented_shapes_of_alexas_answer_are_read(
    echo: EchoDevice, alexa_api: AlexaApi, payload: dict[str, Any]
) -> None:
    echo.say("ask psoas release to remind me every day at seven")
    alexa_api.allow_reminders(TEST_TOKEN)
    echo.wait(6)
    request = echo.envelopes.consent_answer("ACCEPTED", echo.clock.timestamp())
    request["request"]["payload"] = payload
    assert echo.send(request).text.startswith("Done. I'll remind you every day at seven")


def test_a_connections_response_to_something_else_is_not_answered(
    echo: EchoDevice, alexa_api: AlexaApi
) -> None:
    request = echo.envelopes.consent_answer("ACCEPTED", echo.clock.timestamp())
    request["request"]["name"] = "Buy"
    heard = echo.send(request)
    assert heard.text == "" and heard.directives == []
    assert alexa_api.calls == []


# --- the offer after a second day in a row --------------------------------------------------


def two_days_running(echo: EchoDevice) -> Heard:
    echo.clock = datetime(2026, 11, 25, 7, 5, tzinfo=UTC)
    first = do_the_routine(echo)
    assert "remind you" not in first.text
    echo.time_out()
    echo.clock = datetime(2026, 11, 26, 7, 5, tzinfo=UTC)
    return do_the_routine(echo)


def test_the_offer_after_the_second_day_sets_it_for_the_time_practised_once(
    echo: EchoDevice, alexa_api: AlexaApi, tmp_path: Path
) -> None:
    heard = two_days_running(echo)
    assert heard.text.endswith("That's two days running. Would you like me to remind you "
                               "tomorrow at the same time, seven in the morning, and every day "
                               "after that?")
    assert heard.reprompt == "Would you like a daily reminder to practise? Say yes or no."
    heard = echo.answer("yes")
    assert heard.text == ("To remind you every day at seven in the morning, I need your "
                          "permission to set reminders.")
    alexa_api.allow_reminders(TEST_TOKEN)
    heard = echo.answer_consent("ACCEPTED")
    assert heard.text.startswith("Done. I'll remind you every day at seven in the morning.")
    assert heard.text.endswith("Say start over to go again, or stop.")
    [reminder] = alexa_api.reminders(TEST_TOKEN)
    assert reminder["trigger"]["scheduledTime"] == "2026-11-27T07:00:00", "from tomorrow"
    assert record(tmp_path).offer is Offer.ACCEPTED
    echo.end_session("USER_INITIATED")
    echo.clock += DAY
    assert do_the_routine(echo).text.endswith(
        "That's three days running. Say start over to go again, or stop.")


def test_a_declined_offer_is_remembered(
    echo: EchoDevice, alexa_api: AlexaApi, tmp_path: Path
) -> None:
    two_days_running(echo)
    assert echo.answer("no thanks").text.startswith("Okay, no reminder. I won't ask again")
    assert record(tmp_path).offer is Offer.DECLINED
    echo.end_session("USER_INITIATED")
    echo.clock += DAY
    assert "remind you" not in do_the_routine(echo).text
    assert alexa_api.calls == []


# --- failures, spoken kindly, losing nothing ------------------------------------------------


def test_the_api_down_is_said_kindly_and_nothing_changes(
    echo: EchoDevice, alexa_api: AlexaApi, tmp_path: Path
) -> None:
    allowed_in_the_app(echo, alexa_api)
    echo.say("ask psoas release to remind me every day at seven")
    before = record(tmp_path)
    alexa_api.fail_next(503, "SERVICE_UNAVAILABLE")
    assert echo.say("change my reminder to eight").text.startswith(
        "I couldn't reach Alexa's reminders just now, so I couldn't do that.")
    assert record(tmp_path) == before
    alexa_api.stop()
    heard = echo.say("stop my reminders")
    assert heard.text.startswith("I couldn't reach Alexa's reminders just now")
    assert not heard.ends_session
    assert record(tmp_path) == before


def test_a_rate_limit_is_said_kindly_and_nothing_changes(
    echo: EchoDevice, alexa_api: AlexaApi, tmp_path: Path
) -> None:
    allowed_in_the_app(echo, alexa_api)
    echo.say("ask psoas release to remind me every day at seven")
    before = record(tmp_path)
    alexa_api.fail_next(429, "TOO_MANY_REQUESTS")
    assert echo.say("change my reminder to eight").text.startswith(
        "Alexa's reminders are busy right now, so I couldn't do that. Please try again in a "
        "minute.")
    assert record(tmp_path) == before
    assert the_reminders(alexa_api) == [f"every day at 07:00 ({LONDON})"]


def test_a_hung_api_is_given_up_on_and_what_it_did_anyway_is_found_later(
    echo: EchoDevice, alexa_api: AlexaApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("psoas_release.alexa.api_client.TIMEOUT_S", 0.5)
    allowed_in_the_app(echo, alexa_api)
    alexa_api.hold_next("POST")
    heard = echo.say("ask psoas release to remind me every day at eight")
    assert heard.text.startswith("I couldn't reach Alexa's reminders just now")
    assert record(tmp_path).token is None
    alexa_api.release()
    assert the_reminders(alexa_api) == [f"every day at 08:00 ({LONDON})"], "it went through"
    assert echo.say("when is my reminder").text.startswith(
        "Your reminder is every day at eight in the morning.")
    assert record(tmp_path).token == alexa_api.reminders(TEST_TOKEN)[0]["alertToken"]
    assert echo.say("remind me every day at nine").text.startswith(
        "Done. Your reminder is now every day at nine in the morning.")
    assert the_reminders(alexa_api) == [f"every day at 09:00 ({LONDON})"], "never two"


@pytest.mark.parametrize(("wish", "said", "after"), [
    ("when is my reminder", "I can't find your reminder any more: it was deleted in the Alexa "
                            "app.", []),
    ("stop my reminders", "Your reminder had already been deleted in the Alexa app", []),
    ("change my reminder to eight", "Your old reminder had been deleted in the Alexa app. So "
                                    "I've set a new one: every day at eight in the morning.",
     [f"every day at 08:00 ({LONDON})"]),
])
def test_a_reminder_deleted_in_the_app_keeps_the_record_true(
    echo: EchoDevice, alexa_api: AlexaApi, tmp_path: Path, wish: str, said: str,
    after: list[str],
) -> None:
    allowed_in_the_app(echo, alexa_api)
    echo.say("ask psoas release to remind me every day at seven")
    alexa_api.delete_in_app(TEST_TOKEN, str(record(tmp_path).token))
    assert echo.say(wish).text.startswith(said)
    assert the_reminders(alexa_api) == after
    tokens = [reminder["alertToken"] for reminder in alexa_api.reminders(TEST_TOKEN)]
    assert record(tmp_path).token == (tokens[0] if tokens else None)


def test_too_many_reminders_is_said_kindly(echo: EchoDevice, alexa_api: AlexaApi) -> None:
    allowed_in_the_app(echo, alexa_api)
    alexa_api.reminders_per_skill = 0
    assert echo.say("ask psoas release to remind me every day at seven").text.startswith(
        "Alexa says you have as many reminders from Psoas Release as it allows.")


# --- how am I doing -------------------------------------------------------------------------


def test_how_am_i_doing_across_a_week_with_gaps_and_a_move_to_another_time_zone(
    echo: EchoDevice, alexa_api: AlexaApi
) -> None:
    alexa_api.set_time_zone(TEST_TOKEN, "America/New_York")
    evenings = [datetime(2026, 11, day, 23, 30, tzinfo=UTC) for day in (16, 18, 19, 20)]
    for evening in evenings:  # half past six in New York: the 16th, 18th, 19th and 20th
        echo.clock = evening
        do_the_routine(echo)
        echo.time_out()
    echo.clock = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)  # still the 21st in New York
    assert echo.say("ask psoas release how am i doing").text.startswith(
        "You've practised four days this week, three in a row.")
    echo.end_session("USER_INITIATED")
    alexa_api.set_time_zone(TEST_TOKEN, "Asia/Tokyo")  # there, it is already the 22nd
    assert echo.say("ask psoas release how am i doing").text.startswith(
        "You've practised four days this week."), "the 19th and 20th no longer run to today"
    echo.end_session("USER_INITIATED")
    echo.clock += 6 * DAY
    assert echo.say("ask psoas release how am i doing").text.startswith(
        "You haven't practised yet this week.")
