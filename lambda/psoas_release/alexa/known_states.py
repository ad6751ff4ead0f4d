"""Each person's state as this container last read or wrote it, so that it is checked once.

Every request reads the person's record back (from the store at a launch, from Alexa's
session attributes within a session) and `SessionState.from_dict` checks it field by field;
every request writes one out, for the store and for the session. Most of the time the record
that comes back is exactly the one this container wrote a moment before. Such a record
(compared as data, so nothing else can pass for it) gives back the state it was made from, and
a state is written out once for both the store and the session. Bounded: the people least
recently seen are forgotten first.
"""

import threading
from typing import Any, NamedTuple

from psoas_release.core.state import SessionState

KEPT_PEOPLE = 512
"""People remembered per container: a record is a couple of kilobytes."""


class _Known(NamedTuple):
    record: Any
    state: SessionState
    written: bool
    """Whether `record` is `state.to_dict()`; a record read may be an older version's."""


class KnownStates:
    """The last record read or written for each person, and the state it stands for."""

    def __init__(self, size: int = KEPT_PEOPLE) -> None:
        self.size = size
        self._known: dict[str, _Known] = {}
        self._lock = threading.Lock()

    def state_of(self, user_id: str | None, record: Any) -> SessionState:
        """The state in `record`, as `SessionState.from_dict` reads it."""
        known = self._known.get(user_id) if user_id is not None else None
        if known is not None and known.record == record:
            self._remember(user_id, known)
            return known.state
        state = SessionState.from_dict(record)
        self._remember(user_id, _Known(record, state, written=False))
        return state

    def record_of(self, user_id: str | None, state: SessionState) -> dict[str, Any]:
        """`state.to_dict()`, made once however many places keep it."""
        known = self._known.get(user_id) if user_id is not None else None
        if known is not None and known.written and known.state is state:
            record: dict[str, Any] = known.record
            return record
        record = state.to_dict()
        self._remember(user_id, _Known(record, state, written=True))
        return record

    def _remember(self, user_id: str | None, known: _Known) -> None:
        if user_id is None:
            return
        with self._lock:
            self._known.pop(user_id, None)
            self._known[user_id] = known
            while len(self._known) > self.size:
                del self._known[next(iter(self._known))]
