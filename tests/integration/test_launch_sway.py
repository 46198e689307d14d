"""Launch on a real headless sway: foot windows follow their process into the project they
were launched for, by the pid in sway's tree (no X involved), grandchildren included."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import SCRATCHPAD, poll
from harness_extra import PROJECT_IFACE, Client
from harness_sway import SwayStack, SwayUser, running, start_service, sway_windows

pytestmark = pytest.mark.sway

PROJECTS = "/org/i3project/Manager1/projects/"


@pytest.fixture
def sway(tmp_path: Path) -> Iterator[SwayStack]:
    with running(lambda: SwayStack(SwayUser(), tmp_path)) as stack:
        yield stack


@pytest.fixture
def client(sway: SwayStack) -> Iterator[Client]:
    """The service as a session starts it: with WAYLAND_DISPLAY, for the apps it launches."""
    _proc, conn = start_service(sway, launcher=True)
    yield conn
    conn.close()


def where(sway: SwayStack, title: str) -> tuple[str, list[str]] | None:
    for con in sway_windows(sway.tree()):
        if con.get("name") == title:
            return con["_workspace"], list(con.get("marks") or [])
    return None


def wait(sway: SwayStack, title: str, project: str, workspace: str) -> None:
    def check() -> bool:
        found = where(sway, title)
        return (
            found is not None
            and found[0] == workspace
            and any(m.startswith(f"project:{project}:") for m in found[1])
        )

    try:
        poll(check, timeout=20.0, what=f"{title!r} in {project!r} on {workspace!r}")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; sway has it at {where(sway, title)}") from None


def test_launched_windows_follow_their_process_on_sway(sway: SwayStack, client: Client) -> None:
    home = sway.runtime / "b home"
    home.mkdir()
    sway.user.own(home)
    client.create("a")
    client.create("b", directory=str(home))
    client.switch("a")
    pids: list[int] = []

    def launch(project: str, argv: list[str], **options: Any) -> int:
        opts = {k: ("s", v) for k, v in options.items()}
        (pid,) = client.call("Launch", "asa{sv}", argv, opts, path=PROJECTS + project,
                             iface=PROJECT_IFACE)  # fmt: skip
        pids.append(int(pid))
        return int(pid)

    try:
        pid = launch("b", ["foot", "--app-id=LaunchB", "--title=launch-b", "sleep", "3600"])
        wait(sway, "launch-b", "b", SCRATCHPAD)
        assert os.readlink(f"/proc/{pid}/cwd") == str(home)
        # sh leaves foot to the subreaper and exits; foot's window follows all the same.
        launch("b", ["sh", "-c", "foot --app-id=GrandB --title=grand-b sleep 3600 &"])
        wait(sway, "grand-b", "b", SCRATCHPAD)
        launch("a", ["foot", "--app-id=OnNine", "--title=on-nine", "sleep", "3600"],
               workspace="nine")  # fmt: skip
        wait(sway, "on-nine", "a", "nine")
        client.switch("b")
        wait(sway, "launch-b", "b", "1")
    finally:
        for each in pids:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(each, signal.SIGKILL)
