"""The core's fast `replace` makes exactly what `dataclasses.replace` makes."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psoas_release.core.clock_time import ClockTime
from psoas_release.core.events import Event, EventKind
from psoas_release.core.records import replace
from psoas_release.core.reply import Reply
from psoas_release.core.routines import Routine
from psoas_release.core.state import Phase, SessionState
from psoas_release.core.timeline import compile_timeline
from tests.core.test_state import states


@given(states, st.sampled_from(Phase), st.floats(0, 900), st.booleans())
def test_a_changed_state_is_the_one_dataclasses_makes(state: SessionState, phase: Phase,
                                                      position_s: float, heard: bool) -> None:
    changes: dict[str, Any] = {"phase": phase, "position_s": position_s, "advisory_heard": heard}
    changed = replace(state, **changes)
    assert changed == dataclasses.replace(state, **changes)
    assert type(changed) is SessionState
    assert hash(changed) == hash(dataclasses.replace(state, **changes))
    assert replace(state) == state and replace(state) is not state


def test_the_original_is_untouched_and_the_copy_stays_frozen() -> None:
    state = SessionState(phase=Phase.PAUSED, completions=("2026-11-29",))
    changed = replace(state, phase=Phase.COACHING)
    assert state.phase is Phase.PAUSED and changed.phase is Phase.COACHING
    assert changed.completions is state.completions
    with pytest.raises(dataclasses.FrozenInstanceError):
        changed.phase = Phase.IDLE  # type: ignore[misc]


def test_an_unknown_field_is_refused_as_dataclasses_refuses_it() -> None:
    with pytest.raises(TypeError):
        replace(Event(EventKind.LAUNCH), no_such_field=1)  # type: ignore[call-arg]


def test_records_that_are_not_plain_go_through_dataclasses(psoas: Routine) -> None:
    """A record checked after `__init__` is checked again; one with cached values (a
    timeline's) never carries them over to a copy they do not describe."""
    with pytest.raises(ValueError):
        replace(ClockTime(7, 30), hour=25)
    timeline = compile_timeline(psoas)
    assert timeline.cue_times
    copy = replace(timeline, segments=timeline.segments[:2])
    assert copy.cue_times == timeline.cue_times[:len(copy.cue_times)]
    assert len(copy.cue_times) < len(timeline.cue_times)
    assert replace(Reply(lead="Hi."), prompt="Ready?") == Reply(lead="Hi.", prompt="Ready?")
