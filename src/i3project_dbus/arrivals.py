"""New windows: while launched apps run, each new window is first asked whether its
process is one of theirs (then it follows its launch's project and place); otherwise
today's rule assigns it (a scoped class goes to the active project). Both run off the
event handler, under the switch lock."""

from __future__ import annotations

import asyncio
import time

from .assignment import Assignment
from .background import Background
from .launch import Launcher
from .launch.follow import Follower
from .model.window import Window


class Arrivals:
    def __init__(
        self,
        launcher: Launcher,
        follower: Follower,
        assignment: Assignment,
        lock: asyncio.Lock,
        background: Background,
    ) -> None:
        # Which launch, if any, a window's process belongs to.
        self._launcher = launcher
        # Assigns and places the windows of launched apps.
        self._follower = follower
        # Marks new windows for the active project.
        self._assignment = assignment
        # The manager's switch lock: a window is placed between switches, never inside one.
        self._lock = lock
        # Where the placing tasks run.
        self._background = background

    def window_new(self, window: Window) -> None:
        """Asking a window's process takes its pid (an X round trip on i3): only while a
        launch is recorded; with none, a new window costs what it did before."""
        arrived = time.perf_counter_ns()
        if len(self._launcher.records):
            self._background.spawn(self._follow(window, arrived), "placing a new window")
        elif self._assignment.wants(window.id):
            self._background.spawn(self._assign(window.id, arrived), "assigning a window")

    async def _assign(self, con_id: int, arrived: int) -> None:
        async with self._lock:
            await self._assignment.mark_new(con_id, arrived)

    async def _follow(self, window: Window, arrived: int) -> None:
        asked = time.perf_counter_ns()
        record = await self._launcher.launch_of(window)
        pid_ns = time.perf_counter_ns() - asked
        async with self._lock:
            if record is not None:
                await self._follower.place(window.id, record, arrived, pid_ns)
            else:
                await self._assignment.mark_new(window.id, arrived)
