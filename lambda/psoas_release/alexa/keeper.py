"""Loading and saving a person's state around each request, whatever the store does.

The store is a convenience, not a dependency: within a session the state rides in Alexa's
session attributes, so when the store is down, slow or throttled the person still finishes
the routine. A failing store is logged once when it starts failing and once when it recovers,
not on every request of a ten-minute routine, and it is left alone for `RETRY_AFTER_S` after
a failure: a store that times out would otherwise spend seconds of Alexa's 8-second answer
budget on every request.

History is never lost on the way. A session that could not read the store, or whose save
meets a newer record (another device), merges the stored history (completed days, counts,
preferences) into its own state before saving; a record written by a newer version of the
skill is never overwritten.
"""

import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from psoas_release.alexa.known_states import KnownStates
from psoas_release.alexa.log import Logger
from psoas_release.core.state import STATE_VERSION, SessionState
from psoas_release.core.values import is_whole
from psoas_release.storage import (
    ConflictError,
    CorruptStateError,
    StateStore,
    StorageError,
    StoredState,
)

log = Logger(__name__)

RETRY_AFTER_S = 30.0


class Ticket(NamedTuple):
    """What this session knows of the stored record; travels in the session attributes."""

    version: int | None = None
    """The version read (None: there was no record)."""
    loaded: bool = False
    """Whether the record was actually read; if not, it is merged before any save."""
    writable: bool = True
    """False for a record from a newer version of the skill: it is never overwritten."""

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "loaded": self.loaded, "writable": self.writable}

    @classmethod
    def from_dict(cls, data: Any) -> "Ticket":
        """The ticket in session attributes; anything unreadable means "not loaded"."""
        if not isinstance(data, Mapping):
            return cls()
        version = data.get("version")
        usable = is_whole(version) and version > 0
        return cls(version=version if usable else None, loaded=data.get("loaded") is True,
                   writable=data.get("writable") is not False)


class StateKeeper:
    """A store wrapper that never raises: every failure becomes a log line and a fallback."""

    def __init__(self, store: StateStore | None,
                 clock: Callable[[], float] | None = None) -> None:
        self.store = store
        self.clock = clock or time.monotonic
        self.known = KnownStates()
        self._failed_at: float | None = None

    def _resting(self) -> bool:
        """Whether the store failed moments ago and should be left alone for now."""
        return self._failed_at is not None and self.clock() - self._failed_at < RETRY_AFTER_S

    def load(self, user_id: str | None) -> tuple[SessionState, Ticket]:
        """The saved state and a ticket for saving it back; a fresh state when there is none,
        it is unusable, or the store cannot be read (then the ticket says so)."""
        if self.store is None or user_id is None or self._resting():
            return SessionState(), Ticket()
        try:
            stored = self._read(user_id)
        except StorageError as error:
            self._failed("load", error)
            return SessionState(), Ticket()
        self._recovered()
        if isinstance(stored, CorruptStateError):
            log.warning("saved state unreadable, starting fresh: %s", stored)
            return SessionState(recovered=True), Ticket(stored.version, loaded=True)
        if stored is None:
            return SessionState(), Ticket(None, loaded=True)
        newer = _newer_schema(stored.data)
        if newer:
            log.warning("saved state is from a newer version of the skill; it is kept as is")
        return self.known.state_of(user_id, stored.data), Ticket(stored.version, loaded=True,
                                                                 writable=not newer)

    def save(self, user_id: str | None, state: SessionState, ticket: Ticket) -> Ticket:
        """Save `state`; the ticket for the next save (unchanged if nothing was written)."""
        if self.store is None or user_id is None or self._resting() or not ticket.writable:
            return ticket
        try:
            if not ticket.loaded:
                return self._merge_and_save(user_id, state, keep_my_preferences=False)
            try:
                version = self.store.save(user_id, self.known.record_of(user_id, state),
                                          ticket.version)
            except ConflictError:
                log.warning("state changed on another device since version %s; merging its "
                            "history into this request's state", ticket.version)
                return self._merge_and_save(user_id, state, keep_my_preferences=True)
        except ConflictError as error:
            # Lost a second race while merging: the store is fine, only this save waits.
            log.warning("state changed again while merging; saving at the next request: %s",
                        error)
            return Ticket(ticket.version, loaded=False, writable=ticket.writable)
        except StorageError as error:
            self._failed("save", error)
            return ticket
        self._recovered()
        return Ticket(version, loaded=True)

    def _merge_and_save(self, user_id: str, state: SessionState, *,
                        keep_my_preferences: bool) -> Ticket:
        assert self.store is not None
        stored = self._read(user_id)
        if isinstance(stored, StoredState) and _newer_schema(stored.data):
            return Ticket(stored.version, loaded=True, writable=False)
        expected = stored.version if stored is not None else None
        if isinstance(stored, StoredState):
            theirs = SessionState.from_dict(stored.data)
            if not theirs.recovered:
                state = state.merged_with(theirs, keep_my_preferences=keep_my_preferences)
        version = self.store.save(user_id, self.known.record_of(user_id, state), expected)
        self._recovered()
        return Ticket(version, loaded=True)

    def _read(self, user_id: str) -> StoredState | CorruptStateError | None:
        """The stored record, or the CorruptStateError saying it cannot be decoded."""
        assert self.store is not None
        try:
            return self.store.load(user_id)
        except CorruptStateError as error:
            return error

    def _failed(self, action: str, error: Exception) -> None:
        if self._failed_at is None:
            log.error("state store failed to %s; carrying on from session attributes: %s",
                      action, error)
        self._failed_at = self.clock()

    def _recovered(self) -> None:
        if self._failed_at is not None:
            log.info("state store is answering again")
        self._failed_at = None


def _newer_schema(data: Mapping[str, Any]) -> bool:
    version = data.get("version")
    return is_whole(version) and version > STATE_VERSION
