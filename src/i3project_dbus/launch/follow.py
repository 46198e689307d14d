"""Windows follow their process: a new window of a launched app joins the project it was
launched for, even when another project is active, and goes where the launch asked (then
hidden, when that project is not the active one)."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from ..i3 import commands
from ..journal import Journal
from ..model import events as ev
from ..model.errors import I3CommandFailed
from ..model.events import DetailValue
from ..model.launches import LaunchRecord
from ..model.state import State
from ..model.window import Window
from ..switching import Switcher
from ..tracking import Tracker

log = logging.getLogger(__name__)


class Follower:
    """Assigns and places the windows of launched processes. Runs under the switch lock."""

    def __init__(
        self, state: State, tracker: Tracker, switcher: Switcher, journal: Journal
    ) -> None:
        # The model: windows, their marks, the projects, the active one.
        self.state = state
        # The i3 port, and the barrier after a command that moves a window.
        self._tracker = tracker
        # Hides the window when its project is not the active one.
        self._switcher = switcher
        # Where window::assign is recorded.
        self._journal = journal

    async def place(self, con_id: int, record: LaunchRecord, arrived: int, pid_ns: int) -> None:
        """Mark the window for its launch's project and put it where the launch asked, in
        one command; then make its visibility agree with the active project. ``arrived``
        is when its window::new was read (perf_counter ns), ``pid_ns`` what reading its
        process took: the event records the service's own part without it."""
        window = self.state.windows.get(con_id)
        port = self._tracker.port
        if window is None or port is None:
            return  # closed already, or i3 is gone: the tree tells the rest on reattach
        project = record.project if record.project in self.state.projects else ""
        mark, parts = self._commands(window, project, record)
        if not parts:
            return
        sent = time.perf_counter_ns()
        try:
            async with self._tracker.moving([con_id]):
                await port.run(commands.join(parts))
                current = self.state.windows.get(con_id)
                if current is not None:
                    self.state.put_window(self._placed(current, mark, record))
        except I3CommandFailed as exc:
            log.debug("could not place launched window %s: %s", con_id, exc)
            return
        acked = time.perf_counter_ns()
        details: dict[str, DetailValue] = {
            "con_id": con_id,
            "project": project,
            "wm_class": window.wm_class,
            "auto": True,
            "launch": True,
            "pid": record.pid,
            "workspace": record.workspace,
            "processing_us": (sent - arrived - pid_ns) // 1000,
            "pid_us": pid_ns // 1000,
            "i3_us": (acked - sent) // 1000,
        }
        self._journal.record(ev.WINDOW_ASSIGN, details, (acked - arrived) // 1000)
        if project and project != self.state.active:
            await self._switcher.switch(self.state.active, origin="launch")

    def _commands(
        self, window: Window, project: str, record: LaunchRecord
    ) -> tuple[str, list[str]]:
        """The new assignment mark ("" for none) and the commands. The placement names
        the window by that mark: on sway a native window has no X11 id to name it by."""
        parts = []
        marked = window
        mark = ""
        if project and window.project != project:
            mark = self.state.new_assignment_mark(window, project)
            parts.append(commands.mark(window, mark))
            parts += [commands.unmark(window, m) for m in window.assignment_marks]
            kept = tuple(m for m in window.marks if m not in window.assignment_marks)
            marked = replace(window, marks=(*kept, mark))
        if record.workspace or record.floating:
            parts.append(commands.place(marked, record.workspace, record.floating))
        return mark, parts

    @staticmethod
    def _placed(window: Window, mark: str, record: LaunchRecord) -> Window:
        """The window as the command leaves it: its one assignment mark, where it was put."""
        marks = window.marks
        if mark:
            marks = (*(m for m in marks if m not in window.assignment_marks and m != mark), mark)
        return replace(
            window,
            marks=marks,
            workspace=record.workspace or window.workspace,
            floating=window.floating or record.floating,
        )
