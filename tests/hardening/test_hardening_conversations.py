"""Random conversations with the whole skill (hypothesis stateful testing): utterances from
the interaction model, random waits, sessions that end and begin, and after every turn the
promises a person relies on."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from psoas_release.alexa.skill import build_skill, invoke_skill
from psoas_release.core.library import load_library
from psoas_release.core.state import Phase, SessionState
from psoas_release.core.timeline import compile_timeline
from psoas_release.storage import SqliteStateStore
from tests.conftest import ROUTINES_DIR
from tests.skill.conftest import MODEL_FILE
from tests.skill.device import TEST_DEVICE_ID, EchoDevice, Heard
from tests.voices import seed_known_voice

MODEL: dict[str, Any] = json.loads(MODEL_FILE.read_text())
LIBRARY = load_library(ROUTINES_DIR)
TIMELINE = compile_timeline(LIBRARY.default)
USER = "amzn1.ask.account.TESTUSER"

QUESTIONS = ["repeat the form cue", "how much time is left", "what's next",
             "why does this help", "help", "what routines are there"]
MOVES = ["next", "previous", "start over", "pause", "resume", "yes", "no", "stop",
         "it hurts", "start psoas release", "open psoas release", "repeat"]
BACKWARDS = {"previous", "start over", "start psoas release", "open psoas release", "no",
             "yes", "resume", "repeat", "it hurts"}


class SkillConversation(RuleBasedStateMachine):
    """One person, one store, any order of things said, any gaps between them."""

    @initialize()
    def open_skill(self) -> None:
        self.folder = tempfile.TemporaryDirectory()
        self.store = SqliteStateStore(Path(self.folder.name) / "state.sqlite3")
        seed_known_voice(self.store, USER, TEST_DEVICE_ID)
        skill = build_skill(library=LIBRARY, store=self.store, environ={})
        self.device = EchoDevice(lambda event, context: invoke_skill(skill, event, context),
                                 MODEL, closes_sessions=True)
        self.heard: Heard = self.device.say("start psoas release")
        self.previous = self.heard.state

    def teardown(self) -> None:
        self.folder.cleanup()

    def _coached_left(self, state: SessionState) -> float:
        return TIMELINE.coached_left_s(state.position_s)

    @rule(seconds=st.one_of(st.floats(0, 60), st.floats(60, 3600)))
    def wait(self, seconds: float) -> None:
        self.device.wait(seconds)

    @rule(question=st.sampled_from(QUESTIONS), into=st.floats(0, 90))
    def ask(self, question: str, into: float) -> None:
        self.device.wait(into)
        before = self.heard.state
        in_session = self.device.session is not None
        talking_from = (self.device.clock - self.device.speech_started).total_seconds()
        heard_at = min(before.position_s
                       + max(0.0, talking_from - before.lead_s - before.lead_silence_s),
                       before.covers_until_s)
        self.heard = self.device.say(question)
        after = self.heard.state
        if not (in_session and before.phase is after.phase is Phase.COACHING):
            return
        assert self._coached_left(after) <= self._coached_left(before) + 1e-6
        span = TIMELINE.hold_span(heard_at)
        if span and span[0] <= after.position_s:
            event("a question mid-hold")
            assert after.position_s <= heard_at + 2.0 + 1e-6, "the hold was cut by over 2 s"
            assert after.position_s >= heard_at - 2.0 - 1e-6, "more than 2 s repeated"

    @rule(move=st.sampled_from(MOVES))
    def move(self, move: str) -> None:
        before = self.heard.state
        self.heard = self.device.say(move)
        after = self.heard.state
        same = before.routine_id == after.routine_id and after.phase is Phase.COACHING
        if same and move not in BACKWARDS and before.phase is Phase.COACHING:
            assert self._coached_left(after) <= self._coached_left(before) + 1e-6

    @precondition(lambda self: self.device.session is not None)
    @rule(reason=st.sampled_from(["USER_INITIATED", "EXCEEDED_MAX_REPROMPTS", "ERROR"]))
    def session_ends(self, reason: str) -> None:
        if reason == "EXCEEDED_MAX_REPROMPTS":
            self.heard = self.device.time_out()  # Alexa's own timing, never another
        else:
            self.heard = self.device.end_session(reason)

    @invariant()
    def the_saved_state_always_reloads(self) -> None:
        stored = self.store.load(USER)
        if stored is not None:
            state = SessionState.from_dict(stored.data)
            assert not state.recovered
            assert state.to_dict() == stored.data


SkillConversation.TestCase.settings = settings(
    max_examples=60, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_random_conversations_with_the_whole_skill = SkillConversation.TestCase
