"""The interactive loop: keys in, speech out, while the simulated clock runs.

Why: speech keeps playing while the person types, and pressing Enter is the barge-in. So the
loop never blocks on a whole line: the terminal is put in cbreak mode (stdlib `tty`), keys are
read as they come with a short timeout (`select`), the line being typed is drawn under the
live progress line, and between keys the conversation advances to the clock's time.

Lines starting with "/" are for the simulator, not for Alexa: "/wait N" jumps N simulated
seconds ahead, "/grant reminders" and "/deny reminders" answer Alexa's permission question (or
change the permission as in the Alexa app), "/reminders" lists the reminders set, "/quit"
leaves. Ctrl-D on an empty line and Ctrl-C leave too; an open session is then ended
(USER_INITIATED), which saves the person's place.
"""

from __future__ import annotations

import codecs
import os
import re
import select
import termios
import tty
from types import TracebackType
from typing import Any, Protocol

from rich.console import Console
from rich.live import Live
from rich.text import Text

from psoas_release.simulator.commands import is_command, run_command
from psoas_release.simulator.display import live_view, status_line
from psoas_release.simulator.session import Conversation

REFRESH_S = 0.1
"""How often the progress line is redrawn, in real seconds."""

EOF = None
_ESCAPE_FINAL = re.compile(r"[@-~]")
_SKIP = re.compile(r"/wait\s+(\d+(?:\.\d+)?)\s*s?", re.IGNORECASE)


class KeySource(Protocol):
    """Where keys come from: the terminal, or a test."""

    def read(self, timeout: float) -> str | None:
        """Keys typed within `timeout` real seconds: None if none, "" at end of input."""


class TerminalKeys:
    """Keys from a terminal in cbreak mode (no echo, no line buffering, signals kept)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._saved: list[Any] | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def __enter__(self) -> TerminalKeys:
        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def read(self, timeout: float) -> str | None:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return None
        data = os.read(self.fd, 1024)
        return self._decoder.decode(data) if data else ""


class LineEditor:
    """Just enough line editing for a prompt: typing, backspace, Ctrl-U, Ctrl-W, Enter.

    Escape sequences (arrow keys) are dropped; Ctrl-D on an empty line is the end of input.
    """

    def __init__(self) -> None:
        self.text = ""
        self._escape = ""

    def feed(self, keys: str) -> list[str | None]:
        """The lines completed by `keys` (None for Ctrl-D on an empty line)."""
        lines: list[str | None] = []
        for key in keys:
            if self._escape:
                self._escape += key
                introducer = len(self._escape) == 2
                if (introducer and key not in "[O") or \
                        (not introducer and _ESCAPE_FINAL.match(key)):
                    self._escape = ""
            elif key == "\x1b":
                self._escape = key
            elif key in "\r\n":
                lines.append(self.text)
                self.text = ""
            elif key in "\x7f\x08":
                self.text = self.text[:-1]
            elif key == "\x15":
                self.text = ""
            elif key == "\x17":
                words = self.text.rstrip()
                self.text = words[: words.rfind(" ") + 1]
            elif key == "\x04":
                if not self.text:
                    lines.append(EOF)
            elif key == "\x03":
                raise KeyboardInterrupt
            elif key >= " ":
                self.text += key
        return lines


def run_interactive(
    conversation: Conversation, console: Console, keys: KeySource, refresh_s: float = REFRESH_S
) -> int:
    """Talk to the skill until the person leaves; the session is ended (and saved) then."""
    clock = conversation.clock
    editor = LineEditor()
    console.print(Text(
        "Type what you would say to Alexa, e.g. \"start psoas release\", and press Enter; "
        "typing while Alexa speaks interrupts her. /wait N skips N seconds; /grant reminders "
        "or /deny reminders answers Alexa's permission question; /reminders lists them; "
        "Ctrl-D or Ctrl-C leaves.", style="dim"))

    def view() -> Text:
        return status_line(conversation.progress(), conversation.activity(), clock)

    with Live(live_view(view(), ""), console=console, auto_refresh=False,
              transient=True) as live:
        try:
            while _serve_keys(conversation, editor, keys, refresh_s):
                live.update(live_view(view(), editor.text), refresh=True)
        except KeyboardInterrupt:
            pass
        finally:
            conversation.end("USER_INITIATED")
    console.print(view())
    return 0


def _serve_keys(
    conversation: Conversation, editor: LineEditor, keys: KeySource, refresh_s: float
) -> bool:
    """Advance, wait briefly for keys, act on complete lines; False when the person leaves."""
    conversation.advance()
    due = conversation.next_due()
    timeout = refresh_s if due is None else min(
        refresh_s, conversation.clock.real_seconds_until(due))
    typed = keys.read(timeout)
    if typed is None:
        return True
    if typed == "":
        return False
    for line in editor.feed(typed):
        if line is EOF:
            return False
        command = line.strip()
        if command.lower() in {"/quit", "/exit"}:
            return False
        if skip := _SKIP.fullmatch(command):
            conversation.clock.advance(float(skip.group(1)))
            conversation.advance()
        elif is_command(command):
            run_command(conversation, command)
        elif command:
            conversation.say(command)
    return True
