"""Load routine files into the routine model, reporting every problem with file, line and field.

A routine file is a product other clients read too, so a broken one must say exactly where it
is broken (`routines/x.yaml:42:7: movements[3].sides[0].hold_s: must be a positive integer`)
and never crash with a stack trace. Structure is checked against the published JSON Schema;
the rules a schema cannot express (sums, uniqueness, speaking time) are checked here.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from psoas_release.core.routine_files import SCHEMA_RELATIVE_PATH, default_routines_dir
from psoas_release.core.routines import (
    DEFAULT_MOVE_S,
    DEFAULT_SETTLE_S,
    TAKE_YOUR_TIME_S,
    Routine,
    build_routine,
    reminder_count,
)
from psoas_release.core.speaking import LONGEST_CUE_S, SLOWEST_PACE, speaking_seconds
from psoas_release.core.values import is_whole

if TYPE_CHECKING:
    import yaml

FieldPath = tuple[str | int, ...]


class RoutineProblem(NamedTuple):
    """One thing wrong with a routine file, located as precisely as the file allows."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.field}: {self.message}"


class RoutineError(Exception):
    """A routine file (or set of files) that cannot be used, with every problem found."""

    def __init__(self, problems: Sequence[RoutineProblem]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(str(problem) for problem in self.problems))


