"""Where the skill keeps each user's session state between requests.

`open_store()` picks the store from the environment: DynamoDB when `TABLE_NAME` is set (the
Lambda deployment), else a SQLite file (the Flask service, the simulator). Every store keeps the
contract in `base`: versioned, conditional writes, and `StorageError` for every failure.
Importing this package never imports boto3; each backend's module (and sqlite3 with SQLite's) is
imported when it is first used or named, so a cold start loads only the one it opens.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from psoas_release.storage.base import (
    ConflictError,
    CorruptStateError,
    StateStore,
    StorageError,
    StoredState,
    check_user_id,
    decode_record,
    encode_state,
    next_version,
)

if TYPE_CHECKING:
    from psoas_release.storage.dynamodb import DynamoDbStateStore
    from psoas_release.storage.sqlite import SqliteStateStore, default_state_db_path

TABLE_NAME_ENV = "TABLE_NAME"
# boto3's own name for a DynamoDB endpoint override; read here because open_store takes its
# environment as an argument.
DYNAMODB_ENDPOINT_ENV = "AWS_ENDPOINT_URL_DYNAMODB"

__all__ = [
    "ConflictError",
    "CorruptStateError",
    "DynamoDbStateStore",
    "MemoryStateStore",
    "SqliteStateStore",
    "StateStore",
    "StorageError",
    "StoredState",
    "default_state_db_path",
    "open_store",
]


def open_store(environ: Mapping[str, str] = os.environ) -> StateStore:
    """The store this deployment uses: DynamoDB if `TABLE_NAME` is set, else SQLite.

    For DynamoDB the region comes from `AWS_REGION` (set by Lambda) or `AWS_DEFAULT_REGION`,
    and `AWS_ENDPOINT_URL_DYNAMODB` points at a local server. For SQLite the file is
    `PSOAS_STATE_DB`, else the platform's per-user state folder. Nothing is opened yet: the
    SQLite file is created on first use.
    """
    table_name = environ.get(TABLE_NAME_ENV, "").strip()
    if table_name:
        from psoas_release.storage.dynamodb import DynamoDbStateStore

        return DynamoDbStateStore(
            table_name,
            endpoint_url=environ.get(DYNAMODB_ENDPOINT_ENV) or None,
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None,
        )
    from psoas_release.storage.sqlite import SqliteStateStore, default_state_db_path

    return SqliteStateStore(default_state_db_path(environ))


_BACKENDS = {
    "DynamoDbStateStore": "psoas_release.storage.dynamodb",
    "SqliteStateStore": "psoas_release.storage.sqlite",
    "default_state_db_path": "psoas_release.storage.sqlite",
}


def __getattr__(name: str) -> Any:
    """A backend's name, from its module, imported the first time it is asked for."""
    if name not in _BACKENDS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_BACKENDS[name]), name)


class MemoryStateStore:
    """A `StateStore` in a dict, for tests and the simulator; lost when the process ends.

    It stores the JSON text, not the dict, so it refuses what the real stores refuse and hands
    out a fresh copy on every load, exactly as they do.
    """

    def __init__(self) -> None:
        self._records: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()

    def load(self, user_id: str) -> StoredState | None:
        check_user_id(user_id)
        with self._lock:
            record = self._records.get(user_id)
        if record is None:
            return None
        text, version = record
        return decode_record(text, user_id=user_id, version=version, stored_version=version)

    def save(self, user_id: str, data: dict[str, Any], expected_version: int | None) -> int:
        check_user_id(user_id)
        text = encode_state(data)
        new_version = next_version(expected_version)
        with self._lock:
            record = self._records.get(user_id)
            stored_version = None if record is None else record[1]
            if stored_version != expected_version:
                raise ConflictError(
                    f"state of user {user_id!r} is at version {stored_version}, "
                    f"not {expected_version}"
                )
            self._records[user_id] = (text, new_version)
        return new_version
