"""Reminders in the core, without Alexa: a wish becomes a call (or Alexa's consent prompt), the
call's outcome becomes what the person hears, and the record follows what the API said."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from psoas_release.core.clock_time import ClockTime
from psoas_release.core.events import EventKind
from psoas_release.core.history import week_phrase
from psoas_release.core.library import RoutineLibrary
from psoas_release.core.reminder_record import Offer, Pending, ReminderRecord, Wish
from psoas_release.core.reminders import (
    AskPermission,
    Consent,
    Operation,
    ReminderCall,
    Result,
)
from psoas_release.core.state import Phase, SessionState
from tests.core.conversation import START_TIME, Conversation

K = EventKind
DAY = 86_400.0
SEVEN = ClockTime(7, 0)
LONDON = "Europe/London"


def person_in(library: RoutineLibrary, zone: str = LONDON, **record: object) -> Conversation:
    state = SessionState(time_zone=zone, advisory_heard=True,
                         reminder=ReminderRecord(**record))  # type: ignore[arg-type]
    return Conversation(library, state)


def with_a_reminder(library: RoutineLibrary) -> Conversation:
    person = person_in(library, token="alert-1", time=SEVEN, changed_at=START_TIME - DAY)
    person.reminders_allowed = True
    return person


# --- the time of day ------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "time"), [
    ("07:00", ClockTime(7, 0)), ("20:30", ClockTime(20, 30)), ("MO", ClockTime(7, 0)),
    ("EV", ClockTime(19, 0)), ("00:05:00", ClockTime(0, 5)),
    ("24:00", None), ("7:00", None), ("XXXX-WXX", None), ("", None), (None, None), (7, None),
])
def test_the_time_alexa_heard_is_parsed_or_refused(value: object, time: ClockTime | None) -> None:
    assert ClockTime.parse(value) == time


@pytest.mark.parametrize(("local", "quarter"), [
    ((7, 7, 29), (7, 0)), ((7, 7, 31), (7, 15)), ((7, 52, 30), (8, 0)), ((23, 53, 0), (0, 0)),
])
def test_the_time_someone_practised_is_rounded_to_the_quarter_hour(
    local: tuple[int, int, int], quarter: tuple[int, int]
) -> None:
    at = datetime(2026, 7, 1, *local, tzinfo=UTC).timestamp() - 3600  # London is UTC+1
    assert ClockTime.practised_at(at, LONDON) == ClockTime(*quarter)


@pytest.mark.parametrize(("time", "spoken"), [
    (ClockTime(7, 0), "seven in the morning"),
    (ClockTime(8, 30), "eight thirty in the morning"),
    (ClockTime(7, 15), "seven fifteen in the morning"),
    (ClockTime(21, 5), "nine oh five at night"),
    (ClockTime(12, 0), "noon"),
    (ClockTime(0, 0), "midnight"),
    (ClockTime(14, 45), "two forty five in the afternoon"),
    (ClockTime(18, 0), "six in the evening"),
])
def test_times_are_said_as_a_person_says_them(time: ClockTime, spoken: str) -> None:
    assert time.spoken == spoken


def test_a_reminder_starts_the_next_time_the_clock_shows_its_time() -> None:
    six_am = datetime(2026, 11, 26, 6, 0, tzinfo=UTC).timestamp()
    assert SEVEN.next_after(six_am, LONDON).isoformat() == "2026-11-26T07:00:00"
    assert SEVEN.next_after(six_am + 3 * 3600, LONDON).isoformat() == "2026-11-27T07:00:00"
    assert SEVEN.next_after(six_am, "America/New_York").isoformat() == "2026-11-26T07:00:00"


def test_the_week_says_days_practised_and_the_run_of_them() -> None:
    today = date(2026, 11, 26)
    days = ("2026-11-18", "2026-11-20", "2026-11-21", "2026-11-24", "2026-11-25", "2026-11-26")
    assert week_phrase(days, today) == "You've practised five days this week, three in a row."
    assert week_phrase(("2026-11-22",), today) == "You've practised one day this week."
    assert week_phrase(("2026-11-10",), today).startswith("You haven't practised yet this week.")


# --- set, change, read back, stop ---------------------------------------------------------


def test_setting_a_reminder_asks_the_api_and_says_what_it_said(library: RoutineLibrary) -> None:
    person = person_in(library)
    person.reminders_allowed = True
    assert person.say(K.SET_REMINDER, value="07:00") == ""
    find = ReminderCall(Operation.FIND, Wish.SET, time=SEVEN, starts="2027-01-16T07:00:00",
                        time_zone=LONDON)
    assert person.reply.effect == find, "the skill's own reminder is looked for first"
    person.api_says(Result.DONE)
    assert person.reply.effect == find._replace(operation=Operation.CREATE)
    assert person.state.reminder.token is None, "nothing is kept before the API answers"
    text = person.api_says(Result.DONE, token="alert-1")
    assert text.startswith("Done. I'll remind you every day at seven in the morning.")
    assert (person.state.reminder.token, person.state.reminder.time) == ("alert-1", SEVEN)


def test_changing_reading_and_stopping_a_reminder(library: RoutineLibrary) -> None:
    person = with_a_reminder(library)
    person.say(K.SET_REMINDER, value="08:30")
    assert person.reply.effect == ReminderCall(
        Operation.UPDATE, Wish.SET, time=ClockTime(8, 30), starts="2027-01-15T08:30:00",
        token="alert-1", time_zone=LONDON)
    assert person.api_says(Result.DONE) == \
        "Done. Your reminder is now every day at eight thirty in the morning. Say start to " \
        "begin, or stop."
    person.say(K.READ_REMINDER)
    assert person.reply.effect == ReminderCall(Operation.READ, Wish.READ, token="alert-1",
                                               time_zone=LONDON)
    assert person.api_says(Result.DONE, time=ClockTime(8, 30)).startswith(
        "Your reminder is every day at eight thirty in the morning.")
    person.say(K.STOP_REMINDER)
    assert person.reply.effect == ReminderCall(Operation.DELETE, Wish.STOP, token="alert-1",
                                               time_zone=LONDON)
    assert person.api_says(Result.DONE).startswith("Okay, I've stopped your daily reminder.")
    assert person.state.reminder.token is None
    person.say(K.READ_REMINDER)
    assert person.reply.effect == ReminderCall(Operation.FIND, Wish.READ, time_zone=LONDON)
    assert person.api_says(Result.DONE).startswith("You don't have a reminder from me.")


def test_a_reminder_the_record_lost_is_found_and_never_made_twice(
    library: RoutineLibrary,
) -> None:
    person = person_in(library)
    person.reminders_allowed = True
    person.say(K.SET_REMINDER, value="08:00")
    person.api_says(Result.DONE, token="alert-9", time=SEVEN)
    assert person.reply.effect == ReminderCall(
        Operation.UPDATE, Wish.SET, time=ClockTime(8, 0), starts="2027-01-16T08:00:00",
        token="alert-9", time_zone=LONDON)
    person.api_says(Result.DONE)
    assert person.state.reminder.token == "alert-9"
    person.state = person.state._replace(reminder=ReminderRecord())
    person.say(K.READ_REMINDER)
    assert person.api_says(Result.DONE, token="alert-9", time=ClockTime(8, 0)).startswith(
        "Your reminder is every day at eight in the morning.")
    assert person.state.reminder.token == "alert-9"


def test_without_permission_a_reminder_the_record_does_not_know_is_not_asked_about(
    library: RoutineLibrary,
) -> None:
    person = person_in(library)
    assert person.say(K.STOP_REMINDER).startswith("You don't have a reminder from me.")
    assert person.reply.effect is None


def test_a_time_alexa_did_not_understand_asks_for_one(library: RoutineLibrary) -> None:
    person = person_in(library)
    person.reminders_allowed = True
    text = person.say(K.SET_REMINDER, value="XXXX-WXX")
    assert text.startswith("To set a daily reminder, tell me when.")
    assert person.reply.effect is None


def test_reading_follows_the_time_the_api_has(library: RoutineLibrary) -> None:
    person = with_a_reminder(library)
    person.say(K.READ_REMINDER)
    assert "at nine in the morning" in person.api_says(Result.DONE, time=ClockTime(9, 0))
    assert person.state.reminder.time == ClockTime(9, 0)


# --- when the API says no ---------------------------------------------------------------------


def test_a_reminder_deleted_in_the_app_is_set_again_when_changed(library: RoutineLibrary) -> None:
    person = with_a_reminder(library)
    person.say(K.SET_REMINDER, value="08:00")
    person.api_says(Result.NOT_FOUND)
    assert person.reply.effect == ReminderCall(
        Operation.CREATE, Wish.SET, time=ClockTime(8, 0), starts="2027-01-16T08:00:00",
        time_zone=LONDON, replacing=True)
    assert person.state.reminder.token == "alert-1", "nothing is kept before the API answers"
    text = person.api_says(Result.DONE, token="alert-2")
    assert text.startswith("Your old reminder had been deleted in the Alexa app. So I've set a "
                           "new one: every day at eight in the morning.")
    assert person.state.reminder.token == "alert-2"


@pytest.mark.parametrize(("wish", "said"), [
    (K.READ_REMINDER, "I can't find your reminder any more"),
    (K.STOP_REMINDER, "Your reminder had already been deleted in the Alexa app"),
])
def test_a_reminder_deleted_in_the_app_is_forgotten(
    library: RoutineLibrary, wish: EventKind, said: str
) -> None:
    person = with_a_reminder(library)
    person.say(wish)
    assert person.api_says(Result.NOT_FOUND).startswith(said)
    assert person.state.reminder.token is None and person.state.reminder.time is None


@pytest.mark.parametrize(("result", "said"), [
    (Result.RATE_LIMITED, "Alexa's reminders are busy right now"),
    (Result.UNAVAILABLE, "I couldn't reach Alexa's reminders just now"),
    (Result.TOO_MANY, "Alexa says you have as many reminders from Psoas Release as it allows"),
    (Result.UNSUPPORTED, "This device can't do reminders"),
])
def test_a_failure_is_said_kindly_and_changes_nothing(
    library: RoutineLibrary, result: Result, said: str
) -> None:
    person = with_a_reminder(library)
    before = person.state.reminder
    person.say(K.SET_REMINDER, value="08:00")
    assert person.api_says(result).startswith(said)
    assert person.state.reminder == before


def test_a_replacement_that_fails_forgets_the_deleted_reminder(library: RoutineLibrary) -> None:
    person = with_a_reminder(library)
    person.say(K.SET_REMINDER, value="08:00")
    person.api_says(Result.NOT_FOUND)
    text = person.api_says(Result.RATE_LIMITED)
    assert text.startswith("Your old reminder had been deleted in the Alexa app. Alexa's "
                           "reminders are busy")
    assert person.state.reminder.token is None


# --- permission ---------------------------------------------------------------------------


def test_without_permission_alexa_asks_and_the_wish_waits(library: RoutineLibrary) -> None:
    person = person_in(library)
    text = person.say(K.SET_REMINDER, value="07:00")
    assert text == "To remind you every day at seven in the morning, I need your permission " \
                   "to set reminders."
    assert person.reply.effect == AskPermission() and person.reply.end_session
    assert person.state.reminder.pending == Pending(Wish.SET, SEVEN)
    person.say(K.PERMISSION_ANSWER, consent=Consent.ACCEPTED)
    assert person.reply.effect == ReminderCall(
        Operation.FIND, Wish.SET, time=SEVEN, starts="2027-01-16T07:00:00", time_zone=LONDON,
        after_consent=True)
    person.api_says(Result.DONE)
    assert person.api_says(Result.DONE, token="alert-1").startswith("Done.")
    assert person.state.reminder.pending is None


def test_a_no_hears_how_to_allow_reminders_once_and_never_again(library: RoutineLibrary) -> None:
    person = person_in(library)
    said = []
    for _ in range(2):
        person.say(K.SET_REMINDER, value="07:00")
        said.append(person.say(K.PERMISSION_ANSWER, consent=Consent.DENIED))
        assert person.state.reminder.pending is None
    assert "open the Alexa app" in said[0]
    assert said[1].startswith("Okay, no reminder then.")
    assert person.state.reminder.advice_given


def test_no_answer_to_alexa_is_not_a_no(library: RoutineLibrary) -> None:
    person = person_in(library)
    person.say(K.SET_REMINDER, value="07:00")
    text = person.say(K.PERMISSION_ANSWER, consent=Consent.NOT_ANSWERED)
    assert text.startswith("No problem. If you'd like a daily reminder later, just ask.")
    assert not person.state.reminder.advice_given


def test_permission_revoked_later_asks_again_and_keeps_the_reminder(
    library: RoutineLibrary,
) -> None:
    person = with_a_reminder(library)
    person.say(K.READ_REMINDER)
    person.api_says(Result.NOT_ALLOWED)
    assert person.reply.effect == AskPermission()
    assert person.state.reminder.pending == Pending(Wish.READ)
    assert person.state.reminder.token == "alert-1"
    person.say(K.PERMISSION_ANSWER, consent=Consent.ACCEPTED)
    text = person.api_says(Result.NOT_ALLOWED)
    assert text.startswith("Alexa still won't let me manage your reminders")
    assert person.reply.effect is None, "asked once: no loop of consent prompts"


def test_asking_mid_hold_pauses_the_routine_and_keeps_the_place(
    library: RoutineLibrary,
) -> None:
    person = person_in(library)
    person.say(K.LAUNCH)
    person.wait_until_hold(1, 20)
    text = person.say(K.SET_REMINDER, value="07:00")
    assert text.endswith("I need your permission to set reminders. Your place is saved.")
    assert person.state.phase is Phase.PAUSED
    place = person.state.position_s
    person.say(K.PERMISSION_ANSWER, consent=Consent.DENIED)
    assert person.reply.prompt == "Say resume when you're ready."
    assert person.state.position_s == place


def test_a_reminder_set_mid_hold_carries_on_with_the_hold(library: RoutineLibrary) -> None:
    person = person_in(library)
    person.reminders_allowed = True
    person.say(K.LAUNCH)
    person.wait_until_hold(1, 20)
    person.say(K.SET_REMINDER, value="07:00")
    person.api_says(Result.DONE)
    text = person.api_says(Result.DONE, token="alert-1")
    assert text.startswith("Done. I'll remind you every day at seven in the morning.")
    assert person.state.phase is Phase.COACHING
    assert person.hold_seconds_left() == pytest.approx(40, abs=1)


# --- the offer after a second day in a row ------------------------------------------------


def two_days_running(person: Conversation) -> str:
    """Finish a routine today and tomorrow; what the second one's reply said."""
    text = ""
    for _ in range(2):
        person.wait(DAY - 2000)
        text = person.say(K.LAUNCH)
        person.wait(2000)
    return text


