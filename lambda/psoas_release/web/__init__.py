"""Self-hosted HTTPS endpoint for the skill, with Alexa request verification."""

from psoas_release.web.app import create_app, serve
from psoas_release.web.errors import VerificationError
from psoas_release.web.verification import RequestVerifier

__all__ = ["RequestVerifier", "VerificationError", "create_app", "serve"]
