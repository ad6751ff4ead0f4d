"""The Flask endpoint end to end: real envelopes in, real Alexa responses or plain refusals out."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import types

import pytest
from alexa_pki import CERT_URL, NOW, SKILL_ID
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from psoas_release import cli
from psoas_release.alexa import skill as skill_module
from psoas_release.alexa.skill import FAILED_REQUEST
from psoas_release.web import create_app
from psoas_release.web.app import MAX_BODY_BYTES
from psoas_release.web.verification import RequestVerifier

APP_LOGGER = "psoas_release.web.app"


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
    app = create_app(tiny_skill(), verifier=verifier)
    app.testing = True
    return app.test_client()


@pytest.fixture
def open_client():
    app = create_app(tiny_skill(), verify=False)
    return app.test_client()


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
    with caplog.at_level(logging.WARNING, logger=APP_LOGGER):
        reply = post(client, make_body())
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "request verification failed"}
    assert "missing SignatureCertChainUrl header" in caplog.text


def test_a_bad_signature_is_refused_and_the_reason_stays_in_the_log(pki, client, make_body, caplog):
    body = make_body()
    with caplog.at_level(logging.WARNING, logger=APP_LOGGER):
        reply = post(client, body, pki.headers(body, key=pki.other_key))
    assert reply.status_code == 400
    assert b"signature" not in reply.data
    assert "signature mismatch" in caplog.text


def test_a_request_for_another_skill_is_refused(pki, client, make_body, caplog):
    body = make_body(application_id="amzn1.ask.skill.someone-else")
    with caplog.at_level(logging.WARNING, logger=APP_LOGGER):
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
    with caplog.at_level(logging.WARNING, logger=APP_LOGGER):
        reply = post(client, body, pki.headers(body))
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "malformed request"}
    assert "not an Alexa request envelope" in caplog.text
    assert "failed verification" not in caplog.text


def test_a_failing_certificate_fetch_is_a_400_not_a_500(pki, make_verifier, make_body):
    harness = make_verifier(TimeoutError("slow"))
    client = create_app(tiny_skill(), verifier=harness.verifier).test_client()
    body = make_body()
    assert post(client, body, pki.headers(body)).status_code == 400


def test_the_endpoint_can_live_on_another_path(pki, verifier, make_body):
    client = create_app(tiny_skill(), verifier=verifier, path="/alexa").test_client()
    body = make_body()
    assert post(client, body, pki.headers(body), path="/alexa").status_code == 200
    assert post(client, body, pki.headers(body)).status_code == 404


# --- HTTP-level refusals ------------------------------------------------------------------


def test_get_is_not_allowed(client):
    reply = client.get("/")
    assert reply.status_code == 405
    assert "POST" in reply.headers["Allow"]
    assert reply.get_json() == {"error": "Method Not Allowed"}


@pytest.mark.parametrize("body", [b"{not json", b"", b"[]", b'{"version": "1.0"}', b"\xff\xfe"])
def test_a_malformed_body_is_a_400(open_client, body):
    reply = post(open_client, body)
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "malformed request"}


@pytest.mark.parametrize("verify", [True, False])
def test_an_oversized_body_is_refused_before_anything_else(pki, verifier, make_body, verify):
    app = create_app(tiny_skill(), verify=verify, verifier=verifier if verify else None)
    body = make_body() + b" " * MAX_BODY_BYTES
    reply = post(app.test_client(), body, pki.headers(body))
    assert reply.status_code == 413


def test_an_oversized_body_without_a_length_is_refused(open_client):
    stream = io.BytesIO(b" " * (MAX_BODY_BYTES + 1))
    headers = {"Transfer-Encoding": "chunked", "Content-Type": "application/json"}
    # What a WSGI server sets for a chunked upload: the length is unknown until the end.
    environ = {"wsgi.input_terminated": True}
    reply = open_client.post("/", input_stream=stream, headers=headers, environ_overrides=environ)
    assert reply.status_code == 413


def test_a_crashing_skill_is_a_spoken_apology_and_a_logged_traceback(make_body, caplog):
    client = create_app(tiny_skill(ExplodingHandler()), verify=False).test_client()
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
    client = create_app(tiny_skill(), verify=False).test_client()
    with caplog.at_level(logging.ERROR, logger=APP_LOGGER):
        reply = post(client, make_body())
    assert reply.status_code == 500
    assert reply.get_json() == {"error": "internal error"}
    assert b"secret" not in reply.data
    assert "secret internal detail" in caplog.text


def test_a_request_the_skill_refuses_is_a_400(make_body):
    skill = tiny_skill()
    skill.skill_id = "amzn1.ask.skill.someone-else"
    client = create_app(skill, verify=False).test_client()
    reply = post(client, make_body())
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "request refused"}


def test_deeply_nested_json_is_a_400_not_a_500(open_client):
    assert post(open_client, b"[" * 20_000).status_code == 400
    nested = b'{"request": {"type": "LaunchRequest"}, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    assert post(open_client, nested).status_code == 400


# --- configuration ------------------------------------------------------------------------


def test_turning_verification_off_is_announced_loudly_once(make_body, caplog):
    with caplog.at_level(logging.WARNING, logger=APP_LOGGER):
        app = create_app(tiny_skill(), verify=False)
        client = app.test_client()
        assert post(client, make_body()).status_code == 200
        assert post(client, make_body()).status_code == 200
    warnings = [r for r in caplog.records if "verification is DISABLED" in r.getMessage()]
    assert len(warnings) == 1
    assert app.extensions["psoas_release.verifier"] is None


def test_the_skill_id_comes_from_the_environment_when_the_app_is_built(monkeypatch):
    monkeypatch.setenv("SKILL_ID", "amzn1.ask.skill.from-env")
    app = create_app(tiny_skill())
    monkeypatch.setenv("SKILL_ID", "amzn1.ask.skill.changed-later")
    assert app.extensions["psoas_release.verifier"].skill_id == "amzn1.ask.skill.from-env"


def test_an_explicit_skill_id_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("SKILL_ID", "amzn1.ask.skill.from-env")
    app = create_app(tiny_skill(), skill_id=SKILL_ID)
    assert app.extensions["psoas_release.verifier"].skill_id == SKILL_ID


@pytest.mark.parametrize(("argument", "environment"), [(None, None), (None, ""), ("", None)])
def test_verification_without_a_skill_id_is_refused_when_the_app_is_built(
    monkeypatch, argument, environment
):
    if environment is None:
        monkeypatch.delenv("SKILL_ID", raising=False)
    else:
        monkeypatch.setenv("SKILL_ID", environment)
    with pytest.raises(ValueError, match="set SKILL_ID or pass skill_id"):
        create_app(tiny_skill(), skill_id=argument)


def test_a_missing_skill_id_stops_the_app_before_the_skill_is_built(monkeypatch):
    monkeypatch.delenv("SKILL_ID", raising=False)
    monkeypatch.setattr(
        "psoas_release.web.app._load_default_skill", lambda: pytest.fail("skill built")
    )
    with pytest.raises(ValueError, match="allow_any_skill"):
        create_app()


def test_any_skill_must_be_allowed_explicitly_and_is_warned_about(monkeypatch, caplog):
    monkeypatch.delenv("SKILL_ID", raising=False)
    with caplog.at_level(logging.WARNING, logger=APP_LOGGER):
        app = create_app(tiny_skill(), allow_any_skill=True)
    assert app.extensions["psoas_release.verifier"].skill_id is None
    assert "application id is not checked" in caplog.text
    assert "trying things out only" in caplog.text


def test_a_configured_skill_id_is_checked_even_when_any_skill_is_allowed(monkeypatch):
    monkeypatch.setenv("SKILL_ID", SKILL_ID)
    app = create_app(tiny_skill(), allow_any_skill=True)
    assert app.extensions["psoas_release.verifier"].skill_id == SKILL_ID


def test_without_verification_no_skill_id_is_needed(monkeypatch):
    monkeypatch.delenv("SKILL_ID", raising=False)
    assert create_app(tiny_skill(), verify=False).extensions["psoas_release.verifier"] is None


@pytest.mark.parametrize("option", [{"skill_id": SKILL_ID}, {"allow_any_skill": True}])
def test_a_verifier_and_skill_options_together_are_ambiguous(pki, option):
    verifier = RequestVerifier(skill_id=SKILL_ID, roots=[pki.root])
    with pytest.raises(ValueError, match="RequestVerifier you supply"):
        create_app(tiny_skill(), verifier=verifier, **option)


def test_without_a_skill_the_products_skill_is_built(monkeypatch):
    calls = []

    def build_skill():
        calls.append(True)
        return tiny_skill()

    fake = types.ModuleType("psoas_release.alexa.skill")
    fake.build_skill = build_skill  # type: ignore[attr-defined]
    fake.invoke_skill = skill_module.invoke_skill  # type: ignore[attr-defined]
    fake.RequestRefused = skill_module.RequestRefused  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "psoas_release.alexa.skill", fake)
    create_app(verify=False)
    assert calls == [True]


def test_importing_the_web_package_loads_neither_the_skill_nor_configuration():
    code = "import sys, psoas_release.web\nprint('psoas_release.alexa.skill' in sys.modules)\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_the_signed_url_header_reaches_the_verifier_unchanged(pki, make_verifier, make_body):
    harness = make_verifier()
    client = create_app(tiny_skill(), verifier=harness.verifier).test_client()
    body = make_body()
    assert post(client, body, pki.headers(body)).status_code == 200
    assert harness.fetch.calls == [CERT_URL]


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


def test_serve_runs_the_app_it_builds(monkeypatch):
    from flask import Flask

    from psoas_release.web import app as web_app

    runs = []
    monkeypatch.setattr(web_app, "_load_default_skill", tiny_skill)
    monkeypatch.setattr(Flask, "run", lambda self, **options: runs.append(options))
    web_app.serve("0.0.0.0", 9000, verify=False)
    assert runs == [{"host": "0.0.0.0", "port": 9000}]


@pytest.fixture
def served(monkeypatch):
    """`psoas-release serve` with Flask's server replaced: records what each run would serve."""
    from flask import Flask

    from psoas_release.web import app as web_app

    runs: list[dict[str, object]] = []

    def run(self, **options):
        runs.append({**options, "verifier": self.extensions["psoas_release.verifier"]})

    monkeypatch.setattr(web_app, "_load_default_skill", tiny_skill)
    monkeypatch.setattr(Flask, "run", run)
    monkeypatch.delenv("SKILL_ID", raising=False)
    return runs


def test_serve_without_a_skill_id_exits_2_with_one_line(served, capsys):
    assert cli.main(["serve"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("psoas-release serve: no skill id")
    assert "--skill-id" in captured.err and "SKILL_ID" in captured.err
    assert served == []


def test_serve_checks_the_skill_id_given_on_the_command_line(served, monkeypatch):
    monkeypatch.setenv("SKILL_ID", "amzn1.ask.skill.from-env")
    assert cli.main(["serve", "--port", "9000", "--skill-id", SKILL_ID]) == 0
    assert [(run["port"], run["verifier"].skill_id) for run in served] == [(9000, SKILL_ID)]


def test_serve_takes_the_skill_id_from_the_environment(served, monkeypatch):
    monkeypatch.setenv("SKILL_ID", SKILL_ID)
    assert cli.main(["serve"]) == 0
    assert [run["verifier"].skill_id for run in served] == [SKILL_ID]


def test_serve_without_verification_needs_no_skill_id(served, caplog):
    with caplog.at_level(logging.WARNING, logger=APP_LOGGER):
        assert cli.main(["serve", "--no-verify"]) == 0
    assert [run["verifier"] for run in served] == [None]
    assert "verification is DISABLED" in caplog.text
