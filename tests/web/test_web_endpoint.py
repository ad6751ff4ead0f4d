"""The Alexa endpoint end to end: real envelopes in, real Alexa responses or plain refusals out."""

from __future__ import annotations

import io
import json
import logging

import pytest
from alexa_pki import CERT_URL, NOW, SKILL_ID
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response
from flask import Flask

from psoas_release.alexa import skill as skill_module
from psoas_release.alexa.skill import FAILED_REQUEST
from psoas_release.web.endpoint import MAX_BODY_BYTES, alexa_endpoint
from tests.web.served import endpoint_app

ENDPOINT_LOGGER = "psoas_release.web.endpoint"


class LaunchHandler(AbstractRequestHandler):
    """Says one sentence, so a test can see the skill really ran."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        builder = handler_input.response_builder
        return builder.speak("Welcome to the test skill.").set_should_end_session(False).response


class ExplodingHandler(AbstractRequestHandler):
    """Fails the way a bug would, with no error handler registered to catch it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        raise RuntimeError("secret internal detail")


def tiny_skill(handler: AbstractRequestHandler | None = None) -> CustomSkill:
    builder = SkillBuilder()
    builder.add_request_handler(handler or LaunchHandler())
    return builder.create()


@pytest.fixture
def verifier(pki, make_verifier):
    return make_verifier().verifier


@pytest.fixture
def client(verifier):
    return endpoint_app(tiny_skill(), verifier).test_client()


@pytest.fixture
def open_client():
    return endpoint_app(tiny_skill(), None).test_client()


def post(client, body: bytes, headers: dict[str, str] | None = None, path: str = "/"):
    return client.post(path, data=body, headers=headers or {}, content_type="application/json")


# --- verified requests --------------------------------------------------------------------


def test_a_signed_launch_request_gets_the_skills_spoken_answer(pki, client, make_body):
    body = make_body()
    reply = post(client, body, pki.headers(body))
    assert reply.status_code == 200
    assert reply.mimetype == "application/json"
    envelope = reply.get_json()
    assert envelope["version"] == "1.0"
    assert "Welcome to the test skill." in envelope["response"]["outputSpeech"]["ssml"]
    assert envelope["response"]["shouldEndSession"] is False


def test_an_unsigned_request_is_refused_with_a_generic_400(client, make_body, caplog):
    with caplog.at_level(logging.WARNING, logger=ENDPOINT_LOGGER):
        reply = post(client, make_body())
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "request verification failed"}
    assert "missing SignatureCertChainUrl header" in caplog.text


def test_a_bad_signature_is_refused_and_the_reason_stays_in_the_log(pki, client, make_body, caplog):
    body = make_body()
    with caplog.at_level(logging.WARNING, logger=ENDPOINT_LOGGER):
        reply = post(client, body, pki.headers(body, key=pki.other_key))
    assert reply.status_code == 400
    assert b"signature" not in reply.data
    assert "signature mismatch" in caplog.text


def test_a_request_for_another_skill_is_refused(pki, client, make_body, caplog):
    body = make_body(application_id="amzn1.ask.skill.someone-else")
    with caplog.at_level(logging.WARNING, logger=ENDPOINT_LOGGER):
        reply = post(client, body, pki.headers(body))
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "request verification failed"}
    assert "failed verification: application id mismatch" in caplog.text


@pytest.mark.parametrize(
    "alexa_request",
    [
        {},  # no type
        {"type": 42},
        {"type": None},
        {"type": ["LaunchRequest"]},
    ],
)
def test_a_signed_fresh_body_whose_request_is_malformed_is_refused(
    pki, client, caplog, alexa_request
):
    # Everything the verifier looks at is right, so only the envelope check can refuse it.
    document = {
        "version": "1.0",
        "context": {"System": {"application": {"applicationId": SKILL_ID}}},
        "request": {**alexa_request, "timestamp": NOW.strftime("%Y-%m-%dT%H:%M:%SZ")},
    }
    body = json.dumps(document).encode()
    with caplog.at_level(logging.WARNING, logger=ENDPOINT_LOGGER):
        reply = post(client, body, pki.headers(body))
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "malformed request"}
    assert "not an Alexa request envelope" in caplog.text
    assert "failed verification" not in caplog.text


def test_a_failing_certificate_fetch_is_a_400_not_a_500(pki, make_verifier, make_body):
    harness = make_verifier(TimeoutError("slow"))
    client = endpoint_app(tiny_skill(), harness.verifier).test_client()
    body = make_body()
    assert post(client, body, pki.headers(body)).status_code == 400