def test_the_offer_comes_at_the_end_of_the_second_day_with_the_time_practised(
    library: RoutineLibrary,
) -> None:
    person = person_in(library)
    person.now = datetime(2026, 11, 26, 7, 8, tzinfo=UTC).timestamp() - 2 * DAY + 2000
    text = two_days_running(person)
    assert text.endswith("That's two days running. Would you like me to remind you tomorrow at "
                         "the same time, seven fifteen in the morning, and every day after that?")
    person.reminders_allowed = True
    person.say(K.YES)
    call = person.reply.effect
    assert isinstance(call, ReminderCall) and call.time == ClockTime(7, 15)
    assert call.starts == "2026-11-27T07:15:00", "tomorrow: today's practice is done"
    person.api_says(Result.DONE)
    text = person.api_says(Result.DONE, token="alert-1")
    assert text.startswith("Done. I'll remind you every day at seven fifteen in the morning.")
    assert person.state.phase is Phase.FINISHED
    assert person.state.reminder.offer is Offer.ACCEPTED


def test_a_declined_offer_is_remembered_and_never_made_again(library: RoutineLibrary) -> None:
    person = person_in(library)
    two_days_running(person)
    assert person.say(K.NO).startswith("Okay, no reminder. I won't ask again")
    assert person.state.reminder.offer is Offer.DECLINED
    person.wait(DAY - 2000)
    third = person.say(K.LAUNCH)
    assert third.endswith("That's three days running. Say start over to go again, or stop.")


