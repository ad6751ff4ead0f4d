"""A local DynamoDB-compatible server (moto in server mode) on 127.0.0.1, for the storage tests
and the benchmarks' DynamoDB rows alike: a separate process speaking the DynamoDB wire
protocol, so requests, conditions and errors go over HTTP as they do in Lambda."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from tests.storage.storage_backends import DUMMY_CREDENTIALS, dynamodb_client, free_port


@contextmanager
def moto_server(log: IO[bytes] | int = subprocess.DEVNULL,
                start_timeout_s: float = 20.0) -> Iterator[tuple[str, str | None]]:
    """A server for as long as the block runs: its URL, and None once it answers a real
    DynamoDB call or else what went wrong (the caller skips or fails, as suits it)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **DUMMY_CREDENTIALS})
    try:
        yield url, _wait_until_answering(process, url, start_timeout_s)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def create_state_table(client: Any, name: str) -> None:
    """A table laid out as the DynamoDB store expects."""
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _wait_until_answering(process: subprocess.Popen[bytes], url: str,
                          timeout_s: float) -> str | None:
    """None once the server answers a real DynamoDB call, else what went wrong."""
    from botocore.exceptions import BotoCoreError, ClientError

    # Generous timeouts here: the first request makes moto import its DynamoDB backend.
    client = dynamodb_client(url, connect_timeout=1, read_timeout=10, retries={"max_attempts": 0})
    deadline = time.monotonic() + timeout_s
    last_error = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"the server exited with status {process.returncode}"
        try:
            client.list_tables()
            return None
        except (BotoCoreError, ClientError) as exc:
            last_error = str(exc)
        time.sleep(0.1)
    return f"no answer within {timeout_s:.0f} s ({last_error})"
