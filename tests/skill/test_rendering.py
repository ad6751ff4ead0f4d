"""A reply is rendered to SSML once: the planner sizes the coaching's body and the response
says that same body, and a reprompt, one of a few fixed questions, is rendered once for good."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from psoas_release.alexa.skill import build_skill, invoke_skill
from psoas_release.core import speech
from psoas_release.core.library import RoutineLibrary
from psoas_release.core.ssml import Piece
from psoas_release.storage import MemoryStateStore
from tests.skill.device import EchoDevice

COACHING_PIECES = 50
"""More pieces than any lead or prompt has: a body this long is a coaching's."""


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """Every body rendered (by its number of pieces) and every SSML string made (by its
    length), from fresh caches."""
    for cached in (speech.render_reply, speech.body_from_cue, speech.reprompt_ssml):
        cached.cache_clear()
    made: dict[str, list[int]] = {"bodies": [], "speeches": []}
    real_body, real_speak = speech.body, speech.speak

    def body(pieces: Iterable[Piece]) -> str:
        listed = list(pieces)
        made["bodies"].append(len(listed))
        return real_body(listed)

    def speak(ssml_body: str) -> str:
        made["speeches"].append(len(ssml_body))
        return real_speak(ssml_body)

    monkeypatch.setattr(speech, "body", body)
    monkeypatch.setattr(speech, "speak", speak)
    return made


def device_for(library: RoutineLibrary, model: dict[str, Any], user: str) -> EchoDevice:
    skill = build_skill(library=library, store=MemoryStateStore(), environ={})
    return EchoDevice(lambda event, context: invoke_skill(skill, event, context), model,
                      user_id=user)


def test_a_launch_renders_its_coaching_once_and_its_speech_once(
    library: RoutineLibrary, model: dict[str, Any], renders: dict[str, list[int]]
) -> None:
    heard = device_for(library, model, "amzn1.ask.account.RENDERED-ONCE").say(
        "start psoas release")

    assert len(heard.ssml) > 5000, "the whole routine, sized and said"
    assert len([n for n in renders["bodies"] if n > COACHING_PIECES]) == 1
    assert len([n for n in renders["speeches"] if n > 1000]) == 1


def test_a_reprompt_is_rendered_once_for_every_reply_that_asks_it(
    library: RoutineLibrary, model: dict[str, Any], renders: dict[str, list[int]]
) -> None:
    first = device_for(library, model, "amzn1.ask.account.REPROMPT-1").say("start psoas release")
    assert len([n for n in renders["speeches"] if n < 200]) == 1
    second = device_for(library, model, "amzn1.ask.account.REPROMPT-2").say(
        "start psoas release")

    assert first.reprompt_ssml == second.reprompt_ssml is not None
    assert len([n for n in renders["speeches"] if n < 200]) == 1