def test_the_signed_url_header_reaches_the_verifier_unchanged(pki, make_verifier, make_body):
    harness = make_verifier()
    client = endpoint_app(tiny_skill(), harness.verifier).test_client()
    body = make_body()
    assert post(client, body, pki.headers(body)).status_code == 200
    assert harness.fetch.calls == [CERT_URL]


# --- HTTP-level refusals ------------------------------------------------------------------


def test_get_is_not_allowed(client):
    reply = client.get("/")
    assert reply.status_code == 405
    assert "POST" in reply.headers["Allow"]
    assert reply.get_json() == {"error": "Method Not Allowed"}


def test_an_unknown_path_is_a_json_404(client):
    reply = post(client, b"{}", path="/elsewhere")
    assert reply.status_code == 404
    assert reply.get_json() == {"error": "Not Found"}


@pytest.mark.parametrize("body", [b"{not json", b"", b"[]", b'{"version": "1.0"}', b"\xff\xfe"])
def test_a_malformed_body_is_a_400(open_client, body):
    reply = post(open_client, body)
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "malformed request"}


@pytest.mark.parametrize("verify", [True, False])
def test_an_oversized_body_is_refused_before_anything_else(pki, verifier, make_body, verify):
    client = endpoint_app(tiny_skill(), verifier if verify else None).test_client()
    body = make_body() + b" " * MAX_BODY_BYTES
    reply = post(client, body, pki.headers(body))
    assert reply.status_code == 413
    assert reply.get_json() == {"error": "Request Entity Too Large"}


def test_an_oversized_body_without_a_length_is_refused(open_client):
    stream = io.BytesIO(b" " * (MAX_BODY_BYTES + 1))
    headers = {"Transfer-Encoding": "chunked", "Content-Type": "application/json"}
    # What a WSGI server sets for a chunked upload: the length is unknown until the end.
    environ = {"wsgi.input_terminated": True}
    reply = open_client.post("/", input_stream=stream, headers=headers, environ_overrides=environ)
    assert reply.status_code == 413


def test_the_body_cap_is_flasks_max_content_length_unless_the_app_set_one():
    assert endpoint_app(tiny_skill(), None).config["MAX_CONTENT_LENGTH"] == MAX_BODY_BYTES
    app = Flask("own-cap")
    app.config["MAX_CONTENT_LENGTH"] = 1000
    app.register_blueprint(alexa_endpoint(tiny_skill(), None))
    assert app.test_client().post("/", data=b" " * 1001).status_code == 413


def test_a_crashing_skill_is_a_spoken_apology_and_a_logged_traceback(make_body, caplog):
    client = endpoint_app(tiny_skill(ExplodingHandler()), None).test_client()
    with caplog.at_level(logging.ERROR):
        reply = post(client, make_body())
    assert reply.status_code == 200
    assert FAILED_REQUEST in reply.get_json()["response"]["outputSpeech"]["ssml"]
    assert b"secret" not in reply.data
    assert "secret internal detail" in caplog.text


def test_a_failure_outside_the_skill_is_a_generic_500(make_body, monkeypatch, caplog):
    def broken(skill, event, context=None):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(skill_module, "invoke_skill", broken)
    client = endpoint_app(tiny_skill(), None).test_client()
    with caplog.at_level(logging.ERROR, logger=ENDPOINT_LOGGER):
        reply = post(client, make_body())
    assert reply.status_code == 500
    assert reply.get_json() == {"error": "internal error"}
    assert b"secret" not in reply.data
    assert "secret internal detail" in caplog.text


def test_a_request_the_skill_refuses_is_a_400(make_body):
    skill = tiny_skill()
    skill.skill_id = "amzn1.ask.skill.someone-else"
    client = endpoint_app(skill, None).test_client()
    reply = post(client, make_body())
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "request refused"}


def test_deeply_nested_json_is_a_400_not_a_500(open_client):
    assert post(open_client, b"[" * 20_000).status_code == 400
    nested = b'{"request": {"type": "LaunchRequest"}, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    assert post(open_client, nested).status_code == 400


class TrickleStream(io.BytesIO):
    """Hands out a few bytes per read, as a chunked upload through a real server can."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(7 if size is None or size < 0 else min(size, 7))


def test_a_body_arriving_in_small_pieces_is_read_whole(pki, client, make_body):
    body = make_body()
    headers = {**pki.headers(body), "Transfer-Encoding": "chunked"}
    reply = client.post(
        "/",
        input_stream=TrickleStream(body),
        headers=headers,
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert reply.status_code == 200
