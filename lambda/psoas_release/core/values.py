"""What counts as a number in data that came back from JSON: one rule for every reader.

JSON's `true` loads as a Python bool, and a bool is an int; a record, a routine file or a
session attribute that says `true` where a count belongs is corrupt, never the number 1.
"""

from __future__ import annotations

import math
from typing import TypeGuard


def is_whole(value: object) -> TypeGuard[int]:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_finite(value: object) -> TypeGuard[int | float]:
    """A finite int or float that is not a bool."""
    return (is_whole(value) or isinstance(value, float)) and math.isfinite(value)
