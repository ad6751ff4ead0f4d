"""The catalogue of routines: every file in `routines/`, checked together.

One routine directory serves every client, so the checks that span files (no two routines
with the same id or the same spoken name) live here, beside the per-file loader.
"""

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from psoas_release.core.routine_files import default_routines_dir, routine_files
from psoas_release.core.routines import Routine

if TYPE_CHECKING:
    from pathlib import Path

    from psoas_release.core.loader import FieldPath, RoutineProblem


class RoutineLibrary(NamedTuple):
    """All routines, in catalogue order (module, then duration, then id)."""

    routines: tuple[Routine, ...]

    @classmethod
    def in_catalogue_order(cls, routines: Iterable[Routine]) -> "RoutineLibrary":
        """Module first, then the longest routine, then by id: how every client lists them."""
        return cls(tuple(sorted(
            routines, key=lambda r: (r.catalogue.module_number, -r.duration_s, r.id))))

    def get(self, routine_id: str) -> Routine | None:
        return next((r for r in self.routines if r.id == routine_id), None)

    @property
    def default(self) -> Routine:
        """The routine "Alexa, start psoas release" coaches: the longest one."""
        return max(self.routines, key=lambda routine: (routine.duration_s, routine.id))


def check_library(paths: "Sequence[Path]") -> "tuple[RoutineLibrary, list[RoutineProblem]]":
    """Load every routine under `paths`; the good ones and every problem in all of them."""
    from psoas_release.core.loader import RoutineProblem, check_routine_file, display_path

    routines: list[Routine] = []
    problems: list[RoutineProblem] = []
    files = routine_files(paths)
    if not files:
        shown = ", ".join(display_path(path) for path in paths)
        problems.append(RoutineProblem(shown, 1, 1, "(directory)", "holds no routine files"))
    owners: dict[str, tuple[Path, FieldPath]] = {}
    for file in files:
        routine, file_problems = check_routine_file(file)
        problems += file_problems
        if routine is None:
            continue
        names = [(name, ("spoken_names", index)) for index, name in enumerate(routine.spoken_names)]
        for key, field in [(routine.id, ("id",)), *names]:
            if key in owners:
                problems.append(_used_twice(key, (file, field), owners[key]))
            else:
                owners[key] = (file, field)
        routines.append(routine)
    return RoutineLibrary.in_catalogue_order(routines), sorted(problems)


def _used_twice(key: str, again: "tuple[Path, FieldPath]",
                first: "tuple[Path, FieldPath]") -> "RoutineProblem":
    """An id or spoken name used by a second routine, at that use, naming where the first is.

    Positions are looked up only here, so a clean library is never parsed twice.
    """
    from psoas_release.core.loader import (
        RoutineProblem,
        display_path,
        field_position,
        format_field,
    )

    first_line, first_column = field_position(*first)
    where = f"{display_path(first[0])}:{first_line}:{first_column}"
    return RoutineProblem(display_path(again[0]), *field_position(*again), format_field(again[1]),
                          f"{key!r} is already used by {where}")


def load_library(directory: "str | os.PathLike[str] | None" = None) -> RoutineLibrary:
    """Every routine in `directory` (default: the product's routines); raises on any problem.

    A current bundle (see `core.bundle`, written by the Lambda build) is used when there is
    one; otherwise every file is parsed and checked against the schema.
    """
    from psoas_release.core.bundle import load_bundle

    directory = directory or default_routines_dir()
    bundled = load_bundle(directory)
    if bundled is not None:
        return bundled
    from pathlib import Path

    from psoas_release.core.loader import RoutineError

    library, problems = check_library([Path(directory)])
    if problems:
        raise RoutineError(problems)
    return library