@functools.cache
def routine_schema() -> dict[str, Any]:
    """The published routine schema that ships beside the routine files."""
    with open(os.path.join(default_routines_dir(), SCHEMA_RELATIVE_PATH),
              encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def format_field(path: Iterable[str | int]) -> str:
    """`("movements", 3, "hold_s")` -> `movements[3].hold_s`, the way the errors name fields."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(document)"


class _Marks:
    """Line and column (1-based) of every field in a parsed YAML document."""

    def __init__(self) -> None:
        self.positions: dict[FieldPath, tuple[int, int]] = {}
        self.duplicates: list[tuple[FieldPath, tuple[int, int]]] = []

    def record(self, node: yaml.Node, path: FieldPath = ()) -> None:
        import yaml

        self.positions.setdefault(path, _position(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                child = (*path, key)
                if key in seen:
                    self.duplicates.append((child, _position(key_node)))
                seen.add(key)
                self.positions[child] = _position(key_node)
                self.record(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.record(item, (*path, index))

    def locate(self, path: FieldPath) -> tuple[int, int]:
        """The position of `path`, or of its nearest ancestor present in the file."""
        for length in range(len(path), -1, -1):
            if path[:length] in self.positions:
                return self.positions[path[:length]]
        return (1, 1)


def _position(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def display_path(path: Path) -> str:
    """The path as a person would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _parse(text: str, file: str) -> tuple[Any, _Marks]:
    import yaml

    # libyaml's loader when PyYAML was built with it (the wheels are): several times faster.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        marks = _Marks()
        if node is None:
            raise RoutineError([RoutineProblem(file, 1, 1, "(document)", "the file is empty")])
        marks.record(node)
        document = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        raise RoutineError([_syntax_problem(error, file)]) from None
    except yaml.YAMLError as error:
        raise RoutineError([RoutineProblem(file, 1, 1, "(yaml)", str(error))]) from None
    finally:
        loader.dispose()
    return document, marks


_OPENINGS = ("while parsing a flow ", "while scanning a quoted ", "while scanning a simple ")
"""Contexts that start where something was opened and never closed: a bracket, a quote, a key
without its colon. The parser notices only where it gave up, often lines later."""


def _syntax_problem(error: yaml.MarkedYAMLError, file: str) -> RoutineProblem:
    """A YAML syntax error where a person fixes it: at the opening left unclosed, else where
    parsing stopped."""
    context = error.context or ""
    reason = error.problem or context or "not valid YAML"
    mark = error.problem_mark or error.context_mark
    if error.context_mark is not None and context.startswith(_OPENINGS):
        mark = error.context_mark
        opened = context.split(" ", 3)[-1]
        reason = f"{reason}, for the {opened} that starts here"
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return RoutineProblem(file, line, column, "(yaml)", reason)


def check_routine_text(text: str, file: str) -> tuple[Routine | None, list[RoutineProblem]]:
    """Every problem in one routine document, and the routine when there are none."""
    try:
        document, marks = _parse(text, file)
    except RoutineError as error:
        return None, list(error.problems)
    problems = [
        RoutineProblem(file, *position, format_field(path), "appears twice in the same mapping")
        for path, position in marks.duplicates
    ]
    problems += [
        RoutineProblem(file, *marks.locate(path), format_field(path), message)
        for path, message in schema_problems(document)
    ]
    problems += [
        RoutineProblem(file, *marks.locate(path), format_field(path), message)
        for path, message in semantic_problems(document)
    ]
    if problems:
        return None, sorted(problems)
    return build_routine(document), []


def check_routine_file(path: Path) -> tuple[Routine | None, list[RoutineProblem]]:
    """Like `check_routine_text`, reading the file and reporting unreadable files as problems."""
    file = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [_not_utf8(path.read_bytes(), file)]
    except OSError as error:
        return None, [RoutineProblem(file, 1, 1, "(file)", error.strerror or str(error))]
    return check_routine_text(text, file)


def _not_utf8(data: bytes, file: str) -> RoutineProblem:
    """The first byte of `data` that is not UTF-8, at its line and column (in characters).

    Decoded again from the whole file: the error `read_text` raises counts from a chunk.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[line_start:error.start].decode("utf-8")) + 1
        message = f"is not UTF-8 text: byte 0x{data[error.start]:02x} ({error.reason})"
        return RoutineProblem(file, line, column, "(file)", message)
    return RoutineProblem(file, 1, 1, "(file)", "is not UTF-8 text")


def field_position(path: Path, field: FieldPath) -> tuple[int, int]:
    """Line and column of `field` in the routine file at `path`, for problems found across
    files (a routine id used twice); 1:1 when the file cannot be read."""
    try:
        _, marks = _parse(path.read_text(encoding="utf-8"), display_path(path))
    except (OSError, UnicodeDecodeError, RoutineError):
        return (1, 1)
    return marks.locate(field)


def load_routine(path: Path) -> Routine:
    """The routine in `path`; raises RoutineError naming every problem."""
    routine, problems = check_routine_file(path)
    if routine is None:
        raise RoutineError(problems)
    return routine


# --- structure: the published schema -------------------------------------------------------


def schema_problems(document: Any) -> Iterator[tuple[FieldPath, str]]:
    """(field path, message) for every way `document` breaks the published schema."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(routine_schema())
    for error in validator.iter_errors(document):
        yield from _explain(error)


_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "array": "a list",
    "object": "a mapping",
    "boolean": "true or false",
}


def _explain(error: Any) -> Iterator[tuple[FieldPath, str]]:
    """Turn one jsonschema error into plain messages at the field they concern."""
    path: FieldPath = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1]
        yield (*path, missing), "is required"
    elif kind == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        for key in error.instance:
            if key not in allowed:
                yield (*path, key), "is not a known field"
    elif kind == "oneOf":
        yield path, _explain_movement_shape(error.instance)
    elif kind in {"type", "minimum"} and _is_positive_integer(schema):
        yield path, "must be a positive integer"
    elif kind == "type":
        yield path, f"must be {_TYPE_NAMES.get(str(error.validator_value), error.validator_value)}"
    elif kind == "minimum":
        yield path, f"must be at least {error.validator_value}"
    elif kind == "maximum":
        yield path, f"must be at most {error.validator_value}"
    elif kind == "enum":
        yield path, "must be one of: " + ", ".join(str(v) for v in error.validator_value)
    elif kind == "const":
        yield path, f"must be {error.validator_value}"
    elif kind in {"minLength", "pattern"}:
        yield path, _explain_text(schema)
    elif kind == "minItems":
        yield path, f"must have at least {error.validator_value} item(s)"
    elif kind == "maxItems":
        yield path, f"must have at most {error.validator_value} item(s)"
    elif kind == "uniqueItems":
        yield path, "must not repeat an item"
    else:
        yield path, error.message


