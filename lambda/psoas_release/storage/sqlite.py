"""The embedded default store: one SQLite file, shared safely by threads and processes.

Used by the Flask service and the simulator on one machine. Each thread keeps its own
connection open, so threads never share one and no request pays for opening the file; SQLite's
file locking (in WAL mode, so readers do not block the writer) keeps two processes on the same
file consistent.

Durability: WAL with `synchronous=NORMAL`. A commit is in the WAL file, in the operating
system's hands, before `save` returns, so a crash of the process (a kill included) loses
nothing committed; only a power cut or a kernel crash before the next checkpoint may
lose the last commits, never corrupt the file. That is the trade for a save without an
fsync: a person's place in a routine, not a ledger.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Mapping
from typing import Any

from psoas_release.core.values import is_whole
from psoas_release.storage.base import (
    ConflictError,
    StorageError,
    StoredState,
    check_user_id,
    decode_record,
    encode_state,
    next_version,
)

STATE_DB_ENV = "PSOAS_STATE_DB"
APP_NAME = "psoas-release"
TABLE = "user_state"

# How long a writer waits for another one to finish. A few hundred bytes are written per save,
# so a real wait is milliseconds; the cap keeps a stuck lock from eating the 8 s reply budget.
BUSY_TIMEOUT_S = 2.0

_CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    user_id TEXT NOT NULL PRIMARY KEY,
    state TEXT NOT NULL,
    version INTEGER NOT NULL
)
"""

_READ = f"SELECT state, version FROM {TABLE} WHERE user_id = ?"
_NEXT_WRITE = f"UPDATE {TABLE} SET state = ?, version = ? WHERE user_id = ? AND version = ?"
# A first write also takes the place of a record without a usable (integer) version, which
# load() reported as CorruptStateError(version=None).
_FIRST_WRITE = f"""
INSERT INTO {TABLE} (user_id, state, version) VALUES (?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, version = excluded.version
WHERE typeof({TABLE}.version) != 'integer'
"""


def default_state_db_path(environ: Mapping[str, str] = os.environ) -> str:
    """Where the state lives: `$PSOAS_STATE_DB`, else the platform's per-user state folder.

    A plain path string, as the store keeps it: pathlib costs some 1.5 ms of a cold start."""
    configured = environ.get(STATE_DB_ENV, "")
    if configured:
        return os.path.expanduser(configured)
    # Imported here, not with the module: some 2 ms of every cold start, for a path that a
    # deployment with TABLE_NAME or PSOAS_STATE_DB never asks for.
    import platformdirs

    return os.path.join(platformdirs.user_state_dir(APP_NAME), "state.sqlite3")


class SqliteStateStore:
    """A `StateStore` in one SQLite file; the file and its table are created on first use.

    Each thread keeps one connection open for the store's life, so a request pays for two
    statements, not for opening the file, reading its schema and creating its WAL index twice.
    A connection that fails is closed and the next call opens a new one, so a store recovers
    once its file is usable again.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._local = threading.local()
        self._prepared = False
        self._prepare_lock = threading.Lock()

    @property
    def path(self) -> str:
        return self._path

    def __repr__(self) -> str:
        return f"SqliteStateStore({self._path!r})"

    def load(self, user_id: str) -> StoredState | None:
        check_user_id(user_id)
        row = self._execute(_READ, (user_id,), read=True)
        if row is None:
            return None
        state, stored_version = row
        return decode_record(state, user_id=user_id, version=_usable_version(stored_version),
                             stored_version=stored_version)

    def save(self, user_id: str, data: dict[str, Any], expected_version: int | None) -> int:
        check_user_id(user_id)
        text = encode_state(data)
        new_version = next_version(expected_version)
        # One statement, so one atomic write whatever another connection does: the version
        # test and the write cannot be separated.
        if expected_version is None:
            written = self._execute(_FIRST_WRITE, (user_id, text, new_version))
        else:
            written = self._execute(_NEXT_WRITE, (text, new_version, user_id, expected_version))
        if written != 1:
            raise ConflictError(
                f"state of user {user_id!r} is not at version {expected_version}"
                if expected_version is not None else f"state of user {user_id!r} exists already"
            )
        return new_version

    def close(self) -> None:
        """Close this thread's connection (the next call opens another)."""
        held: _Held | None = getattr(self._local, "held", None)
        self._local.held = None
        if held is not None:
            held.conn.close()

    def _execute(self, statement: str, parameters: tuple[Any, ...], *, read: bool = False) -> Any:
        """One statement on this thread's connection, in autocommit mode: the row it read, or
        how many rows it wrote. Every SQLite or OS error becomes StorageError, and a
        connection that failed is dropped."""
        held: _Held | None = getattr(self._local, "held", None)
        if held is None:
            try:
                held = self._local.held = _Held(self._open())
            except (sqlite3.Error, OSError) as exc:
                raise StorageError(
                    f"cannot open state database {self._path!r}: {exc}") from exc
        try:
            cursor = held.conn.execute(statement, parameters)
            return cursor.fetchone() if read else cursor.rowcount
        except sqlite3.Error as exc:
            self.close()
            raise StorageError(f"state database {self._path!r} failed: {exc}") from exc

    def _open(self) -> sqlite3.Connection:
        """A new connection; the first one also creates the folder, the WAL file and the
        table."""
        if not self._prepared:
            os.makedirs(os.path.dirname(self._path) or ".", exist_ok=True)
        # isolation_level=None: no implicit transactions; every statement commits on its own.
        # Only its own thread uses a connection; another may close it (see `_Held`).
        conn = sqlite3.connect(self._path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                               check_same_thread=False)
        try:
            if not self._prepared:
                self._prepare(conn)
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a crash of the
            # process loses nothing committed, a power cut may lose the last commits.
            conn.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Switch the file to WAL and create the table, once per store."""
        with self._prepare_lock:
            if not self._prepared:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_CREATE_TABLE)
                self._prepared = True


class _Held:
    """A thread's connection, closed when the thread ends or the store is dropped, in
    whichever thread lets go of it last: Python 3.13 warns of a connection dropped open."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __del__(self) -> None:
        self.conn.close()


def _usable_version(value: object) -> int | None:
    """The stored version if it is an integer, else None (a damaged record)."""
    return value if is_whole(value) else None
