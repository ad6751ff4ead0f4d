"""`psoas-release --help` and each subcommand's help: a one-line summary, a description that
says what the command reads and writes, and every option's default."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from psoas_release.cli import build_parser, main
from psoas_release.core.loader import display_path
from psoas_release.core.routine_files import default_routines_dir

PARSER = build_parser()
SUBCOMMANDS = next(action for action in PARSER._actions
                   if isinstance(action, argparse._SubParsersAction))
COMMANDS = sorted(SUBCOMMANDS.choices)


def help_text(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """What `psoas-release ARGV --help` prints, with its line wrapping undone."""
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def test_the_top_level_help_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(capsys)
    assert "`" not in text
    for command in COMMANDS:
        assert f" {command} " in text


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_has_a_one_line_summary_and_says_what_it_reads_and_writes(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    summary = next(action.help for action in SUBCOMMANDS._choices_actions
                   if action.dest == command)
    assert summary and "\n" not in summary
    text = help_text(capsys, command)
    assert "`" not in text
    assert "Reads " in text, text
    assert "Writes " in text, text


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_that_takes_a_value_shows_its_default(command: str) -> None:
    for action in SUBCOMMANDS.choices[command]._actions:
        takes_value = action.nargs != 0 and not isinstance(action, argparse._HelpAction)
        if takes_value and not action.required:
            assert action.help and "default" in action.help, (command, action.dest)


def test_lint_names_the_folder_it_checks_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert f"(default: {display_path(Path(default_routines_dir()))})" in help_text(capsys, "lint")


def test_serve_shows_where_it_listens_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(capsys, "serve")
    assert "(default: 127.0.0.1)" in text
    assert "(default: 8000)" in text
