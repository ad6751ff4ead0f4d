"""The Alexa endpoint on a bare Flask app, for tests that hand it their own skill and verifier
(a test PKI, a fake fetch, a fake clock): `create_app` takes settings only, never test doubles."""

from __future__ import annotations

from ask_sdk_core.skill import CustomSkill
from flask import Flask

from psoas_release.web.endpoint import alexa_endpoint
from psoas_release.web.verification import RequestVerifier

__all__ = ["endpoint_app"]


def endpoint_app(skill: CustomSkill, verifier: RequestVerifier | None) -> Flask:
    app = Flask("psoas_release.web.tested")
    app.register_blueprint(alexa_endpoint(skill, verifier))
    return app
