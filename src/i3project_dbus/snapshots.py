"""Layout snapshots of projects: save one from a tree read (the processes' commands read
from /proc on the writer thread), list and delete them, and the automatic saves of the
active project's "last" (on switch-away, on stop, on a timer)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from . import procinfo
from .journal import Journal
from .layoutfiles import LayoutStore
from .model import events as ev
from .model.captured import Capture, CapturedWindow
from .model.errors import ConfigError, I3ProjectError
from .model.port import Listener
from .model.restore_settings import LayoutSettings
from .model.saving import snapshot_of
from .model.snapshot import (
    DEFAULT_SNAPSHOT,
    PREVIOUS_SNAPSHOT,
    Snapshot,
    validate_snapshot_name,
)
from .model.state import State
from .model.window import Window
from .persistence import Persistence, iso_now
from .tracking import Tracker

log = logging.getLogger(__name__)

# Reads the pid of a window's process where the tree does not tell it (i3: from X).
WindowPid = Callable[[Window], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Pending:
    """A save between its tree read and its file."""

    project: str
    parse: Callable[[], Capture]  # the tree as read, parsed when called (no I/O)
    hidden: tuple[Window, ...]  # its windows a switch hid


class Snapshots(Listener):
    """Owns the snapshot files. ``save`` runs under the switch lock (the manager's); the
    file work runs on the writer thread."""

    def __init__(
        self,
        state: State,
        tracker: Tracker,
        persistence: Persistence,
        journal: Journal,
        store: LayoutStore,
        settings: Callable[[], LayoutSettings],
        window_pid: WindowPid | None = None,
    ) -> None:
        # The model: projects and their windows.
        self.state = state
        # The i3 port, and the exact model a save is made from.
        self._tracker = tracker
        # The writer thread every file operation runs on.
        self._persistence = persistence
        # Where layout::save is recorded.
        self._journal = journal
        # layouts/PROJECT/NAME.json and the crash record.
        self.store = store
        # config.json's snapshot settings as they are now (a Reload changes them).
        self._settings = settings
        # How to learn a window's process on i3 (None: only sway's tree tells it).
        self._window_pid = window_pid
        # project -> its snapshot names, sorted: what the Layouts property shows.
        self._names: dict[str, list[str]] = {}
        # window container id -> its process id, read once per window (X round trips).
        self._pids: dict[int, int] = {}

    def load(self) -> None:
        """Read which snapshots each project has (before the bus name is taken)."""
        for name in self.state.projects:
            self._names[name] = self.store.names(name)

    def names(self, project: str) -> list[str]:
        self.state.project(project)
        if project not in self._names:
            # A project made or loaded since start: one small directory listing.
            self._names[project] = self.store.names(project)
        return list(self._names[project])

    def window_removed(self, window: Window) -> None:
        self._pids.pop(window.id, None)

    async def load_snapshot(self, project: str, name: str) -> Snapshot:
        """A snapshot read on the writer thread: NoSuchLayout, or ConfigError for a file
        that cannot be read (it is left as it is)."""
        self.state.project(project)
        validate_snapshot_name(name)
        return await self._persistence.write(self.store.load, project, name)

    async def delete(self, project: str, name: str) -> None:
        self.state.project(project)
        validate_snapshot_name(name)
        await self._persistence.write(self.store.delete, project, name)
        self._names[project] = [n for n in self._names.get(project, ()) if n != name]
        self._journal.record(ev.LAYOUT_DELETE, {"project": project, "snapshot": name})

    async def save(self, project: str, name: str, origin: str) -> Snapshot:
        """Save the project's windows as they are now: the tree is read here, the commands
        from /proc and the file on the writer thread, which this waits for."""
        start = time.perf_counter_ns()
        self.state.project(project)
        validate_snapshot_name(name)
        snapshot, _kept = await self._write(await self._pending(project), name)
        self._saved(snapshot, origin, start)
        return snapshot

    async def _pending(self, project: str) -> Pending:
        """Where the project's windows are now: the tree, and the hidden ones' marks."""
        port = self._tracker.require()
        await self._tracker.settle()
        parse = await port.capture_later()
        hidden = tuple(w for w in self.state.windows_of(project) if w.hidden)
        return Pending(project, parse, hidden)

    async def _write(
        self, pending: Pending, name: str, keep_previous: bool = False
    ) -> tuple[Snapshot, bool]:
        """Parse the tree on the writer thread, read the pids, then /proc and the file
        on the writer thread again (``keep_previous``: LayoutStore.save); return the
        snapshot and whether the file before it was kept as "previous"."""
        project, hidden = pending.project, pending.hidden
        capture = await self._persistence.write(pending.parse)
        mine = [c for c in capture.windows if c.window.project == project]
        pids = {c.window.id: await self._pid(c) for c in mine}
        pids.update({w.id: await self._pid_of(w) for w in hidden})
        settings = self._settings()
        port = self._tracker.port
        wm = port.description if port is not None else ""
        return await self._persistence.write(
            self._build_and_write,
            project,
            name,
            mine,
            hidden,
            pids,
            settings.exclude,
            wm,
            keep_previous,
        )

    def _build_and_write(
        self,
        project: str,
        name: str,
        captured: Sequence[CapturedWindow],
        hidden: Sequence[Window],
        pids: Mapping[int, int],
        exclude: Sequence[str],
        window_manager: str,
        keep_previous: bool,
    ) -> tuple[Snapshot, bool]:
        """On the writer thread: /proc, then the atomic write."""
        processes: dict[int, tuple[tuple[str, ...], str]] = {}
        for con_id, pid in pids.items():
            command = procinfo.command_of(pid)
            if command is not None:
                processes[con_id] = (command.argv, command.cwd)
        snapshot = snapshot_of(
            project, name, captured, hidden, processes, exclude, iso_now(), window_manager
        )
        return snapshot, self.store.save(snapshot, keep_previous)

    def _saved(self, snapshot: Snapshot, origin: str, start: int, kept: bool = False) -> None:
        names = set(self._names.get(snapshot.project, ())) | {snapshot.name}
        if kept:
            names.add(PREVIOUS_SNAPSHOT)
        self._names[snapshot.project] = sorted(names)
        self._journal.record(
            ev.LAYOUT_SAVE,
            {
                "project": snapshot.project,
                "snapshot": snapshot.name,
                "windows": len(snapshot.windows),
                "origin": origin,
            },
            (time.perf_counter_ns() - start) // 1000,
        )

    async def _pid(self, captured: CapturedWindow) -> int:
        if captured.pid > 0:
            return captured.pid
        return await self._pid_of(captured.window)

    async def _pid_of(self, window: Window) -> int:
        if window.pid > 0:
            return window.pid
        known = self._pids.get(window.id)
        if known is None:
            known = await self._window_pid(window) if self._window_pid is not None else 0
            self._pids[window.id] = known
        return known

    # -- autosave -------------------------------------------------------------------

    def wants_autosave(self, project: str) -> bool:
        """Autosave is on, and the project has windows to save (a project with none
        shown keeps its last snapshot: it is not overwritten by an empty one)."""
        return bool(
            project
            and self._settings().autosave
            and project in self.state.projects
            and any(not w.in_scratchpad for w in self.state.windows_of(project))
        )

    async def autosave(self, project: str, origin: str) -> None:
        """Save the project's "last" and wait for the file (on stop, on the timer)."""
        pending = await self.capture_for_autosave(project)
        if pending is not None:
            await self.finish_autosave(pending, origin)

    async def capture_for_autosave(self, project: str) -> Pending | None:
        """The tree read of an autosave, when one is wanted: taken before a switch moves
        the windows, the rest (/proc, the file) done after it by finish_autosave."""
        if not self.wants_autosave(project):
            return None
        try:
            return await self._pending(project)
        except I3ProjectError as exc:
            log.warning("autosave of %s: cannot read the tree: %s", project, exc)
            return None

    async def finish_autosave(self, pending: Pending, origin: str) -> None:
        """The rest of an autosave: "last" written, the one before kept as "previous". A
        failure (a "last" from a newer version among them) is logged and recorded,
        never raised (a switch or a stop does not fail for it)."""
        start = time.perf_counter_ns()
        try:
            snapshot, kept = await self._write(pending, DEFAULT_SNAPSHOT, keep_previous=True)
        except (I3ProjectError, OSError) as exc:
            log.warning("autosave of %s failed: %s", pending.project, exc)
            if isinstance(exc, ConfigError):
                self._journal.record(ev.CONFIG_ERROR, {"message": str(exc)})
            return
        self._saved(snapshot, origin, start, kept)
