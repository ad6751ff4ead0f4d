"""Reading data that came back from JSON, untrusted: one rule for every reader.

JSON's `true` loads as a Python bool, and a bool is an int; a record, a routine file or a
session attribute that says `true` where a count belongs is corrupt, never the number 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypeGuard


def nested(data: Any, *keys: str) -> Any:
    """`data[keys[0]][keys[1]]...`, or None as soon as a step is not a mapping."""
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def is_whole(value: object) -> TypeGuard[int]:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_finite(value: object) -> TypeGuard[int | float]:
    """A finite int or float that is not a bool."""
    return (is_whole(value) or isinstance(value, float)) and math.isfinite(value)
