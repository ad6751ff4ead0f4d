"""The conversation driver: an Echo in software, driven by typed utterances and a clock.

Why: what the skill does depends on *when* things are said (a barge-in 35 s into a hold) and
on what Alexa does on its own (reprompt after 8 s of silence, then close the session). This
class does what an Echo does, and nothing else:

- `say`: the wake word stops any speech (barge-in), the spoken request takes
  `SPOKEN_REQUEST_S`, and the request is stamped at its end with the simulated time;
- each reply starts playing `START_LATENCY_S` later, one piece at a time;
- when a reply keeps the session open, the microphone listens `LISTEN_S`, then the reprompt
  plays (if any) and it listens `LISTEN_S` more, then Alexa sends SessionEndedRequest
  (EXCEEDED_MAX_REPROMPTS); without a reprompt it closes after the first `LISTEN_S`. The
  clock's speed is for speech only: from the end of a reply that keeps the session open until
  the next reply, it runs at real time, so a person has Alexa's real 8 seconds to answer;
- `end`: the person walks away; an open session gets SessionEndedRequest (USER_INITIATED);
- a reply that asks for the reminders permission (the AskFor directive) is followed by Alexa's
  own question; `permission` answers it (ACCEPTED or DENIED, as "I approve" or "no" do), and
  with no answer Alexa asks once more, then tells the skill NOT_ANSWERED. With no question
  open, `permission` gives or takes it back as the Alexa app does. Reminders live in the
  stand-in Alexa API; a change to them is shown as it happens.

It needs no terminal: a test drives it with a frozen clock and reads what it heard.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from psoas_release.alexa.handlers import SORRY
from psoas_release.core.library import RoutineLibrary
from psoas_release.core.position import SPOKEN_REQUEST_S, START_LATENCY_S
from psoas_release.core.ssml import Text, render
from psoas_release.core.state import SessionState
from psoas_release.simulator.alexa_api import AlexaApi, all_reminders
from psoas_release.simulator.clock import SimulatedClock
from psoas_release.simulator.envelopes import SESSION_ENDED_REQUEST, Envelopes
from psoas_release.simulator.heard import Heard, response_problems
from psoas_release.simulator.playback import Playback
from psoas_release.simulator.progress import Progress, progress_of
from psoas_release.utterances import Kind, normalise, resolve

LISTEN_S = 8.0
"""How long an Echo keeps the microphone open after speaking, before reprompting or closing."""
CONSENT_QUESTION = ("Do you give Psoas Release permission to update your reminders? You can "
                    "say I approve or no.")
"""Alexa's own words after a reply that asks for the reminders permission."""
CONSENT_ASKED = 2
"""Alexa asks the consent question, then once more, before it gives up."""
APPROVALS = {"i approve": True, "approve": True, "yes": True, "no": False}

Handler = Callable[[dict[str, Any]], dict[str, Any]]


class Transcript(Protocol):
    """Whoever is told what happens: the terminal display, or a test's recorder."""

    def speech(self, at: float, words: str, *, reprompt: bool) -> None:
        """Alexa started saying `words`."""

    def request(self, at: float, utterance: str | None, summary: str) -> None:
        """The person said `utterance` (None: Alexa itself sent the request)."""

    def notice(self, at: float, message: str) -> None:
        """Something the device did: a session opened or closed, the microphone timed out."""

    def problem(self, at: float, message: str) -> None:
        """A reply Alexa would refuse, or one that hides an error."""


class SilentTranscript:
    """A transcript nobody reads."""

    def speech(self, at: float, words: str, *, reprompt: bool) -> None:
        pass

    def request(self, at: float, utterance: str | None, summary: str) -> None:
        pass

    def notice(self, at: float, message: str) -> None:
        pass

    def problem(self, at: float, message: str) -> None:
        pass


