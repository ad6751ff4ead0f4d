"""The interactive loop with keys from a test instead of a terminal, on fake real time: the
clock runs at 20x, keys arrive when the test says, and nothing really sleeps."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from psoas_release.simulator.clock import SimulatedClock
from psoas_release.simulator.terminal import EOF, LineEditor, run_interactive
from psoas_release.storage import SqliteStateStore
from tests.simulator.conftest import START, FakeRealTime, Rig, RigFactory

LOCAL_USER = "amzn1.ask.account.LOCAL-SIMULATOR"


class ScriptedKeys:
    """Keys typed at given real times; then the end of input, or Ctrl-C if `interrupt`."""

    def __init__(self, real: FakeRealTime, typed: list[tuple[float, str]],
                 interrupt: bool = False) -> None:
        self.real = real
        self.typed = list(typed)
        self.interrupt = interrupt
        self.reads = 0

    def read(self, timeout: float) -> str | None:
        self.reads += 1
        if not self.typed:
            if self.interrupt:
                raise KeyboardInterrupt
            return ""  # the terminal is gone
        at, keys = self.typed[0]
        if at > self.real.now + timeout:
            self.real.sleep(timeout)
            return None
        self.real.now = max(self.real.now, at)
        self.typed.pop(0)
        return keys


def live_rig(make_rig: RigFactory, speed: float = 20) -> tuple[Rig, FakeRealTime]:
    real = FakeRealTime()
    clock = SimulatedClock(START, speed, monotonic=real.monotonic, sleep=real.sleep)
    return make_rig(clock=clock), real


def console() -> Console:
    return Console(file=io.StringIO(), width=120)


def test_typing_while_alexa_speaks_interrupts_her_at_the_simulated_time(
    make_rig: RigFactory,
) -> None:
    rig, real = live_rig(make_rig)
    keys = ScriptedKeys(real, [(0.0, "start psoas release\r"),
                               (4.0, "how much "), (4.5, "time is left\r"), (5.0, "\x04")])
    assert run_interactive(rig.conversation, console(), keys) == 0
    intents = [r["request"].get("intent", {}).get("name") for r in rig.requests]
    assert intents == [None, "TimeLeftIntent", None]
    asked = rig.requests[1]["request"]["timestamp"]
    assert asked == "2026-11-26T07:01:33Z", "1.5 s + 4.5 real s at 20x + 1.5 s spoken"
    assert rig.conversation.last_reply is not None
    assert re.match(r"About \d+ seconds in this one", rig.conversation.last_reply.text)


def test_end_of_input_ends_the_session_and_a_new_simulator_offers_to_resume(
    make_rig: RigFactory,
) -> None:
    rig, real = live_rig(make_rig)
    keys = ScriptedKeys(real, [(0.0, "start psoas release\n"), (12.0, "")])
    run_interactive(rig.conversation, console(), keys)
    ended = rig.requests[-1]["request"]
    assert (ended["type"], ended["reason"]) == ("SessionEndedRequest", "USER_INITIATED")
    stored = SqliteStateStore(rig.db).load(LOCAL_USER)
    assert stored is not None and stored.data["phase"] == "paused"
    offer = make_rig(rig.db).conversation.say("open psoas release")
    assert offer.text.startswith("Welcome back. You were on the knee to chest hug, right")


def test_ctrl_c_leaves_cleanly_and_saves_too(make_rig: RigFactory) -> None:
    rig, real = live_rig(make_rig)
    keys = ScriptedKeys(real, [(0.0, "start psoas release\n"), (1.0, "")], interrupt=True)
    keys.typed.pop()  # no end of input: the person presses Ctrl-C instead
    assert run_interactive(rig.conversation, console(), keys) == 0
    assert rig.requests[-1]["request"]["reason"] == "USER_INITIATED"


def test_slash_wait_skips_simulated_time_and_slash_quit_leaves(make_rig: RigFactory) -> None:
    rig, real = live_rig(make_rig, speed=1)
    keys = ScriptedKeys(real, [(0.0, "start psoas release\r/wait 300\r"), (0.5, "/quit\r"),
                               (99.0, "never read\r")])
    run_interactive(rig.conversation, console(), keys)
    assert rig.clock.elapsed() == pytest.approx(301.5 + 0.5, abs=0.2)
    said = rig.transcript.said()
    assert any(words.startswith("Left side.") for words in said), "the skip played speech"
    assert said[-1] == "Now you should feel it at the front of your right hip."
    assert len(rig.requests) == 2


def test_the_progress_line_is_drawn_with_what_is_being_typed(make_rig: RigFactory) -> None:
    rig, real = live_rig(make_rig)
    out = Console(file=io.StringIO(), width=120, force_terminal=True, color_system=None)
    keys = ScriptedKeys(real, [(0.0, "start psoas release\r"), (4.0, "how mu")])
    run_interactive(rig.conversation, out, keys)
    text = out.file.getvalue()  # type: ignore[attr-defined]
    assert "> how mu" in text
    assert "1/5 Constructive rest" in text


def test_the_line_editor() -> None:
    editor = LineEditor()
    assert editor.feed("hel") == []
    assert editor.feed("lo\x7f\x7fp me\x1b[A\x1bOB\r") == ["help me"]
    assert editor.feed("start the thing\x17\x17routine\n") == ["start routine"]
    assert editor.feed("junk\x04\x15stop\r") == ["stop"]
    assert editor.feed("\x04") == [EOF]
    with pytest.raises(KeyboardInterrupt):
        editor.feed("\x03")
