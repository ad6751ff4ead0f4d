"""Self-hosted HTTPS endpoint for the skill, with Alexa request verification."""

from psoas_release.web.app import create_app
from psoas_release.web.errors import VerificationError
from psoas_release.web.verification import MissingSkillId, RequestVerifier

__all__ = ["MissingSkillId", "RequestVerifier", "VerificationError", "create_app"]
