"""The one function that builds the skill, served alike by Lambda and by the web service.

Building loads the routines and opens the store once per container, so requests pay for
neither. The store is chosen from the environment here, at build time; the skill id is given
by the caller (`psoas_release.alexa.skill_id` reads it), since the web service checks it
itself, as part of Amazon's request verification.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model.services.api_client import ApiClient

from psoas_release.alexa.api_client import AlexaApiClient
from psoas_release.alexa.envelope import read_envelope
from psoas_release.alexa.handlers import (
    CatchAllExceptionHandler,
    ConversationHandler,
    OtherRequestHandler,
)
from psoas_release.alexa.interceptors import (
    LoadStateInterceptor,
    LogRequestInterceptor,
    LogResponseInterceptor,
    SaveStateInterceptor,
)
from psoas_release.alexa.keeper import StateKeeper
from psoas_release.alexa.log import Logger
from psoas_release.alexa.skill_id import answers
from psoas_release.alexa.time_zone import TimeZoneLookup
from psoas_release.core.library import RoutineLibrary, load_library
from psoas_release.core.machine import Coach
from psoas_release.core.ssml import Text, render
from psoas_release.storage import StateStore, open_store

log = Logger(__name__)

_serializer = DefaultSerializer()


class RequestRefused(Exception):
    """A request addressed to another skill: never answered."""


def build_skill(
    *,
    library: RoutineLibrary | None = None,
    store: StateStore | None = None,
    skill_id: str | None = None,
    time_zone: TimeZoneLookup | None = None,
    api_client: ApiClient | None = None,
    environ: Mapping[str, str] = os.environ,
) -> CustomSkill:
    """The skill: handlers in the order they are tried, interceptors around them, and the API
    client that reaches Alexa's Reminders API.

    With a `skill_id`, `invoke_skill` refuses requests addressed to any other skill.
    """
    keeper = StateKeeper(store if store is not None else open_store(environ))
    coach = Coach(library or load_library())
    builder = CustomSkillBuilder(api_client=api_client or AlexaApiClient())
    for handler in (ConversationHandler(coach), OtherRequestHandler()):
        builder.add_request_handler(handler)
    builder.add_exception_handler(CatchAllExceptionHandler())
    builder.add_global_request_interceptor(LogRequestInterceptor())
    builder.add_global_request_interceptor(
        LoadStateInterceptor(keeper, time_zone or TimeZoneLookup()))
    builder.add_global_response_interceptor(SaveStateInterceptor(keeper))
    builder.add_global_response_interceptor(LogResponseInterceptor())
    skill: CustomSkill = builder.create()
    if skill_id:
        skill.skill_id = skill_id
    return skill


def invoke_skill(skill: CustomSkill, event: Any, context: Any = None) -> dict[str, Any]:
    """Answer one Alexa request envelope (as parsed JSON) with a response envelope (as JSON).

    A request for another skill raises RequestRefused. An envelope too broken to read gets a
    spoken apology rather than an exception, so Alexa never plays its generic error.
    """
    envelope = read_envelope(event)
    if envelope is None:
        return apology_envelope()
    if not answers(skill.skill_id, event):
        raise RequestRefused("request for another skill")
    try:
        response = skill.invoke(request_envelope=envelope, context=context)
    except Exception:
        log.exception("the skill failed outside its handlers")
        return apology_envelope()
    serialized = _serializer.serialize(response)
    assert isinstance(serialized, dict)
    return serialized


FAILED_REQUEST = "Sorry, something went wrong with that request. Please try again."


def apology_envelope() -> dict[str, Any]:
    """The answer to a request that could not be read or answered: spoken, closing the session."""
    ssml = render([Text(FAILED_REQUEST)])
    return {
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": ssml},
            "shouldEndSession": True,
        },
    }
