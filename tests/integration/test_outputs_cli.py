"""`i3project outputs`, `i3project reassign`, the diagnose rules about outputs and the outputs
panel of `i3project monitor`, as users run them, against i3 with two monitors."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness import I3, DBusDaemon, ServiceProcess, XdgDirs, XWindows, clean_env, poll, wait_managed
from harness_outputs import configure, i3, screen, xwindows

__all__ = ["i3", "screen", "xwindows"]

SRC = Path(__file__).resolve().parents[2] / "src"
CLI = [sys.executable, "-m", "i3project_dbus.cli"]


def cli(bus: DBusDaemon, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env({"DBUS_SESSION_BUS_ADDRESS": bus.address, "PYTHONPATH": str(SRC)})
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL, check=False)  # fmt: skip


def workspace_output(i3: I3, name: str) -> str:
    return next(str(w["output"]) for w in i3.workspaces() if w["name"] == name)


@pytest.fixture
def away(
    i3: I3,
    xwindows: XWindows,
    dirs: XdgDirs,
    bus: DBusDaemon,
    service: Callable[..., ServiceProcess],
) -> DBusDaemon:
    """The service with 2 -> RIGHT, and workspace 2 moved to LEFT by hand after start."""
    configure(dirs, {"workspace_outputs": {"2": ["RIGHT"]}})
    for ws in ("1", "2"):
        i3.command(f'workspace "{ws}"')
        wait_managed(i3, xwindows.open("XTerm", "xterm", f"on {ws}"))
    service()
    i3.command('workspace "2"; move workspace to output left; workspace "1"')
    assert workspace_output(i3, "2") == "LEFT"
    return bus


def test_outputs_lists_both_monitors(away: DBusDaemon) -> None:
    proc = cli(away, "outputs")
    assert proc.returncode == 0, proc.stderr
    lines = [line.split("\t") for line in proc.stdout.splitlines()]
    assert [(row[0], row[1], row[3]) for row in lines] == [
        ("LEFT", "yes", "800x1000+0+0"),
        ("RIGHT", "yes", "800x1000+800+0"),
    ]
    assert lines[0][5].split() == ["1", "2"]


def test_diagnose_then_reassign(away: DBusDaemon, i3: I3) -> None:
    proc = cli(away, "diagnose", "--json")
    assert proc.returncode == 1
    assert '"workspace-away-from-output"' in proc.stdout and "'2'" in proc.stdout
    proc = cli(away, "reassign", "--dry-run")
    assert (proc.returncode, proc.stdout) == (0, "2\tRIGHT\n")
    assert workspace_output(i3, "2") == "LEFT"
    assert cli(away, "reassign").stdout == "2\tRIGHT\n"
    assert workspace_output(i3, "2") == "RIGHT"
    proc = cli(away, "diagnose")
    assert proc.returncode == 0, proc.stdout


def test_monitor_shows_the_outputs_panel(away: DBusDaemon) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("integration prerequisite missing: tmux (apt-get install tmux)")
    tmpdir = Path(tempfile.mkdtemp(prefix="i3p-tmux-"))
    env = clean_env({"DBUS_SESSION_BUS_ADDRESS": away.address, "TERM": "xterm-256color",
                     "PYTHONPATH": str(SRC)})  # fmt: skip
    env.pop("TMUX", None)
    sock = str(tmpdir / "tmux.sock")

    def tmux(*args: str) -> str:
        done = subprocess.run(["tmux", "-S", sock, "-f", "/dev/null", *args], env=env,
                              capture_output=True, text=True, timeout=10, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    try:
        tmux("new-session", "-d", "-x", "200", "-y", "60", " ".join([*CLI, "monitor"]))

        def screen_with_outputs() -> Any:
            text = tmux("capture-pane", "-p")
            return "Outputs" in text and "800x1000+800+0" in text and text

        text = poll(screen_with_outputs, timeout=15.0, interval=0.05, what="the outputs panel")
        assert "LEFT" in text and "RIGHT" in text
    finally:
        subprocess.run(["tmux", "-S", sock, "kill-server"], env=env, capture_output=True,
                       timeout=10, check=False)  # fmt: skip
        shutil.rmtree(tmpdir, ignore_errors=True)
