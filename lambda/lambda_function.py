"""AWS Lambda entry point: `lambda_function.lambda_handler`.

The skill is built once per container (routines loaded, store opened) and reused for every
request that container serves.
"""

from __future__ import annotations

import os
from typing import Any

from psoas_release.alexa.skill import build_skill, invoke_skill
from psoas_release.alexa.skill_id import configured_skill_id

SKILL = build_skill(skill_id=configured_skill_id(os.environ))


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one Alexa request."""
    return invoke_skill(SKILL, event, context)
