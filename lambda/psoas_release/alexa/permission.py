"""The reminders permission on the wire: whether a request says it is granted, the directive
that asks for it by voice, and the answer Alexa sends back.

Alexa puts granted scopes in `context.System.user.permissions.scopes`. To ask, the skill sends
a `Connections.SendRequest` directive named `AskFor` (payload version 2: a list of scopes, each
with a consent level); Alexa then asks "Do you give Psoas Release permission to update your
reminders?" and answers with a `Connections.Response` request whose payload says ACCEPTED,
DENIED or NOT_ANSWERED. Amazon's documentation draws that status beside the scope (version 1)
and inside the list of scopes (version 2): both are read.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.directive import Directive

from psoas_release.core.reminders import Consent

REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
ASK_FOR = "AskFor"
CONNECTIONS_RESPONSE = "Connections.Response"


def reminders_granted(handler_input: HandlerInput) -> bool:
    """Whether the request says the person has allowed this skill's reminders."""
    system = getattr(handler_input.request_envelope.context, "system", None)
    permissions = getattr(getattr(system, "user", None), "permissions", None)
    scopes = getattr(permissions, "scopes", None)
    scope = scopes.get(REMINDERS_SCOPE) if isinstance(scopes, dict) else None
    return getattr(getattr(scope, "status", None), "value", None) == "GRANTED"


def is_consent_answer(handler_input: HandlerInput) -> bool:
    """Whether the request is Alexa's answer to this skill's AskFor."""
    request = handler_input.request_envelope.request
    return getattr(request, "object_type", None) == CONNECTIONS_RESPONSE and \
        getattr(request, "name", None) == ASK_FOR


def consent_of(handler_input: HandlerInput) -> Consent:
    """The person's answer in a Connections.Response; anything unreadable is no answer."""
    payload = getattr(handler_input.request_envelope.request, "payload", None)
    statuses = [payload.get("status")] if isinstance(payload, dict) else []
    scopes = payload.get("permissionScopes") if isinstance(payload, dict) else None
    if isinstance(scopes, list):
        statuses += [scope.get("status") for scope in scopes if isinstance(scope, dict)]
    for status in statuses:
        if isinstance(status, str) and status.lower() in set(Consent):
            return Consent(status.lower())
    return Consent.NOT_ANSWERED


def ask_for_reminders() -> Directive:
    """The directive that makes Alexa ask the person to allow reminders."""
    # Imported here: only a reply that asks for the permission needs the model class.
    from ask_sdk_model.interfaces.connections.send_request_directive import (
        SendRequestDirective,
    )

    payload: dict[str, Any] = {
        "@type": "AskForPermissionsConsentRequest",
        "@version": "2",
        "permissionScopes": [{"permissionScope": REMINDERS_SCOPE, "consentLevel": "ACCOUNT"}],
    }
    directive: Directive = SendRequestDirective(name=ASK_FOR, payload=payload, token="")
    return directive
