"""`psoas-release simulate`: options in, exit code out.

Why: the CLI stays a thin shell, and everything here is built the way production builds it
(the routine library, the embedded SQLite store, `build_skill` and `invoke_skill`, the same
entry Lambda uses), so what a person hears in the terminal is what Alexa would play. Alexa's
APIs (reminders, the device's time zone) are the stand-in on the loopback address, so the
skill makes its real calls and nothing leaves the machine.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

from psoas_release.alexa.api_client import AlexaApiClient
from psoas_release.alexa.skill import build_skill, invoke_skill
from psoas_release.alexa.time_zone import TimeZoneLookup
from psoas_release.core.library import load_library
from psoas_release.core.speaking import WORDS_PER_MINUTE
from psoas_release.interaction_model import DEFAULT_PACKAGE_DIR, MODELS_SUBDIR
from psoas_release.simulator.alexa_api import AlexaApi
from psoas_release.simulator.clock import SimulatedClock
from psoas_release.simulator.display import TerminalTranscript, speed_face, status_line
from psoas_release.simulator.envelopes import Envelopes
from psoas_release.simulator.person import saved_state, state_file, storage_reason, user_id_for
from psoas_release.simulator.script import parse_script, run_script
from psoas_release.simulator.session import Conversation
from psoas_release.simulator.terminal import TerminalKeys, run_interactive
from psoas_release.storage import SqliteStateStore, StorageError

SIMULATOR_TOKEN = "simulator-token"
"""The apiAccessToken of the simulated person: their account at the stand-in Alexa API."""

INTERACTIVE_SPEED = 1.0
SCRIPT_SPEED = 0.0
"""Scripts replay instantly unless a speed is given: they are checks, not performances."""


@dataclass(frozen=True)
class Options:
    """What `psoas-release simulate` was asked to do."""

    script: Path | None = None
    speed: float | None = None
    """Simulated seconds per real second of speech; 0 never waits. None: 1 live, 0 for scripts."""
    state_db: Path | None = None
    """None: the user's state file live; a temporary one of its own for a script."""
    user_id: str | None = None
    """None: the local person live; a new person on every run of a script."""
    locale: str = "en-US"
    voice_wpm: float = WORDS_PER_MINUTE
    """How fast the simulated Echo speaks; the skill is never told, it has to learn it."""
    time_zone: str = "UTC"
    """The device's time zone, as Alexa's settings give it to the skill."""


def load_model(locale: str) -> dict[str, Any]:
    """The interaction model that typed utterances are resolved through."""
    path = DEFAULT_PACKAGE_DIR / MODELS_SUBDIR / f"{locale}.json"
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def simulate(
    options: Options,
    *,
    stdin: TextIO | None = None,
    console: Console | None = None,
    errors: TextIO | None = None,
) -> int:
    """Run a simulated session; 0 when it went well, 1 when a script failed, 2 on bad input."""
    stdin = stdin if stdin is not None else sys.stdin
    errors = errors if errors is not None else sys.stderr
    console = console or Console(highlight=False)

    def report(message: str) -> None:
        print(message, file=errors)

    interactive = options.script is None and stdin.isatty()
    speed = options.speed
    if speed is None:
        speed = INTERACTIVE_SPEED if interactive else SCRIPT_SPEED
    if interactive and speed == 0:
        report("--instant and --speed 0 need a script: --script FILE, or one piped to stdin")
        return 2
    try:
        model = load_model(options.locale)
        source = options.script.read_text(encoding="utf-8") if options.script else None
    except OSError as error:
        report(f"cannot read {error.filename}: {error.strerror}")
        return 2
    except UnicodeDecodeError as error:
        report(f"cannot read {options.script}: not UTF-8 text ({error.reason})")
        return 2

    with tempfile.TemporaryDirectory(prefix="psoas-simulate-") as scratch, \
            AlexaApi(Path(scratch)) as alexa_api:
        state_db, shown = state_file(options.state_db, interactive=interactive,
                                     scratch=Path(scratch))
        user_id = user_id_for(options.user_id, interactive=interactive)
        store = SqliteStateStore(state_db)
        try:
            saved = saved_state(store, user_id)
        except StorageError as error:
            report(f"cannot use the state file {state_db}: {storage_reason(error)}")
            return 2
        alexa_api.set_time_zone(SIMULATOR_TOKEN, options.time_zone)
        envelopes = Envelopes(user_id, locale=options.locale, api_access_token=SIMULATOR_TOKEN,
                              api_endpoint=alexa_api.endpoint)
        skill = build_skill(library=(library := load_library()), store=store,
                            skill_id=envelopes.application_id, environ={},
                            time_zone=TimeZoneLookup(alexa_api.fetch),
                            api_client=AlexaApiClient(verify=str(alexa_api.ca_file)))
        clock = SimulatedClock(time.time(), speed)
        conversation = Conversation(
            lambda event: invoke_skill(skill, event), model, clock, library,
            transcript=TerminalTranscript(console, clock), envelopes=envelopes, saved=saved,
            voice_pace=WORDS_PER_MINUTE / options.voice_wpm, alexa_api=alexa_api,
        )
        console.print(Text(f"state: {shown} · user: {user_id} · speed: {speed_face(clock)} · "
                           f"voice: {options.voice_wpm:g} words a minute · time zone: "
                           f"{options.time_zone}", style="dim"))

        def show_status() -> None:
            console.print(status_line(conversation.progress(), conversation.activity(), clock))

        if interactive:
            with TerminalKeys(stdin.fileno()) as keys:
                return run_interactive(conversation, console, keys)

        name = str(options.script) if options.script else "<stdin>"
        steps = parse_script(source if source is not None else stdin.read(), name)
        show_status()
        code = run_script(conversation, steps, report, after_wait=show_status)
        show_status()
        return code
