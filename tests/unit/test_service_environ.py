"""The service reads its environment from what it was given, never from os.environ."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from i3project_dbus.service import Service


async def test_the_bus_address_comes_from_the_given_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The process has a bus; the environment the service was given has none.
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/elsewhere")
    environ = {"HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path / "run")}
    with caplog.at_level(logging.ERROR):
        assert await Service(environ).run() == 1
    assert "no session bus" in caplog.text
