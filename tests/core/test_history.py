"""History and streaks: the person's own calendar, and the rule for a partly done routine."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psoas_release.core.events import EventKind
from psoas_release.core.history import record, record_all, streak, streak_phrase
from psoas_release.core.library import RoutineLibrary
from psoas_release.core.state import SessionState
from tests.core.conversation import Conversation

DAY = 86_400.0


def test_a_streak_counts_days_in_a_row_and_survives_until_tomorrow() -> None:
    days = ("2026-11-23", "2026-11-24", "2026-11-25")
    assert streak(days, date(2026, 11, 25)) == 3
    assert streak(days, date(2026, 11, 26)) == 3, "yesterday still counts"
    assert streak(days, date(2026, 11, 27)) == 0
    assert streak(record(days, date(2026, 11, 26)), date(2026, 11, 26)) == 4
    assert record(days, date(2026, 11, 25)) == days
    assert streak_phrase(3) == "That's three days running."
    assert streak_phrase(1) == ""


@given(st.lists(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 3, 1)), max_size=60),
       st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 3, 1)))
def test_a_streak_is_what_walking_back_day_by_day_finds(days: list[date], today: date) -> None:
    done = {day.isoformat() for day in days}
    day = today if today.isoformat() in done else today - timedelta(days=1)
    walked = 0
    while day.isoformat() in done:
        walked += 1
        day -= timedelta(days=1)
    assert streak(tuple(day.isoformat() for day in days), today) == walked


def finish_routine(person: Conversation) -> None:
    person.say(EventKind.LAUNCH)
    person.wait(2000)
    person.say(EventKind.SESSION_ENDED)


def two_days_running(library: RoutineLibrary) -> Conversation:
    """A person who finished the routine yesterday and the day before, at the same hour."""
    person = Conversation(library)
    for _ in range(2):
        finish_routine(person)
        person.wait(DAY - 2000)
    return person


def test_three_days_running_is_said_at_the_end_and_greeted_at_launch(
    library: RoutineLibrary,
) -> None:
    person = two_days_running(library)
    assert len(person.state.completions) == 2
    text = person.say(EventKind.LAUNCH)
    assert text.startswith("You're on a two-day streak. This is the psoas release")
    assert text.endswith("That's three days running. Say start over to go again, or stop.")


@pytest.mark.parametrize(
    ("heard_share", "counts"), [(0.3, False), (0.45, False), (0.6, True), (0.9, True)]
)
def test_a_partly_done_run_counts_only_when_most_of_it_was_heard(
    library: RoutineLibrary, heard_share: float, counts: bool
) -> None:
    person = Conversation(library)
    person.say(EventKind.LAUNCH)
    timeline = person.timeline
    target = next(
        position for position in (step / 10 for step in range(int(timeline.end_s * 10)))
        if timeline.coached_s - timeline.coached_left_s(position) >= heard_share * 600
    )
    person.wait(target + 3.5)
    person.say(EventKind.STOP)
    assert bool(person.state.completions) is counts
    assert person.state.run_counted is counts


def test_skipping_through_does_not_count(library: RoutineLibrary) -> None:
    person = Conversation(library)
    person.say(EventKind.LAUNCH)
    for _ in range(12):
        person.wait(5)
        person.say(EventKind.NEXT)
    assert person.state.completions == ()
    assert person.state.completed_count == 1, "finished, but not counted as a day"


def test_a_run_counts_once_even_when_resumed_and_finished(library: RoutineLibrary) -> None:
    person = Conversation(library, SessionState(advisory_heard=True))
    person.say(EventKind.LAUNCH)
    person.wait(500)
    person.say(EventKind.PAUSE)
    counted = person.state.completions
    assert len(counted) == 1
    person.wait(60)
    person.say(EventKind.RESUME)
    person.wait(2000)
    person.say(EventKind.SESSION_ENDED)
    assert person.state.completions == counted


def test_skipping_to_the_end_on_a_two_day_streak_promises_no_third_day(
    library: RoutineLibrary,
) -> None:
    person = two_days_running(library)
    assert person.say(EventKind.LAUNCH).startswith("You're on a two-day streak.")
    last_movement = person.timeline.movement_starts[-1]
    while person.state.position_s < last_movement:
        person.wait(3)
        text = person.say(EventKind.NEXT)
    assert person.reply.coaching is not None and person.reply.coaching.reaches_end
    assert text.endswith("Say start over to go again, or stop.")
    assert "three days running" not in text, "a skipped-through run is not a third day"
    assert person.state.heard_s < 0.5 * person.timeline.coached_s


@given(st.lists(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)),
                max_size=60),
       st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 1, 31)))
def test_recording_a_day_is_merging_it_into_the_history(days: list[date], today: date) -> None:
    history = record_all(tuple(day.isoformat() for day in days), ())
    assert record(history, today) == record_all(history, (today.isoformat(),))
