"""What the SQLite store promises beyond the contract: one connection per thread, kept; one
file shared by threads and processes; nothing committed lost when a process dies mid-write;
and no crash when the file cannot be used."""

from __future__ import annotations

import gc
import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


# Saves as fast as it can, a big record each time so that a kill is likely to land mid-write,
# and prints each version once its save has returned.
SAVER = textwrap.dedent(
    """
    import sys
    from psoas_release.storage import SqliteStateStore

    db, user = sys.argv[1], sys.argv[2]
    store = SqliteStateStore(db)
    version = store.load(user).version
    while True:
        version = store.save(user, {"count": version, "padding": "x" * 200_000}, version)
        print(version, flush=True)
    """
)

# Loads the record, then saves over it, killing itself (SIGKILL, no clean-up of any kind) the
# moment the save has begun writing to the WAL file.
KILLED_MID_SAVE = textwrap.dedent(
    """
    import os, signal, sqlite3, sys
    from psoas_release.storage import SqliteStateStore

    db, user = sys.argv[1], sys.argv[2]
    opened = []
    connect = sqlite3.connect

    def remembered(*args, **kwargs):
        opened.append(connect(*args, **kwargs))
        return opened[-1]

    sqlite3.connect = remembered
    store = SqliteStateStore(db)
    loaded = store.load(user)
    wal = db + "-wal"
    before = os.path.getsize(wal)

    def die_once_writing():
        if os.path.getsize(wal) > before:
            os.kill(os.getpid(), signal.SIGKILL)
        return 0

    opened[-1].execute("PRAGMA cache_size=2")  # spill pages to the WAL before the commit
    opened[-1].set_progress_handler(die_once_writing, 1)
    store.save(user, {"count": 99, "padding": "y" * 500_000}, loaded.version)
    print("the save finished without being killed")
    """
)


def counting_connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, sqlite3.Connection]]:
    """Every SQLite connection opened from now on, with the id of the thread that opened it."""
    opened: list[tuple[int, sqlite3.Connection]] = []
    connect: Callable[..., sqlite3.Connection] = sqlite3.connect

    def counted(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        opened.append((threading.get_ident(), conn))
        return conn

    monkeypatch.setattr(sqlite3, "connect", counted)
    return opened


def is_closed(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


def test_a_thread_keeps_one_connection_for_every_load_and_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = counting_connections(monkeypatch)
    store = SqliteStateStore(tmp_path / "state.sqlite3")

    version = None
    for count in range(20):
        version = store.save(USER, {"count": count}, version)
        assert store.load(USER) == StoredState(data={"count": count}, version=version)

    assert len(opened) == 1


def test_each_thread_has_a_connection_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = counting_connections(monkeypatch)
    store = SqliteStateStore(tmp_path / "state.sqlite3")
    store.save(USER, {"count": 0}, expected_version=None)

    def count_from_another_thread(counter: SqliteStateStore) -> None:
        loaded = counter.load(USER)
        assert loaded is not None
        counter.save(USER, {"count": 1}, loaded.version)

    thread = threading.Thread(target=count_from_another_thread, args=(store,))
    thread.start()
    thread.join()

    assert store.load(USER) == StoredState(data={"count": 1}, version=2)
    assert len(opened) == 2
    assert len({thread_id for thread_id, _ in opened}) == 2
    assert [is_closed(conn) for _, conn in opened] == [False, True], \
        "a thread's connection closes when the thread ends"
    del store
    gc.collect()
    assert is_closed(opened[0][1]), "and the rest when the store is dropped"


def test_a_connection_that_failed_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = counting_connections(monkeypatch)
    monkeypatch.setattr("psoas_release.storage.sqlite.BUSY_TIMEOUT_S", 0.05)
    path = tmp_path / "state.sqlite3"
    store = SqliteStateStore(path)
    store.save(USER, {"movement": 1}, expected_version=None)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # a lock no one gets within the busy timeout

    with pytest.raises(StorageError):
        store.save(USER, {"movement": 2}, expected_version=1)
    other.rollback()
    other.close()

    assert store.save(USER, {"movement": 2}, expected_version=1) == 2
    assert len(opened) == 3  # the store's first, the test's, the store's second


def test_every_save_that_returned_before_the_process_was_killed_is_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.sqlite3"
    SqliteStateStore(path).save(USER, {"count": None}, expected_version=None)
    saver = subprocess.Popen([sys.executable, "-c", SAVER, str(path), USER],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert saver.stdout is not None
    returned = [int(saver.stdout.readline()) for _ in range(30)]
    saver.send_signal(signal.SIGKILL)  # mid-write, most likely: it writes all the time
    saver.communicate(timeout=30)
    assert saver.returncode == -signal.SIGKILL

    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    check.close()
    store = SqliteStateStore(path)
    kept = store.load(USER)
    assert kept is not None
    assert kept.version >= returned[-1]
    assert kept.data["count"] == kept.version - 1, "a whole record, never half of one"
    assert store.save(USER, {"count": kept.version}, kept.version) == kept.version + 1


def test_a_save_killed_mid_write_leaves_a_whole_record_and_a_usable_file(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    SqliteStateStore(path).save(USER, {"count": 1}, expected_version=None)

    killed = subprocess.run([sys.executable, "-c", KILLED_MID_SAVE, str(path), USER],
                            capture_output=True, text=True, timeout=30, check=False)

    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    store = SqliteStateStore(path)
    kept = store.load(USER)
    assert kept is not None
    assert (kept.version, kept.data["count"]) in {(1, 1), (2, 99)}
    if kept.version == 2:
        assert kept.data["padding"] == "y" * 500_000
    assert store.save(USER, {"count": 3}, kept.version) == kept.version + 1


@pytest.mark.parametrize("first_save", [False, True], ids=["later saves", "first saves"])
def test_of_many_threads_saving_at_once_exactly_one_wins(tmp_path: Path, first_save: bool) -> None:
    """A real race, kept for SQLite only, where the database itself serialises the writers
    (the contract tests interleave the race step by step on every store)."""
    store = SqliteStateStore(tmp_path / "state.sqlite3")
    expected = None if first_save else store.save(USER, {"device": None}, None)
    writers = 8
    start = threading.Barrier(writers)
    outcomes: dict[int, str] = {}

    def save_from(device: int) -> None:
        start.wait()
        try:
            store.save(USER, {"device": device}, expected_version=expected)
            outcomes[device] = "saved"
        except ConflictError:
            outcomes[device] = "conflict"
        finally:
            store.close()

    threads = [threading.Thread(target=save_from, args=(device,)) for device in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [device for device, outcome in outcomes.items() if outcome == "saved"]
    assert len(outcomes) == writers
    assert len(winners) == 1
    version = 1 if expected is None else expected + 1
    assert store.load(USER) == StoredState(data={"device": winners[0]}, version=version)


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
    assert default_state_db_path({"PSOAS_STATE_DB": str(path)}) == str(path)
    assert default_state_db_path({"PSOAS_STATE_DB": "~/state.sqlite3"}) == str(
        Path.home() / "state.sqlite3")


def test_without_a_setting_the_default_path_is_the_user_state_folder() -> None:
    expected = str(platformdirs.user_state_path("psoas-release") / "state.sqlite3")
    assert default_state_db_path({}) == expected
    assert default_state_db_path({"PSOAS_STATE_DB": ""}) == expected
