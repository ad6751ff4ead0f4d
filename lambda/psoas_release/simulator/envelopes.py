"""Request envelopes as Alexa builds them for one person on one device, session by session.

Why: the simulator and the end-to-end tests must send the skill exactly what Alexa sends
(a session that is `new` on its first request only, the attributes the last response left,
whole-second timestamps, slots with entity resolution), so they share this one builder. The
request files in `tests/skill/envelopes/` are the reference shape; a test keeps the two alike.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from psoas_release.alexa.permission import ASK_FOR, CONNECTIONS_RESPONSE, REMINDERS_SCOPE
from psoas_release.spoken_times import time_value
from psoas_release.utterances import Kind, Resolution, SlotValue

APPLICATION_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
LOCAL_USER_ID = "amzn1.ask.account.LOCAL-SIMULATOR"
DEVICE_ID = "amzn1.ask.device.LOCAL-SIMULATOR"
API_ENDPOINT = "https://api.amazonalexa.com"

BUILT_IN_VALUES: dict[str, Callable[[str], str | None]] = {"AMAZON.TIME": time_value}
"""Built-in slot types the model uses, and how Alexa turns words into their values."""

LAUNCH_REQUEST = "LaunchRequest"
INTENT_REQUEST = "IntentRequest"
SESSION_ENDED_REQUEST = "SessionEndedRequest"


def alexa_timestamp(at: float) -> str:
    """`at` (epoch seconds) as Alexa stamps a request: ISO 8601, UTC, whole seconds."""
    return datetime.fromtimestamp(int(at // 1), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Session:
    session_id: str
    attributes: dict[str, Any] = field(default_factory=dict)
    started: bool = False
    """True once a request of this session was sent: only the first one is `new`."""


class Envelopes:
    """Builds each request envelope and follows the session through the responses.

    Call `received` with every request and its response: that is how the session learns the
    attributes to carry, and when it has ended.
    """

    def __init__(
        self,
        user_id: str = LOCAL_USER_ID,
        *,
        application_id: str = APPLICATION_ID,
        device_id: str = DEVICE_ID,
        locale: str = "en-US",
        api_access_token: str = "local-token",
        api_endpoint: str = API_ENDPOINT,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self.user_id = user_id
        self.application_id = application_id
        self.device_id = device_id
        self.locale = locale
        self.api_access_token = api_access_token
        self.api_endpoint = api_endpoint
        self.reminders_allowed: bool | None = None
        """What requests say of the reminders permission: granted, denied, or (None) nothing,
        as before the skill ever asked."""
        self._new_id = new_id
        self._session: _Session | None = None
        self.sessions = 0

    @property
    def in_session(self) -> bool:
        return self._session is not None

    @property
    def session_id(self) -> str | None:
        return self._session.session_id if self._session else None

    @property
    def attributes(self) -> dict[str, Any]:
        """The session attributes the next request carries (empty outside a session)."""
        return copy.deepcopy(self._session.attributes) if self._session else {}

    def close_session(self) -> None:
        """Forget the open session, as Alexa does when it ends one."""
        self._session = None

    # ----------------------------------------------------------------------- requests

    def launch(self, at: float) -> dict[str, Any]:
        """"Alexa, open psoas release": always a new session."""
        self.close_session()
        return self._envelope(at, {"type": LAUNCH_REQUEST, "shouldLinkResultBeReturned": False})

    def intent(
        self,
        name: str,
        at: float,
        slots: Mapping[str, SlotValue] | None = None,
        *,
        new_session: bool = False,
    ) -> dict[str, Any]:
        """An IntentRequest in the open session (or a new one, as a one-shot request)."""
        if new_session:
            self.close_session()
        intent = {
            "name": name,
            "confirmationStatus": "NONE",
            "slots": {slot: self._slot(slot, value) for slot, value in (slots or {}).items()},
        }
        return self._envelope(
            at, {"type": INTENT_REQUEST, "intent": intent, "dialogState": "COMPLETED"}
        )

    def utterance(self, resolution: Resolution, at: float) -> dict[str, Any]:
        """What Alexa sends for a resolved utterance: a launch, a one-shot or an intent."""
        if resolution.kind is Kind.LAUNCH:
            return self.launch(at)
        intent = resolution.intent_or_fallback
        assert intent is not None
        return self.intent(intent, at, resolution.slots, new_session=resolution.one_shot)

    def session_ended(
        self, reason: str, at: float, error: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """The SessionEndedRequest Alexa sends when a session closes without the skill."""
        request: dict[str, Any] = {"type": SESSION_ENDED_REQUEST, "reason": reason}
        if error is not None:
            request["error"] = dict(error)
        return self._envelope(at, request)

    def consent_answer(self, status: str, at: float) -> dict[str, Any]:
        """Alexa's answer to the skill's AskFor: a Connections.Response, which starts a new
        session (the skill ended its own to let Alexa ask). `status` is ACCEPTED, DENIED or
        NOT_ANSWERED; an acceptance is in the request's permissions already."""
        self.close_session()
        if status == "ACCEPTED":
            self.reminders_allowed = True
        return self._envelope(at, {
            "type": CONNECTIONS_RESPONSE,
            "name": ASK_FOR,
            "status": {"code": "200", "message": "OK"},
            "payload": {"permissionScope": REMINDERS_SCOPE, "status": status},
            "token": "",
        })

    def received(self, request: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        """Follow the session: it ends with a SessionEndedRequest or shouldEndSession, else it
        carries the response's session attributes to the next request.

        A response that leaves shouldEndSession out ends the session too, as on an Echo
        without a screen.
        """
        body = response.get("response") or {}
        ended = (
            request["request"]["type"] == SESSION_ENDED_REQUEST
            or body.get("shouldEndSession") is not False
        )
        if ended:
            self.close_session()
        elif self._session is not None:
            self._session.attributes = copy.deepcopy(response.get("sessionAttributes") or {})

    # ----------------------------------------------------------------------- helpers

    def _envelope(self, at: float, request: dict[str, Any]) -> dict[str, Any]:
        if self._session is None:
            self.sessions += 1
            self._session = _Session(f"amzn1.echo-api.session.{self._new_id()}")
        session = self._session
        new, session.started = not session.started, True
        application = {"applicationId": self.application_id}
        user: dict[str, Any] = {"userId": self.user_id}
        if self.reminders_allowed is not None:
            status = "GRANTED" if self.reminders_allowed else "DENIED"
            user["permissions"] = {"consentToken": self.api_access_token,
                                   "scopes": {REMINDERS_SCOPE: {"status": status}}}
        return {
            "version": "1.0",
            "session": {
                "new": new,
                "sessionId": session.session_id,
                "application": dict(application),
                "user": copy.deepcopy(user),
                "attributes": copy.deepcopy(session.attributes),
            },
            "context": {
                "System": {
                    "application": dict(application),
                    "user": copy.deepcopy(user),
                    "device": {"deviceId": self.device_id, "supportedInterfaces": {}},
                    "apiEndpoint": self.api_endpoint,
                    "apiAccessToken": self.api_access_token,
                }
            },
            "request": {
                "type": request.pop("type"),
                "requestId": f"amzn1.echo-api.request.{self._new_id()}",
                "locale": self.locale,
                "timestamp": alexa_timestamp(at),
                **request,
            },
        }

    def _slot(self, name: str, value: SlotValue) -> dict[str, Any]:
        """A filled slot with entity resolution: a match when the words name a known value.
        A built-in type gets its value instead, as Alexa reports it ("07:30" for a time), or
        no value when the words are not one."""
        if value.type in BUILT_IN_VALUES:
            slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
            reported = BUILT_IN_VALUES[value.type](value.raw)
            return {**slot, "value": reported} if reported is not None else slot
        authority = f"amzn1.er-authority.echo-sdk.{self.application_id}.{name}"
        resolution: dict[str, Any]
        if value.id is None:
            resolution = {"authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}
        else:
            resolution = {
                "authority": authority,
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": value.name, "id": value.id}}],
            }
        return {
            "name": name,
            "value": value.raw,
            "confirmationStatus": "NONE",
            "resolutions": {"resolutionsPerAuthority": [resolution]},
        }
