"""The Alexa endpoint, as a Flask blueprint: POST / reads the body whole, verifies it, hands
the envelope to the skill, and answers every refusal in JSON, never with a stack trace.

flask-ask-sdk is not used because its verifier cannot import on OpenSSL >= 3.0.10; requests
are verified by `psoas_release.web.verification` instead.
"""

from __future__ import annotations

import json
import logging
from typing import IO, TYPE_CHECKING, Any

from flask import Blueprint, Response, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import ClientDisconnected, HTTPException

from psoas_release.web.errors import VerificationError
from psoas_release.web.verification import RequestVerifier

if TYPE_CHECKING:
    from ask_sdk_core.skill import CustomSkill

__all__ = ["MAX_BODY_BYTES", "alexa_endpoint"]

log = logging.getLogger(__name__)

# Alexa request envelopes are a few kilobytes; anything far larger is not from Alexa.
MAX_BODY_BYTES = 64 * 1024


def alexa_endpoint(skill: CustomSkill, verifier: RequestVerifier | None) -> Blueprint:
    """POST / answered by `skill`; with a `verifier`, only requests that pass it reach the skill.

    Registering it caps request bodies (Flask's MAX_CONTENT_LENGTH) at MAX_BODY_BYTES unless the
    app set a cap of its own, and answers every HTTP error of the app in JSON.
    """
    # Imported here, not at the top: importing the web package must not load the skill.
    from psoas_release.alexa.skill import RequestRefused, invoke_skill

    endpoint = Blueprint("alexa", __name__)
    endpoint.record_once(_cap_bodies)
    endpoint.app_errorhandler(HTTPException)(_http_error)

    @endpoint.post("/")
    def answer() -> Response:
        try:
            body = _read_body(request.stream)
        except ClientDisconnected:
            log.warning("Rejected a body that broke off or whose chunks did not parse.")
            return _json({"error": "malformed request"}, 400)

        if verifier is not None:
            try:
                verifier.verify(dict(request.headers.items()), body)
            except VerificationError as exc:
                log.warning("Rejected a request that failed verification: %s", exc.reason)
                return _json({"error": "request verification failed"}, 400)

        envelope = _envelope(body)
        if envelope is None:
            log.warning("Rejected a body that is not an Alexa request envelope.")
            return _json({"error": "malformed request"}, 400)

        # From here on exactly what Lambda does: an envelope the SDK cannot read, or a skill
        # that fails, gets a spoken apology rather than an HTTP error.
        try:
            return _json(invoke_skill(skill, envelope), 200)
        except RequestRefused:
            log.warning("Refused a request addressed to another skill.")
            return _json({"error": "request refused"}, 400)
        except Exception:
            log.exception("The skill raised while handling a request.")
            return _json({"error": "internal error"}, 500)

    return endpoint


def _cap_bodies(state: BlueprintSetupState) -> None:
    if state.app.config["MAX_CONTENT_LENGTH"] is None:
        state.app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES


def _read_body(stream: IO[bytes]) -> bytes:
    """The whole body, read through Werkzeug's limited stream.

    That stream raises RequestEntityTooLarge (413) past MAX_CONTENT_LENGTH, whether a length
    was announced or the body is chunked, and ClientDisconnected (400) when the upload breaks
    off or its chunks do not parse. A loop, because a chunked stream may return fewer bytes
    than asked for on each read. A chunked body of exactly MAX_CONTENT_LENGTH bytes is refused
    too: the stream cannot tell its end from more to come.
    """
    chunks: list[bytes] = []
    while chunk := stream.read(MAX_BODY_BYTES):
        chunks.append(chunk)
    return b"".join(chunks)


def _envelope(body: bytes) -> dict[str, Any] | None:
    """The body as a request envelope: a JSON object whose `request` has a string `type`."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):  # deep nesting recurses
        return None
    if not isinstance(payload, dict):
        return None
    alexa_request = payload.get("request")
    if isinstance(alexa_request, dict) and isinstance(alexa_request.get("type"), str):
        return payload
    return None


def _http_error(error: HTTPException) -> Response:
    """JSON for every HTTP error, and no HTML error pages with framework details."""
    response = _json({"error": error.name}, error.code or 500)
    for name, value in error.get_headers():  # e.g. Allow on a 405
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _json(payload: Any, status: int) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")