def _is_positive_integer(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "integer" and schema.get("minimum") == 1


def _explain_text(schema: Mapping[str, Any]) -> str:
    """What text a field takes, in the schema's own words: its description says it."""
    description = str(schema.get("description", "")).rstrip(".")
    return f"must be {description[:1].lower()}{description[1:]}" if description \
        else "must not be empty"


def _explain_movement_shape(instance: Any) -> str:
    if not isinstance(instance, Mapping):
        return "must be a mapping"
    if "hold_s" in instance and "sides" in instance:
        return "give either hold_s (no sides) or sides, not both"
    if "sides" in instance:
        return "a movement with sides also needs switch_s and switch_cue"
    if "switch_s" in instance or "switch_cue" in instance:
        return "switch_s and switch_cue belong only to a movement with sides"
    return "needs hold_s, or sides with switch_s and switch_cue"


# --- meaning: what the schema cannot say ---------------------------------------------------


def semantic_problems(document: Any) -> Iterator[tuple[FieldPath, str]]:
    """Rules across fields: unique ids, durations that add up, breaths that fit, short cues.

    Runs on documents that may also break the schema, skipping the parts too broken to
    judge, so one lint run reports every problem at once.
    """
    if not isinstance(document, Mapping):
        return
    movements = [m for m in _list(document.get("movements")) if isinstance(m, Mapping)]
    seen_ids: set[str] = set()
    for index, movement in enumerate(_list(document.get("movements"))):
        if not isinstance(movement, Mapping):
            continue
        movement_id = movement.get("id")
        if isinstance(movement_id, str) and movement_id in seen_ids:
            yield ("movements", index, "id"), f"{movement_id!r} is used by an earlier movement"
        seen_ids.add(str(movement_id))
        yield from _movement_problems(("movements", index), movement, document.get("breathing"))
    durations = [_whole(m.get("duration_s")) for m in movements]
    total, stated = sum(d or 0 for d in durations), _whole(document.get("duration_s"))
    if None not in durations and stated is not None and total != stated:
        yield ("duration_s",), f"movements add up to {total} s, not {stated} s"
    yield from _breathing_problems(document.get("breathing"))
    yield from _long_cues(document, routine_schema(), ())


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _whole(value: Any) -> int | None:
    """`value` if it is a positive whole number (not a bool), else None: the schema reports it."""
    valid = is_whole(value) and value > 0
    return value if valid else None


def _movement_problems(
    path: FieldPath, movement: Mapping[str, Any], breathing: Any
) -> Iterator[tuple[FieldPath, str]]:
    duration = _whole(movement.get("duration_s"))
    if "sides" in movement:
        sides = [s for s in _list(movement["sides"]) if isinstance(s, Mapping)]
        holds = [_whole(side.get("hold_s")) for side in sides]
        if duration is not None and holds and None not in holds:
            total = sum(h or 0 for h in holds)
            if total != duration:
                message = f"the sides' holds add up to {total} s, not {duration} s"
                yield (*path, "duration_s"), message
        names = [side.get("side") for side in sides]
        if sorted(map(str, names)) == ["left", "right"] and names != ["right", "left"]:
            yield (*path, "sides"), "must list the right side first, then the left"
    else:
        holds = [_whole(movement.get("hold_s"))]
        if None not in holds and duration is not None and holds[0] != duration:
            yield (*path, "hold_s"), f"must equal duration_s ({duration} s)"
    known = [h for h in holds if h is not None]
    yield from _time_to_move(path, movement)
    yield from _reminders_problems(path, movement, known)
    if isinstance(breathing, Mapping) and known:
        yield from _breaths_problems(path, movement, breathing, min(known))


def _time_to_move(path: FieldPath, movement: Mapping[str, Any]) -> Iterator[tuple[FieldPath, str]]:
    """A level change or a prop gets "take your time" and at least 10 s after the setup."""
    if movement.get("changes_level") is not True and "prop_cue" not in movement:
        return
    field = "move_s" if "sides" in movement else "settle_s"
    default = DEFAULT_MOVE_S if field == "move_s" else DEFAULT_SETTLE_S
    given = movement.get(field, default)
    if isinstance(given, int) and given < TAKE_YOUR_TIME_S:
        reason = "changes level" if movement.get("changes_level") is True else "needs a prop"
        yield (*path, field), (f"the movement {reason}: allow at least {TAKE_YOUR_TIME_S} s "
                               f"after its setup (set {field}: {TAKE_YOUR_TIME_S} or more)")


def _reminders_problems(path: FieldPath, movement: Mapping[str, Any],
                        holds: list[int]) -> Iterator[tuple[FieldPath, str]]:
    """Enough different reminders that no hold of the movement repeats another's words."""
    reminders = _list(movement.get("hold_reminders"))
    needed = sum(reminder_count(hold) for hold in holds)
    if reminders and len(reminders) < needed:
        yield (*path, "hold_reminders"), (
            f"has {len(reminders)}, but its holds say {needed}: give {needed} different "
            "reminders so that no side repeats another's words")


def _breaths_problems(path: FieldPath, movement: Mapping[str, Any], breathing: Mapping[str, Any],
                      shortest: int) -> Iterator[tuple[FieldPath, str]]:
    """Guided breaths leave room in the hold, and each cue fits its half-breath."""
    inhale, exhale = _whole(breathing.get("inhale_s")), _whole(breathing.get("exhale_s"))
    breaths = _whole(movement.get("guided_breaths", 0))
    if not (breaths and inhale and exhale):
        return
    needed = exhale + breaths * (inhale + exhale)
    if needed >= shortest:
        message = f"take {needed} s with the start cue, leaving no hold after them ({shortest} s)"
        yield (*path, "guided_breaths"), message


def _breathing_problems(breathing: Any) -> Iterator[tuple[FieldPath, str]]:
    """Each breath cue must be said within the half-breath it paces, by the slowest voice."""
    if not isinstance(breathing, Mapping):
        return
    inhale, exhale = _whole(breathing.get("inhale_s")), _whole(breathing.get("exhale_s"))
    for key, half in (("inhale_cue", inhale), ("exhale_cue", exhale),
                      ("quiet_inhale_cue", inhale), ("quiet_exhale_cue", exhale)):
        cue = breathing.get(key)
        if half and isinstance(cue, str) and speaking_seconds(cue) * SLOWEST_PACE >= half:
            yield ("breathing", key), (
                f"takes {speaking_seconds(cue) * SLOWEST_PACE:.1f} s at 120 words a minute, "
                f"longer than the {half}-s half-breath it paces")


SPOKEN_TEXT = "#/$defs/spokenText"
"""The schema's mark of a field said aloud: a new spoken field needs nothing more here."""


def _long_cues(value: Any, schema: Mapping[str, Any],
               path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    """Spoken fields longer than 15 s: every string the published schema marks as spoken."""
    reference = str(schema.get("$ref", ""))
    if reference == SPOKEN_TEXT:
        seconds = speaking_seconds(value) if isinstance(value, str) else 0.0
        if seconds > LONGEST_CUE_S:
            yield path, f"takes {seconds:.1f} s to say; keep it to {LONGEST_CUE_S:.0f} s or less"
        return
    if reference:
        schema = routine_schema()["$defs"].get(reference.rsplit("/", 1)[-1], {})
    if isinstance(value, Mapping):
        fields = schema.get("properties", {})
        for key, child in value.items():
            if key in fields:
                yield from _long_cues(child, fields[key], (*path, key))
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, child in enumerate(value):
            yield from _long_cues(child, schema["items"], (*path, index))

