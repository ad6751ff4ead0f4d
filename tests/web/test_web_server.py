"""`psoas-release serve` as a process on loopback, met by clients that misbehave: one that stops
sending in the middle of its request, more connections than worker threads, broken and
oversized bodies. Every wait is bounded by a client-side timeout, so nothing here can hang."""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.web.wire import exchange, status_of

READ_TIMEOUT_S = 1
THREADS = 2
# Far past the read timeout (and waitress's once-a-second sweep): a client still connected
# then was never cut off.
CLIENT_PATIENCE_S = 15


class Served:
    """The serve process: its id, its port, and everything it wrote to stderr."""

    def __init__(self, process: subprocess.Popen[str], port: int, log: list[str]) -> None:
        self.process = process
        self.port = port
        self.log = log

    def threads(self) -> int:
        return len(os.listdir(f"/proc/{self.process.pid}/task"))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    environment = {
        **os.environ,
        "PSOAS_STATE_DB": str(tmp_path_factory.mktemp("serve") / "state.sqlite3"),
    }
    environment.pop("TABLE_NAME", None)
    command = [
        sys.executable, "-m", "psoas_release.cli", "serve", "--no-verify", "--host", "127.0.0.1",
        "--port", "0", "--threads", str(THREADS), "--read-timeout", str(READ_TIMEOUT_S),
    ]
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []
    with subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True) as process:

        def drain() -> None:  # keeps the pipe empty, so the server never blocks on its log
            for line in process.stderr or ():
                log.append(line)
                lines.put(line)
            lines.put("")  # the process has ended

        drainer = threading.Thread(target=drain, daemon=True)
        drainer.start()
        try:
            port = None
            while port is None:
                line = lines.get(timeout=30)
                if not line:
                    pytest.fail("psoas-release serve ended:\n" + "".join(log))
                if match := re.search(r"Serving on http://127\.0\.0\.1:(\d+)", line):
                    port = int(match.group(1))
            yield Served(process, port, log)
        finally:
            process.terminate()
            process.wait(10)
            drainer.join(10)


def request(body: bytes, *, length: int | None = None, extra: bytes = b"") -> bytes:
    head = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    announced = len(body) if length is None else length
    return head + b"Content-Length: %d\r\n" % announced + extra + b"\r\n" + body


def hold(port: int, partial: bytes) -> bytes:
    """Sends `partial` and waits for the server to close the connection; returns its answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=CLIENT_PATIENCE_S) as client:
        client.sendall(partial)
        answer = b""
        while chunk := client.recv(65536):  # TimeoutError here: never cut off
            answer += chunk
        return answer


def test_clients_that_stop_sending_are_cut_off_after_the_read_timeout(served):
    stalled = {
        "body": request(b"{", length=100),  # announces 100 bytes, sends 1
        "headers": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Len",
    }
    with ThreadPoolExecutor(len(stalled)) as pool:
        answers = dict(zip(stalled, pool.map(lambda raw: hold(served.port, raw),
                                             stalled.values()), strict=True))
    assert answers == {"body": b"", "headers": b""}  # closed, unanswered, long before 15 s


def test_more_connections_than_threads_get_no_threads_of_their_own(served):
    if not Path(f"/proc/{served.process.pid}/task").is_dir():
        pytest.skip("counting a process's threads needs /proc")
    before = served.threads()
    idle = [socket.create_connection(("127.0.0.1", served.port), timeout=10)
            for _ in range(8 * THREADS)]
    try:
        for client in idle:
            client.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        # Answered after all of them were accepted: the server is not stuck behind them.
        assert status_of(exchange(served.port, request(b"[]", extra=b"Connection: close\r\n"))) \
            == 400
        assert served.threads() == before
    finally:
        for client in idle:
            client.close()


def test_answers_carry_no_server_banner(served):
    get = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    answer = exchange(served.port, get)
    head = answer.split(b"\r\n\r\n", 1)[0].lower()
    assert status_of(answer) == 405
    assert b"\r\nserver:" not in head
    assert b"werkzeug" not in answer.lower() and b"python" not in answer.lower()


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
         b"Connection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400),
        # Refused from the announced length alone: waitress reads none of the body.
        (request(b"", length=64 * 1024, extra=b"Connection: close\r\n"), 413),
    ],
    ids=["broken-chunks", "oversized"],
)
def test_bad_bodies_get_a_4xx_from_the_served_app_too(served, raw, status):
    answer = exchange(served.port, raw)
    assert status_of(answer) == status
    assert b"waitress" not in answer.lower()
    assert "Traceback" not in "".join(served.log)