def test_an_offer_passed_over_is_not_made_again(library: RoutineLibrary) -> None:
    person = person_in(library)
    two_days_running(person)
    person.say(K.SESSION_ENDED, timed_out=True)
    assert person.state.phase is Phase.FINISHED
    assert person.state.reminder.offer is Offer.MADE
    assert person.state.reminder.pending is None
    person.wait(DAY - 2000)
    assert "Would you like me to remind you" not in person.say(K.LAUNCH)


def test_an_offer_never_heard_is_not_made(library: RoutineLibrary) -> None:
    person = person_in(library)
    person.wait(DAY - 2000)
    person.say(K.LAUNCH)
    person.wait(2000)
    person.wait(DAY - 2000)
    person.say(K.LAUNCH)
    person.wait(700)
    person.say(K.STOP)
    assert person.state.reminder.offer is Offer.NOT_MADE
    assert person.state.offer_time is None


def test_no_offer_without_a_clock_to_set_it_by(library: RoutineLibrary) -> None:
    person = Conversation(library, SessionState(advisory_heard=True))
    assert two_days_running(person).endswith("Say start over to go again, or stop.")


def test_the_reminder_record_survives_storage_and_merges_by_age() -> None:
    mine = ReminderRecord(token="a", time=SEVEN, changed_at=10.0, offer=Offer.MADE,
                          pending=Pending(Wish.SET, SEVEN))
    assert ReminderRecord.from_dict(mine.to_dict()) == mine
    theirs = ReminderRecord(token="b", time=ClockTime(8, 0), changed_at=20.0,
                            offer=Offer.DECLINED, advice_given=True)
    merged = mine.merged(theirs)
    assert (merged.token, merged.offer, merged.advice_given) == ("b", Offer.DECLINED, True)
    assert theirs._replace(changed_at=5.0).merged(mine).token == "a"
