"""AWS Lambda entry point: `lambda_function.lambda_handler`.

The skill is built once per container (routines loaded, store opened) and reused for every
request that container serves.

The cyclic garbage collector is paused while the skill is imported and built, then the objects
made so far are frozen: they are modules, classes and functions that live as long as the
container, and they are some 25,000. Left running, the collector walks them over and over as
they are made, and once more on the first request: about 5 ms of a 100-ms cold start, for no
garbage. Frozen, no later collection walks them either.
"""

from __future__ import annotations

import gc
import os
from typing import Any

gc.disable()
try:
    from psoas_release.alexa.skill import build_skill, invoke_skill
    from psoas_release.alexa.skill_id import configured_skill_id

    SKILL = build_skill(skill_id=configured_skill_id(os.environ))
finally:
    gc.freeze()
    gc.enable()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one Alexa request."""
    return invoke_skill(SKILL, event, context)
