"""Scripted sessions: the example replays cleanly, and every kind of failure exits 1 with a
message that says where and why."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from psoas_release.cli import main
from psoas_release.simulator.app import Options, simulate
from psoas_release.simulator.script import StepKind, parse_script, run_script
from psoas_release.storage import SqliteStateStore
from tests.conftest import REPO
from tests.simulator.conftest import Rig

EXAMPLE = REPO / "examples" / "first-session.script"
LOCAL_USER = "amzn1.ask.account.LOCAL-SIMULATOR"
PERSON = "amzn1.ask.account.TEST-PERSON"


def quiet() -> Console:
    return Console(file=io.StringIO(), width=100)


def run(script: str, tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / "session.script"
    path.write_text(script)
    errors = io.StringIO()
    code = simulate(Options(script=path, state_db=tmp_path / "state.sqlite3"),
                    console=quiet(), errors=errors)
    return code, errors.getvalue()


def test_the_example_script_replays_cleanly_and_saves_the_place(tmp_path: Path) -> None:
    errors = io.StringIO()
    code = simulate(Options(script=EXAMPLE, speed=0, state_db=tmp_path / "state.sqlite3",
                            user_id=PERSON), console=quiet(), errors=errors)
    assert (code, errors.getvalue()) == (0, "")
    stored = SqliteStateStore(tmp_path / "state.sqlite3").load(PERSON)
    assert stored is not None and stored.data["phase"] == "paused"


def test_a_script_is_a_new_person_each_run_unless_a_user_is_given(tmp_path: Path) -> None:
    script = tmp_path / "first.script"
    script.write_text("start psoas release\nexpect A safety note:\nwait 20\nstop\n")
    db = tmp_path / "state.sqlite3"
    for _ in range(2):
        assert simulate(Options(script=script, state_db=db), console=quiet()) == 0
    errors = io.StringIO()
    for _ in range(2):
        code = simulate(Options(script=script, state_db=db, user_id=PERSON), console=quiet(),
                        errors=errors)
    assert code == 1, "the second run with the same person is a returning one"
    assert "it said: 'Welcome back." in errors.getvalue()
    assert SqliteStateStore(db).load(LOCAL_USER) is None


def test_the_saved_place_shows_before_the_first_word(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    options = Options(script=EXAMPLE, state_db=db, user_id=PERSON)
    assert simulate(options, console=quiet()) == 0
    console = quiet()
    script = tmp_path / "back.script"
    script.write_text("open psoas release\nexpect Welcome back.\n")
    assert simulate(Options(script=script, state_db=db, user_id=PERSON), console=console) == 0
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    first_words = next(i for i, line in enumerate(lines) if "you   open psoas release" in line)
    assert lines[first_words - 1].startswith("00:00 closed      paused  1/5 Constructive rest")


def test_a_script_that_is_not_utf8_is_one_clean_line(tmp_path: Path) -> None:
    script = tmp_path / "latin1.script"
    script.write_bytes(b"start psoas release\nexpect caf\xe9\n")
    errors = io.StringIO()
    assert simulate(Options(script=script), console=quiet(), errors=errors) == 2
    assert errors.getvalue() == (f"cannot read {script}: not UTF-8 text "
                                 "(invalid continuation byte)\n")


@pytest.mark.parametrize("where", ["a-folder", "a-file/state.sqlite3", "not-sqlite"])
def test_a_state_db_that_cannot_be_used_is_one_clean_line(tmp_path: Path, where: str) -> None:
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "a-file").write_text("not a folder\n")
    (tmp_path / "not-sqlite").write_text("x" * 200)
    errors = io.StringIO()
    code = simulate(Options(script=EXAMPLE, state_db=tmp_path / where), console=quiet(),
                    errors=errors)
    assert code == 2
    message = errors.getvalue()
    assert message.startswith(f"cannot use the state file {tmp_path / where}: ")
    assert message.count("\n") == 1, message


def test_the_cli_replays_a_script_instantly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["simulate", "--script", str(EXAMPLE), "--instant",
                 "--state-db", str(tmp_path / "state.sqlite3")])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert "you   start psoas release" in out
    assert "Alexa A safety note:" in out
    assert "Okay. I've saved your place for next time. Goodbye." in out
    assert "Knee to chest hug" not in out, "the example stops in the first movement"
    assert "1/5 Constructive rest · hold" in out


def test_a_failing_expect_exits_1_saying_where_and_what_was_said(tmp_path: Path) -> None:
    code, errors = run("start psoas release\nwait 3\n\nexpect purple monkey\n", tmp_path)
    assert code == 1
    assert errors.startswith(f"{tmp_path / 'session.script'}:4: expected the last reply to "
                             "contain 'purple monkey'; it said: \"A safety note:")


def test_waiting_for_words_that_never_come_fails(tmp_path: Path) -> None:
    code, errors = run("start psoas release\nwait until purple monkey\n", tmp_path)
    assert code == 1
    assert ":2: wait until 'purple monkey': the speech playing now never says it" in errors


def test_a_script_reads_from_piped_stdin(tmp_path: Path) -> None:
    stdin = io.StringIO("open psoas release\nexpect A safety note:\n")
    code = simulate(Options(state_db=tmp_path / "state.sqlite3"), stdin=stdin,
                    console=quiet(), errors=io.StringIO())
    assert code == 0


def test_instant_needs_a_script(tmp_path: Path) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    errors = io.StringIO()
    code = simulate(Options(speed=0, state_db=tmp_path / "s.sqlite3"), stdin=Terminal(),
                    console=quiet(), errors=errors)
    assert code == 2
    assert "need a script" in errors.getvalue()


def test_a_missing_script_is_reported(tmp_path: Path) -> None:
    errors = io.StringIO()
    code = simulate(Options(script=tmp_path / "nope.script"), console=quiet(), errors=errors)
    assert code == 2
    assert errors.getvalue().startswith("cannot read ")


def test_an_invalid_reply_fails_the_script(rig: Rig) -> None:
    def bad_skill(event: dict[str, Any]) -> dict[str, Any]:
        return {"version": "1.0", "response": {
            "outputSpeech": {"type": "SSML", "ssml": '<speak><break time="11s"/></speak>'},
            "shouldEndSession": False}}

    rig.conversation.handler = bad_skill
    messages: list[str] = []
    code = run_script(rig.conversation, parse_script("start psoas release\n", "t"),
                      messages.append)
    assert code == 1
    assert messages == ["t:1: invalid reply: outputSpeech: a break of 11.0 s; breaks must be "
                        "over 0 and at most 10 s"]


def test_an_oversized_reply_fails_the_script(rig: Rig) -> None:
    words = "stretch " * 3500
    rig.conversation.handler = lambda event: {"version": "1.0", "response": {
        "outputSpeech": {"type": "SSML", "ssml": f"<speak>{words}</speak>"},
        "shouldEndSession": True}}
    messages: list[str] = []
    assert run_script(rig.conversation, parse_script("open psoas release", "t"),
                      messages.append) == 1
    assert "over Alexa's 24576" in messages[0]
    assert "over the limit of 8000" in messages[0]


def test_an_exception_fails_the_script_with_its_place(rig: Rig) -> None:
    def broken(event: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("boom")

    rig.conversation.handler = broken
    messages: list[str] = []
    assert run_script(rig.conversation, parse_script("# hi\nopen psoas release", "t"),
                      messages.append) == 1
    assert messages[-1] == "t:2: the simulation failed: RuntimeError: boom"


def test_the_script_format() -> None:
    steps = parse_script(
        "# comment\n\n  start psoas release  \nwait 35\nwait 1.5s\nwait until Hold.\n"
        "wait\nsay wait 5\nexpect About 25 seconds\n", "f")
    assert [(s.kind, s.argument, s.where) for s in steps] == [
        (StepKind.SAY, "start psoas release", "f:3"),
        (StepKind.WAIT, "35", "f:4"),
        (StepKind.WAIT, "1.5", "f:5"),
        (StepKind.WAIT_UNTIL, "Hold.", "f:6"),
        (StepKind.SAY, "wait", "f:7"),
        (StepKind.SAY, "wait 5", "f:8"),
        (StepKind.EXPECT, "About 25 seconds", "f:9"),
    ]
