"""The selftest's temporary projects and test windows, and putting the user's session back.

Every project it makes is named `selftest-<random>` and titled with the pid of the run,
so the leftovers of a run that was killed outright (SIGKILL leaves no time to clean up)
are recognised and removed by the next run; a project of the user's is never touched.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from ...dbus import names
from ..client import Client
from ..errors import CliError
from .probe import Probe, wait_for
from .xwindow import TEST_CLASS, TestWindows, Unavailable

PREFIX = "selftest-"
TITLE_FORMAT = "i3project selftest (pid {pid})"
TITLE_PATTERN = re.compile(r"i3project selftest \(pid (\d+)\)")
NAME_PATTERN = re.compile(r"selftest-[0-9a-f]{8}")
GONE_TIMEOUT = 2.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Sandbox:
    """What one selftest run made on the live session, to be undone."""

    def __init__(self, client: Client) -> None:
        # The run's connection to the service, and reads through it.
        self.client = client
        self.probe = Probe(client)
        # The active project when the run started: what cleanup switches back to.
        self.original_active = client.active()
        # Projects this run created and has not deleted yet, in creation order.
        self.projects: list[str] = []
        # The test windows' X connection, opened on first use; None before that.
        self._windows: TestWindows | None = None
        # Why there can be no test windows (no display, no python-xlib), once known.
        self._unavailable = ""
        # Test windows opened so far, to number their titles.
        self._counter = 0

    # -- making things ---------------------------------------------------------------

    def new_project(self) -> str:
        """Create a project `selftest-<random>` whose scoped class is the test windows'."""
        name = PREFIX + secrets.token_hex(4)
        self.client.create(
            name,
            {
                "display_name": TITLE_FORMAT.format(pid=os.getpid()),
                "scoped_classes": [TEST_CLASS],
            },
        )
        self.projects.append(name)
        return name

    def windows(self) -> TestWindows:
        """The test windows' connection; Unavailable (a skip reason) if there is none."""
        if self._windows is None:
            if self._unavailable:
                raise Unavailable(self._unavailable)
            try:
                self._windows = TestWindows.connect()
            except Unavailable as exc:
                self._unavailable = str(exc)
                raise
        return self._windows

    def open_window(self, project: str) -> int:
        """Open a test window (titled after ``project``); return its X id."""
        self._counter += 1
        return self.windows().open(f"{project} window {self._counter}")

    # -- undoing them ----------------------------------------------------------------

    def release(self, client: Client | None = None, final: bool = False) -> list[str]:
        """Close the test windows, make the original project active again if one of ours
        is, and delete our projects. Every step is tried; the problems are returned.
        ``final`` drops the X connection instead of closing each window through it."""
        client = client or self.client
        problems: list[str] = []
        self._close_windows(client, problems, final)
        self._restore_active(client, problems, only_if_ours=True)
        for name in list(self.projects):
            try:
                client.delete(name)
            except CliError as exc:
                if exc.dbus_name != names.ERROR_NO_SUCH_PROJECT:
                    problems.append(f"could not delete project {name}: {exc.message}")
                    continue
            self.projects.remove(name)
        return problems

    def cleanup(self, client: Client) -> list[str]:
        """The end of the run, on a new connection to the service (an interrupt may have
        landed in the middle of a message on the old one): release everything, restore
        the original project."""
        problems = self.release(client, final=True)
        self._restore_active(client, problems, only_if_ours=False)
        return problems

    def _close_windows(self, client: Client, problems: list[str], final: bool) -> None:
        windows = self._windows
        if windows is None or (not windows.ids and not final):
            return
        xids = set(windows.ids)
        try:
            if final:
                self._windows = None
                windows.drop()
            else:
                windows.close_all()
        except Exception as exc:  # the X server went away: its windows went with it
            problems.append(f"could not close the test windows: {exc}")
            return
        probe = Probe(client)
        if not xids or not probe.state().get("connected"):
            return  # no i3 to tell the service; it reads the tree when i3 is back

        def gone() -> bool:
            return not any(w.get("x11_id") in xids for w in probe.state().get("windows", []))

        try:
            wait_for(gone, GONE_TIMEOUT, "the service to forget the closed test windows")
        except Exception as exc:
            problems.append(str(exc))

    def _restore_active(self, client: Client, problems: list[str], only_if_ours: bool) -> None:
        try:
            current = client.active()
            if current == self.original_active:
                return
            if only_if_ours and not current.startswith(PREFIX):
                return
            if self.original_active:
                client.switch(self.original_active)
            else:
                client.clear()
        except CliError as exc:
            shown = self.original_active or "(none)"
            problems.append(f"could not make {shown} the active project again: {exc.message}")


def is_leftover(project: Mapping[str, Any], is_alive: Callable[[int], bool] = _alive) -> bool:
    """A `selftest-<8 hex>` project titled with the pid of a run that is no longer running."""
    match = TITLE_PATTERN.fullmatch(str(project.get("display_name", "")))
    name = str(project.get("name", ""))
    return (
        NAME_PATTERN.fullmatch(name) is not None
        and match is not None
        and not is_alive(int(match[1]))
    )


def remove_leftovers(client: Client) -> list[str]:
    """Delete the projects of earlier runs that died without cleaning up (SIGKILL);
    return their names."""
    removed = []
    for project in client.state().get("projects", []):
        if not is_leftover(project):
            continue
        name = str(project["name"])
        if client.active() == name:
            client.clear()
        client.delete(name)
        removed.append(name)
    return removed
