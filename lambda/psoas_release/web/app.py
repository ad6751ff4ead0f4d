"""The web service's application factory, Flask's `create_app` pattern: settings live in
`app.config` (defaults, then the environment, then `overrides`), and the skill and the verifier
are built from them once, when the app is built, never at import time.

Serve it with `psoas-release serve`, or under any WSGI server as
`psoas_release.web:create_app()`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Config, Flask

from psoas_release.alexa.skill_id import configured_skill_id
from psoas_release.web.endpoint import alexa_endpoint
from psoas_release.web.verification import RequestVerifier

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """The app that answers Alexa on POST /, configured by these settings:

    SKILL_ID: the only skill whose requests are answered (default: the SKILL_ID environment
    variable). VERIFY_REQUESTS (default True): run Amazon's request checks; without a skill id
    this raises `MissingSkillId` before the skill is built. ALLOW_ANY_SKILL (default False):
    accept any skill's requests when no skill id is set, for trying things out only.
    `VERIFY_REQUESTS=False` is for local tests through a tunnel only: Amazon refuses to
    certify an endpoint that does not verify.
    """
    app = Flask(__name__)
    app.config.from_mapping(
        SKILL_ID=configured_skill_id(os.environ), VERIFY_REQUESTS=True, ALLOW_ANY_SKILL=False
    )
    if overrides is not None:
        app.config.from_mapping(overrides)
    verifier = _verifier(app.config)
    # Imported here, not at the top: importing the web package must not load the skill.
    from psoas_release.alexa.skill import build_skill

    app.register_blueprint(alexa_endpoint(build_skill(), verifier))
    return app


def _verifier(config: Config) -> RequestVerifier | None:
    if not config["VERIFY_REQUESTS"]:
        log.warning(
            "!!! Alexa request verification is DISABLED: anyone can call this endpoint. "
            "Never expose it to the internet like this. !!!"
        )
        return None
    return RequestVerifier(skill_id=config["SKILL_ID"], allow_any_skill=config["ALLOW_ANY_SKILL"])
