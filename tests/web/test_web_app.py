"""`create_app`, the factory every WSGI server and `psoas-release serve` use: its settings, where
they come from, and what it refuses to build. It serves the product's skill, so each test gets
its own state file."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from psoas_release import cli
from psoas_release.web import MissingSkillId, create_app
from tests.skill.device import envelope

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"


@pytest.fixture(autouse=True)
def own_state(tmp_path, monkeypatch):
    monkeypatch.setenv("PSOAS_STATE_DB", str(tmp_path / "state.sqlite3"))
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.delenv("SKILL_ID", raising=False)


def test_without_verification_the_products_skill_answers_a_launch(caplog):
    with caplog.at_level(logging.WARNING):
        app = create_app({"VERIFY_REQUESTS": False})
        reply = app.test_client().post("/", json=envelope("launch_request"))
    assert reply.status_code == 200
    assert reply.get_json()["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    warnings = [r for r in caplog.records if "verification is DISABLED" in r.getMessage()]
    assert len(warnings) == 1


def test_with_verification_an_unsigned_request_is_a_400():
    app = create_app({"SKILL_ID": SKILL_ID})
    reply = app.test_client().post("/", json=envelope("launch_request"))
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "request verification failed"}


def test_the_skill_id_comes_from_the_environment_when_the_app_is_built(monkeypatch):
    monkeypatch.setenv("SKILL_ID", "amzn1.ask.skill.from-env")
    app = create_app()
    monkeypatch.setenv("SKILL_ID", "amzn1.ask.skill.changed-later")
    assert app.config["SKILL_ID"] == "amzn1.ask.skill.from-env"
    assert app.config["VERIFY_REQUESTS"] is True


def test_a_skill_id_in_the_settings_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("SKILL_ID", "amzn1.ask.skill.from-env")
    assert create_app({"SKILL_ID": SKILL_ID}).config["SKILL_ID"] == SKILL_ID


@pytest.mark.parametrize(("setting", "environment"), [(None, None), (None, ""), ("", None)])
def test_verification_without_a_skill_id_stops_the_app_before_the_skill_is_built(
    monkeypatch, setting, environment
):
    if environment is not None:
        monkeypatch.setenv("SKILL_ID", environment)
    monkeypatch.setattr(
        "psoas_release.alexa.skill.build_skill", lambda: pytest.fail("the skill was built")
    )
    overrides = {} if setting is None else {"SKILL_ID": setting}
    with pytest.raises(MissingSkillId, match="set SKILL_ID"):
        create_app(overrides)


def test_any_skill_must_be_allowed_explicitly_and_is_warned_about(caplog):
    with caplog.at_level(logging.WARNING):
        app = create_app({"ALLOW_ANY_SKILL": True})
    assert app.config["SKILL_ID"] is None
    assert "application id is not checked" in caplog.text
    assert "trying things out only" in caplog.text


def test_without_verification_no_skill_id_is_needed():
    assert create_app({"VERIFY_REQUESTS": False}).config["SKILL_ID"] is None


def test_importing_the_web_package_loads_neither_the_skill_nor_configuration():
    code = "import sys, psoas_release.web\nprint('psoas_release.alexa.skill' in sys.modules)\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


# --- psoas-release serve --------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch):
    """`psoas-release serve` with the server replaced: records each app it would serve, with
    the server options. (tests/web/test_web_server.py runs the real one.)"""
    runs: list[dict[str, object]] = []

    def serve(app, **options):
        runs.append({**options, "SKILL_ID": app.config["SKILL_ID"],
                     "VERIFY_REQUESTS": app.config["VERIFY_REQUESTS"]})

    monkeypatch.setattr("psoas_release.web.server.serve", serve)
    return runs


def test_serve_without_a_skill_id_exits_2_with_one_line(served, capsys):
    assert cli.main(["serve"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("psoas-release serve: no skill id")
    assert "--skill-id" in captured.err and "SKILL_ID" in captured.err
    assert served == []


def test_serve_checks_the_skill_id_given_on_the_command_line(served, monkeypatch):
    monkeypatch.setenv("SKILL_ID", "amzn1.ask.skill.from-env")
    assert cli.main(["serve", "--port", "9000", "--skill-id", SKILL_ID]) == 0
    assert [(run["port"], run["SKILL_ID"]) for run in served] == [(9000, SKILL_ID)]


def test_serve_passes_its_server_options_on(served, monkeypatch):
    monkeypatch.setenv("SKILL_ID", SKILL_ID)
    assert cli.main(["serve", "--threads", "3", "--read-timeout", "4"]) == 0
    assert served == [{"host": "127.0.0.1", "port": 8000, "threads": 3, "read_timeout": 4,
                       "SKILL_ID": SKILL_ID, "VERIFY_REQUESTS": True}]


@pytest.mark.parametrize("option", ["--threads", "--read-timeout"])
@pytest.mark.parametrize("value", ["0", "-1", "x"])
def test_serve_options_must_be_whole_numbers_of_one_or_more(served, capsys, option, value):
    with pytest.raises(SystemExit) as caught:
        cli.main(["serve", option, value])
    assert caught.value.code == 2
    assert option in capsys.readouterr().err
    assert served == []


def test_serve_takes_the_skill_id_from_the_environment(served, monkeypatch):
    monkeypatch.setenv("SKILL_ID", SKILL_ID)
    assert cli.main(["serve"]) == 0
    assert [run["SKILL_ID"] for run in served] == [SKILL_ID]


def test_serve_without_verification_needs_no_skill_id(served, caplog):
    with caplog.at_level(logging.WARNING):
        assert cli.main(["serve", "--no-verify"]) == 0
    assert [run["VERIFY_REQUESTS"] for run in served] == [False]
    assert "verification is DISABLED" in caplog.text
