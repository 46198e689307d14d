"""Assignment and focus: new windows of a scoped class join the active project, a client
assigns or unassigns a window, and focus brings a hidden window's project back first."""

from __future__ import annotations

import logging
import time

from .i3 import commands
from .journal import Journal
from .model import events as ev
from .model.errors import I3CommandFailed
from .model.events import DetailValue
from .model.state import State
from .switching import Switcher
from .tracking import Tracker

log = logging.getLogger(__name__)


class Assignment:
    """Marks windows for projects. The marking methods run under the switch lock."""

    def __init__(
        self, state: State, tracker: Tracker, switcher: Switcher, journal: Journal
    ) -> None:
        # The model: windows, their marks, the active project.
        self.state = state
        # The i3 port, and the exact model an assignment is made from.
        self._tracker = tracker
        # Makes a window's visibility agree with the active project after an assign.
        self._switcher = switcher
        # Where window::assign is recorded.
        self._journal = journal

    def wants(self, con_id: int) -> bool:
        """Whether a window just seen is one to mark for the active project."""
        window = self.state.windows.get(con_id)
        return window is not None and self.state.wants_assignment(window)

    async def mark_new(self, con_id: int, arrived: int) -> None:
        """Mark a new window for the active project. ``arrived`` is when its window::new
        was read (perf_counter ns): the event records the service's own part (event read
        -> mark command sent) apart from i3's answer to it."""
        window = self.state.windows.get(con_id)
        port = self._tracker.port
        if window is None or port is None or not self.state.wants_assignment(window):
            return
        project = self.state.active
        mark = self.state.new_assignment_mark(window, project)
        sent = time.perf_counter_ns()
        try:
            await port.run(commands.mark(window, mark))
        except I3CommandFailed as exc:
            # Most often the window closed before it could be marked.
            log.debug("could not mark new window %s: %s", con_id, exc)
            return
        acked = time.perf_counter_ns()
        current = self.state.windows.get(con_id)
        if current is not None and mark not in current.marks:
            self.state.update_window(con_id, marks=(*current.marks, mark))
        details: dict[str, DetailValue] = {
            "con_id": con_id,
            "project": project,
            "wm_class": window.wm_class,
            "auto": True,
            "processing_us": (sent - arrived) // 1000,
            "i3_us": (acked - sent) // 1000,
        }
        self._journal.record(ev.WINDOW_ASSIGN, details, (acked - arrived) // 1000)

    def check(self, project: str) -> None:
        """Refuse an assignment to a project that does not exist ("" unassigns)."""
        if project:
            self.state.project(project)

    async def assign(self, con_id: int, project: str) -> None:
        """Assign a window to a project ("" removes the assignment), then make its
        visibility agree with the active project."""
        port = self._tracker.require()
        await self._tracker.settle()
        window = self.state.window(con_id)
        # The new mark first: the old ones name the window in the commands' criteria.
        parts = []
        marks = tuple(m for m in window.marks if m not in window.assignment_marks)
        if project:
            mark = self.state.new_assignment_mark(window, project)
            parts.append(commands.mark(window, mark))
            marks = (*marks, mark)
        parts += [commands.unmark(window, m) for m in window.assignment_marks]
        await port.run(commands.join(parts))
        self.state.update_window(con_id, marks=marks)
        self._journal.record(
            ev.WINDOW_ASSIGN, {"con_id": con_id, "project": project, "auto": False}
        )
        await self._switcher.switch(self.state.active, origin="assign")

    def hidden_in(self, con_id: int) -> str:
        """The project to switch to before focusing this window: the one it is hidden
        with, unless that is the active one ("" when no switch is needed)."""
        window = self.state.window(con_id)
        if window.hidden and window.project and window.project != self.state.active:
            return window.project
        return ""

    async def focus(self, con_id: int) -> None:
        port = self._tracker.require()
        await port.run(commands.focus(self.state.window(con_id)))
