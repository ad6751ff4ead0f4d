"""Interceptors: load state before a handler runs, save it after, and log every turn.

Handlers stay a few lines because these do the bookkeeping: the state a handler reads is in
the request attributes, and whatever state it leaves there is saved to the session
attributes and the store with the response.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components.request_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.intent_request import IntentRequest
from ask_sdk_model.response import Response

from psoas_release.alexa.keeper import StateKeeper, Ticket
from psoas_release.alexa.log import Logger
from psoas_release.alexa.mapping import user_id
from psoas_release.alexa.time_zone import TimeZoneLookup
from psoas_release.core.state import SessionState

log = Logger(__name__)

STATE = "state"
STORE_TICKET = "store"


def current_state(handler_input: HandlerInput) -> SessionState:
    """The state loaded for this request."""
    state = handler_input.attributes_manager.request_attributes.get(STATE)
    return state if isinstance(state, SessionState) else SessionState()


def remember(handler_input: HandlerInput, state: SessionState) -> None:
    """Leave `state` to be saved with the response."""
    handler_input.attributes_manager.request_attributes[STATE] = state


class LoadStateInterceptor(AbstractRequestInterceptor):
    """Within a session, state comes from session attributes; a new session reads the store.
    Either way the person's time zone is asked of Alexa when it is due (see `time_zone`)."""

    def __init__(self, keeper: StateKeeper, time_zone: TimeZoneLookup) -> None:
        self.keeper = keeper
        self.time_zone = time_zone

    def process(self, handler_input: HandlerInput) -> None:
        envelope = handler_input.request_envelope
        attributes = handler_input.attributes_manager.request_attributes
        session = envelope.session
        saved = (session.attributes or {}) if session is not None else {}
        if session is not None and not session.new and STATE in saved:
            state = self.keeper.known.state_of(user_id(handler_input), saved[STATE])
            attributes[STORE_TICKET] = Ticket.from_dict(saved.get(STORE_TICKET))
        else:
            state, attributes[STORE_TICKET] = self.keeper.load(user_id(handler_input))
        attributes[STATE] = self.time_zone.refreshed(state, handler_input)


class SaveStateInterceptor(AbstractResponseInterceptor):
    """Save what the handler left: in the session for the next turn, in the store for later."""

    def __init__(self, keeper: StateKeeper) -> None:
        self.keeper = keeper

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        attributes = handler_input.attributes_manager.request_attributes
        state = attributes.get(STATE)
        if not isinstance(state, SessionState):
            return
        loaded = attributes.get(STORE_TICKET)
        person = user_id(handler_input)
        ticket = self.keeper.save(person, state,
                                  loaded if isinstance(loaded, Ticket) else Ticket())
        if handler_input.request_envelope.session is not None:
            handler_input.attributes_manager.session_attributes = {
                STATE: self.keeper.known.record_of(person, state),
                STORE_TICKET: ticket.to_dict(),
            }


class LogRequestInterceptor(AbstractRequestInterceptor):
    """One line per request: its type and intent, never the person's ids or words."""

    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        intent = request.intent.name if isinstance(request, IntentRequest) and request.intent \
            else None
        log.info("request %s %s", getattr(request, "object_type", type(request).__name__),
                 intent or "")


class LogResponseInterceptor(AbstractResponseInterceptor):
    """One line per response: how long the speech is and whether the session ends."""

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        speech = getattr(response.output_speech, "ssml", "") if response else ""
        log.info("response %d chars, end session %s", len(speech or ""),
                 getattr(response, "should_end_session", None))