def summarise(request: Mapping[str, Any]) -> str:
    """'IntentRequest TimeLeftIntent (new session)': what a request is, in a few words."""
    body = request["request"]
    words = [body["type"]]
    if "intent" in body:
        words.append(body["intent"]["name"])
        slots = {name: slot.get("value") for name, slot in body["intent"]["slots"].items()}
        words += [f"{name}={value!r}" for name, value in slots.items()]
    if "reason" in body:
        words.append(body["reason"])
    if isinstance(body.get("payload"), dict) and "status" in body["payload"]:
        words.append(body["payload"]["status"])
    if request["session"]["new"]:
        words.append("(new session)")
    return " ".join(words)


class Conversation:
    """One person, one Echo, one skill: the simulated device (see the module docstring)."""

    def __init__(
        self,
        handler: Handler,
        model: Mapping[str, Any],
        clock: SimulatedClock,
        library: RoutineLibrary,
        *,
        transcript: Transcript | None = None,
        envelopes: Envelopes | None = None,
        saved: SessionState | None = None,
        voice_pace: float = 1.0,
        alexa_api: AlexaApi | None = None,
    ) -> None:
        self.handler = handler
        self.alexa_api = alexa_api
        """Where the person's reminders live, if the skill reaches an Alexa API here."""
        self.voice_pace = voice_pace
        """Seconds this Echo's voice takes per second of the speaking model; never sent."""
        self.model = model
        self.clock = clock
        self.library = library
        self.transcript: Transcript = transcript or SilentTranscript()
        self.envelopes = envelopes or Envelopes()
        self.last_reply: Heard | None = None
        """The last reply to something the person said."""
        self.last_response: Heard | None = None
        """The last response of any kind: its session attributes hold the current state."""
        self.saved = saved or SessionState()
        """The person's stored state before the first request: where the progress line starts."""
        self.problems: list[str] = []
        self._speech: Playback | None = None
        self._reprompt: Playback | None = None
        self._reprompt_at: float | None = None
        self._reprompt_ssml = ""
        self._timeout_at: float | None = None
        self._closed_notice_at: float | None = None
        self._consent: Playback | None = None
        self._consent_at: float | None = None
        self._consent_deadline: float | None = None
        self._consent_asked = 0
        self._reminders_shown: list[str] = []

    # ----------------------------------------------------------------------- what is going on

    @property
    def in_session(self) -> bool:
        return self.envelopes.in_session

    def activity(self) -> str:
        """What Alexa is doing now, for the status line.

        'answering' (the reply is on its way), 'speaking' (words), 'holding' (the silence of a
        timed hold), 'quiet' (any other silence in the reply), 'reprompting', 'asking' (Alexa's
        own permission question), 'listening 8s' (the microphone is open, with the seconds
        left) or 'closed' (no session).
        """
        now = self.clock.now()
        if self._reprompt is not None and self._reprompt.playing(now):
            return "reprompting"
        if self._consent is not None and self._consent.playing(now):
            return "asking"
        if self._consent_deadline is not None:
            return f"listening {math.ceil(self._consent_deadline - now - 1e-6)}s"
        speech = self._speech
        if speech is not None and speech.playing(now):
            if speech.speaking(now):
                return "speaking"
            return "holding" if self.progress().hold_left_s is not None else "quiet"
        if speech is not None and now < speech.starts_at:
            return "answering"
        if not self.in_session:
            return "closed"
        closes_at = self._reprompt_at if self._reprompt_at is not None else self._timeout_at
        if closes_at is None:
            return "listening"
        return f"listening {math.ceil(closes_at - now - 1e-6)}s"

    def progress(self) -> Progress:
        """Where the person is now: the latest state plus the speech played since."""
        if self.last_response is None:
            return progress_of(self.saved, self.library)
        played = self._speech.played_s(self.clock.now()) if self._speech else None
        return progress_of(self.last_response.state, self.library, played, self.voice_pace)

    def next_due(self) -> float | None:
        """When something next happens on its own: words start, a reprompt, a timeout."""
        times = [
            self._speech.next_at() if self._speech else None,
            self._reprompt.next_at() if self._reprompt else None,
            self._reprompt_at,
            self._timeout_at,
            self._closed_notice_at,
            self._consent.next_at() if self._consent else None,
            self._consent_at,
            self._consent_deadline,
        ]
        due = [at for at in times if at is not None]
        return min(due) if due else None

    # ----------------------------------------------------------------------- time passing

    def advance(self) -> None:
        """Let everything due by the clock's time happen, in order."""
        now = self.clock.now()
        while True:
            for playback, reprompt in ((self._speech, False), (self._reprompt, True),
                                       (self._consent, False)):
                for at, words in playback.due(now) if playback else ():
                    self.transcript.speech(at, words, reprompt=reprompt)
            if self._consent_at is not None and now >= self._consent_at:
                self._ask_consent(self._consent_at)
                continue
            if self._consent_deadline is not None and now >= self._consent_deadline:
                at, self._consent_deadline = self._consent_deadline, None
                if self._consent_asked < CONSENT_ASKED:
                    self._consent_at = at
                else:
                    self._answer_consent("NOT_ANSWERED", at)
                continue
            if self._closed_notice_at is not None and now >= self._closed_notice_at:
                self.transcript.notice(self._closed_notice_at, "session closed")
                self._closed_notice_at = None
            if self._reprompt_at is not None and now >= self._reprompt_at:
                self._reprompt = Playback(self._reprompt_ssml, self._reprompt_at,
                                          self.voice_pace)
                self._timeout_at = self._reprompt.ends_at + LISTEN_S
                self._reprompt_at = None
                continue
            if self._timeout_at is not None and now >= self._timeout_at:
                at, self._timeout_at = self._timeout_at, None
                request = self.envelopes.session_ended("EXCEEDED_MAX_REPROMPTS", at)
                self.transcript.request(at, None, summarise(request))
                self._send(request, at)
                continue
            return

    def wait(self, seconds: float) -> None:
        """Let `seconds` of simulated time pass, everything due in them happening on time."""
        target = self.clock.now() + max(0.0, seconds)
        while True:
            self.advance()
            now = self.clock.now()
            if now >= target:
                return
            due = self.next_due()
            self.clock.sleep_until(target if due is None else min(target, max(due, now)))

    def wait_until(self, phrase: str) -> bool:
        """Wait until the reply's speech next says `phrase`; False if it never will."""
        if self._speech is None:
            return False
        now, occurrence = self.clock.now(), 1
        while (at := self._speech.when_said(phrase, occurrence)) is not None:
            if at >= now:
                self.wait(at - now)
                return True
            occurrence += 1
        return False

    # ----------------------------------------------------------------------- the person

    @property
    def awaiting_consent(self) -> bool:
        """Whether Alexa's consent question is on its way, being asked, or waiting."""
        return self._consent_at is not None or self._consent_deadline is not None

    def permission(self, granted: bool) -> Heard | None:
        """Answer Alexa's consent question ("I approve", "no"); with none open, give or take
        back the reminders permission as in the Alexa app. The reply, if the skill got one."""
        self.advance()
        at = self.clock.now()
        if self.alexa_api is not None and (granted or not self.awaiting_consent):
            self.alexa_api.allow_reminders(self.envelopes.api_access_token, granted)
        if self.awaiting_consent:
            self.transcript.request(at, "I approve" if granted else "no",
                                    "the answer to Alexa's question")
            self.clock.advance(SPOKEN_REQUEST_S)
            return self._answer_consent("ACCEPTED" if granted else "DENIED", self.clock.now())
        self.envelopes.reminders_allowed = granted
        self.transcript.notice(at, "reminders permission "
                               f"{'given' if granted else 'taken back'} in the Alexa app")
        return None

    def show_reminders(self) -> None:
        """Tell the transcript which reminders the skill has set."""
        self.transcript.notice(self.clock.now(), self._reminders_line())

    def say(self, utterance: str) -> Heard:
        """Say "Alexa, <utterance>": stop the speech, speak the request, hear the reply."""
        self.advance()
        if self.awaiting_consent and normalise(utterance) in APPROVALS:
            heard = self.permission(APPROVALS[normalise(utterance)])
            assert heard is not None
            return heard
        spoke_at = self.clock.now()
        resolution = resolve(utterance, self.model)
        self._hush(spoke_at)
        outside = not self.in_session and not resolution.one_shot
        self.clock.advance(SPOKEN_REQUEST_S)
        at = self.clock.now()
        request = self.envelopes.utterance(resolution, at)
        self.transcript.request(spoke_at, utterance, summarise(request))
        if outside and resolution.kind is not Kind.LAUNCH:
            self.transcript.notice(spoke_at, "no session was open: a device would need "
                                   "\"ask psoas release ...\"; sent as a new session")
        return self._send(request, at)

    def speech_left_s(self) -> float:
        """Seconds until the last reply's speech ends (0 when it has)."""
        if self._speech is None:
            return 0.0
        return max(0.0, self._speech.ends_at - self.clock.now())

    def end(self, reason: str = "USER_INITIATED") -> Heard | None:
        """The person leaves: speech stops, and an open session is ended (and so saved)."""
        self.advance()
        at = self.clock.now()
        self._hush(at)
        if not self.in_session:
            return None
        request = self.envelopes.session_ended(reason, at)
        self.transcript.request(at, None, summarise(request))
        return self._send(request, at)

    # ----------------------------------------------------------------------- helpers

    def _hush(self, at: float) -> None:
        """The wake word: whatever is playing stops, and nothing is scheduled any more."""
        for playback in (self._speech, self._reprompt, self._consent):
            if playback is not None:
                playback.stop(at)
        self._reprompt_at = self._timeout_at = self._closed_notice_at = None
        self._consent_at = self._consent_deadline = None

    def _ask_consent(self, at: float) -> None:
        """Alexa asks for the permission the skill's directive named (again, if unanswered)."""
        self._consent_at = None
        self._consent_asked += 1
        self._consent = Playback(render([Text(CONSENT_QUESTION)]), at, self.voice_pace)
        self.clock.listen_from(self._consent.ends_at)
        self._consent_deadline = self._consent.ends_at + LISTEN_S

    def _answer_consent(self, status: str, at: float) -> Heard:
        """Alexa tells the skill what the person answered: a Connections.Response."""
        self._hush(at)
        request = self.envelopes.consent_answer(status, at)
        self.transcript.request(at, None, summarise(request))
        return self._send(request, at)

    def _reminders_line(self) -> str:
        if self.alexa_api is None:
            return "no Alexa API here: reminders cannot be set"
        reminders = list(all_reminders(self.alexa_api, self.envelopes.api_access_token))
        return f"reminders: {'; '.join(reminders)}" if reminders else "reminders: none"

    def _reminders_changed(self, at: float) -> None:
        if self.alexa_api is None:
            return
        now = list(all_reminders(self.alexa_api, self.envelopes.api_access_token))
        if now != self._reminders_shown:
            self._reminders_shown = now
            self.transcript.notice(at, self._reminders_line())

    def _send(self, request: dict[str, Any], at: float) -> Heard:
        response = self.handler(request)
        self.envelopes.received(request, response)
        heard = Heard(response)
        self.last_response = heard
        self._reminders_changed(at)
        for problem in response_problems(response):
            self._problem(at, problem)
        if heard.text.startswith(SORRY):
            self._problem(at, "the skill answered with its error apology (see the log)")
        if request["request"]["type"] == SESSION_ENDED_REQUEST:
            self._hush(at)  # Alexa never speaks a reply to SessionEndedRequest
            self.clock.play()
            self.transcript.notice(at, "session closed")
            return heard
        self.last_reply = heard
        self._speech = Playback(heard.ssml, at + START_LATENCY_S, self.voice_pace)
        self._reprompt = None
        listen_from = self._speech.ends_at
        if heard.asks_for_permission:
            self.clock.play()
            self._consent_asked = 0
            self._consent_at = listen_from
        elif not self.in_session:
            self.clock.play()
            self._closed_notice_at = listen_from
        else:
            self.clock.listen_from(listen_from)  # the speed is for speech: 8 real s to answer
            if heard.reprompt_ssml:
                self._reprompt_at = listen_from + LISTEN_S
                self._reprompt_ssml = heard.reprompt_ssml
            else:
                self._timeout_at = listen_from + LISTEN_S
        self.advance()
        return heard

    def _problem(self, at: float, message: str) -> None:
        self.problems.append(message)
        self.transcript.problem(at, message)
