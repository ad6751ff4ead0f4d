"""The product's real skill behind the real Flask app, fed signed envelopes as Alexa sends them."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from alexa_pki import SKILL_ID

from psoas_release.alexa.skill import build_skill
from psoas_release.storage import MemoryStateStore
from tests.skill.device import check_response, envelope
from tests.web.served import endpoint_app


def stamped(name: str, when: Any, attributes: dict[str, Any] | None = None) -> bytes:
    """An envelope file with this moment's timestamp (and the session's attributes)."""
    document = envelope(name)
    document["request"]["timestamp"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    if attributes is not None:
        document["session"]["attributes"] = attributes
    return json.dumps(document).encode()


@pytest.fixture
def harness(make_verifier):
    return make_verifier()


@pytest.fixture
def client(harness):
    skill = build_skill(store=MemoryStateStore(), environ={})
    return endpoint_app(skill, harness.verifier).test_client()


def test_a_signed_launch_then_an_intent_in_the_same_session(pki, harness, client):
    assert harness.verifier.skill_id == SKILL_ID
    launch = stamped("launch_request", harness.clock.now)
    reply = client.post("/", data=launch, headers=pki.headers(launch))
    assert reply.status_code == 200
    response = reply.get_json()
    check_response(response)
    ssml = response["response"]["outputSpeech"]["ssml"]
    assert ssml.removeprefix("<speak>").lstrip().startswith("A safety note:")
    assert response["response"]["shouldEndSession"] is False

    harness.clock.advance(timedelta(seconds=35))
    attributes = response.get("sessionAttributes") or {}
    intent = stamped("intent_request", harness.clock.now, attributes)
    reply = client.post("/", data=intent, headers=pki.headers(intent))
    assert reply.status_code == 200
    follow_up = reply.get_json()
    check_response(follow_up)
    assert follow_up["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    assert harness.fetch.calls == [harness.fetch.calls[0]]  # one certificate fetch in all


def test_the_real_skill_refuses_a_request_for_another_skill(pki, harness):
    skill = build_skill(store=MemoryStateStore(), skill_id=SKILL_ID, environ={})
    client = endpoint_app(skill, None).test_client()
    document = envelope("launch_request")
    document["context"]["System"]["application"]["applicationId"] = "amzn1.ask.skill.other"
    document["session"]["application"]["applicationId"] = "amzn1.ask.skill.other"
    reply = client.post("/", json=document)
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "request refused"}
