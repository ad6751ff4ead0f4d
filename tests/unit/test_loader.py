"""The routine loader: the real file loads, and broken files say exactly where they break."""

from __future__ import annotations

from pathlib import Path

import pytest

from psoas_release.core.loader import RoutineError, load_routine
from psoas_release.core.routines import Routine, Side
from tests.conftest import PSOAS_FILE

ORIGINAL = PSOAS_FILE.read_text(encoding="utf-8")
PLAIN_TEXT = ("must be non-empty plain text without < or >: words and punctuation for the ear, "
              "no SSML")


def test_the_psoas_routine_has_five_two_minute_movements(psoas: Routine) -> None:
    assert psoas.duration_s == 600
    assert [m.duration_s for m in psoas.movements] == [120] * 5
    assert [m.id for m in psoas.movements] == [
        "constructive-rest",
        "knee-to-chest",
        "glute-bridge",
        "kneeling-psoas-stretch",
        "figure-four",
    ]
    assert psoas.catalogue.module_number == 49
    assert psoas.catalogue.module_title == "Unlock: Psoas"
    assert psoas.breathing.inhale_s == psoas.breathing.exhale_s == 4


def test_sided_movements_hold_sixty_seconds_right_side_first(psoas: Routine) -> None:
    sided = [m for m in psoas.movements if m.has_sides]
    assert [m.id for m in sided] == ["knee-to-chest", "kneeling-psoas-stretch", "figure-four"]
    for movement in sided:
        assert [(h.side, h.hold_s) for h in movement.holds] == [(Side.RIGHT, 60), (Side.LEFT, 60)]
        assert movement.switch_s > 0
    assert psoas.movements[0].form_cue.startswith("Close your eyes")


def _broken_copy(tmp_path: Path, old: str, new: str, occurrence: int = 1) -> tuple[Path, int]:
    """A copy of the real routine with the `occurrence`-th `old` replaced; the line it is on."""
    assert ORIGINAL.count(old) >= occurrence, old
    index = -1
    for _ in range(occurrence):
        index = ORIGINAL.index(old, index + 1)
    text = ORIGINAL[:index] + new + ORIGINAL[index + len(old) :]
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path, ORIGINAL.count("\n", 0, index) + 1


def _problems(path: Path) -> list[str]:
    with pytest.raises(RoutineError) as caught:
        load_routine(path)
    return [str(problem) for problem in caught.value.problems]


def _line(text: str) -> int:
    return ORIGINAL.splitlines().index(text) + 1


@pytest.mark.parametrize(
    ("old", "new", "occurrence", "column", "field", "message"),
    [
        ("hold_s: 60", "hold_s: 0", 1, 9, "movements[1].sides[0].hold_s",
         "must be a positive integer"),
        ("hold_s: 60", "hold_s: sixty", 2, 9, "movements[1].sides[1].hold_s",
         "must be a positive integer"),
        ("side: right", "side: middle", 2, 9, "movements[3].sides[0].side",
         "must be one of: right, left"),
        ("    why: >-", "    whyy: >-", 3, 5, "movements[2].whyy", "is not a known field"),
        ("id: glute-bridge", "id: Glute Bridge", 1, 5, "movements[2].id",
         "must be lower-case words joined by hyphens (kebab-case)"),
        ("id: glute-bridge", "id: knee-to-chest", 1, 5, "movements[2].id",
         "'knee-to-chest' is used by an earlier movement"),
        ("schema_version: 2", "schema_version: 1", 1, 1, "schema_version", "must be 2"),
        ("level: beginner", "level: expert", 1, 3, "catalogue.level",
         "must be one of: beginner, intermediate, advanced"),
        ("      - Keep breathing slowly. Let the air flow in and out.", "      - ''", 1, 9,
         "movements[2].hold_reminders[0]", PLAIN_TEXT),
        ("    guided_breaths: 11", "    guided_breaths: 16", 1, 5, "movements[0].guided_breaths",
         "take 132 s with the start cue, leaving no hold after them (120 s)"),
        ("    switch_s: 4", "    switch_s: 45", 1, 5, "movements[1].switch_s",
         "must be at most 30"),
        ("    switch_s: 4", "    switch_s: 2", 1, 5, "movements[1].switch_s",
         "must be at least 3"),
        ("    settle_s: 5", "    settle_s: 3", 3, 5, "movements[2].settle_s",
         "must be at least 5"),
        ("  inhale_cue: Breathe in through your nose.", "  inhale_cue: <b>Breathe</b>", 1, 3,
         "breathing.inhale_cue", PLAIN_TEXT),
        ("  quiet_inhale_cue: In.",
         "  quiet_inhale_cue: In through your nose, slowly and very softly.", 1, 3,
         "breathing.quiet_inhale_cue",
         "takes 4.0 s at 120 words a minute, longer than the 4-s half-breath it paces"),
        ("      - Let your shoulders stay heavy.",
         "      - " + "Let your shoulders stay heavy and soft now. " * 5, 1, 9,
         "movements[4].hold_reminders[0]",
         "takes 16.0 s to say; keep it to 15 s or less"),
        ("    move_s: 10", "    move_s: 6", 1, 5, "movements[3].move_s",
         "the movement changes level: allow at least 10 s after its setup "
         "(set move_s: 10 or more)"),
        ("    hold_reminders:\n      - Let your shoulders stay heavy.\n",
         "    hold_reminders:\n", 1, 5, "movements[4].hold_reminders",
         "has 1, but its holds say 2: give 2 different reminders so that no side repeats "
         "another's words"),
        ("  - id: figure-four", "  - id: figure-four\n    hold_s: 120", 1, 5,
         "movements[4]", "give either hold_s (no sides) or sides, not both"),
    ],
)
def test_a_broken_field_is_named_with_file_line_and_column(
    tmp_path: Path, old: str, new: str, occurrence: int, column: int, field: str, message: str
) -> None:
    path, line = _broken_copy(tmp_path, old, new, occurrence)
    assert f"{path}:{line}:{column}: {field}: {message}" in _problems(path)


