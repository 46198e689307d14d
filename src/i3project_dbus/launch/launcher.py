"""The launch capability: start an app for a project (its directory, its environment, a
systemd scope of its own when there is a user manager) and tell which launch a window's
process belongs to."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..model.errors import LaunchFailed
from ..model.events import DetailValue
from ..model.launch import (
    LaunchEntry,
    LaunchOptions,
    check_argv,
    launch_environment,
    substitute,
)
from ..model.launches import DEFAULT_CAPACITY, LaunchRecord, LaunchTable
from ..model.project import Project
from ..model.window import Window
from . import procs, spawn

log = logging.getLogger(__name__)

UNIT_PREFIX = "app-i3project-"
# While launches are recorded, a window that belongs to none of them leads to a sweep of
# the records of processes gone, at most this often (seconds): a sweep reads all of /proc.
EXPIRE_INTERVAL = 10.0


class Scopes(Protocol):
    """systemd's transient scopes (``dbus.systemd.SystemdScopes``; a fake in tests)."""

    async def available(self) -> bool:
        """Whether a systemd user manager is on the bus now."""
        ...

    async def start(self, unit: str, pid: int, description: str) -> bool:
        """Move ``pid`` into a new scope ``unit``; True once systemd has done it. Never
        raises: a failure is logged and the app runs outside a scope."""
        ...


# Reads a window's process id when the window manager's tree does not tell it (i3).
WindowPid = Callable[[Window], Awaitable[int]]


def scope_name(project: str, pid: int) -> str:
    """``app-i3project-<project>-<pid>.scope``, after systemd's desktop conventions: the
    launcher, then what was launched, then something unique (the pid is, while it runs).
    Project names hold only characters that unit names allow."""
    middle = f"{project}-" if project else ""
    return f"{UNIT_PREFIX}{middle}{pid}.scope"


def project_directory(project: Project | None, environ: Mapping[str, str]) -> str:
    """Where a project's apps start: its directory ("~" is the home directory, a relative
    one is under it), or the home directory when it has none."""
    home = environ.get("HOME") or os.path.expanduser("~")
    directory = project.directory if project else ""
    if not directory:
        return home
    if directory == "~" or directory.startswith("~/"):
        directory = home + directory[1:]
    return os.path.join(home, directory)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A launch checked and ready to start."""

    project: str
    program: str  # the file exec runs, found as execvp would
    argv: tuple[str, ...]  # as the program gets it, $PROJECT_DIR and $PROJECT_NAME replaced
    directory: str
    env: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Started:
    """A launch that runs: its record, the argv it got, and whether systemd scoped it."""

    record: LaunchRecord
    argv: tuple[str, ...]
    scoped: bool

    def details(self) -> dict[str, DetailValue]:
        """The project::launch event's details."""
        return {
            "project": self.record.project,
            "pid": self.record.pid,
            "program": self.argv[0],
            "app": self.record.entry,
            "workspace": self.record.workspace,
            "floating": self.record.floating,
            "scope": self.scoped,
        }


