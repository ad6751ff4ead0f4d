"""Fixtures for every store, and a real local DynamoDB-compatible server (moto), shared by
every test folder through the root conftest.

The DynamoDB store is tested against moto in server mode, a separate process speaking the
DynamoDB wire protocol on 127.0.0.1, so the requests, conditions and errors go over HTTP as
they do in Lambda. The server starts only if a DynamoDB test runs; if it cannot start, only
those tests are skipped.
"""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.storage.moto_server import create_state_table, moto_server
from tests.storage.storage_backends import (
    DUMMY_CREDENTIALS,
    Backend,
    DynamoTable,
    dynamodb_backend,
    dynamodb_client,
    memory_backend,
    sqlite_backend,
)

SERVER_START_TIMEOUT_S = 20.0


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a moto server started for this test session; skips if it cannot start."""
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        pytest.skip("moto's server mode is not installed: pip install 'moto[server]>=5'")
    log_path = tmp_path_factory.mktemp("moto") / "server.log"
    with log_path.open("wb") as log, moto_server(log, SERVER_START_TIMEOUT_S) as (url, problem):
        if problem is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            pytest.skip(f"the local DynamoDB server (moto) did not start: {problem}\n{tail}")
        yield url


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials, and nothing from the developer's own AWS setup."""
    for name, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    for name in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(scope="session")
def moto_client(moto_endpoint: str) -> Any:
    """A client for setting up tables and planting records behind the store's back."""
    return dynamodb_client(moto_endpoint)


@pytest.fixture
def dynamo_table(moto_endpoint: str, moto_client: Any, aws_env: None) -> Iterator[DynamoTable]:
    """A fresh table laid out as the DynamoDB store expects."""
    name = f"psoas-state-{uuid.uuid4().hex[:12]}"
    create_state_table(moto_client, name)
    yield DynamoTable(name=name, endpoint_url=moto_endpoint, client=moto_client)
    moto_client.delete_table(TableName=name)


@pytest.fixture(params=["memory", "sqlite", "dynamodb"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """Each store in turn; the DynamoDB server is started only when its turn comes."""
    if request.param == "memory":
        return memory_backend()
    if request.param == "sqlite":
        return sqlite_backend(tmp_path / "state.sqlite3")
    return dynamodb_backend(request.getfixturevalue("dynamo_table"))
