"""`replace` for the core's frozen records: `dataclasses.replace`, at a fraction of the cost.

Every request changes the session state a few times on its way through the machine, and
`dataclasses.replace` walks all 24 of its fields and calls the frozen `__init__`, which sets
each through `object.__setattr__`: some 5 µs a change, a tenth of a warm request. A plain
record (every field set by `__init__`, nothing computed after it, nothing cached beside its
fields) is copied here by its `__dict__` instead. Anything else goes to `dataclasses.replace`.
Type checkers see `dataclasses.replace` itself, so every call is checked as one.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataclasses import replace as replace
else:
    _PLAIN: dict[type, frozenset[str] | None] = {}
    """Each record class's field names, or None when it is not plain (see the module)."""

    def replace(record: Any, /, **changes: Any) -> Any:
        """`record` with `changes`, exactly as `dataclasses.replace` would make it."""
        cls = type(record)
        names = _PLAIN.get(cls, False)
        if names is False:
            names = _PLAIN[cls] = _plain_fields(cls)
        if names is None or len(record.__dict__) != len(names) or not changes.keys() <= names:
            return dataclasses.replace(record, **changes)
        copy = object.__new__(cls)
        copy.__dict__.update(record.__dict__)
        copy.__dict__.update(changes)
        return copy

    def _plain_fields(cls: type) -> frozenset[str] | None:
        if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__") \
                or hasattr(cls, "__slots__"):
            return None
        fields = dataclasses.fields(cls)
        if any(not field.init for field in fields):
            return None
        return frozenset(field.name for field in fields)
