"""What "the skill answered" means in a test: a valid response, not the catch-all's apology,
with no error logged on the way.

Checking only that a response is valid proves little: every exception a handler raises is
turned into valid apology SSML by the catch-all handler, so a skill that always fails would
pass. These checks fail it, and a test beside each use shows that they do.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from psoas_release.alexa.handlers import SORRY
from psoas_release.alexa.skill import FAILED_REQUEST
from tests.skill.device import check_response

__all__ = ["check_answered", "check_no_crash"]


def check_no_crash(response: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    """`response` is valid, and no handler raised: no catch-all apology, no error logged."""
    check_response(response)
    assert SORRY not in _speech(response), "the catch-all handler answered: a handler raised"
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert not errors, errors


def check_answered(response: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    """What a valid request must get: `check_no_crash`, and no "could not be read" apology."""
    check_no_crash(response, caplog)
    assert FAILED_REQUEST not in _speech(response), "the request could not be read or answered"


def _speech(response: dict[str, Any]) -> str:
    speech: str = (response["response"].get("outputSpeech") or {}).get("ssml", "")
    return speech
