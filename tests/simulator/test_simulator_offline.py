"""The simulator never reaches Amazon: its requests carry no API token to use."""

from __future__ import annotations

from pathlib import Path

import pytest

from psoas_release.simulator.app import Options, simulate


def test_a_replayed_session_makes_no_settings_api_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def record(url: str, token: str) -> bytes:
        calls.append(url)
        raise OSError("offline")

    monkeypatch.setattr("psoas_release.alexa.time_zone.urllib_fetch", record)
    script = tmp_path / "s.script"
    script.write_text("start psoas release\nwait 20\nhow much time is left\nstop\n")
    assert simulate(Options(script=script, speed=0.0, state_db=tmp_path / "db.sqlite3",
                            user_id="amzn1.ask.account.SIM", locale="en-US")) == 0
    assert calls == []
