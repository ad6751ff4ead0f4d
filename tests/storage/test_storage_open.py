"""Choosing the store from the environment, and keeping boto3 out of cold starts that need none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import platformdirs

from psoas_release.storage import (
    DynamoDbStateStore,
    SqliteStateStore,
    StoredState,
    open_store,
)
from tests.storage.storage_backends import REGION, DynamoTable

USER = "amzn1.ask.account.TESTUSER"


def test_a_table_name_opens_the_dynamodb_table_it_names(dynamo_table: DynamoTable) -> None:
    store = open_store(
        {
            "TABLE_NAME": dynamo_table.name,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL_DYNAMODB": dynamo_table.endpoint_url,
        }
    )

    assert isinstance(store, DynamoDbStateStore)
    assert store.table_name == dynamo_table.name
    store.save(USER, {"movement": 1}, expected_version=None)
    item = dynamo_table.client.get_item(TableName=dynamo_table.name, Key={"user_id": {"S": USER}})
    assert item["Item"]["version"] == {"N": "1"}


def test_without_a_table_name_the_state_goes_to_the_sqlite_file_configured(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.sqlite3"
    store = open_store({"PSOAS_STATE_DB": str(path)})

    assert isinstance(store, SqliteStateStore)
    store.save(USER, {"movement": 1}, expected_version=None)
    assert SqliteStateStore(path).load(USER) == StoredState(data={"movement": 1}, version=1)


def test_with_nothing_configured_the_state_goes_to_the_user_state_folder() -> None:
    store = open_store({})

    assert isinstance(store, SqliteStateStore)
    assert store.path == str(platformdirs.user_state_path("psoas-release") / "state.sqlite3")


def test_an_empty_table_name_counts_as_none(tmp_path: Path) -> None:
    store = open_store({"TABLE_NAME": " ", "PSOAS_STATE_DB": str(tmp_path / "s.sqlite3")})
    assert isinstance(store, SqliteStateStore)


def test_opening_the_sqlite_store_never_imports_boto3(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import json, sys
        from psoas_release.storage import open_store

        store = open_store({"PSOAS_STATE_DB": sys.argv[1]})
        store.save("user", {"movement": 1}, expected_version=None)
        store.load("user")
        aws = sorted(m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore"))
        print(json.dumps(aws))
        """
    )
    env = {key: value for key, value in os.environ.items() if key != "TABLE_NAME"}

    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "state.sqlite3")],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_opening_the_dynamodb_store_never_imports_sqlite() -> None:
    """The Lambda's store: a cold start there loads neither sqlite3 nor its store's module."""
    script = textwrap.dedent(
        """
        import json, sys
        from psoas_release.storage import open_store

        store = open_store({"TABLE_NAME": "psoas-state", "AWS_REGION": "eu-west-1"})
        print(json.dumps([type(store).__name__,
                          sorted(m for m in sys.modules if "sqlite" in m)]))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, check=False)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["DynamoDbStateStore", []]
