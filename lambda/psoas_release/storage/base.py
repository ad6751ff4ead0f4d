"""The contract every state store keeps: one JSON object per user, written only conditionally.

A person may talk to two Echo devices at once. Each request loads the state, changes it and
saves it; if both save blindly, one update is lost without a trace. So every record carries a
version, and `save` succeeds only when the caller names the version it read. The loser gets a
`ConflictError` and decides for itself whether to reload and retry.

The skill must answer even when storage is down, so every failure of a store (outage, timeout,
throttling, a record that cannot be read) is a `StorageError`, which the caller can catch in
one place and turn into an apology.
"""

import json
from typing import Any, NamedTuple, Protocol


class StorageError(Exception):
    """The store could not do what was asked: outage, timeout, throttling, corrupt record."""


class ConflictError(StorageError):
    """The record's version is not the one the caller expected: someone else saved first."""


class CorruptStateError(StorageError):
    """The stored record exists but cannot be read as a JSON object.

    `version` is what to pass as `expected_version` to overwrite the record: the stored version,
    or None when the record has no usable version (a store treats such a record as absent when
    writing, so the overwrite still succeeds).
    """

    def __init__(self, message: str, *, version: int | None) -> None:
        super().__init__(message)
        self.version = version


class StoredState(NamedTuple):
    """One user's saved state and the version to quote when saving it back."""

    data: dict[str, Any]
    version: int


class StateStore(Protocol):
    """Loads and conditionally saves one JSON object per user."""

    def load(self, user_id: str) -> StoredState | None:
        """The user's state, or None if the user has none yet.

        Raises `CorruptStateError` if the record cannot be decoded, `StorageError` on failure.
        """
        ...

    def save(self, user_id: str, data: dict[str, Any], expected_version: int | None) -> int:
        """Store `data` if the stored version is `expected_version`; return the new version.

        `expected_version=None` means "the user has no record yet". The new version is
        `expected_version + 1`, or 1 for a first record. Raises `ConflictError` if the stored
        version differs, `StorageError` on failure, and `TypeError`/`ValueError` (a bug in the
        caller, raised before any I/O) if `data` is not a JSON-serialisable dict.
        """
        ...


def check_user_id(user_id: str) -> None:
    """Reject an empty user id up front, so every store fails the same way on it."""
    if not isinstance(user_id, str) or not user_id:
        raise ValueError(f"user_id must be a non-empty string, not {user_id!r}")


def encode_state(data: dict[str, Any]) -> str:
    """The JSON text stored for `data`.

    ASCII-only, so that any Python string (even a lone surrogate) survives every backend;
    NaN and infinities are refused because they are not JSON and other readers would choke.
    """
    if not isinstance(data, dict):
        raise TypeError(f"state must be a dict, not {type(data).__name__}")
    return _ENCODER.encode(data)


_ENCODER = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":"))
"""Made once: `json.dumps` with options builds an encoder on every call."""


def decode_state(text: object, *, user_id: str, version: int | None) -> dict[str, Any]:
    """The dict stored as `text`; `CorruptStateError` if it is not a JSON object."""
    if not isinstance(text, str):
        raise CorruptStateError(
            f"state of user {user_id!r} is not text ({type(text).__name__})", version=version
        )
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise CorruptStateError(
            f"state of user {user_id!r} is not JSON: {exc}", version=version
        ) from exc
    if not isinstance(data, dict):
        raise CorruptStateError(
            f"state of user {user_id!r} is JSON but not an object ({type(data).__name__})",
            version=version,
        )
    return data


def decode_record(
    text: object, *, user_id: str, version: int | None, stored_version: object
) -> StoredState:
    """A stored record as every store reads it back: the JSON object and a usable version.

    `version` is `stored_version` made usable by the store (None if it is not a version);
    `CorruptStateError` if either the text or the version cannot be used.
    """
    data = decode_state(text, user_id=user_id, version=version)
    if version is None:
        raise CorruptStateError(
            f"state of user {user_id!r} has no usable version ({stored_version!r})",
            version=None,
        )
    return StoredState(data=data, version=version)


def next_version(expected_version: int | None) -> int:
    """The version a successful save writes."""
    return 1 if expected_version is None else expected_version + 1
