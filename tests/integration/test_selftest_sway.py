"""`i3project selftest --format tap` on a real headless sway, and prove accepts it.

The test sway runs without Xwayland, so there is no X display: the scenarios that need
test windows are skipped, saying so, and the others run against sway."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness_extra import Client
from harness_sway import SwayStack, SwayUser, running, start_service

pytestmark = pytest.mark.sway


@pytest.fixture
def sway(tmp_path: Path) -> Iterator[SwayStack]:
    with running(lambda: SwayStack(SwayUser(), tmp_path)) as stack:
        yield stack


def test_selftest_tap_on_sway_is_accepted_by_prove(sway: SwayStack, tmp_path: Path) -> None:
    service, client = start_service(sway)
    client.close()
    argv = [sway.user.python, "-m", "i3project_dbus.cli", "selftest", "--format", "tap",
            "--include-restart"]  # fmt: skip
    done = subprocess.run(sway.user.argv(argv, sway.service_env()), capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\n{service.describe()}"
    lines = done.stdout.splitlines()
    assert "# window_manager: sway 1.7" in lines
    skipped = {line.split(" - ")[1].split(":")[0]: line for line in lines if "# SKIP" in line}
    assert set(skipped) == {"new-window-marked", "hide-show", "restart"}
    assert "no X display" in skipped["hide-show"]
    assert "sway cannot restart in place" in skipped["restart"]
    for name in ("lifecycle", "rapid-switches", "event-order", "consistency", "outputs"):
        assert any(line.startswith("ok ") and f" - {name}:" in line for line in lines), name
    report = tmp_path / "sway.tap"
    report.write_text(done.stdout)
    if shutil.which("prove") is None:
        pytest.fail("prove is not installed (Debian: perl)")
    checked = subprocess.run(["prove", "--exec", "cat", str(report)], capture_output=True,
                             text=True, timeout=60, check=False)  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with Client(sway.address) as client:
        names = [p["name"] for p in client.state()["projects"]]
    assert not [n for n in names if n.startswith("selftest-")]
