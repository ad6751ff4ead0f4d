"""Lines for the simulator, not for Alexa, typed live or written in a script: the reminders
permission ("/grant reminders", "/deny reminders") and the reminders set ("/reminders")."""

from __future__ import annotations

from collections.abc import Callable

from psoas_release.simulator.session import Conversation

COMMANDS: dict[str, Callable[[Conversation], object]] = {
    "/grant reminders": lambda conversation: conversation.permission(True),
    "/deny reminders": lambda conversation: conversation.permission(False),
    "/reminders": lambda conversation: conversation.show_reminders(),
}


def is_command(line: str) -> bool:
    return " ".join(line.lower().split()) in COMMANDS


def run_command(conversation: Conversation, line: str) -> None:
    """Do what `line` (one of `COMMANDS`) asks of the simulated world."""
    COMMANDS[" ".join(line.lower().split())](conversation)
