"""The store for Lambda: one DynamoDB item per user, written with a condition on its version.

Table layout: partition key `user_id` (S); `state` (S) holds the JSON text, so numbers come back
as the ints and floats we wrote rather than DynamoDB's Decimals; `version` (N) is the counter
the conditional writes test.

boto3 is imported inside the constructor, never at module import: a cold start that does not use
DynamoDB must not pay for it. Timeouts are short and retries few, because the skill has 8 s to
answer and an apology in time beats a perfect answer too late.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from psoas_release.storage.base import (
    ConflictError,
    StorageError,
    StoredState,
    check_user_id,
    decode_record,
    encode_state,
    next_version,
)

CONNECT_TIMEOUT_S = 1.0
READ_TIMEOUT_S = 1.0
# Attempts per call, the first one included: one retry absorbs a dropped connection or a brief
# throttle, while a DynamoDB that is down costs at most about 3 s per call.
MAX_ATTEMPTS = 2

_NAMES = {"#state": "state", "#version": "version"}
# The first write succeeds when there is no item, or an item without a usable version (which
# load() reported as CorruptStateError(version=None)).
_FIRST_WRITE = (
    "attribute_not_exists(user_id) OR attribute_not_exists(#version)"
    " OR NOT attribute_type(#version, :number)"
)
_NEXT_WRITE = "#version = :expected"
_SAME_UNUSABLE_VERSION = "#version = :unusable"


class DynamoDbStateStore:
    """A `StateStore` on one DynamoDB table, through boto3's low-level client.

    Pass `client` to reuse one (tests, custom sessions); otherwise one is built for `region`
    and `endpoint_url` (a local DynamoDB-compatible server) with the timeouts above.
    """

    def __init__(
        self,
        table_name: str,
        *,
        client: Any = None,
        endpoint_url: str | None = None,
        region: str | None = None,
    ) -> None:
        # boto3 and botocore ship no type information: the client is typed Any.
        from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

        self._table_name = table_name
        self._client_error: type[Exception] = ClientError
        self._botocore_error: type[Exception] = BotoCoreError
        self._client = client if client is not None else _make_client(endpoint_url, region)

    @property
    def table_name(self) -> str:
        return self._table_name

    def __repr__(self) -> str:
        return f"DynamoDbStateStore({self._table_name!r})"

    def load(self, user_id: str) -> StoredState | None:
        check_user_id(user_id)
        with self._translate_errors("load", user_id):
            # Strongly consistent: a save from another device must be seen by the next load.
            response = self._client.get_item(
                TableName=self._table_name,
                Key={"user_id": {"S": user_id}},
                ConsistentRead=True,
            )
        item = response.get("Item")
        if item is None:
            return None
        state = item.get("state")
        return decode_record(
            state.get("S") if isinstance(state, dict) else None,
            user_id=user_id,
            version=_item_version(item.get("version")),
            stored_version=item.get("version"),
        )

    def save(self, user_id: str, data: dict[str, Any], expected_version: int | None) -> int:
        check_user_id(user_id)
        text = encode_state(data)
        new_version = next_version(expected_version)
        values: dict[str, dict[str, str]] = {
            ":state": {"S": text},
            ":new": {"N": str(new_version)},
        }
        if expected_version is not None:
            self._update(user_id, _NEXT_WRITE,
                         {**values, ":expected": {"N": str(expected_version)}})
            return new_version
        try:
            self._update(user_id, _FIRST_WRITE, {**values, ":number": {"S": "N"}})
        except ConflictError:
            # A number that is not an integer ("1.5") passes the type test but is no version:
            # the record load() called corrupt is overwritten on exactly that stored value.
            stored = self._stored_version(user_id)
            if stored is None or _item_version(stored) is not None:
                raise
            self._update(user_id, _SAME_UNUSABLE_VERSION, {**values, ":unusable": stored})
        return new_version

    def _update(self, user_id: str, condition: str, values: dict[str, Any]) -> None:
        with self._translate_errors("save", user_id):
            # update_item rather than put_item keeps any attribute we do not own (a TTL, say).
            self._client.update_item(
                TableName=self._table_name,
                Key={"user_id": {"S": user_id}},
                UpdateExpression="SET #state = :state, #version = :new",
                ConditionExpression=condition,
                ExpressionAttributeNames=_NAMES,
                ExpressionAttributeValues=values,
            )

    def _stored_version(self, user_id: str) -> Any:
        """The raw version attribute of the user's item, or None if there is no item."""
        with self._translate_errors("load", user_id):
            item = self._client.get_item(
                TableName=self._table_name, Key={"user_id": {"S": user_id}},
                ConsistentRead=True,
            ).get("Item")
        return item.get("version") if item else None

    @contextmanager
    def _translate_errors(self, action: str, user_id: str) -> Iterator[None]:
        """Failed condition -> ConflictError; any other botocore error -> StorageError."""
        try:
            yield
        except self._client_error as exc:
            error = getattr(exc, "response", {}).get("Error", {})
            code = error.get("Code", "")
            if code == "ConditionalCheckFailedException":
                raise ConflictError(
                    f"state of user {user_id!r} changed since it was loaded"
                ) from exc
            detail = f"{code}: {error.get('Message', '')}" if code else str(exc)
            raise StorageError(
                f"DynamoDB {action} in table {self._table_name!r} failed: {detail}"
            ) from exc
        except self._botocore_error as exc:
            raise StorageError(
                f"DynamoDB {action} in table {self._table_name!r} failed: {exc}"
            ) from exc


def _make_client(endpoint_url: str | None, region: str | None) -> Any:
    """A DynamoDB client with short timeouts and one retry; StorageError if misconfigured."""
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]
    from botocore.exceptions import BotoCoreError

    config = Config(
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
    )
    try:
        # A session of our own: boto3's default session is not safe to share between threads.
        session = boto3.session.Session(region_name=region)
        return session.client("dynamodb", endpoint_url=endpoint_url, config=config)
    except (BotoCoreError, ValueError) as exc:  # no region, a malformed endpoint URL
        raise StorageError(f"cannot set up the DynamoDB client: {exc}") from exc


def _item_version(attribute: object) -> int | None:
    """The integer in a `{"N": ...}` attribute, or None if it is missing or not an integer."""
    if not isinstance(attribute, dict) or not isinstance(attribute.get("N"), str):
        return None
    try:
        return int(attribute["N"])
    except ValueError:
        return None
