"""Recovery from an i3 crash. i3's marks die with it, the X windows do not: a new i3 adopts
them all, unmarked, on its current workspace. So the service keeps its own record of which
X window belongs to which project and where it was (windows.json, written a moment after
each change, on the writer thread), and when it attaches to a new i3 whose windows carry
none of its marks, it gives them back: their assignment marks, those of inactive projects
hidden again (their restore marks say where the record saw them, not where the new i3 put
them), and the active project's windows put back by its "last" snapshot and the record.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Awaitable, Callable

from .background import Background
from .i3 import commands
from .journal import Journal
from .layoutfiles import LayoutStore
from .model import events as ev
from .model.errors import ConfigError, I3ProjectError, NoSuchLayout
from .model.port import Listener
from .model.recovery import (
    Recovery,
    Remembered,
    plan_recovery,
    recovery_plan,
    recovery_snapshot,
    remember,
)
from .model.snapshot import DEFAULT_SNAPSHOT, Snapshot
from .model.state import State
from .model.window import Window
from .persistence import Persistence
from .tracking import Tracker

log = logging.getLogger(__name__)

# How long after a change the record is written: a burst of changes costs one write.
WRITE_DELAY = 0.3

# A local X display: its server listens on /tmp/.X11-unix/X<number>.
LOCAL_DISPLAY = re.compile(r"(?:unix)?:(\d+)(?:\.\d+)?")


def x_server(display: str | None) -> str:
    """The identity of the X server a local display names: its socket, made when the
    server started, so an i3 crash keeps it and the next login's server has another.
    "" when unknown (no display, or not a local one)."""
    local = LOCAL_DISPLAY.fullmatch(display or "")
    if local is None:
        return ""
    try:
        found = os.stat(f"/tmp/.X11-unix/X{local.group(1)}")
    except OSError:
        return ""
    return f"{local.group(1)}:{found.st_ino}:{found.st_ctime_ns}"


# Puts the active project's recovered windows in place (Restorer.place).
Place = Callable[[Snapshot, dict[int, Window], bool], Awaitable[None]]


class Recovering(Listener):
    """Keeps the record and recovers from it. ``recover`` runs under the switch lock."""

    def __init__(
        self,
        state: State,
        tracker: Tracker,
        persistence: Persistence,
        journal: Journal,
        background: Background,
        store: LayoutStore,
        place: Place,
    ) -> None:
        # The model: windows with their marks, the projects, the active one.
        self.state = state
        # The i3 port and the barrier around the recovery's command.
        self._tracker = tracker
        # The writer thread the record is written on.
        self._persistence = persistence
        # Where layout::recover is recorded.
        self._journal = journal
        # Where the delayed writes run.
        self._background = background
        # windows.json, and the "last" snapshots.
        self.store = store
        # How the active project's windows are put back.
        self._place = place
        # X11 id -> project and place, as last written (or read at start).
        self.memory: dict[int, Remembered] = {}
        # True from losing i3 until the new one is recovered: the model then holds
        # windows without their marks, which must not overwrite the record.
        self._paused = True
        # The delayed write, while one is scheduled.
        self._write_task: asyncio.Task[None] | None = None

    def load(self) -> None:
        """Read the record (before the bus name is taken)."""
        self.memory = self.store.load_memory()

    # -- keeping the record ---------------------------------------------------------

    def pause(self) -> None:
        self._paused = True

    def resume(self) -> None:
        self._paused = False
        self._schedule()

    def connection_changed(self, connected: bool) -> None:
        if not connected:
            self.pause()  # resumed once the new i3 is recovered (LayoutSnapshots.on_attach)

    def window_added(self, window: Window) -> None:
        if window.project:
            self._schedule()

    def window_changed(self, old: Window, new: Window) -> None:
        if (old.marks, old.workspace, old.floating, old.rect) != (
            new.marks,
            new.workspace,
            new.floating,
            new.rect,
        ):
            self._schedule()

    def window_removed(self, window: Window) -> None:
        if window.project:
            self._schedule()

    def _schedule(self) -> None:
        if self._paused or (self._write_task is not None and not self._write_task.done()):
            return
        self._write_task = self._background.spawn(self._write_later(), "writing windows.json")

    async def _write_later(self) -> None:
        await asyncio.sleep(WRITE_DELAY)
        if self._paused:
            return
        memory = remember(self.state.windows.values(), x_server(os.environ.get("DISPLAY")))
        if memory == self.memory:
            return
        # Known from now on, whether or not the file is written yet: a new i3 attached
        # while the write is on its way is recovered from it.
        self.memory = memory
        try:
            await self._persistence.write(self.store.save_memory, memory)
        except ConfigError as exc:
            log.warning("%s", exc)

    # -- recovering -----------------------------------------------------------------

    def wanted(self) -> list[Recovery]:
        """The windows to recover: none unless no window carries any mark of ours (an
        in-place restart keeps them all, a new i3 has none)."""
        windows = list(self.state.windows.values())
        if any(w.assignment_marks or w.restore_marks for w in windows):
            return []
        server = x_server(os.environ.get("DISPLAY"))
        return plan_recovery(windows, self.memory, self.state.projects.keys(), server)

    async def recover(self) -> bool:
        """Give the windows of a new i3 back to their projects; True if any were."""
        recovered = self.wanted()
        if not recovered:
            return False
        port = self._tracker.require()
        tokens = {r.window.id: self._token(r) for r in recovered}
        marks, plan = recovery_plan(recovered, tokens, self.state.active)
        payload = commands.join([*(commands.mark(w, m) for w, m in marks), commands.switch(plan)])
        async with self._tracker.moving(r.window.id for r in recovered):
            await port.run(payload)
            for window, mark in marks:
                current = self.state.windows.get(window.id)
                if current is not None:
                    self.state.update_window(window.id, marks=(*current.marks, mark))
            self.state.apply_plan(plan)
        active = [r for r in recovered if r.remembered.project == self.state.active]
        if active:
            await self._put_back(active, port.is_sway)
        self._journal.record(
            ev.LAYOUT_RECOVER,
            {"windows": len(recovered), "hidden": len(plan.hide), "placed": len(active)},
        )
        log.info("recovered %s windows from a new i3 (%s hidden)", len(recovered), len(plan.hide))
        return True

    def _token(self, r: Recovery) -> str:
        if r.remembered.token:
            return r.remembered.token
        mark = self.state.new_assignment_mark(r.window, r.remembered.project)
        return mark.rsplit(":", 1)[-1]

    async def _put_back(self, active: list[Recovery], sway: bool) -> None:
        project = self.state.active
        try:
            last: Snapshot | None = await self._persistence.write(
                self.store.load, project, DEFAULT_SNAPSHOT
            )
        except (NoSuchLayout, ConfigError):
            last = None
        snapshot = recovery_snapshot(project, active, last)
        found = {i: r.window for i, r in enumerate(active)}
        try:
            await self._place(snapshot, found, sway)
        except I3ProjectError as exc:
            log.warning("putting back the windows of %s: %s", project, exc)
