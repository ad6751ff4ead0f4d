"""Session state survives the round trip, and corrupt state becomes a fresh start, flagged."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psoas_release.core.clock_time import ClockTime
from psoas_release.core.local_time import OffsetSpan
from psoas_release.core.preferences import Countdown, CueLevel, Pace, Preferences
from psoas_release.core.reminder_record import Offer, Pending, ReminderRecord, Wish
from psoas_release.core.state import STATE_VERSION, Phase, SessionState

times = st.builds(ClockTime, hour=st.integers(0, 23), minute=st.integers(0, 59))
reminders = st.builds(
    ReminderRecord,
    token=st.one_of(st.none(), st.text(min_size=1, max_size=80)),
    time=st.one_of(st.none(), times),
    changed_at=st.one_of(st.none(), st.floats(min_value=0, max_value=4e9)),
    offer=st.sampled_from(Offer),
    advice_given=st.booleans(),
    pending=st.one_of(st.none(), st.builds(Pending, wish=st.sampled_from(Wish),
                                           time=st.one_of(st.none(), times))),
)

states = st.builds(
    SessionState,
    phase=st.sampled_from(Phase),
    routine_id=st.one_of(st.none(), st.text(max_size=20)),
    position_s=st.floats(min_value=0, max_value=5000),
    anchor_at=st.one_of(st.none(), st.floats(min_value=0, max_value=4e9)),
    lead_s=st.floats(min_value=0, max_value=60),
    covers_until_s=st.floats(min_value=0, max_value=5000),
    advisory_heard=st.booleans(),
    completed_count=st.integers(min_value=0, max_value=10_000),
    heard_s=st.floats(min_value=0, max_value=5000),
    run_counted=st.booleans(),
    completions=st.lists(st.dates().map(lambda day: day.isoformat()), max_size=60).map(
        lambda days: tuple(sorted(set(days)))),
    time_zone=st.one_of(st.none(), st.sampled_from(["Europe/Berlin", "America/New_York"])),
    time_zone_checked_at=st.one_of(st.none(), st.floats(min_value=0, max_value=4e9)),
    preferences=st.builds(Preferences, cue_level=st.sampled_from(CueLevel),
                          countdown=st.sampled_from(Countdown), pace=st.sampled_from(Pace)),
    run_started_at=st.one_of(st.none(), st.floats(min_value=0, max_value=4e9)),
    offer_time=st.one_of(st.none(), times.map(lambda time: time.text)),
    reminder=reminders,
    utc_offset=st.one_of(st.none(), st.builds(
        OffsetSpan, zone=st.sampled_from(["Europe/Berlin", "Asia/Kolkata"]),
        offset_s=st.sampled_from([3600.0, 19_800.0]),
        since=st.floats(min_value=0, max_value=4e9),
        until=st.floats(min_value=4e9, max_value=5e9, exclude_min=True))),
    # A NamedTuple's defaults are drawn too unless given: these keep theirs.
    lead_silence_s=st.just(0.0), speech_pace=st.just(1.0), spoken=st.none(), paces=st.just(()),
    version=st.just(STATE_VERSION), recovered=st.just(False),
)


@given(states)
def test_state_round_trips_through_a_dict(state: SessionState) -> None:
    assert SessionState.from_dict(state.to_dict()) == state


def test_a_version_one_state_loads_with_defaults_for_what_it_lacked() -> None:
    old = {"phase": "paused", "routine_id": "unlock-psoas-flex-foundations",
           "position_s": 200.0, "anchor_at": None, "lead_s": 0.0, "covers_until_s": 200.0,
           "advisory_heard": True, "completed_count": 3, "version": 1}
    state = SessionState.from_dict(old)
    assert not state.recovered
    assert state.version == STATE_VERSION
    assert state.position_s == 200.0
    assert state.preferences == Preferences()
    assert state.completions == ()


@pytest.mark.parametrize("version", [3, 4])
def test_a_state_from_before_the_time_zones_age_loads_and_will_ask_for_it(version: int) -> None:
    old = {"phase": "finished", "completions": ["2026-11-25"], "time_zone": "Europe/Berlin",
           "version": version}
    state = SessionState.from_dict(old)
    assert not state.recovered
    assert state.time_zone == "Europe/Berlin"
    assert state.time_zone_checked_at is None


def test_a_version_three_state_loads_with_no_reminder_and_the_offer_still_to_make() -> None:
    old = {"phase": "finished", "completions": ["2026-11-25", "2026-11-26"],
           "time_zone": "Europe/London", "completed_count": 2, "version": 3}
    state = SessionState.from_dict(old)
    assert not state.recovered
    assert state.version == STATE_VERSION
    assert state.reminder == ReminderRecord()
    assert state.reminder.offer_due


def test_an_empty_or_missing_state_is_fresh_and_not_an_error() -> None:
    assert SessionState.from_dict(None) == SessionState()
    assert SessionState.from_dict({}) == SessionState()


@pytest.mark.parametrize(
    "data",
    [
        "garbage",
        [1, 2],
        {"version": STATE_VERSION + 1, "phase": "coaching"},
        {"version": STATE_VERSION, "phase": "dancing"},
        {"version": STATE_VERSION, "position_s": "ten"},
        {"version": STATE_VERSION, "position_s": float("nan")},
        {"version": STATE_VERSION, "position_s": -4},
        {"version": STATE_VERSION, "anchor_at": True},
        {"version": STATE_VERSION, "routine_id": 7},
        {"version": STATE_VERSION, "completed_count": -1},
        {"version": STATE_VERSION, "advisory_heard": "yes"},
        {"version": STATE_VERSION, "surprise": 1},
        {"version": STATE_VERSION, "completions": ["yesterday"]},
        {"version": STATE_VERSION, "completions": ["2026-01-01"] * 61},
        {"version": STATE_VERSION, "completions": ",".join(["2026-01-01"] * 61)},
        {"version": STATE_VERSION, "completions": "2026-01-01,"},
        {"version": STATE_VERSION, "completions": "2026-01-01;2026-01-02"},
        {"version": STATE_VERSION, "completions": 20260101},
        {"version": STATE_VERSION, "completions": ["2026-01-01,2026-01-02"]},
        {"version": STATE_VERSION, "completions": ["2026-01-01,2026", "01-02"]},
        {"version": STATE_VERSION, "completions": ["2026-01-01", 20260102]},
        {"version": STATE_VERSION, "completions": ["2026-01-01", "2026-1-02"]},
        {"version": STATE_VERSION, "completions": ["2026-01-01\n"]},
        {"version": STATE_VERSION, "completions": ["\u0662026-01-01"]},
        {"version": STATE_VERSION, "completions": ["2026-13-45"]},
        {"version": STATE_VERSION, "completions": ["2026-W01-1"]},
        {"version": STATE_VERSION, "completions": ["20260101"]},
        {"version": STATE_VERSION, "preferences": {"pace": "ludicrous"}},
        {"version": STATE_VERSION, "preferences": "slow"},
        {"version": STATE_VERSION, "time_zone": 5},
        {"version": STATE_VERSION, "time_zone_checked_at": "last week"},
        {"version": STATE_VERSION, "time_zone_checked_at": -1},
        {"version": STATE_VERSION, "run_counted": "no"},
        {"version": STATE_VERSION, "reminder": "alert-1"},
        {"version": STATE_VERSION, "reminder": {"token": 5}},
        {"version": STATE_VERSION, "reminder": {"token": "t", "time": "7 o'clock"}},
        {"version": STATE_VERSION, "reminder": {"offer": "maybe"}},
        {"version": STATE_VERSION, "reminder": {"pending": {"wish": "dance"}}},
        {"version": STATE_VERSION, "reminder": {"pending": {"wish": "set", "time": "25:00"}}},
        {"version": STATE_VERSION, "reminder": {"changed_at": "yesterday"}},
        {"version": STATE_VERSION, "reminder": {"advice_given": 1}},
        {"version": STATE_VERSION, "reminder": {"surprise": True}},
        {"version": STATE_VERSION, "offer_time": "soon"},
        {"version": STATE_VERSION, "run_started_at": -5},
        {"phase": "coaching"},
    ],
)
def test_corrupt_state_gives_a_fresh_state_flagged_for_an_apology(data: Any) -> None:
    state = SessionState.from_dict(data)
    assert state.recovered
    assert state.phase is Phase.IDLE
    assert "recovered" not in state.to_dict()


def test_a_merge_keeps_the_offset_of_the_zone_it_keeps() -> None:
    berlin = OffsetSpan("Europe/Berlin", 3600.0, 1.0e9, 1.1e9)
    kolkata = OffsetSpan("Asia/Kolkata", 19_800.0, 1.0e9, 1.1e9)
    mine_without_a_zone = SessionState()
    theirs = SessionState(time_zone="Europe/Berlin", utc_offset=berlin)
    merged = mine_without_a_zone.merged_with(theirs, keep_my_preferences=True)
    assert (merged.time_zone, merged.utc_offset) == ("Europe/Berlin", berlin)

    mine = SessionState(time_zone="Asia/Kolkata", utc_offset=kolkata)
    assert mine.merged_with(theirs, keep_my_preferences=True).utc_offset == kolkata
    stale = SessionState(time_zone="Asia/Kolkata", utc_offset=berlin)
    assert stale.merged_with(theirs, keep_my_preferences=True).utc_offset is None, \
        "an offset is only ever used for the zone it was worked out for"


def test_a_history_loads_in_order_and_each_day_once() -> None:
    state = SessionState.from_dict({"version": STATE_VERSION,
                                    "completions": "2026-11-25,2026-11-23,2026-11-25"})
    assert state.completions == ("2026-11-23", "2026-11-25")
