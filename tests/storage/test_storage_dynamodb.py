"""What the DynamoDB store promises beyond the contract: the table layout, and a quick
StorageError, never a hang or a crash, whatever goes wrong on the way to DynamoDB."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from psoas_release.storage import (
    ConflictError,
    CorruptStateError,
    DynamoDbStateStore,
    StorageError,
    StoredState,
)
from tests.storage.storage_backends import (
    REGION,
    DynamoTable,
    dynamodb_backend,
    dynamodb_client,
    free_port,
)

USER = "amzn1.ask.account.TESTUSER"
# Stubbed clients answer before any request is sent.
UNUSED_ENDPOINT = "http://127.0.0.1:9"


def test_an_item_holds_the_state_as_json_text_and_the_version_as_a_number(
    dynamo_table: DynamoTable,
) -> None:
    store = dynamodb_backend(dynamo_table).store
    store.save(USER, {"movement": 2, "hold_s": 1.5}, expected_version=None)

    item = dynamo_table.client.get_item(
        TableName=dynamo_table.name, Key={"user_id": {"S": USER}}, ConsistentRead=True
    )["Item"]
    assert item["version"] == {"N": "1"}
    assert json.loads(item["state"]["S"]) == {"movement": 2, "hold_s": 1.5}


def test_attributes_the_store_does_not_own_survive_a_save(dynamo_table: DynamoTable) -> None:
    store = dynamodb_backend(dynamo_table).store
    store.save(USER, {"movement": 1}, expected_version=None)
    dynamo_table.client.update_item(
        TableName=dynamo_table.name,
        Key={"user_id": {"S": USER}},
        UpdateExpression="SET expires_at = :t",
        ExpressionAttributeValues={":t": {"N": "1900000000"}},
    )

    store.save(USER, {"movement": 2}, expected_version=1)

    item = dynamo_table.client.get_item(TableName=dynamo_table.name, Key={"user_id": {"S": USER}})
    assert item["Item"]["expires_at"] == {"N": "1900000000"}


@pytest.mark.parametrize(
    "version",
    [None, {"S": "3"}, {"N": "1.5"}],
    ids=["missing", "a-string", "not-an-integer"],
)
def test_an_item_without_a_usable_version_is_corrupt(
    dynamo_table: DynamoTable, version: dict[str, str] | None
) -> None:
    item: dict[str, Any] = {"user_id": {"S": USER}, "state": {"S": "{}"}}
    if version is not None:
        item["version"] = version
    dynamo_table.client.put_item(TableName=dynamo_table.name, Item=item)
    store = dynamodb_backend(dynamo_table).store

    with pytest.raises(CorruptStateError) as caught:
        store.load(USER)
    assert caught.value.version is None


@pytest.mark.parametrize(
    "version",
    [None, {"S": "3"}, {"N": "1.5"}],
    ids=["missing", "a-string", "not-an-integer"],
)
def test_an_item_without_a_version_can_be_overwritten_as_new(
    dynamo_table: DynamoTable, version: dict[str, str] | None
) -> None:
    backend = dynamodb_backend(dynamo_table)
    item: dict[str, Any] = {"user_id": {"S": USER}, "state": {"S": "{not json"}}
    if version is not None:
        item["version"] = version
    dynamo_table.client.put_item(TableName=dynamo_table.name, Item=item)

    assert backend.store.save(USER, {"movement": 0}, expected_version=None) == 1
    assert backend.store.load(USER) == StoredState(data={"movement": 0}, version=1)


def test_an_item_whose_state_is_not_text_is_corrupt_with_its_version(
    dynamo_table: DynamoTable,
) -> None:
    dynamo_table.client.put_item(
        TableName=dynamo_table.name,
        Item={"user_id": {"S": USER}, "state": {"N": "7"}, "version": {"N": "2"}},
    )
    store = dynamodb_backend(dynamo_table).store

    with pytest.raises(CorruptStateError) as caught:
        store.load(USER)
    assert caught.value.version == 2
    assert store.save(USER, {}, expected_version=2) == 3


def test_a_missing_table_is_a_storage_error(moto_endpoint: str, aws_env: None) -> None:
    store = DynamoDbStateStore("no-such-table", endpoint_url=moto_endpoint, region=REGION)

    with pytest.raises(StorageError, match="ResourceNotFoundException"):
        store.load(USER)
    with pytest.raises(StorageError, match="ResourceNotFoundException") as caught:
        store.save(USER, {}, expected_version=None)
    assert not isinstance(caught.value, ConflictError)


def test_a_server_that_is_not_running_is_a_quick_storage_error(aws_env: None) -> None:
    store = DynamoDbStateStore(
        "psoas-state", endpoint_url=f"http://127.0.0.1:{free_port()}", region=REGION
    )

    with pytest.raises(StorageError):
        store.load(USER)
    with pytest.raises(StorageError):
        store.save(USER, {}, expected_version=None)


def test_every_call_is_bounded_by_short_timeouts_and_one_retry(aws_env: None) -> None:
    """The bound that keeps a slow DynamoDB inside Alexa's 8 s: about 1 s a try, two tries.
    Checked on the client's configuration, not with a clock, so the suite stays
    deterministic."""
    store = DynamoDbStateStore("psoas-state", endpoint_url=UNUSED_ENDPOINT, region=REGION)
    config = store._client.meta.config
    assert config.connect_timeout == 1.0
    assert config.read_timeout == 1.0
    assert config.retries["total_max_attempts"] == 2


@pytest.fixture
def silent_server() -> Iterator[str]:
    """An endpoint that accepts connections and never answers, like an overloaded service."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_server_that_never_answers_is_a_storage_error(
    silent_server: str, aws_env: None
) -> None:
    store = DynamoDbStateStore("psoas-state", endpoint_url=silent_server, region=REGION)

    with pytest.raises(StorageError, match="timeout"):
        store.load(USER)


