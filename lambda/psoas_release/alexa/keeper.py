"""Loading and saving a person's state around each request, whatever the store does.

The store is a convenience, not a dependency: within a session the state rides in Alexa's
session attributes, so when the store is down, slow or throttled the person still finishes
the routine. A failing store is logged once when it starts failing and once when it recovers,
not on every request of a ten-minute routine, and it is left alone for `RETRY_AFTER_S` after
a failure: a store that times out would otherwise spend seconds of Alexa's 8-second answer
budget on every request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from psoas_release.core.state import SessionState
from psoas_release.storage import ConflictError, CorruptStateError, StateStore, StorageError

log = logging.getLogger(__name__)

RETRY_AFTER_S = 30.0


class StateKeeper:
    """A store wrapper that never raises: every failure becomes a log line and a fallback."""

    def __init__(self, store: StateStore | None,
                 clock: Callable[[], float] | None = None) -> None:
        self.store = store
        self.clock = clock or time.monotonic
        self._failed_at: float | None = None

    def _resting(self) -> bool:
        """Whether the store failed moments ago and should be left alone for now."""
        return self._failed_at is not None and self.clock() - self._failed_at < RETRY_AFTER_S

    def load(self, user_id: str | None) -> tuple[SessionState, int | None]:
        """The saved state and its version; a fresh state when there is none or it is unusable."""
        if self.store is None or user_id is None or self._resting():
            return SessionState(), None
        try:
            stored = self.store.load(user_id)
        except CorruptStateError as error:
            log.warning("saved state unreadable, starting fresh: %s", error)
            self._recovered()
            return SessionState(recovered=True), error.version
        except StorageError as error:
            self._failed("load", error)
            return SessionState(), None
        self._recovered()
        if stored is None:
            return SessionState(), None
        return SessionState.from_dict(stored.data), stored.version

    def save(self, user_id: str | None, state: SessionState, version: int | None) -> int | None:
        """Save `state`; the new version, or the old one if the store could not take it.

        A conflict means another device saved since this session read the state. This request
        is the newest thing the person did, so it is saved over the other, and logged.
        """
        if self.store is None or user_id is None or self._resting():
            return version
        data = state.to_dict()
        try:
            try:
                new_version = self.store.save(user_id, data, version)
            except ConflictError:
                current = self._current_version(user_id)
                log.warning("state changed on another device (version %s, expected %s); "
                            "saving this request's state over it", current, version)
                new_version = self.store.save(user_id, data, current)
        except StorageError as error:
            self._failed("save", error)
            return version
        self._recovered()
        return new_version

    def _current_version(self, user_id: str) -> int | None:
        assert self.store is not None
        try:
            stored = self.store.load(user_id)
        except CorruptStateError as error:
            return error.version
        return stored.version if stored else None

    def _failed(self, action: str, error: Exception) -> None:
        if self._failed_at is None:
            log.error("state store failed to %s; carrying on from session attributes: %s",
                      action, error)
        self._failed_at = self.clock()

    def _recovered(self) -> None:
        if self._failed_at is not None:
            log.info("state store is answering again")
        self._failed_at = None


def version_from(value: Any) -> int | None:
    """A store version read back from session attributes, or None if it is not one."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
