"""Typed utterances resolve through the generated interaction model as Alexa would send them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from psoas_release.interaction_model import MODELS_SUBDIR
from psoas_release.utterances import (
    FALLBACK_INTENT,
    Kind,
    Resolution,
    SlotValue,
    normalise,
    resolve,
)

MODEL_FILE = (
    Path(__file__).resolve().parents[2] / "interaction_model" / MODELS_SUBDIR / "en-US.json"
)
ROUTINE = "unlock-psoas-flex-foundations"


@pytest.fixture(scope="module")
def model() -> Any:
    return json.loads(MODEL_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "utterance",
    [
        "start psoas release",
        "open psoas release",
        "launch so as release",
        "Alexa, open psoas release",
        "alexa begin soas release.",
        "ask psoas release",
        "resume psoas release",
        "Alexa, talk to psoas release",
    ],
)
def test_launch_phrases(model: Any, utterance: str) -> None:
    assert resolve(utterance, model) == Resolution(Kind.LAUNCH)


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        ("repeat the form cue", "FormCueIntent"),
        ("Alexa, form check!", "FormCueIntent"),
        ("How should I be positioned?", "FormCueIntent"),
        ("how much time is left", "TimeLeftIntent"),
        ("how long to go", "TimeLeftIntent"),
        ("what's next", "WhatsNextIntent"),
        ("What\u2019s next?", "WhatsNextIntent"),
        ("what comes after this", "WhatsNextIntent"),
        ("why does this help", "WhyIntent"),
        ("why is this good for my so as", "WhyIntent"),
        ("it hurts", "PainIntent"),
        ("I feel a sharp pain", "PainIntent"),
        ("what routines are there", "ListRoutinesIntent"),
        ("start the workout", "StartRoutineIntent"),
        ("help", "AMAZON.HelpIntent"),
        ("stop", "AMAZON.StopIntent"),
        ("never mind", "AMAZON.CancelIntent"),
        ("hold on", "AMAZON.PauseIntent"),
        ("carry on", "AMAZON.ResumeIntent"),
        ("skip this one", "AMAZON.NextIntent"),
        ("continue", "AMAZON.ResumeIntent"),
        ("go back", "AMAZON.PreviousIntent"),
        ("say that again", "AMAZON.RepeatIntent"),
        ("start over", "AMAZON.StartOverIntent"),
        ("yeah", "AMAZON.YesIntent"),
        ("no thanks", "AMAZON.NoIntent"),
    ],
)
def test_in_session_intents(model: Any, utterance: str, intent: str) -> None:
    assert resolve(utterance, model) == Resolution(Kind.INTENT, intent)


@pytest.mark.parametrize(
    ("utterance", "raw"),
    [
        ("start the ten minute psoas release", "ten minute psoas release"),
        ("start the 10-minute so as release", "ten minute so as release"),
        ("let's do the full routine", "the full routine"),
        ("begin flex foundations", "flex foundations"),
        ("let's do soas release", "soas release"),
    ],
)
def test_routine_names_and_synonyms_resolve_to_the_routine_id(
    model: Any, utterance: str, raw: str
) -> None:
    resolution = resolve(utterance, model)
    assert resolution.kind is Kind.INTENT
    assert resolution.intent == "StartRoutineIntent"
    assert resolution.slots == {"routine": SlotValue(raw=raw, id=ROUTINE, name="psoas release",
                                                     type="ROUTINE_NAME")}


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        ("ask psoas release how much time is left", "TimeLeftIntent"),
        ("Alexa, ask psoas release to repeat the form cue", "FormCueIntent"),
        ("tell so as release it hurts", "PainIntent"),
        ("ask psoas release what's next", "WhatsNextIntent"),
        ("open psoas release and list the routines", "ListRoutinesIntent"),
        ("ask psoas release for help", "AMAZON.HelpIntent"),
    ],
)
def test_one_shot_requests(model: Any, utterance: str, intent: str) -> None:
    resolution = resolve(utterance, model)
    assert (resolution.kind, resolution.intent, resolution.one_shot) == (
        Kind.INTENT,
        intent,
        True,
    )


def test_one_shot_start_with_a_routine_name(model: Any) -> None:
    resolution = resolve("ask psoas release to start the ten minute routine", model)
    assert resolution.intent == "StartRoutineIntent" and resolution.one_shot
    assert resolution.slots["routine"].id == ROUTINE


def test_request_followed_by_the_invocation_name(model: Any) -> None:
    resolution = resolve("start the full routine using psoas release", model)
    assert resolution.intent == "StartRoutineIntent" and resolution.one_shot
    assert resolution.slots["routine"].id == ROUTINE


def test_an_unknown_routine_name_fills_the_slot_without_an_id(model: Any) -> None:
    resolution = resolve("start the yoga flow", model)
    assert resolution.intent == "StartRoutineIntent"
    assert resolution.slots == {"routine": SlotValue(raw="yoga flow", id=None, name=None,
                                                     type="ROUTINE_NAME")}


def test_closed_slots_refuse_unknown_names(model: Any) -> None:
    assert resolve("start the yoga flow", model, open_slots=False).kind is Kind.UNMATCHED


def test_a_literal_sample_beats_a_slot_sample(model: Any) -> None:
    assert resolve("start again", model).intent == "AMAZON.StartOverIntent"
    assert resolve("start the routine", model).slots == {}


@pytest.mark.parametrize(
    "utterance", ["what's the weather", "play some music", "", "Alexa", "psoas release"]
)
def test_unknown_utterances_are_unmatched(model: Any, utterance: str) -> None:
    resolution = resolve(utterance, model)
    assert resolution == Resolution(Kind.UNMATCHED)
    assert resolution.intent_or_fallback == FALLBACK_INTENT


def test_an_unknown_one_shot_request_is_unmatched(model: Any) -> None:
    resolution = resolve("ask psoas release to make me a coffee", model)
    assert resolution == Resolution(Kind.UNMATCHED, one_shot=True)


def test_intent_or_fallback(model: Any) -> None:
    assert resolve("open psoas release", model).intent_or_fallback is None
    assert resolve("pause", model).intent_or_fallback == "AMAZON.PauseIntent"


def test_the_language_model_alone_is_accepted(model: Any) -> None:
    language_model = model["interactionModel"]["languageModel"]
    assert resolve("what's next", language_model).intent == "WhatsNextIntent"


def test_heard_as_can_be_given_explicitly(model: Any) -> None:
    assert resolve("open so as release", model, heard_as={}).kind is Kind.UNMATCHED
    assert resolve("open sew as release", model, heard_as={"psoas": ["sew as"]}).kind is Kind.LAUNCH


def test_every_sample_resolves_to_its_own_intent(model: Any) -> None:
    for intent in model["interactionModel"]["languageModel"]["intents"]:
        for sample in intent["samples"]:
            if "{" not in sample:
                assert resolve(sample, model).intent == intent["name"], sample


@pytest.mark.parametrize(
    ("typed", "heard"),
    [
        ("Alexa, what's NEXT?", "what's next"),
        ("alexa,   start  the 5 minute routine", "start the five minute routine"),
        ("it's 21 seconds", "it's twenty one seconds"),
        ("a 120 second hold", "a 120 second hold"),
        ("'quoted' words", "quoted words"),
    ],
)
def test_normalise(typed: str, heard: str) -> None:
    assert normalise(typed) == heard
