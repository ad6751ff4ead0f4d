"""What a cold start loads: the Lambda entry answers a person's first launch without the modules
that launch does not need, each of which cost milliseconds of every new container once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

from psoas_release.core.bundle import write_bundle
from psoas_release.core.local_time import span_at
from psoas_release.core.state import SessionState
from psoas_release.storage import SqliteStateStore
from tests.conftest import REPO, ROUTINES_DIR

NOT_ON_A_FIRST_LAUNCH = {
    "hashlib": "the bundle's fingerprints are CRC-32s",
    "xml.etree.ElementTree": "SSML is valid by construction; only tests parse it",
    "urllib.request": "the time zone is asked when a run may count, not at launch",
    "zoneinfo": "a first-time person has no time zone yet; a returning one's offset is known",
    "pathlib": "routine folders and the state file are plain path strings",
    "dateutil.parser": "Alexa's timestamp is read by datetime.fromisoformat",
    "yaml": "the routines come from their checked bundle",
    "jsonschema": "the routines come from their checked bundle",
    "boto3": "the store is SQLite when TABLE_NAME is unset",
    "psoas_release.storage.dynamodb": "the store is SQLite when TABLE_NAME is unset",
    "logging": "a launch logs only INFO lines, and nothing has set logging up to show them",
    "psoas_release.core.loader": "the bundle is built into the routine model directly",
    "psoas_release.alexa.reminders_api": "a launch makes no reminder call",
}

LAUNCH = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[1])
    import lambda_function

    with open(sys.argv[2], encoding="utf-8") as handle:
        response = lambda_function.lambda_handler(json.load(handle), None)
    assert "starting now" in response["response"]["outputSpeech"]["ssml"], response
    print(json.dumps(sorted(sys.modules)))
    """
)


LAUNCH_ENVELOPE = REPO / "tests" / "skill" / "envelopes" / "launch_request.json"


def modules_of_a_cold_launch(tmp_path: Path) -> set[str]:
    """The modules loaded by a fresh process that imports the Lambda entry and answers the
    launch envelope, on the state file in `tmp_path`."""
    routines = tmp_path / "routines"
    shutil.copytree(ROUTINES_DIR, routines)
    write_bundle(routines)
    env = {key: value for key, value in os.environ.items()
           if key not in ("TABLE_NAME", "SKILL_ID")}
    env.update(PSOAS_ROUTINES_DIR=str(routines), PSOAS_STATE_DB=str(tmp_path / "s.sqlite3"))

    result = subprocess.run(
        [sys.executable, "-c", LAUNCH, str(REPO / "lambda"), str(LAUNCH_ENVELOPE)],
        capture_output=True, text=True, env=env, timeout=60, check=False)

    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


def test_a_first_launch_loads_nothing_it_does_not_need(tmp_path: Path) -> None:
    loaded = modules_of_a_cold_launch(tmp_path)
    assert {module: why for module, why in NOT_ON_A_FIRST_LAUNCH.items()
            if module in loaded} == {}


def test_a_returning_person_with_a_time_zone_is_launched_without_zone_rules(
        tmp_path: Path) -> None:
    """Their streak needs today's date in their zone: the offset their record keeps gives it."""
    envelope = json.loads(LAUNCH_ENVELOPE.read_text(encoding="utf-8"))
    yesterday = datetime.fromisoformat(envelope["request"]["timestamp"]).timestamp() - 86_400
    zone = "Europe/Berlin"
    person = SessionState(completed_count=2, completions=("2026-11-24", "2026-11-25"),
                          time_zone=zone, time_zone_checked_at=yesterday,
                          utc_offset=span_at(yesterday, zone, None))
    SqliteStateStore(tmp_path / "s.sqlite3").save(
        envelope["session"]["user"]["userId"], person.to_dict(), expected_version=None)

    loaded = modules_of_a_cold_launch(tmp_path)
    assert "zoneinfo" not in loaded
