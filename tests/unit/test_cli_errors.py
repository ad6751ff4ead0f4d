"""A path a person typed (an argument or PSOAS_ROUTINES_DIR) that cannot be used ends the
command with a clean message and a non-zero exit, never with a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, ROUTINES_DIR


def psoas_release(*argv: str, env: dict[str, str] | None = None,
                  ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "psoas_release.cli", *argv], cwd=REPO,
                          env=dict(os.environ, **(env or {})), capture_output=True, text=True,
                          check=False, timeout=120)


def assert_clean_failure(done: subprocess.CompletedProcess[str], says: str) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert says in done.stdout + done.stderr, done.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--script", "examples/first-session.script"],
        ["routines"],
        ["lint"],
        ["model"],
        ["bundle"],
        ["serve", "--no-verify", "--port", "0"],
    ],
    ids=lambda argv: argv[0],
)
def test_a_routine_folder_that_is_not_there_is_named_not_traced(
    tmp_path: Path, argv: list[str]
) -> None:
    missing = tmp_path / "no-routines"
    done = psoas_release(*argv, env={"PSOAS_ROUTINES_DIR": str(missing)})
    assert_clean_failure(done, str(missing))


def test_a_bundle_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    routines = tmp_path / "routines"
    shutil.copytree(ROUTINES_DIR, routines)
    (routines / "routines.bundle.json").mkdir()
    done = psoas_release("bundle", str(routines))
    assert_clean_failure(done, f"psoas-release bundle: {routines / 'routines.bundle.json'}: "
                               "Is a directory")
    assert done.stderr.count("\n") == 1