class Launcher:
    """Starts apps and remembers them, so that their windows can follow them."""

    def __init__(
        self,
        environ: Mapping[str, str],
        scopes: Scopes | None = None,
        window_pid: WindowPid | None = None,
        capacity: int = DEFAULT_CAPACITY,
        warm_up: Callable[[], None] | None = None,
    ) -> None:
        # The service's environment: what every launched process starts from.
        self.environ = environ
        # systemd's scopes; None where the service has no bus to reach systemd on.
        self.scopes = scopes
        # How to learn a window's process when the window does not carry it.
        self.window_pid = window_pid
        # Called after each launch: gets the pid reader ready before the first window.
        self.warm_up = warm_up
        # The launched processes still alive, and which windows came from each.
        self.records = LaunchTable(capacity)
        # When (time.monotonic) the records may next be swept for processes gone.
        self._next_sweep = 0.0
        # Held by Open(): two at once would both find an app not running and start it twice.
        self._opening = asyncio.Lock()

    def prepare(
        self, argv: Sequence[str], project: Project | None, directory: str = ""
    ) -> Prepared:
        """Everything a launch needs, checked without starting anything: InvalidArgument
        for a bad argv, LaunchFailed for a program or directory that is not there.
        ``directory``, when given, is where it runs instead of the project's directory
        (a layout restore relaunches an app where it ran); $PROJECT_DIR stays the
        project's."""
        args = check_argv(list(argv))
        name = project.name if project else ""
        project_dir = project_directory(project, self.environ)
        args = substitute(args, name, project_dir)
        directory = directory or project_dir
        env = launch_environment(
            self.environ, project.environment if project else (), name, project_dir
        )
        spawn.check_directory(directory)
        program = spawn.resolve(args[0], directory, env.get("PATH", os.defpath))
        return Prepared(name, program, args, directory, env)

    async def launch(
        self,
        argv: Sequence[str],
        project: Project | None,
        options: LaunchOptions | None = None,
        entry: str = "",
        directory: str = "",
    ) -> Started:
        """Start ``argv`` for ``project`` (None: for no project) and record it. Raises
        InvalidArgument for a bad argv and LaunchFailed when it cannot run; then nothing
        is left running and nothing is recorded."""
        options = options or LaunchOptions()
        ready = self.prepare(argv, project, directory)
        held = await spawn.start(ready.program, ready.argv, ready.directory, ready.env)
        try:
            record = LaunchRecord(
                pid=held.pid,
                project=ready.project,
                entry=entry,
                workspace=options.workspace,
                floating=options.floating,
                start_ticks=procs.start_ticks(held.pid),
                started_us=time.time_ns() // 1000,
            )
            scoped = await self._into_scope(held.pid, ready.project, ready.argv[0])
            # Recorded before exec: the app's first window may come before this coroutine
            # runs again.
            self.records.add(record, procs.Liveness())
            try:
                await held.release()
            except BaseException:
                self.records.remove(held.pid)
                raise
        finally:
            held.close()
        log.info("launched %s (pid %s) for project %r", ready.argv[0], held.pid, ready.project)
        if self.warm_up is not None:
            self.warm_up()
        return Started(record, ready.argv, scoped)

    async def open(
        self, project: Project, windows: Iterable[Window], live: Collection[int]
    ) -> tuple[list[Started], list[str]]:
        """Start each of the project's apps that is not running (see ``running``), given
        the project's windows and the ids of every live window. Return what started and,
        for each app that could not, why; one failure does not stop the others."""
        started: list[Started] = []
        failures: list[str] = []
        async with self._opening:
            await self.sweep()
            mine = list(windows)
            for entry in project.launch:
                if self.running(project.name, entry, mine, live):
                    continue
                options = LaunchOptions(entry.workspace, entry.floating)
                try:
                    started.append(await self.launch(entry.command, project, options, entry.name))
                except LaunchFailed as exc:
                    failures.append(f"{entry.name}: {exc}")
        return started, failures

    def running(
        self, project: str, entry: LaunchEntry, windows: Iterable[Window], live: Collection[int]
    ) -> bool:
        """An app runs when one of the project's windows matches its ``match``, when a
        window from one of its launches is still open, or when a launch of it has not
        shown a window yet (it is starting)."""
        if entry.match is not None and any(entry.match.matches(w) for w in windows):
            return True
        for record in self.records.of_entry(project, entry.name):
            if not self.records.has_shown(record.pid):
                return True
            if any(con_id in live for con_id in self.records.windows_of(record.pid)):
                return True
        return False

    async def _into_scope(self, pid: int, project: str, program: str) -> bool:
        if self.scopes is None or not await self.scopes.available():
            return False
        description = f"{os.path.basename(program)} of project {project or '(none)'}"
        return await self.scopes.start(scope_name(project, pid), pid, description)

    async def launch_of(self, window: Window) -> LaunchRecord | None:
        """The launch the window's process belongs to, if any. Nothing is read while no
        launch is recorded, so windows cost nothing more until something is launched."""
        if not len(self.records):
            return None
        known = self.records.launch_of(window.id)
        if known is not None:
            return known
        pid = window.pid
        if pid <= 0 and self.window_pid is not None:
            pid = await self.window_pid(window)
        if pid <= 0:
            return None
        record = self.records.find(procs.lineage(pid))
        if record is not None:
            self.records.note_window(window.id, record)
        elif time.monotonic() >= self._next_sweep:
            await self.sweep()
        return record

    def window_closed(self, con_id: int) -> None:
        self.records.forget_window(con_id)

    async def sweep(self) -> list[LaunchRecord]:
        """Forget launches whose processes are all gone; /proc is read on a thread."""
        self._next_sweep = time.monotonic() + EXPIRE_INTERVAL
        liveness = procs.Liveness()
        await asyncio.to_thread(liveness.read)
        return self.records.expire(liveness)
