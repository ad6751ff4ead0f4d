"""The README's commands, as written, from the repository root.

The run command runs for real in a fresh checkout, with a session piped to the simulator: it
must start within a minute on a warm package cache and install none of the dev tools. The
test command is not run a second time here: CI itself is a fresh clone running `.ci/run`, and
`.ci/run` runs the README's test command word for word, which the test below holds it to. A
full second run inside the suite would double CI's time and prove nothing more.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.checkout import fresh_checkout
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
SESSION = ("start psoas release\nexpect A safety note:\nwait 20\nhow much time is left\n"
           "expect seconds\nstop\nexpect I've saved your place for next time.\n")
DEV_TOOLS = {"pytest", "mypy", "ruff", "moto", "cfn-lint", "hypothesis", "aws-sam-translator"}


def setup_commands() -> tuple[str, str]:
    """The run command and the test command: the two sh blocks of "Set up and run"."""
    section = README.split("## Set up and run", 1)[1].split("\n## ", 1)[0]
    run, test = re.findall(r"```sh\n(.*?)\n```", section, re.DOTALL)
    return run, test


def code_commands() -> list[str]:
    """Every command in the README's code: sh block lines and code spans, comments dropped."""
    blocks = re.findall(r"```sh\n(.*?)```", README, re.DOTALL)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", README, flags=re.DOTALL))
    return [command for command in lines + spans if command]


def test_the_run_command_works_in_a_fresh_clone_with_only_what_running_needs(
    tmp_path: Path,
) -> None:
    run, _ = setup_commands()
    clone = fresh_checkout(tmp_path / "clone")
    env = {key: value for key, value in os.environ.items()
           if key not in {"VIRTUAL_ENV", "PSOAS_STATE_DB", "PYTHONPATH"}}
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    started = time.monotonic()
    done = subprocess.run(["bash", "-c", run], cwd=clone, input=SESSION, env=env,
                          capture_output=True, text=True, check=False, timeout=600)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Alexa A safety note:" in done.stdout
    assert "I've saved your place for next time." in done.stdout
    assert elapsed < 60, f"the simulator took {elapsed:.0f} s to start and run"
    installed = subprocess.run([clone / ".venv" / "bin" / "python", "-m", "pip", "list",
                                "--format=freeze"], capture_output=True, text=True,
                               check=True).stdout
    names = {line.split("==")[0].lower() for line in installed.splitlines()}
    assert not names & DEV_TOOLS, "the run command installs the dev extras"


def test_ci_runs_the_readme_test_command_word_for_word() -> None:
    _, test = setup_commands()
    assert test == ("python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' "
                    "&& .venv/bin/python -m pytest")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert [line for line in ci if line.startswith(test)], ".ci/run does not run it"
    others = [line for line in ci if ".venv/bin/pip" in line and not line.startswith(test)]
    assert others == [], "everything the tests need from pip comes from the dev extras"


def test_every_command_shown_runs_through_the_venv_or_make() -> None:
    bare = [command for command in code_commands()
            if re.match(r"(psoas-release|python3? -m (pytest|benchmarks|psoas_release))\b",
                        command)]
    assert bare == [], "a command a new user cannot run as written"


def runnable_as_written() -> list[str]:
    """The psoas-release commands of the README that change nothing and need no placeholder."""
    found = []
    for command in code_commands():
        if not command.startswith(".venv/bin/psoas-release "):
            continue
        command = re.sub(r" \[[^]]*\]", "", command)  # optional parts left out
        subcommand = command.split()[1]
        changes_files = "--write" in command
        if subcommand in {"lint", "routines", "model", "simulate"} and not changes_files \
                and command not in found:
            found.append(command)
    return found


@pytest.mark.parametrize("command", runnable_as_written())
def test_a_readme_command_works_as_written_from_the_repository_root(command: str) -> None:
    venv_bin = Path(sys.executable).parent
    argv = shlex.split(command.replace(".venv/bin/", f"{venv_bin}/", 1))
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False,
                          timeout=120, env=dict(os.environ, COLUMNS="120"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_commands_run_as_written_include_the_simulator_and_the_linter() -> None:
    names = {command.split()[1] for command in runnable_as_written()}
    assert names == {"lint", "routines", "model", "simulate"}
