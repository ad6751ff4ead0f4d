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


def test_lint_reports_two_routines_sharing_a_spoken_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(PSOAS_FILE.read_text())
    (tmp_path / "b.yaml").write_text(PSOAS_FILE.read_text().replace("id: unlock-psoas-", "id: x-"))
    assert main(["lint", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "b.yaml:1:1: spoken_names: 'psoas release' is already used by" in out


def test_lint_of_an_empty_directory_fails(tmp_path: Path) -> None:
    assert main(["lint", str(tmp_path)]) == 1


def test_routines_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routines", "--dir", str(ROUTINES_DIR)]) == 0
    out = capsys.readouterr().out
    assert "49 Unlock: Psoas" in out
    assert "Unlock: Psoas \N{EN DASH} Flex Foundations (Beginner)" in out
    assert " 10 " in out
    assert "14:11" in out, "ten coached minutes plus the spoken setups, releases and switches"
