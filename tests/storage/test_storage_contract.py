"""The contract every state store keeps, run against memory, SQLite and a real DynamoDB server."""

from __future__ import annotations

from typing import Any

import pytest

from psoas_release.storage import ConflictError, CorruptStateError, StoredState
from tests.storage.storage_backends import Backend

USER = "amzn1.ask.account.TESTUSER"
OTHER_USER = "amzn1.ask.account.OTHERUSER"


def test_a_user_never_seen_has_no_state(backend: Backend) -> None:
    assert backend.store.load(USER) is None


def test_the_first_save_is_version_1_and_loads_back(backend: Backend) -> None:
    state = {"routine": "unlock-psoas-flex-foundations", "movement": 2, "paused": False}

    assert backend.store.save(USER, state, expected_version=None) == 1
    assert backend.store.load(USER) == StoredState(data=state, version=1)


def test_saving_over_the_version_just_loaded_moves_it_on(backend: Backend) -> None:
    backend.store.save(USER, {"movement": 1}, expected_version=None)

    assert backend.store.save(USER, {"movement": 2}, expected_version=1) == 2
    assert backend.store.save(USER, {"movement": 3}, expected_version=2) == 3
    assert backend.store.load(USER) == StoredState(data={"movement": 3}, version=3)


@pytest.mark.parametrize("stale_version", [None, 1, 3, 0])
def test_a_stale_save_conflicts_and_changes_nothing(
    backend: Backend, stale_version: int | None
) -> None:
    backend.store.save(USER, {"movement": 1}, expected_version=None)
    backend.store.save(USER, {"movement": 2}, expected_version=1)

    with pytest.raises(ConflictError):
        backend.store.save(USER, {"movement": 99}, expected_version=stale_version)
    assert backend.store.load(USER) == StoredState(data={"movement": 2}, version=2)


def test_a_save_quoting_a_version_for_a_user_without_state_conflicts(backend: Backend) -> None:
    with pytest.raises(ConflictError):
        backend.store.save(USER, {"movement": 1}, expected_version=1)
    assert backend.store.load(USER) is None


def test_users_do_not_share_state(backend: Backend) -> None:
    backend.store.save(USER, {"movement": 1}, expected_version=None)
    backend.store.save(OTHER_USER, {"movement": 7}, expected_version=None)

    assert backend.store.load(USER) == StoredState(data={"movement": 1}, version=1)
    assert backend.store.load(OTHER_USER) == StoredState(data={"movement": 7}, version=1)


def test_of_two_devices_that_loaded_one_version_exactly_one_saves(backend: Backend) -> None:
    """The race of two devices, interleaved step by step rather than left to threads: both
    load version 1, the kitchen saves first, the bedroom's save quoting 1 must conflict."""
    backend.store.save(USER, {"device": None}, expected_version=None)
    kitchen = backend.store.load(USER)
    bedroom = backend.other_device.load(USER)
    assert kitchen is not None and bedroom is not None
    assert kitchen.version == bedroom.version == 1

    assert backend.store.save(USER, {"device": "kitchen"}, kitchen.version) == 2
    with pytest.raises(ConflictError):
        backend.other_device.save(USER, {"device": "bedroom"}, bedroom.version)
    assert backend.other_device.load(USER) == StoredState(data={"device": "kitchen"}, version=2)


def test_of_two_first_saves_exactly_one_wins(backend: Backend) -> None:
    """Both devices find no record, so both save as the first; only one may."""
    assert backend.store.load(USER) is None
    assert backend.other_device.load(USER) is None

    assert backend.store.save(USER, {"device": "kitchen"}, expected_version=None) == 1
    with pytest.raises(ConflictError):
        backend.other_device.save(USER, {"device": "bedroom"}, expected_version=None)
    assert backend.other_device.load(USER) == StoredState(data={"device": "kitchen"}, version=1)


@pytest.mark.parametrize(
    "garbage",
    ["{not json", "", "[1, 2, 3]", '"a string"', "42", "null"],
    ids=["broken-json", "empty", "array", "string", "number", "null"],
)
def test_a_corrupt_record_is_reported_with_its_version_and_can_be_overwritten(
    backend: Backend, garbage: str
) -> None:
    backend.write_raw(USER, garbage, 4)

    with pytest.raises(CorruptStateError) as caught:
        backend.store.load(USER)
    assert caught.value.version == 4

    assert backend.store.save(USER, {"movement": 0}, expected_version=4) == 5
    assert backend.store.load(USER) == StoredState(data={"movement": 0}, version=5)


def test_overwriting_a_corrupt_record_still_needs_its_version(backend: Backend) -> None:
    backend.write_raw(USER, "{not json", 4)

    with pytest.raises(ConflictError):
        backend.store.save(USER, {"movement": 0}, expected_version=None)
    with pytest.raises(CorruptStateError):
        backend.store.load(USER)


@pytest.mark.parametrize(
    "text",
    ["Psoas — hüfte, 股関節, 🧘‍♀️", 'quote " backslash \\ newline \n tab \t', "\ud800 lone"],
    ids=["non-ascii", "escapes", "lone-surrogate"],
)
def test_any_text_round_trips(backend: Backend, text: str) -> None:
    state = {"last_cue": text, text: [text]}

    backend.store.save(USER, state, expected_version=None)
    assert backend.store.load(USER) == StoredState(data=state, version=1)


def test_json_types_round_trip_as_written(backend: Backend) -> None:
    state: dict[str, Any] = {
        "int": 3,
        "big": 2**53 + 1,
        "float": 0.1,
        "bool": True,
        "none": None,
        "list": [1, "two", {"three": 3.0}],
    }

    backend.store.save(USER, state, expected_version=None)
    loaded = backend.store.load(USER)

    assert loaded == StoredState(data=state, version=1)
    assert loaded is not None
    assert type(loaded.data["int"]) is int
    assert type(loaded.data["float"]) is float


def test_a_10_kb_state_round_trips(backend: Backend) -> None:
    state = {"history": [{"movement": i, "note": "x" * 90} for i in range(100)]}
    assert len(str(state)) > 10_000

    backend.store.save(USER, state, expected_version=None)
    assert backend.store.load(USER) == StoredState(data=state, version=1)


def test_changing_a_loaded_state_does_not_change_the_store(backend: Backend) -> None:
    backend.store.save(USER, {"movements": [1, 2]}, expected_version=None)
    loaded = backend.store.load(USER)
    assert loaded is not None

    loaded.data["movements"].append(3)
    assert backend.store.load(USER) == StoredState(data={"movements": [1, 2]}, version=1)


@pytest.mark.parametrize(
    ("state", "error"),
    [({"when": object()}, TypeError), ({"hold": float("nan")}, ValueError), ([1], TypeError)],
    ids=["not-serialisable", "nan", "not-a-dict"],
)
def test_a_state_that_is_not_a_json_object_is_refused_before_anything_is_written(
    backend: Backend, state: Any, error: type[Exception]
) -> None:
    with pytest.raises(error):
        backend.store.save(USER, state, expected_version=None)
    assert backend.store.load(USER) is None


def test_an_empty_user_id_is_refused(backend: Backend) -> None:
    with pytest.raises(ValueError):
        backend.store.load("")
    with pytest.raises(ValueError):
        backend.store.save("", {}, expected_version=None)
