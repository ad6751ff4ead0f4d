"""Who a simulated session speaks as, and where that person's state lives.

Why: a live session is the one local person, whose place is kept in the user's state file from
one run to the next. A script is a check that must pass every time, so unless told otherwise
each run is a new person with a store of its own: its expectations (a first-time safety note)
never meet what an earlier run, or the person at the keyboard, left behind.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from psoas_release.core.state import SessionState
from psoas_release.simulator.envelopes import LOCAL_USER_ID
from psoas_release.storage import (
    CorruptStateError,
    SqliteStateStore,
    StorageError,
    default_state_db_path,
)

SCRIPT_STORE_FACE = "this script's own, deleted at the end"


def user_id_for(chosen: str | None, *, interactive: bool) -> str:
    """`chosen`, else the local person live, else someone no run has been before."""
    if chosen:
        return chosen
    return LOCAL_USER_ID if interactive else f"amzn1.ask.account.SCRIPT-{uuid.uuid4().hex.upper()}"


def state_file(chosen: Path | None, *, interactive: bool, scratch: Path) -> tuple[Path, str]:
    """The SQLite file and how to show it: `chosen`, else the user's state file live, else a
    file in `scratch`, a folder that goes when the script ends."""
    if chosen is not None:
        return chosen, str(chosen)
    if interactive:
        path = Path(default_state_db_path())
        return path, str(path)
    return scratch / "state.sqlite3", SCRIPT_STORE_FACE


def saved_state(store: SqliteStateStore, user_id: str) -> SessionState:
    """What the store holds for `user_id`; raises StorageError when the file cannot be used.

    Read before the first request, so a state file that is a folder or not SQLite is reported
    at once (the skill itself would carry on without it, saving nothing).
    """
    try:
        stored = store.load(user_id)
    except CorruptStateError:
        return SessionState()  # the skill says so at launch and starts fresh
    return SessionState.from_dict(stored.data) if stored else SessionState()


def storage_reason(error: StorageError) -> str:
    """'Is a directory', 'file is not a database': the cause, without the store's wording."""
    cause = error.__cause__
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    return str(cause or error)
