"""Every file in examples/ replays through the real command line, and brings its own person:
run twice on one store it passes twice, and without --state-db it touches no one's state."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

EXAMPLES = sorted(path for path in (REPO / "examples").iterdir() if path.is_file())


def simulate(*arguments: str, home: Path) -> subprocess.CompletedProcess[str]:
    """`psoas-release simulate …` in a subprocess, with a home of its own."""
    env = {key: value for key, value in os.environ.items() if key != "PSOAS_STATE_DB"}
    env.update(HOME=str(home), XDG_STATE_HOME=str(home / "state"), COLUMNS="120")
    return subprocess.run([sys.executable, "-m", "psoas_release.cli", "simulate", *arguments],
                          cwd=REPO, env=env, capture_output=True, text=True, check=False,
                          timeout=120)


def test_there_are_examples() -> None:
    assert [path.name for path in EXAMPLES if path.suffix == ".script"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_an_example_passes_twice_on_one_store(example: Path, tmp_path: Path) -> None:
    store = tmp_path / "state.sqlite3"
    for run in ("first", "second"):
        done = simulate("--script", str(example.relative_to(REPO)), "--state-db", str(store),
                        home=tmp_path)
        assert (done.returncode, done.stderr) == (0, ""), f"{run} run:\n{done.stdout}"
        assert "you   " in done.stdout


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_an_example_without_a_store_uses_its_own_and_leaves_none_behind(
    example: Path, tmp_path: Path
) -> None:
    for _ in range(2):
        done = simulate("--script", str(example), home=tmp_path)
        assert (done.returncode, done.stderr) == (0, ""), done.stdout
        assert "state: this script's own, deleted at the end" in done.stdout
    assert not [path for path in tmp_path.rglob("*") if path.is_file()], "the user's state"
