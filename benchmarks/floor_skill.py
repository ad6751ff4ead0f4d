"""The floor: the least any stateful skill must do, so a ratio against it is our own cost.

A bare ask-sdk-core skill that, for every launch or intent, reads the person's record and writes
it back with one conditional write, then speaks a reply as long as the longest Psoas Release
plans (`FLOOR_SPEECH_CHARS` characters of SSML) and keeps the session open. The store is chosen
as the real skill chooses it:

- `TABLE_NAME` set: DynamoDB, through a boto3 client created at import, as a Lambda would:
  one strongly consistent GetItem and one conditional UpdateItem per request.
- otherwise SQLite in `PSOAS_STATE_DB`, on one connection opened at import and kept, in WAL
  mode with `synchronous=NORMAL`: one SELECT and one conditional UPDATE (an INSERT the first
  time) per request.

It imports nothing of Psoas Release, so nothing of ours is counted on its side.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils.predicate import is_request_type
from ask_sdk_core.utils.request_util import get_user_id
from ask_sdk_model.response import Response

SPEECH_CHARS_ENV = "FLOOR_SPEECH_CHARS"
WORDS = "Breathe in, and let the hip sink toward the floor. "


def _speech(chars: int) -> str:
    """`<speak>` SSML of exactly `chars` characters (at least the tags themselves)."""
    room = max(chars - len("<speak></speak>"), 0)
    return "<speak>" + (WORDS * (room // len(WORDS) + 1))[:room] + "</speak>"


SPEECH = _speech(int(os.environ.get(SPEECH_CHARS_ENV, "7200")))
REPROMPT = "<speak>Say continue when you're ready, or stop.</speak>"


class SqliteRecords:
    """One record per person in SQLite, on a connection opened once and kept."""

    def __init__(self, path: str) -> None:
        import sqlite3

        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("CREATE TABLE IF NOT EXISTS floor_state (user_id TEXT PRIMARY KEY, "
                           "state TEXT NOT NULL, version INTEGER NOT NULL)")

    def load(self, user_id: str) -> tuple[dict[str, Any], int | None]:
        row = self._conn.execute("SELECT state, version FROM floor_state WHERE user_id = ?",
                                 (user_id,)).fetchone()
        return ({}, None) if row is None else (json.loads(row[0]), row[1])

    def save(self, user_id: str, state: dict[str, Any], version: int | None) -> None:
        text = json.dumps(state)
        if version is None:
            self._conn.execute("INSERT OR IGNORE INTO floor_state VALUES (?, ?, 1)",
                               (user_id, text))
        else:
            self._conn.execute("UPDATE floor_state SET state = ?, version = version + 1 "
                               "WHERE user_id = ? AND version = ?", (text, user_id, version))


class DynamoDbRecords:
    """One item per person in DynamoDB, through a client created once."""

    def __init__(self, table_name: str) -> None:
        import boto3  # type: ignore[import-untyped]

        self._table = table_name
        self._client = boto3.session.Session().client("dynamodb")

    def load(self, user_id: str) -> tuple[dict[str, Any], int | None]:
        item = self._client.get_item(TableName=self._table, Key={"user_id": {"S": user_id}},
                                     ConsistentRead=True).get("Item")
        if item is None:
            return {}, None
        return json.loads(item["state"]["S"]), int(item["version"]["N"])

    def save(self, user_id: str, state: dict[str, Any], version: int | None) -> None:
        from botocore.exceptions import ClientError  # type: ignore[import-untyped]

        condition = ("attribute_not_exists(user_id)" if version is None
                     else "#version = :expected")
        values = {":state": {"S": json.dumps(state)}, ":new": {"N": str((version or 0) + 1)}}
        if version is not None:
            values[":expected"] = {"N": str(version)}
        try:
            self._client.update_item(
                TableName=self._table, Key={"user_id": {"S": user_id}},
                UpdateExpression="SET #state = :state, #version = :new",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#state": "state", "#version": "version"},
                ExpressionAttributeValues=values)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise


def _records() -> SqliteRecords | DynamoDbRecords:
    table_name = os.environ.get("TABLE_NAME", "").strip()
    if table_name:
        return DynamoDbRecords(table_name)
    return SqliteRecords(os.environ["PSOAS_STATE_DB"])


RECORDS = _records()


class StatefulHandler(AbstractRequestHandler):
    """Every launch and intent: read the record, write it back once, speak the long reply."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input)
                    or is_request_type("IntentRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        user_id = str(get_user_id(handler_input))
        state, version = RECORDS.load(user_id)
        state["requests"] = int(state.get("requests", 0)) + 1
        RECORDS.save(user_id, state, version)
        builder = handler_input.response_builder
        builder.speak(SPEECH).ask(REPROMPT)
        response: Response = builder.response
        return response


sb = SkillBuilder()
sb.add_request_handler(StatefulHandler())

lambda_handler = sb.lambda_handler()
