"""The embedded default store: one SQLite file, shared safely by threads and processes.

Used by the Flask service and the simulator on one machine. Each call opens its own short-lived
connection, so threads never share one and nothing is left open between requests; SQLite's
file locking (in WAL mode, so readers do not block the writer) keeps two processes on the same
file consistent.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
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


def default_state_db_path(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the state lives: `$PSOAS_STATE_DB`, else the platform's per-user state folder."""
    configured = environ.get(STATE_DB_ENV, "")
    if configured:
        return Path(configured).expanduser()
    # Imported here, not with the module: some 2 ms of every cold start, for a path that a
    # deployment with TABLE_NAME or PSOAS_STATE_DB never asks for.
    import platformdirs

    return platformdirs.user_state_path(APP_NAME) / "state.sqlite3"


class SqliteStateStore:
    """A `StateStore` in one SQLite file; the file and its table are created on first use."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = Path(path)
        self._prepared = False
        self._prepare_lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._path

    def __repr__(self) -> str:
        return f"SqliteStateStore({str(self._path)!r})"

    def load(self, user_id: str) -> StoredState | None:
        check_user_id(user_id)
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT state, version FROM {TABLE} WHERE user_id = ?", (user_id,)
            ).fetchone()
        if row is None:
            return None
        state, stored_version = row
        return decode_record(state, user_id=user_id, version=_usable_version(stored_version),
                             stored_version=stored_version)

    def save(self, user_id: str, data: dict[str, Any], expected_version: int | None) -> int:
        check_user_id(user_id)
        text = encode_state(data)
        new_version = next_version(expected_version)
        with self._connection() as conn:
            # IMMEDIATE takes the write lock before the read, so no other connection can
            # change the version between our check and our write.
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    f"SELECT version FROM {TABLE} WHERE user_id = ?", (user_id,)
                ).fetchone()
                # A record without a usable version counts as absent, so that the caller can
                # overwrite it with expected_version=None, as CorruptStateError promises.
                stored_version = None if row is None else _usable_version(row[0])
                if stored_version != expected_version:
                    raise ConflictError(
                        f"state of user {user_id!r} is at version {stored_version}, "
                        f"not {expected_version}"
                    )
                if row is None:
                    conn.execute(
                        f"INSERT INTO {TABLE} (user_id, state, version) VALUES (?, ?, ?)",
                        (user_id, text, new_version),
                    )
                else:
                    conn.execute(
                        f"UPDATE {TABLE} SET state = ?, version = ? WHERE user_id = ?",
                        (text, new_version, user_id),
                    )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise
        return new_version

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection in autocommit mode; every SQLite or OS error becomes StorageError."""
        try:
            if not self._prepared:
                self._prepare()
            conn = self._connect()
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"cannot open state database {str(self._path)!r}: {exc}") from exc
        try:
            yield conn
        except sqlite3.Error as exc:
            raise StorageError(f"state database {str(self._path)!r} failed: {exc}") from exc
        finally:
            conn.close()

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions; save() opens its own.
        return sqlite3.connect(self._path, timeout=BUSY_TIMEOUT_S, isolation_level=None)

    def _prepare(self) -> None:
        """Create the folder, switch the file to WAL and create the table, once per store."""
        with self._prepare_lock:
            if self._prepared:
                return
            self._path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._connect()
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_CREATE_TABLE)
            finally:
                conn.close()
            self._prepared = True


def _usable_version(value: object) -> int | None:
    """The stored version if it is an integer, else None (a damaged record)."""
    return value if is_whole(value) else None
