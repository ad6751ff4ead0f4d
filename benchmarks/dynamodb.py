"""A local DynamoDB-compatible server (moto, in server mode) for the DynamoDB rows.

The deployed skill keeps its state in DynamoDB, so its cold start pays for botocore's import and
a client; the server answers on 127.0.0.1, so the rows count that work and no network latency.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

REGION = "us-east-1"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "benchmark",
    "AWS_SECRET_ACCESS_KEY": "benchmark",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}
START_TIMEOUT_S = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _client(endpoint_url: str) -> Any:
    import boto3  # type: ignore[import-untyped]

    session = boto3.session.Session(
        aws_access_key_id="benchmark", aws_secret_access_key="benchmark", region_name=REGION)
    return session.client("dynamodb", endpoint_url=endpoint_url)


@contextmanager
def dynamodb_tables(*names: str) -> Iterator[dict[str, str]]:
    """A moto server with the tables `names`, keyed as the skill's table; yields the
    environment (endpoint, region, dummy credentials) that points a process at it."""
    port = _free_port()
    endpoint_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, **CREDENTIALS})
    try:
        client = _client(endpoint_url)
        _wait_until_answering(server, client)
        for name in names:
            client.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST")
        yield {**CREDENTIALS, "AWS_ENDPOINT_URL_DYNAMODB": endpoint_url,
               "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": "127.0.0.1,localhost"}
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_answering(server: subprocess.Popen[bytes], client: Any) -> None:
    from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the moto server exited with status {server.returncode}")
        try:
            client.list_tables()
            return
        except (BotoCoreError, ClientError):
            time.sleep(0.1)
    raise RuntimeError(f"the moto server did not answer within {START_TIMEOUT_S:.0f} s")
