"""Stores under test and ways around them, shared by the storage tests and their fixtures."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psoas_release.storage import (
    DynamoDbStateStore,
    MemoryStateStore,
    SqliteStateStore,
    StateStore,
)

REGION = "us-east-1"
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
}

# (user_id, state text, version) -> None; version None plants a record without a usable one
RawWriter = Callable[[str, str, "int | None"], None]


@dataclass
class Backend:
    """A store under test, a second store on the same records (another device's connection
    or client), and a way around both to plant a damaged record."""

    name: str
    store: StateStore
    write_raw: RawWriter
    other_device: StateStore


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def dynamodb_client(endpoint_url: str, **config: Any) -> Any:
    """A boto3 client for the test server with dummy credentials, independent of os.environ."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    return session.client("dynamodb", endpoint_url=endpoint_url, config=Config(**config))


@dataclass
class DynamoTable:
    """A table on the test server, and a client that can write to it behind the store's back."""

    name: str
    endpoint_url: str
    client: Any


def memory_backend() -> Backend:
    store = MemoryStateStore()

    def write_raw(user_id: str, text: str, version: int | None) -> None:
        assert version is not None, "a memory record always has a version"
        store._records[user_id] = (text, version)

    return Backend("memory", store, write_raw, store)


def sqlite_backend(path: Path) -> Backend:
    store = SqliteStateStore(path)

    def write_raw(user_id: str, text: str, version: int | None) -> None:
        store.load("prepare-the-table")  # first use creates the file and the table
        with sqlite3.connect(path) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO user_state (user_id, state, version) VALUES (?, ?, ?)",
                (user_id, text, "not a number" if version is None else version),
            )
        conn.close()

    return Backend("sqlite", store, write_raw, SqliteStateStore(path))


def dynamodb_backend(table: DynamoTable) -> Backend:
    store = DynamoDbStateStore(table.name, endpoint_url=table.endpoint_url, region=REGION)

    def write_raw(user_id: str, text: str, version: int | None) -> None:
        item = {"user_id": {"S": user_id}, "state": {"S": text}}
        if version is not None:
            item["version"] = {"N": str(version)}
        table.client.put_item(TableName=table.name, Item=item)

    other = DynamoDbStateStore(table.name, endpoint_url=table.endpoint_url, region=REGION)
    return Backend("dynamodb", store, write_raw, other)
