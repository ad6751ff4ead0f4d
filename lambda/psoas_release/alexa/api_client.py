"""The skill's API client: the SDK's DefaultApiClient, loaded on its first call, with a timeout.

Why: building the skill with an API client is what gives handlers a service client factory
(the SDK's reminder management client). DefaultApiClient brings the `requests` library, about
60 ms of a cold start that most requests never need, so it is imported when a call is first
made. And it sets no timeout: a Reminders API that hangs would cost the person their answer
(Alexa waits 8 s), so every call here gives up after `TIMEOUT_S`.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from ask_sdk_model.services.api_client import ApiClient

if TYPE_CHECKING:
    from ask_sdk_model.services.api_client_request import ApiClientRequest
    from ask_sdk_model.services.api_client_response import ApiClientResponse

TIMEOUT_S = 2.0
"""Per call: a request makes at most three (`alexa.effects.MOST_CALLS`), and the first that
times out ends the chain, so an answer never comes near Alexa's 8 s."""


class AlexaApiClient(ApiClient):
    """An ApiClient that makes its calls through the SDK's DefaultApiClient.

    `verify` is what `requests` checks the server's certificate against: True for the
    system's roots (the environment's REQUESTS_CA_BUNDLE, if set, still applies), or the path
    of a CA bundle (the simulator's own Alexa API on the loopback address).
    """

    def __init__(self, verify: bool | str = True) -> None:
        self.verify = verify
        self._client: ApiClient | None = None

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        if self._client is None:
            self._client = _default_client(self.verify)
        response: ApiClientResponse = self._client.invoke(request)
        return response


def _default_client(verify: bool | str) -> ApiClient:
    from ask_sdk_core.api_client import DefaultApiClient

    class TimedApiClient(DefaultApiClient):
        """DefaultApiClient whose every HTTP call has a timeout and a certificate check."""

        def _resolve_method(self, request: ApiClientRequest) -> Any:
            method = super()._resolve_method(request)
            return functools.partial(method, timeout=TIMEOUT_S, verify=verify)

    client: ApiClient = TimedApiClient()
    return client
