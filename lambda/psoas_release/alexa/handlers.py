"""Request and exception handlers: each turns a request into a core event, steps the
machine, and renders the reply. `can_handle` only looks at the request."""

from __future__ import annotations

from ask_sdk_core.dispatch_components.exception_components import AbstractExceptionHandler
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils.predicate import is_request_type
from ask_sdk_model.response import Response

from psoas_release.alexa.effects import answer
from psoas_release.alexa.interceptors import current_state, remember
from psoas_release.alexa.log import Logger
from psoas_release.alexa.mapping import event_of, request_time
from psoas_release.alexa.permission import is_consent_answer
from psoas_release.alexa.responses import render
from psoas_release.core.machine import Coach
from psoas_release.core.reply import Reply

log = Logger(__name__)

SORRY = "Sorry, I had trouble with that. Please say it again, or say stop."


class ConversationHandler(AbstractRequestHandler):
    """Launches, every intent, session ends and the answer to Alexa's consent prompt: all go
    through the session machine."""

    def __init__(self, coach: Coach) -> None:
        self.coach = coach

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_consent_answer(handler_input) or any(
            is_request_type(kind)(handler_input)
            for kind in ("LaunchRequest", "IntentRequest", "SessionEndedRequest")
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        event = event_of(handler_input)
        state, reply = answer(self.coach, handler_input, current_state(handler_input), event,
                              request_time(handler_input))
        remember(handler_input, state)
        if is_request_type("SessionEndedRequest")(handler_input):
            return bare_response(handler_input)
        return render(handler_input.response_builder, reply)


class OtherRequestHandler(AbstractRequestHandler):
    """Requests this skill does not act on (System.ExceptionEncountered, display events...):
    Alexa expects an empty response to those, never speech."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        return bare_response(handler_input)


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Anything unexpected: log it, apologise kindly, keep the session and the saved place."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.exception("unhandled error while answering a request", exc_info=exception)
        if is_request_type("SessionEndedRequest")(handler_input):
            return bare_response(handler_input)
        return render(handler_input.response_builder, Reply(lead=SORRY, reprompt=SORRY))


def bare_response(handler_input: HandlerInput) -> Response:
    """No speech and no session flag: what Alexa expects to requests it does not voice."""
    response: Response = handler_input.response_builder.response
    return response
