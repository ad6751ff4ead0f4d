"""The published schema: every routine file meets it, and it agrees with the loader."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from psoas_release.core.loader import check_routine_text, semantic_problems
from psoas_release.core.routine_files import routine_files
from tests.conftest import PSOAS_FILE, ROUTINES_DIR

SCHEMA = json.loads((ROUTINES_DIR / "schema" / "routine.schema.json").read_text())
VALID = yaml.safe_load(PSOAS_FILE.read_text())


def test_the_schema_is_a_valid_2020_12_schema_with_an_id() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"]


def _subschemas(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, child in node.get("properties", {}).items():
            yield f"{path}.{name}", child
        for key, child in node.items():
            yield from _subschemas(child, f"{path}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _subschemas(child, f"{path}[{index}]")


def test_every_field_in_the_schema_has_a_description() -> None:
    undocumented = [path for path, field in _subschemas(SCHEMA) if "description" not in field]
    assert undocumented == []
    assert all("description" in definition for definition in SCHEMA["$defs"].values())


def test_every_routine_file_validates_against_the_schema() -> None:
    files = routine_files([ROUTINES_DIR])
    assert files
    validator = Draft202012Validator(SCHEMA)
    for file in files:
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(file.read_text()))]
        assert errors == [], file


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*path, index))


ALL_PATHS = [path for path in _paths(VALID) if path]
REPLACEMENTS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=700),
    st.sampled_from(["", " ", "right", "left", "beginner", "a-b", "x <y>", "A B", "word " * 40]),
    st.text(max_size=12),
    st.lists(st.integers(min_value=0, max_value=3), max_size=2),
    st.just({}),
)


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    """The valid routine with one to three fields replaced, deleted or added."""
    document = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent: Any = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                parent[path[-1]] = draw(REPLACEMENTS)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.sampled_from(["extra", "hold_s", "sides", "switch_s"]))] = 60
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    return document


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_the_loader_rejects_exactly_what_the_schema_rejects(document: dict[str, Any]) -> None:
    schema_accepts = not list(Draft202012Validator(SCHEMA).iter_errors(document))
    meaning_ok = not list(semantic_problems(document))
    routine, problems = check_routine_text(yaml.safe_dump(document, allow_unicode=True), "m.yaml")
    assert (routine is not None) == (schema_accepts and meaning_ok)
    assert (routine is None) == bool(problems)
    if not schema_accepts:
        assert problems
