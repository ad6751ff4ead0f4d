"""The skill as a self-hosted HTTPS endpoint: the same `CustomSkill` that Lambda serves.

flask-ask-sdk is not used because its verifier cannot import on OpenSSL >= 3.0.10; requests
are verified by `psoas_release.web.verification` instead. Configuration is read when the app
is built, never at import time, so tests and the CLI can build differently configured apps.
"""

from __future__ import annotations

import json
import logging
import os
from typing import IO, Any

from ask_sdk_core.skill import CustomSkill
from flask import Flask, Response, request
from werkzeug.exceptions import ClientDisconnected, HTTPException

from psoas_release.web.errors import VerificationError
from psoas_release.web.verification import RequestVerifier

__all__ = ["MAX_BODY_BYTES", "create_app", "serve"]

log = logging.getLogger(__name__)

# Alexa request envelopes are a few kilobytes; anything far larger is not from Alexa.
MAX_BODY_BYTES = 64 * 1024


def _json(payload: Any, status: int) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


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


def _load_default_skill() -> CustomSkill:
    from psoas_release.alexa.skill import build_skill

    return build_skill()


def _looks_like_envelope(payload: Any) -> bool:
    if not isinstance(payload, dict):
        return False
    alexa_request = payload.get("request")
    return isinstance(alexa_request, dict) and isinstance(alexa_request.get("type"), str)


def create_app(
    skill: CustomSkill | None = None,
    *,
    verify: bool = True,
    path: str = "/",
    skill_id: str | None = None,
    verifier: RequestVerifier | None = None,
    allow_any_skill: bool = False,
) -> Flask:
    """Builds the Flask app that answers Alexa on POST `path`.

    `skill` defaults to `psoas_release.alexa.skill.build_skill()`. With `verify` on, every
    request passes `verifier` (default: a `RequestVerifier` for `skill_id`, else the
    `SKILL_ID` environment variable) or is answered 400. Without a skill id this raises
    `ValueError`, since any skill's requests would pass; `allow_any_skill=True` accepts them
    anyway, for trying things out only, never for an endpoint Alexa really calls.
    `verify=False` is for local tests through a tunnel or the CLI only; Amazon refuses to
    certify an endpoint that does not verify.
    """
    if verifier is not None and (skill_id is not None or allow_any_skill):
        raise ValueError(
            "pass skill_id or allow_any_skill to the RequestVerifier you supply, "
            "not to create_app"
        )
    configured_id = (skill_id if skill_id is not None else os.environ.get("SKILL_ID")) or None
    if verify and verifier is None and configured_id is None and not allow_any_skill:
        raise ValueError(
            "Alexa request verification needs the skill id to check requests against: "
            "set SKILL_ID or pass skill_id (allow_any_skill=True is for trying things out only)"
        )
    # Imported here, not at the top: importing the web package must not load the skill.
    from psoas_release.alexa.skill import RequestRefused, invoke_skill

    if skill is None:
        skill = _load_default_skill()
    active_skill = skill

    active_verifier: RequestVerifier | None = None
    if verify:
        if verifier is None:
            verifier = RequestVerifier(skill_id=configured_id, allow_any_skill=allow_any_skill)
        active_verifier = verifier
        if active_verifier.skill_id is None:
            log.warning(
                "No skill id configured (allow_any_skill): the application id is not checked. "
                "For trying things out only."
            )
    else:
        log.warning(
            "!!! Alexa request verification is DISABLED: anyone can call this endpoint. "
            "Never expose it to the internet like this. !!!"
        )

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    # Exposed for introspection (tests, diagnostics); None when verification is off.
    app.extensions["psoas_release.verifier"] = active_verifier

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        # JSON for every HTTP error, and no HTML error pages with framework details.
        response = _json({"error": error.name}, error.code or 500)
        for name, value in error.get_headers():  # e.g. Allow on a 405
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.post(path)
    def alexa() -> Response:
        try:
            body = _read_body(request.stream)
        except ClientDisconnected:
            log.warning("Rejected a body that broke off or whose chunks did not parse.")
            return _json({"error": "malformed request"}, 400)

        if active_verifier is not None:
            try:
                active_verifier.verify(dict(request.headers.items()), body)
            except VerificationError as exc:
                log.warning("Rejected a request that failed verification: %s", exc.reason)
                return _json({"error": "request verification failed"}, 400)

        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, ValueError, RecursionError):  # deep nesting recurses
            payload = None
        if not _looks_like_envelope(payload):
            log.warning("Rejected a body that is not an Alexa request envelope.")
            return _json({"error": "malformed request"}, 400)

        # From here on exactly what Lambda does: an envelope the SDK cannot read, or a skill
        # that fails, gets a spoken apology rather than an HTTP error.
        try:
            response_envelope = invoke_skill(active_skill, payload)
        except RequestRefused:
            log.warning("Refused a request addressed to another skill.")
            return _json({"error": "request refused"}, 400)
        except Exception:
            log.exception("The skill raised while handling a request.")
            return _json({"error": "internal error"}, 500)
        return _json(response_envelope, 200)

    return app


def serve(
    host: str = "127.0.0.1", port: int = 8000, verify: bool = True, skill_id: str | None = None
) -> None:
    """Runs the endpoint on Flask's development server, for `psoas-release serve`.

    `skill_id` defaults to the `SKILL_ID` environment variable; with `verify` on, one of them
    is required (see `create_app`). Alexa only calls HTTPS endpoints on port 443, so put this
    behind a TLS-terminating reverse proxy, or use a production WSGI server with `create_app()`
    as the application.
    """
    app = create_app(verify=verify, skill_id=skill_id)
    app.run(host=host, port=port)
