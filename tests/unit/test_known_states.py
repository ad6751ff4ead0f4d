"""Known states: a record this container wrote or read is not checked again, and nothing else
passes for it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from psoas_release.alexa.known_states import KnownStates
from psoas_release.core.state import Phase, SessionState

PERSON = "amzn1.ask.account.KNOWN"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every record `SessionState.from_dict` is asked to check."""
    seen: list[Any] = []
    real = SessionState.from_dict

    def counting(data: Any) -> SessionState:
        seen.append(data)
        return real(data)

    monkeypatch.setattr(SessionState, "from_dict", staticmethod(counting))
    return seen


def test_a_record_written_comes_back_as_its_state_unchecked(parsed: list[Any]) -> None:
    known = KnownStates()
    state = SessionState(phase=Phase.COACHING, position_s=42.0, completions=("2026-11-29",))
    record = known.record_of(PERSON, state)

    assert record == state.to_dict()
    assert known.record_of(PERSON, state) is record, "written once for store and session"
    echoed = json.loads(json.dumps(record))
    assert known.state_of(PERSON, echoed) is state
    assert parsed == []


def test_any_other_record_is_checked_and_then_known(parsed: list[Any]) -> None:
    known = KnownStates()
    known.record_of(PERSON, SessionState(position_s=42.0))
    other = SessionState(position_s=43.0).to_dict()

    assert known.state_of(PERSON, other) == SessionState(position_s=43.0)
    assert known.state_of(PERSON, dict(other)) == SessionState(position_s=43.0)
    assert parsed == [other]
    assert known.state_of(PERSON, {"version": 99}).recovered
    assert known.state_of("amzn1.ask.account.SOMEONE-ELSE", other) == SessionState(
        position_s=43.0)
    assert len(parsed) == 3


def test_a_record_read_is_never_written_back_as_it_was(parsed: list[Any]) -> None:
    """An older version's record reads as today's state; writing that state writes today's
    record, not the old one."""
    known = KnownStates()
    old = {"phase": "paused", "position_s": 200.0, "version": 1}
    state = known.state_of(PERSON, old)

    assert known.record_of(PERSON, state) == state.to_dict() != old


def test_the_people_least_recently_seen_are_forgotten(parsed: list[Any]) -> None:
    known = KnownStates(size=2)
    records = {person: known.record_of(person, SessionState(completed_count=number))
               for number, person in enumerate(("ann", "bob", "cy"))}
    known.state_of("bob", records["bob"])
    known.state_of("cy", records["cy"])
    assert parsed == []
    known.state_of("ann", records["ann"])
    assert parsed == [records["ann"]]


def test_without_a_person_nothing_is_kept(parsed: list[Any]) -> None:
    known = KnownStates()
    state = SessionState(position_s=1.0)
    assert known.record_of(None, state) is not known.record_of(None, state)
    known.state_of(None, state.to_dict())
    assert len(parsed) == 1
