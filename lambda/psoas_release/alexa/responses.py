"""Core reply -> Alexa response: SSML speech, reprompt and whether the session stays open."""

from __future__ import annotations

from ask_sdk_core.response_helper import ResponseFactory
from ask_sdk_model.response import Response
from ask_sdk_model.ui.reprompt import Reprompt
from ask_sdk_model.ui.ssml_output_speech import SsmlOutputSpeech

from psoas_release.alexa.permission import ask_for_reminders
from psoas_release.core.reminders import AskPermission
from psoas_release.core.reply import Reply
from psoas_release.core.speech import render_reply, render_reprompt

EMPTY_SPEECH = "<speak></speak>"


def render(builder: ResponseFactory, reply: Reply) -> Response:
    """Fill `builder` from `reply`. A coaching reply keeps the session open, so a person can
    interrupt with "Alexa, ..." and reach the skill; only stop, goodbyes and Alexa's consent
    prompt (asked after the reply, with a directive) close it."""
    speech = render_reply(reply)
    if speech != EMPTY_SPEECH:
        builder.response.output_speech = SsmlOutputSpeech(ssml=speech)
    if isinstance(reply.effect, AskPermission):
        builder.add_directive(ask_for_reminders())
    reprompt = render_reprompt(reply)
    if reprompt and not reply.end_session:
        builder.response.reprompt = Reprompt(output_speech=SsmlOutputSpeech(ssml=reprompt))
    builder.set_should_end_session(reply.end_session)
    response: Response = builder.response
    return response
