"""Reminders on the simulated Echo: Alexa's own permission question after the skill's, answered
by /grant reminders, "I approve", "no" or silence; the permission changed as in the Alexa app;
and the reminders that exist, shown as they change."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from psoas_release.simulator.alexa_api import AlexaApi
from psoas_release.simulator.app import SIMULATOR_TOKEN, Options, simulate
from psoas_release.simulator.clock import SimulatedClock
from psoas_release.simulator.commands import run_command
from psoas_release.simulator.session import CONSENT_QUESTION, LISTEN_S
from psoas_release.simulator.terminal import run_interactive
from tests.simulator.conftest import START, FakeRealTime, Rig, RigFactory
from tests.simulator.test_simulator_terminal import ScriptedKeys

REMINDER_SET = ('reminders: every day at 07:30 (UTC): "Time for your psoas release. Say: '
                'Alexa, start psoas release."')


@pytest.fixture
def echo(make_rig: RigFactory, alexa_api: AlexaApi) -> Rig:
    alexa_api.set_time_zone(SIMULATOR_TOKEN, "UTC")
    return make_rig(alexa_api=alexa_api)


def notices(rig: Rig) -> list[str]:
    return [words for kind, _, words in rig.transcript.lines if kind == "notice"]


def asked_for_permission(rig: Rig) -> None:
    heard = rig.conversation.say("ask psoas release to remind me every day at seven thirty")
    assert heard.asks_for_permission
    rig.conversation.wait(rig.conversation.speech_left_s() + 1)
    assert rig.conversation.awaiting_consent
    assert rig.transcript.said()[-1] == CONSENT_QUESTION


def test_grant_reminders_answers_alexas_question_and_the_reminder_is_shown(
    echo: Rig, alexa_api: AlexaApi
) -> None:
    asked_for_permission(echo)
    run_command(echo.conversation, "/grant reminders")
    assert echo.requests[-1]["request"]["type"] == "Connections.Response"
    assert echo.requests[-1]["request"]["payload"]["status"] == "ACCEPTED"
    assert echo.conversation.last_reply is not None
    assert echo.conversation.last_reply.text.startswith("Done. I'll remind you every day at "
                                                        "seven thirty in the morning.")
    assert REMINDER_SET in notices(echo)
    assert len(alexa_api.reminders(SIMULATOR_TOKEN)) == 1
    run_command(echo.conversation, "/reminders")
    assert notices(echo)[-1] == REMINDER_SET


@pytest.mark.parametrize(("answer", "status", "said"), [
    ("I approve", "ACCEPTED", "Done. I'll remind you"),
    ("no", "DENIED", "Okay, no reminder. If you change your mind, open the Alexa app"),
])
def test_the_question_can_be_answered_in_words(
    echo: Rig, answer: str, status: str, said: str
) -> None:
    asked_for_permission(echo)
    heard = echo.conversation.say(answer)
    assert echo.requests[-1]["request"]["payload"]["status"] == status
    assert heard.text.startswith(said)


def test_silence_is_asked_once_more_then_told_to_the_skill_as_no_answer(echo: Rig) -> None:
    asked_for_permission(echo)
    echo.conversation.wait(2 * (LISTEN_S + 10))
    assert echo.transcript.said().count(CONSENT_QUESTION) == 2
    assert echo.requests[-1]["request"]["payload"]["status"] == "NOT_ANSWERED"
    assert not echo.conversation.awaiting_consent


def test_the_permission_is_taken_back_as_in_the_app_and_asked_for_again(
    echo: Rig, alexa_api: AlexaApi
) -> None:
    run_command(echo.conversation, "/grant reminders")
    assert notices(echo)[-1] == "reminders permission given in the Alexa app"
    heard = echo.conversation.say("ask psoas release to remind me every day at seven thirty")
    assert heard.text.startswith("Done.")
    echo.conversation.end()
    run_command(echo.conversation, "/deny reminders")
    assert not alexa_api.account(SIMULATOR_TOKEN).reminders_allowed
    heard = echo.conversation.say("ask psoas release when is my reminder")
    assert heard.asks_for_permission
    assert heard.text == "To check your reminder, I need your permission to manage reminders."


def test_a_script_answers_alexa_with_a_simulator_line(tmp_path: Path) -> None:
    script = tmp_path / "reminder.script"
    script.write_text("ask psoas release to remind me every day at seven\n"
                      "/grant reminders\n"
                      "expect Done. I'll remind you every day at seven in the morning.\n"
                      "/reminders\n"
                      "/dance\n")
    errors = io.StringIO()
    code = simulate(Options(script=script, state_db=tmp_path / "state.sqlite3"),
                    console=Console(file=io.StringIO(), width=100), errors=errors)
    assert code == 1
    assert errors.getvalue().strip() == \
        f"{script}:5: '/dance' is not a simulator command"


def test_grant_reminders_typed_live_answers_alexa(
    make_rig: RigFactory, alexa_api: AlexaApi
) -> None:
    alexa_api.set_time_zone(SIMULATOR_TOKEN, "UTC")
    real = FakeRealTime()
    clock = SimulatedClock(START, 20, monotonic=real.monotonic, sleep=real.sleep)
    rig = make_rig(clock=clock, alexa_api=alexa_api)
    keys = ScriptedKeys(real, [(0.0, "ask psoas release to remind me every day at seven\r"),
                               (3.0, "/grant reminders\r"), (4.0, "/reminders\r"),
                               (5.0, "\x04")])
    assert run_interactive(rig.conversation, Console(file=io.StringIO()), keys,
                           refresh_s=0.1) == 0
    assert CONSENT_QUESTION in rig.transcript.said()
    assert rig.requests[-2]["request"]["payload"]["status"] == "ACCEPTED"
    assert notices(rig)[-2].startswith("reminders: every day at 07:00 (UTC)")
