"""The hardening tests drive the same real Lambda entry as the skill tests."""

from tests.skill.conftest import lambda_module, model

__all__ = ["lambda_module", "model"]