@pytest.fixture(scope="module")
def stubbable_client() -> Any:
    """One client for the stubbed tests (building one takes a few hundred milliseconds)."""
    return dynamodb_client(UNUSED_ENDPOINT)


@pytest.mark.parametrize(
    "code",
    [
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "AccessDeniedException",
        "ValidationException",
    ],
)
@pytest.mark.parametrize("operation", ["load", "save"])
def test_a_service_error_is_a_storage_error_not_a_conflict(
    stubbable_client: Any, operation: str, code: str
) -> None:
    client = stubbable_client
    store = DynamoDbStateStore("psoas-state", client=client)
    with Stubber(client) as stub:
        stub.add_client_error(
            "get_item" if operation == "load" else "update_item",
            service_error_code=code,
            service_message="the service says no",
            http_status_code=400,
        )
        with pytest.raises(StorageError, match=code) as caught:
            if operation == "load":
                store.load(USER)
            else:
                store.save(USER, {}, expected_version=3)
    assert not isinstance(caught.value, ConflictError)


def test_a_failed_condition_is_a_conflict(stubbable_client: Any) -> None:
    client = stubbable_client
    store = DynamoDbStateStore("psoas-state", client=client)
    with Stubber(client) as stub:
        stub.add_client_error(
            "update_item",
            service_error_code="ConditionalCheckFailedException",
            http_status_code=400,
        )
        with pytest.raises(ConflictError):
            store.save(USER, {}, expected_version=3)


def test_no_region_anywhere_is_a_storage_error(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    with pytest.raises(StorageError, match="region"):
        DynamoDbStateStore("psoas-state")


def test_a_malformed_endpoint_is_a_storage_error(aws_env: None) -> None:
    with pytest.raises(StorageError):
        DynamoDbStateStore("psoas-state", endpoint_url="not a url", region=REGION)
