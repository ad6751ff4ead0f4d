"""Scripted sessions: a conversation written down, replayed, and checked.

Why: a change to a cue or a timing should be heard before it reaches a device, and a script
that says what a person says and when, with what they should hear, replays in a second and
fails loudly. One step per line:

    # a comment                    ignored, as are blank lines
    start psoas release            an utterance, said to Alexa ("say <utterance>" also works,
                                   for an utterance that looks like a step, e.g. "say wait")
    wait 35                        let 35 simulated seconds pass ("wait 1.5", "wait 35s")
    wait until Hold.               let the reply's speech play until it says "Hold."
    expect About 25 seconds        the last reply's words must contain this text
    /grant reminders               a line for the simulator (`simulator.commands`): here, the
                                   answer to Alexa's permission question
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from psoas_release.simulator.commands import is_command, run_command
from psoas_release.simulator.session import Conversation

_WAIT = re.compile(r"wait\s+(\d+(?:\.\d+)?)\s*s?", re.IGNORECASE)
_WAIT_UNTIL = re.compile(r"wait\s+until\s+(.+)", re.IGNORECASE)
_KEYWORD = re.compile(r"(say|expect)\s+(.+)", re.IGNORECASE)


class StepKind(StrEnum):
    SAY = "say"
    WAIT = "wait"
    WAIT_UNTIL = "wait until"
    EXPECT = "expect"
    COMMAND = "command"


@dataclass(frozen=True)
class Step:
    """One line of a script, and where it is, for messages."""

    kind: StepKind
    argument: str
    where: str

    @property
    def seconds(self) -> float:
        return float(self.argument)


class ScriptFailed(Exception):
    """A step went wrong: the message says where, what was expected and what happened."""


def parse_script(text: str, name: str) -> list[Step]:
    """The steps of a script; `name` prefixes each step's location ('file:line')."""
    steps: list[Step] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"{name}:{number}"
        if not line or line.startswith("#"):
            continue
        if line.startswith("/"):
            steps.append(Step(StepKind.COMMAND, line, where))
        elif match := _WAIT.fullmatch(line):
            steps.append(Step(StepKind.WAIT, match.group(1), where))
        elif match := _WAIT_UNTIL.fullmatch(line):
            steps.append(Step(StepKind.WAIT_UNTIL, match.group(1).strip(), where))
        elif match := _KEYWORD.fullmatch(line):
            kind = StepKind.SAY if match.group(1).lower() == "say" else StepKind.EXPECT
            steps.append(Step(kind, match.group(2).strip(), where))
        else:
            steps.append(Step(StepKind.SAY, line, where))
    return steps


def run_step(conversation: Conversation, step: Step) -> None:
    """Do one step; raise ScriptFailed if it cannot be done or its expectation is not met."""
    if step.kind is StepKind.SAY:
        conversation.say(step.argument)
    elif step.kind is StepKind.COMMAND:
        if not is_command(step.argument):
            raise ScriptFailed(f"{step.where}: {step.argument!r} is not a simulator command")
        run_command(conversation, step.argument)
    elif step.kind is StepKind.WAIT:
        conversation.wait(step.seconds)
    elif step.kind is StepKind.WAIT_UNTIL:
        if not conversation.wait_until(step.argument):
            raise ScriptFailed(f"{step.where}: wait until {step.argument!r}: the speech playing "
                               "now never says it")
    else:
        last = conversation.last_reply
        if last is None:
            raise ScriptFailed(f"{step.where}: expect {step.argument!r}: nothing was said yet")
        if step.argument not in last.text:
            raise ScriptFailed(f"{step.where}: expected the last reply to contain "
                               f"{step.argument!r}; it said: {last.text!r}")
    if conversation.problems:
        raise ScriptFailed(f"{step.where}: invalid reply: {'; '.join(conversation.problems)}")


def run_script(
    conversation: Conversation,
    steps: Iterable[Step],
    report: Callable[[str], None],
    after_wait: Callable[[], None] = lambda: None,
) -> int:
    """Replay `steps`; 0 if every step passed, else 1 with the reason given to `report`.

    At the end, a closed session's last words are played out; an open session is ended
    (USER_INITIATED) as if the person walked away, which saves their place.
    """
    where = "at the start"
    try:
        for step in steps:
            where = step.where
            run_step(conversation, step)
            if step.kind in {StepKind.WAIT, StepKind.WAIT_UNTIL}:
                after_wait()
        where = "at the end"
        if not conversation.in_session:
            conversation.wait(conversation.speech_left_s())  # hear the goodbye out
        conversation.end("USER_INITIATED")
        if conversation.problems:
            raise ScriptFailed(f"{where}: invalid reply: {'; '.join(conversation.problems)}")
    except ScriptFailed as failure:
        report(str(failure))
        return 1
    except Exception as error:  # the script's job is to report every failure, of any kind
        report("".join(traceback.format_exception(error)).rstrip())
        report(f"{where}: the simulation failed: {type(error).__name__}: {error}")
        return 1
    return 0
