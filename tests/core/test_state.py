"""Session state survives the round trip, and corrupt state becomes a fresh start, flagged."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psoas_release.core.state import STATE_VERSION, Phase, SessionState

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
)


@given(states)
def test_state_round_trips_through_a_dict(state: SessionState) -> None:
    assert SessionState.from_dict(state.to_dict()) == state


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
        {"phase": "coaching"},
    ],
)
def test_corrupt_state_gives_a_fresh_state_flagged_for_an_apology(data: Any) -> None:
    state = SessionState.from_dict(data)
    assert state.recovered
    assert state.phase is Phase.IDLE
    assert "recovered" not in state.to_dict()
