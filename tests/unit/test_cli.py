"""`psoas-release lint` and `psoas-release routines`, as an author runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from psoas_release.cli import main
from tests.conftest import PSOAS_FILE, ROUTINES_DIR


def test_lint_passes_on_the_product_routines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(ROUTINES_DIR)]) == 0
    assert capsys.readouterr().out == ""


def test_lint_prints_every_problem_one_per_line_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    text = PSOAS_FILE.read_text().replace("level: beginner", "level: 7")
    broken.write_text(text.replace("duration_s: 600", "duration_s: 601"))
    good = tmp_path / "good.yaml"
    good.write_text(PSOAS_FILE.read_text().replace("unlock-psoas-flex-foundations", "copy"))
    assert main(["lint", str(broken), str(good)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{broken}:20:3: catalogue.level: must be one of: beginner, intermediate, advanced",
        f"{broken}:21:1: duration_s: movements add up to 600 s, not 601 s",
    ]


def line_of(text: str, line: str) -> int:
    return text.splitlines().index(line) + 1


def test_lint_reports_a_spoken_name_used_twice_at_the_second_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = PSOAS_FILE.read_text()
    (tmp_path / "a.yaml").write_text(original)
    (tmp_path / "b.yaml").write_text(original.replace("id: unlock-psoas-", "id: x-"))
    assert main(["lint", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    at = line_of(original, "  - psoas release")
    assert [line for line in out if "'psoas release' is" in line] == [
        f"{tmp_path / 'b.yaml'}:{at}:5: spoken_names[0]: 'psoas release' is already used by "
        f"{tmp_path / 'a.yaml'}:{at}:5"
    ]


def test_lint_reports_a_routine_id_used_twice_at_the_second_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = PSOAS_FILE.read_text()
    (tmp_path / "a.yaml").write_text(original)
    moved = "# a comment that moves the id down a line\n" + original.replace(
        "  - psoas release\n", "  - another psoas release\n").replace(
        "  - ten minute psoas release\n", "").replace("  - ten minute routine\n", "").replace(
        "  - flex foundations\n", "").replace("  - the full routine\n", "")
    (tmp_path / "b.yaml").write_text(moved)
    assert main(["lint", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path / 'b.yaml'}:{line_of(moved, 'id: unlock-psoas-flex-foundations')}:1: id: "
        f"'unlock-psoas-flex-foundations' is already used by "
        f"{tmp_path / 'a.yaml'}:{line_of(original, 'id: unlock-psoas-flex-foundations')}:1"
    ]


def test_lint_of_an_empty_directory_fails(tmp_path: Path) -> None:
    assert main(["lint", str(tmp_path)]) == 1


def test_routines_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routines", "--dir", str(ROUTINES_DIR)]) == 0
    out = capsys.readouterr().out
    assert "49 Unlock: Psoas" in out
    assert "Unlock: Psoas \N{EN DASH} Flex Foundations (Beginner)" in out
    assert " 10 " in out
    assert "14:11" in out, "ten coached minutes plus the spoken setups, releases and switches"
