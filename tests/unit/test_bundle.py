"""The routine bundle: a cold start uses it only while it matches the files exactly."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from psoas_release.cli import main
from psoas_release.core.bundle import BUNDLE_NAME, load_bundle, write_bundle
from psoas_release.core.library import RoutineLibrary, load_library
from psoas_release.core.loader import RoutineError
from tests.conftest import REPO, ROUTINES_DIR


@pytest.fixture
def routines(tmp_path: Path) -> Path:
    copy = tmp_path / "routines"
    shutil.copytree(ROUTINES_DIR, copy)
    (copy / BUNDLE_NAME).unlink(missing_ok=True)
    return copy


def test_a_bundle_builds_the_same_library_as_the_files(
    routines: Path, library: RoutineLibrary
) -> None:
    assert load_bundle(routines) is None
    assert main(["bundle", str(routines)]) == 0
    assert load_bundle(routines) == library
    assert load_library(routines) == library


@pytest.mark.parametrize(
    "change",
    [
        lambda d: (d / "unlock-psoas-quick-release.yaml").write_text(
            (d / "unlock-psoas-quick-release.yaml").read_text().replace("Clasp", "Hold")),
        lambda d: (d / "unlock-psoas-quick-release.yaml").unlink(),
        lambda d: shutil.copy(d / "unlock-psoas-quick-release.yaml", d / "another.yaml"),
        lambda d: (d / BUNDLE_NAME).write_text("{not json"),
        lambda d: (d / BUNDLE_NAME).write_text(json.dumps({"format": 99})),
    ],
    ids=["edited", "removed", "added", "corrupt", "unknown format"],
)
def test_a_bundle_that_no_longer_matches_is_ignored(routines: Path, change: object) -> None:
    write_bundle(routines)
    change(routines)  # type: ignore[operator]
    assert load_bundle(routines) is None


def test_an_out_of_date_bundle_never_hides_a_broken_file(routines: Path) -> None:
    write_bundle(routines)
    broken = routines / "unlock-psoas-quick-release.yaml"
    broken.write_text(broken.read_text().replace("duration_s: 300", "duration_s: 301"))
    with pytest.raises(RoutineError, match="movements add up to 300 s, not 301 s"):
        load_library(routines)


def test_broken_routines_are_never_bundled(routines: Path) -> None:
    broken = routines / "unlock-psoas-quick-release.yaml"
    broken.write_text(broken.read_text().replace("level: beginner", "level: expert"))
    assert main(["bundle", str(routines)]) == 1
    assert not (routines / BUNDLE_NAME).exists()


def test_loading_from_a_bundle_needs_neither_yaml_nor_jsonschema(routines: Path) -> None:
    write_bundle(routines)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from psoas_release.core.library import load_library\n"
        f"library = load_library(Path({str(routines)!r}))\n"
        "assert len(library.routines) == 2\n"
        "print(sorted(m for m in ('yaml', 'jsonschema') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=REPO)
    assert result.stdout.strip() == "[]"