def test_durations_that_do_not_add_up_are_reported_at_the_total(tmp_path: Path) -> None:
    path, line = _broken_copy(tmp_path, "duration_s: 600", "duration_s: 610")
    assert _problems(path) == [f"{path}:{line}:1: duration_s: movements add up to 600 s, not 610 s"]


def test_sides_that_do_not_fill_the_movement_are_reported(tmp_path: Path) -> None:
    path, _ = _broken_copy(tmp_path, "hold_s: 60", "hold_s: 50", occurrence=5)
    line = _line("  - id: figure-four") + 3
    assert _problems(path) == [
        f"{path}:{line}:5: movements[4].duration_s: the sides' holds add up to 110 s, not 120 s"
    ]


def test_a_missing_field_is_reported_at_its_parent(tmp_path: Path) -> None:
    old = "    if_it_hurts: >-\n      Lower your hips a few inches."
    path, _ = _broken_copy(tmp_path, old, "    extra_note: >-\n      Lower your hips a few inches.")
    problems = _problems(path)
    line = _line("  - id: glute-bridge")
    assert f"{path}:{line}:5: movements[2].if_it_hurts: is required" in problems
    assert any("movements[2].extra_note: is not a known field" in p for p in problems)


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    path, _ = _broken_copy(tmp_path, "hold_s: 60", "hold_s: -1")
    path.write_text(path.read_text().replace("level: beginner", "level: 3"), encoding="utf-8")
    problems = _problems(path)
    assert len(problems) == 2
    assert "sides[0].hold_s: must be a positive integer" in problems[1]
    assert "catalogue.level: must be one of" in problems[0]


def test_a_duplicate_key_is_reported_at_its_second_occurrence(tmp_path: Path) -> None:
    path, line = _broken_copy(tmp_path, "intro: >-", "title: Again\nintro: >-")
    assert f"{path}:{line}:1: title: appears twice in the same mapping" in _problems(path)


@pytest.mark.parametrize(
    ("old", "new", "column"),
    [
        ("  level: beginner", "  level: [beginner", 10),
        ("  level: beginner", "  level: {beginner", 10),
        ("  level: beginner", "  level beginner", 3),
    ],
)
def test_a_yaml_syntax_error_is_reported_where_the_unclosed_thing_opens(
    tmp_path: Path, old: str, new: str, column: int
) -> None:
    path, line = _broken_copy(tmp_path, old, new)
    problems = _problems(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:{line}:{column}: (yaml): ")
    assert "starts here" in problems[0]


def test_a_yaml_syntax_error_without_an_opening_is_reported_where_parsing_stopped(
    tmp_path: Path,
) -> None:
    path, line = _broken_copy(tmp_path, "  level: beginner", " level: beginner")
    problems = _problems(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:{line}:2: (yaml): ")


def test_a_byte_that_is_not_utf8_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    line = _line("  level: beginner")
    data = ORIGINAL.encode("utf-8").replace(b"  level: beginner", b"  level: begin\xe9ner")
    path = tmp_path / "latin1.yaml"
    path.write_bytes(data)
    assert _problems(path) == [
        f"{path}:{line}:15: (file): is not UTF-8 text: byte 0xe9 (invalid continuation byte)"
    ]


def test_the_column_of_a_bad_byte_counts_characters_not_bytes(tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_bytes("id: x\ntitle: Psoas \N{EN DASH} \n".encode() + b"\xff\n")
    assert _problems(path)[0].startswith(f"{path}:3:1: (file): is not UTF-8 text: byte 0xff")
    path.write_bytes("title: \N{EN DASH} ".encode() + b"\xff")
    assert _problems(path)[0].startswith(f"{path}:1:10: (file): ")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "(document): the file is empty"),
        (b"- just\n- a list\n", "(document): must be a mapping"),
        (b"\xff\xfe not utf-8", "(file): is not UTF-8 text"),
    ],
)
def test_files_that_are_not_routines_at_all_get_one_clear_problem(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "odd.yaml"
    path.write_bytes(content)
    assert _problems(path)[0].startswith(f"{path}:1:1: {message}")


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    assert _problems(tmp_path / "absent.yaml") == [
        f"{tmp_path / 'absent.yaml'}:1:1: (file): No such file or directory"
    ]
