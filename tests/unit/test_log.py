"""The adapters' loggers: an INFO line costs no `logging` import until something could show
it, and warnings and errors are never lost."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

import pytest

from psoas_release.alexa.log import Logger
from tests.conftest import REPO

UNCONFIGURED = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from psoas_release.alexa.log import Logger

    log = Logger("psoas_release.test")
    log.info("an info line nobody asked for")
    print("logging" in sys.modules)
    log.warning("a warning %s", "shown")
    print("logging" in sys.modules)
    """
)


def test_info_waits_for_logging_and_a_warning_is_shown_without_any_setup() -> None:
    result = subprocess.run([sys.executable, "-S", "-c", UNCONFIGURED, str(REPO / "lambda")],
                            capture_output=True, text=True, timeout=60, check=False)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]
    assert "a warning shown" in result.stderr
    assert "info line" not in result.stderr


def test_every_line_reaches_a_configured_logging(caplog: pytest.LogCaptureFixture) -> None:
    log = Logger("psoas_release.test")
    with caplog.at_level(logging.INFO, logger="psoas_release.test"):
        log.info("request %s", "LaunchRequest")
        log.warning("store %s", "slow")
        log.error("store %s", "down")
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            log.exception("failed %s", "here")

    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("INFO", "request LaunchRequest"), ("WARNING", "store slow"),
        ("ERROR", "store down"), ("ERROR", "failed here")]
    assert caplog.records[-1].exc_info is not None
