"""The skill id's one home: read from the environment by one function, found in a request by
one, and compared by one, so the Lambda entry, the web service and the simulator agree.

Plain data in and out, with no SDK import, so the web service can use it without loading the
skill.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psoas_release.core.values import nested

__all__ = ["SKILL_ID_ENV", "addressed_to", "answers", "configured_skill_id"]

SKILL_ID_ENV = "SKILL_ID"


def configured_skill_id(environ: Mapping[str, str]) -> str | None:
    """The skill id this deployment answers to, from SKILL_ID; None when unset or empty."""
    return environ.get(SKILL_ID_ENV) or None


def addressed_to(event: Any) -> str | None:
    """The skill id a request envelope (parsed JSON) names: its context's, else its session's."""
    for holder in (nested(event, "context", "System"), nested(event, "session")):
        value = nested(holder, "application", "applicationId")
        if isinstance(value, str):
            return value
    return None


def answers(skill_id: str | None, event: Any) -> bool:
    """Whether the skill `skill_id` may answer `event`; a skill without an id answers any."""
    return skill_id is None or addressed_to(event) == skill_id
