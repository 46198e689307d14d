"""`i3project monitor` in a real terminal (tmux): it shows switches and their events as
they happen, says "disconnected" while the service is away, and comes back with it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import (
    BUS_NAME,
    I3,
    MANAGER_IFACE,
    MANAGER_PATH,
    DBusDaemon,
    ServiceProcess,
    busctl,
    clean_env,
    poll,
)

SRC = Path(__file__).resolve().parents[2] / "src"


def call(bus: DBusDaemon, method: str, *args: str) -> str:
    return busctl(bus.address, "call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE, method, *args)


class Tmux:
    """A private tmux server (its own socket) running one command in a wide pane."""

    def __init__(self, socket: Path, env: dict[str, str]) -> None:
        self.socket = socket
        self.env = env

    def tmux(self, *args: str) -> str:
        proc = subprocess.run(["tmux", "-S", str(self.socket), "-f", "/dev/null", *args],
                              env=self.env, capture_output=True, text=True, timeout=10,
                              check=False)  # fmt: skip
        assert proc.returncode == 0, f"tmux {args}: {proc.stderr}"
        return proc.stdout

    def start(self, command: list[str]) -> None:
        line = " ".join(f"'{word}'" for word in command)
        self.tmux("new-session", "-d", "-x", "200", "-y", "60", line)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def wait_screen(self, predicate: Callable[[str], bool], what: str, timeout: float = 10) -> str:
        try:
            return poll(lambda: (s := self.screen()) and predicate(s) and s, timeout=timeout,
                        interval=0.05, what=what)  # fmt: skip
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- screen ---\n{self.screen()}") from None

    def kill(self) -> None:
        subprocess.run(["tmux", "-S", str(self.socket), "kill-server"], env=self.env,
                       capture_output=True, timeout=10, check=False)  # fmt: skip


@pytest.fixture
def running(bus: DBusDaemon, i3: I3, service: Callable[..., ServiceProcess]) -> dict[str, Any]:
    svc = service()
    call(bus, "CreateProject", "sa{sv}", "alpha", "1", "display_name", "s", "Alpha Project")
    call(bus, "CreateProject", "sa{sv}", "beta", "0")
    call(bus, "SwitchProject", "s", "alpha")
    return {"bus": bus, "service": svc, "start": service}


@pytest.fixture
def tmux(running: dict[str, Any]) -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        pytest.skip("integration prerequisite missing: tmux (apt-get install tmux)")
    import tempfile

    # A short directory of our own: tmux socket paths are limited to ~107 bytes.
    tmpdir = Path(tempfile.mkdtemp(prefix="i3p-tmux-"))
    env = clean_env({"DBUS_SESSION_BUS_ADDRESS": running["bus"].address, "TERM": "xterm-256color"})
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    env.pop("NO_COLOR", None)
    env.pop("TMUX", None)
    term = Tmux(tmpdir / "tmux.sock", env)
    yield term
    term.kill()
    shutil.rmtree(tmpdir, ignore_errors=True)


def monitor(*args: str) -> list[str]:
    return [sys.executable, "-m", "i3project_dbus.cli", "monitor", *args]


def test_live_monitor_shows_a_switch_and_its_event(running: dict[str, Any], tmux: Tmux) -> None:
    tmux.start(monitor())
    tmux.wait_screen(lambda s: "active: alpha" in s and "Projects" in s, "the dashboard")
    call(running["bus"], "SwitchProject", "s", "beta")
    screen = tmux.wait_screen(
        lambda s: "active: beta" in s and "previous=alpha current=beta" in s,
        "the new project and the project::switch event",
    )
    assert "project::switch" in screen


def test_live_monitor_says_disconnected_and_reconnects(running: dict[str, Any], tmux: Tmux) -> None:
    tmux.start(monitor())
    tmux.wait_screen(lambda s: "active: alpha" in s, "the dashboard")
    assert running["service"].terminate() == 0
    tmux.wait_screen(lambda s: "disconnected" in s, "the monitor to notice the service left")
    running["start"]()
    tmux.wait_screen(lambda s: "active: alpha" in s and "disconnected" not in s, "reconnection")
    call(running["bus"], "SwitchProject", "s", "beta")
    tmux.wait_screen(lambda s: "active: beta" in s and "current=beta" in s, "the switch after")


def test_events_mode_scrolls_new_events(running: dict[str, Any], tmux: Tmux) -> None:
    tmux.start(monitor("--mode", "events"))
    tmux.wait_screen(lambda s: "project::create" in s, "the recent events")
    call(running["bus"], "SwitchProject", "s", "beta")
    tmux.wait_screen(lambda s: "previous=alpha current=beta" in s, "the new switch event")


def test_diagnose_mode_reports_no_mismatch(running: dict[str, Any], tmux: Tmux) -> None:
    tmux.start(monitor("--mode", "diagnose"))
    tmux.wait_screen(lambda s: "no mismatches" in s and "active: alpha" in s, "the diagnosis")


def test_history_mode_prints_the_ring_and_exits(running: dict[str, Any]) -> None:
    env = clean_env({"DBUS_SESSION_BUS_ADDRESS": running["bus"].address, "PYTHONPATH": str(SRC)})
    proc = subprocess.run(monitor("--mode", "history", "--limit", "5"), env=env,
                          capture_output=True, text=True, timeout=30, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert 1 <= len(lines) <= 5
    assert lines[-1].split("\t")[2] == "project::switch"


def test_the_header_shows_the_service_status(running: dict[str, Any], tmux: Tmux) -> None:
    tmux.start(monitor())
    screen = tmux.wait_screen(lambda s: "rss " in s and "i3 events" in s, "the status line")
    line = next(row for row in screen.splitlines() if "rss " in row)
    assert line.lstrip().startswith("up ") and "errors 0" in line and "reconnects 0" in line
    assert "last switch" in line  # the fixture switched to alpha
