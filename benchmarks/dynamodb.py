"""A local DynamoDB-compatible server (moto, in server mode) for the DynamoDB rows.

The deployed skill keeps its state in DynamoDB, so its cold start pays for botocore's import and
a client; the server answers on 127.0.0.1, so the rows count that work and no network latency.
The server is the storage tests' own (`tests/storage/moto_server.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.storage.moto_server import create_state_table, moto_server
from tests.storage.storage_backends import DUMMY_CREDENTIALS, REGION, dynamodb_client

START_TIMEOUT_S = 30.0


@contextmanager
def dynamodb_tables(*names: str) -> Iterator[dict[str, str]]:
    """A moto server with the tables `names`, keyed as the skill's table; yields the
    environment (endpoint, region, dummy credentials) that points a process at it."""
    with moto_server(start_timeout_s=START_TIMEOUT_S) as (endpoint_url, problem):
        if problem is not None:
            raise RuntimeError(f"the moto server did not start: {problem}")
        client = dynamodb_client(endpoint_url)
        for name in names:
            create_state_table(client, name)
        yield {**DUMMY_CREDENTIALS, "AWS_REGION": REGION,
               "AWS_ENDPOINT_URL_DYNAMODB": endpoint_url, "AWS_EC2_METADATA_DISABLED": "true",
               "NO_PROXY": "127.0.0.1,localhost"}
