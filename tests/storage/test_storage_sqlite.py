"""What the SQLite store promises beyond the contract: one file shared by processes, and no
crash when the file cannot be used."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import platformdirs
import pytest

from psoas_release.storage import (
    ConflictError,
    CorruptStateError,
    SqliteStateStore,
    StorageError,
    StoredState,
    default_state_db_path,
)
from tests.storage.storage_backends import sqlite_backend

USER = "amzn1.ask.account.TESTUSER"

# Counts to n in a shared record, reloading and retrying whenever another process saved first;
# prints how many conflicts it met.
COUNTER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from psoas_release.storage import ConflictError, SqliteStateStore

    db, go, user, n = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    store = SqliteStateStore(db)
    while not go.exists():
        time.sleep(0.005)
    conflicts = 0
    for _ in range(n):
        while True:
            current = store.load(user)
            try:
                store.save(user, {"count": current.data["count"] + 1}, current.version)
                break
            except ConflictError:
                conflicts += 1
    print(conflicts)
    """
)


def test_the_file_its_folder_and_table_are_created_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there" / "state.sqlite3"
    store = SqliteStateStore(path)
    assert not path.parent.exists()

    assert store.load(USER) is None
    assert path.is_file()


def test_the_file_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    SqliteStateStore(path).save(USER, {}, expected_version=None)

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        conn.close()


def test_two_stores_on_one_file_see_each_other_and_conflict(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    kitchen, bedroom = SqliteStateStore(path), SqliteStateStore(path)

    kitchen.save(USER, {"movement": 1}, expected_version=None)
    seen_by_bedroom = bedroom.load(USER)
    kitchen.save(USER, {"movement": 2}, expected_version=1)

    assert seen_by_bedroom == StoredState(data={"movement": 1}, version=1)
    with pytest.raises(ConflictError):
        bedroom.save(USER, {"movement": 9}, expected_version=seen_by_bedroom.version)
    assert bedroom.load(USER) == StoredState(data={"movement": 2}, version=2)


def test_two_processes_counting_in_one_file_lose_no_update(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    go = tmp_path / "go"
    SqliteStateStore(path).save(USER, {"count": 0}, expected_version=None)
    per_process = 60

    processes = [
        subprocess.Popen(
            [sys.executable, "-c", COUNTER, str(path), str(go), USER, str(per_process)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    go.touch()  # both start counting at once, so that their saves collide
    results = [process.communicate(timeout=30) for process in processes]

    for process, (_, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stderr
    assert SqliteStateStore(path).load(USER) == StoredState(
        data={"count": 2 * per_process}, version=2 * per_process + 1
    )


def test_a_record_without_a_usable_version_can_be_overwritten_as_new(tmp_path: Path) -> None:
    backend = sqlite_backend(tmp_path / "state.sqlite3")
    backend.write_raw(USER, json.dumps({"movement": 3}), None)

    with pytest.raises(CorruptStateError) as caught:
        backend.store.load(USER)
    assert caught.value.version is None

    assert backend.store.save(USER, {"movement": 0}, expected_version=None) == 1
    assert backend.store.load(USER) == StoredState(data={"movement": 0}, version=1)


def test_a_folder_that_cannot_be_created_is_a_storage_error(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    store = SqliteStateStore(a_file / "state.sqlite3")

    with pytest.raises(StorageError):
        store.load(USER)
    with pytest.raises(StorageError):
        store.save(USER, {}, expected_version=None)


def test_a_path_that_is_a_folder_is_a_storage_error(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path)

    with pytest.raises(StorageError):
        store.save(USER, {}, expected_version=None)


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    store = SqliteStateStore(path)

    with pytest.raises(StorageError):
        store.load(USER)
    with pytest.raises(StorageError):
        store.save(USER, {}, expected_version=None)


def test_a_store_recovers_once_its_file_becomes_usable(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("in the way")
    store = SqliteStateStore(blocker / "state.sqlite3")
    with pytest.raises(StorageError):
        store.load(USER)

    blocker.unlink()
    assert store.save(USER, {"movement": 1}, expected_version=None) == 1


def test_the_default_path_comes_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "custom.sqlite3"
    assert default_state_db_path({"PSOAS_STATE_DB": str(path)}) == path


def test_without_a_setting_the_default_path_is_the_user_state_folder() -> None:
    expected = platformdirs.user_state_path("psoas-release") / "state.sqlite3"
    assert default_state_db_path({}) == expected
    assert default_state_db_path({"PSOAS_STATE_DB": ""}) == expected
