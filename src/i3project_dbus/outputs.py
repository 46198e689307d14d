"""Outputs: the latest reading of monitors and workspaces (what the bus shows), workspaces
moved to their preferred outputs after each burst of output changes, at start and on
ReassignWorkspaces, and each project's focus kept across switches.

Docking sends several output events; a burst ends QUIET seconds after its last event (or
MAX_WAIT after its first, so that a flapping cable cannot hold workspaces back for
ever), and is answered by one reassignment. sway before 1.8 sends no output events:
there a reading taken after workspace events (a new output gets a workspace, a gone
output's workspaces move) that shows other outputs than the one before starts the burst.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace

from . import config
from .background import Background
from .i3.commands import STAGING_WORKSPACE
from .journal import Journal
from .model import events as ev
from .model.errors import I3CommandFailed, NotConnected
from .model.events import DetailValue
from .model.focus import FocusRecord, left_to_do, plan_restore, record_focus
from .model.outputs import Output, Screens, Workspace, as_mapping, unknown_refs
from .model.port import Listener
from .model.reassign import plan_reassignment
from .model.state import State
from .model.wmevents import OutputEvent, WorkspaceEvent
from .tracking import Tracker

log = logging.getLogger(__name__)

# A burst of output events ends this long after the last one...
QUIET = 0.15
# ...or this long after the first, whichever comes first.
MAX_WAIT = 1.0
# Workspace events within this delay cost one reading of outputs and workspaces.
READ_DELAY = 0.02
# How long that reading waits for a switch (or anything else under the lock) to end.
LOCK_WAIT = 1.0


def _layout(screens: Screens) -> tuple[tuple[str, bool, bool, tuple[int, ...]], ...]:
    # What changes when monitors come, go or move (not what they show).
    return tuple((o.name, o.active, o.primary, o.rect) for o in screens.outputs)


class Outputs:
    """Owns the reading of outputs and workspaces, the homes of workspaces pushed off a
    gone output, and each project's focus record. ``reassign``, ``before_switch`` and
    ``after_switch`` run under the manager's lock; the events only schedule."""

    def __init__(
        self,
        state: State,
        tracker: Tracker,
        journal: Journal,
        listeners: Listener,
        background: Background,
        settings: Callable[[], config.Settings],
        lock: asyncio.Lock,
    ) -> None:
        # The model: the windows tell which workspaces are occupied and what has the focus.
        self._state = state
        self._tracker = tracker  # the i3 port
        self._journal = journal  # where outputs::change is recorded
        # Who is told of a new reading (the publisher) and of new config warnings.
        self._listeners = listeners
        self._background = background  # runs the delayed reading and burst's reassignment
        self._settings = settings  # the settings in force (Reload replaces them)
        # The manager's lock: a burst's reassignment never interleaves with a switch.
        self._lock = lock
        self.screens = Screens()  # the latest reading: what the Output objects show
        # The last reading outside a burst: where workspaces were before outputs changed.
        self._settled = Screens()
        # workspace -> the output it was pushed off, to go back to when that returns
        self._homes: dict[str, str] = {}
        # project -> what it showed and focused when it was left
        self._focus: dict[str, FocusRecord] = {}
        self._returning: frozenset[str] = frozenset()  # mapped ones a switch makes again
        # The reading the last switch started from (what it restores against).
        self._before = Screens()
        # The pending reassignment of a burst (None between bursts).
        self._burst: asyncio.Task[None] | None = None
        # Loop times of the burst's first and latest output change.
        self._burst_first = 0.0
        self._burst_last = 0.0
        # The burst's output events so far, and its readings that showed other outputs
        # than the reading before (all sway 1.7 has); both recorded with outputs::change.
        self._burst_events = 0
        self._burst_seen = 0
        # The pending delayed reading, if one is scheduled or running.
        self._read_task: asyncio.Task[None] | None = None
        # An event came while the reading ran: read once more after it.
        self._read_again = False
        # True while a reassignment runs: its own moves are no change of outputs.
        self._reassigning = False
        # A reading during the reassignment showed other outputs: read again after it.
        self._missed = False
        # Config warnings about outputs (unknown ones), kept in ConfigErrors.
        self._warnings: tuple[str, ...] = ()
        # output name -> the output as last seen: every output a reading ever showed
        self._seen: dict[str, Output] = {}

    # -- events -----------------------------------------------------------------------

    def on_output(self, _event: OutputEvent) -> None:
        self._output_changed(event=True)
        self._schedule_read()

    def on_workspace(self, event: WorkspaceEvent) -> None:
        if event.name != STAGING_WORKSPACE:  # a switch's own, never seen, never kept
            self._schedule_read()

    def _output_changed(self, event: bool) -> None:
        now = asyncio.get_running_loop().time()
        self._burst_last = now
        if self._burst is None or self._burst.done():
            self._burst_first = now
            self._burst_events = self._burst_seen = 0
            self._burst = self._background.spawn(self._after_burst(), "reassigning workspaces")
        if event:
            self._burst_events += 1
        else:
            self._burst_seen += 1

    async def _after_burst(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            wait = min(self._burst_last + QUIET, self._burst_first + MAX_WAIT) - loop.time()
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        # A change from here on is a new burst, answered after this one.
        self._burst = None
        counts = {"events": self._burst_events, "seen": self._burst_seen}
        if not self._tracker.connected:
            return
        async with self._lock:
            try:
                await self.reassign(origin="output", counts=counts)
            except NotConnected:
                return
            except I3CommandFailed as exc:
                # A workspace vanished between the reading and the moves (it emptied):
                # the next change of outputs, or ReassignWorkspaces, tries again.
                log.warning("reassigning workspaces after an output change: %s", exc)

    def _schedule_read(self) -> None:
        if self._read_task is None or self._read_task.done():
            self._read_task = self._background.spawn(self._read_later(), "reading outputs")
        else:
            self._read_again = True

    async def _read_later(self) -> None:
        self._read_again = True
        while self._read_again:
            await asyncio.sleep(READ_DELAY)
            # After a switch that runs (it holds the lock; LOCK_WAIT at most): one reading
            # for all its workspace events. An event from here on asks for another.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(LOCK_WAIT), self._lock:
                    pass
            self._read_again = False
            if not self._tracker.connected:
                return
            try:
                self._take(await self._tracker.require().screens())
            except NotConnected:
                return

    def _take(self, new: Screens, settled: bool = False) -> None:
        """A new reading: tell the listeners; a reading that shows other outputs starts a
        burst (sway 1.7 tells no other way); outside a burst it is where things are."""
        old = self.screens
        self.screens = new
        if new != old:
            self._listeners.outputs_changed(old, new)
        if settled:
            self._settled = new
        elif self._reassigning:
            # Its own moves change no output; anything else is looked at once it is done.
            self._missed = self._missed or _layout(new) != _layout(old)
        else:
            self._watch(old, new)
        if _layout(new) != _layout(old):
            self._warn()

    def _watch(self, old: Screens, new: Screens) -> None:
        if self._burst is not None and not self._burst.done():
            if _layout(new) != _layout(old):
                self._output_changed(event=False)  # still changing: the burst goes on
        elif _layout(new) != _layout(self._settled) and self._settled.outputs:
            self._output_changed(event=False)
        else:
            self._settled = new

    # -- lifecycle --------------------------------------------------------------------

    async def attach(self) -> None:
        """Read the outputs of a freshly attached i3 and put workspaces where they belong."""
        self._settled = Screens()
        try:
            await self.reassign(origin="start")
        except I3CommandFailed as exc:
            log.warning("reassigning workspaces at start: %s", exc)

    def detach(self) -> None:
        if self._burst is not None:
            self._burst.cancel()
            self._burst = None

    def reloaded(self) -> None:
        """Settings were read again: the warnings about unknown outputs may change."""
        self._warnings = ()
        self._warn()

    def _warn(self) -> None:
        """Keep ConfigErrors' warnings about outputs no reading has ever shown."""
        self._seen.update((o.name, o) for o in self.screens.outputs)
        mapping = self._settings().workspace_outputs
        warnings = tuple(unknown_refs(mapping, list(self._seen.values()))) if self._seen else ()
        if warnings == self._warnings:
            return
        errors = [e for e in self._state.config_errors if e not in self._warnings]
        for message in warnings:
            if message not in self._warnings:
                log.warning("%s", message)
                self._journal.record(ev.CONFIG_ERROR, {"message": message})
        self._warnings = warnings
        self._state.config_errors = (*errors, *warnings)
        self._listeners.config_changed()

    # -- reassignment -----------------------------------------------------------------

    def _occupied(self) -> set[str]:
        return {w.workspace for w in self._state.windows.values() if w.workspace}

    async def reassign(
        self,
        dry_run: bool = False,
        origin: str = "dbus",
        counts: Mapping[str, int] | None = None,
        only: Collection[str] | None = None,
    ) -> list[tuple[str, str]]:
        """Move every workspace (or those in ``only``) where it belongs now; return the
        moves (made or not). ``counts`` tells the changes of outputs this answers."""
        self._reassigning = True
        try:
            return await self._reassign(dry_run, origin, counts or {}, only)
        finally:
            self._reassigning = False
            if self._missed:
                self._missed = False
                self._schedule_read()

    async def _reassign(
        self,
        dry_run: bool,
        origin: str,
        counts: Mapping[str, int],
        only: Collection[str] | None,
    ) -> list[tuple[str, str]]:
        start = time.perf_counter_ns()
        port = self._tracker.require()
        now = await port.screens()
        plan = plan_reassignment(
            now,
            as_mapping(self._settings().workspace_outputs),
            before=self._settled if self._settled.outputs else None,
            homes=self._homes,
            occupied=self._occupied(),
            only=only,
        )
        if dry_run:
            return plan.pairs()
        if not plan.empty:
            await port.move_workspaces(plan)
            now = await port.screens()
        self._homes = dict(plan.homes)
        self._take(now, settled=True)
        # A burst of output changes is always told; otherwise only moves are news.
        if origin == "output" or not plan.empty:
            details: dict[str, DetailValue] = {
                "origin": origin,
                "moves": plan.describe(),
                "count": len(plan.moves),
                "events": counts.get("events", 0),
                "seen": counts.get("seen", 0),
                "active": ", ".join(o.name for o in now.active),
            }
            duration = (time.perf_counter_ns() - start) // 1000
            self._journal.record(ev.OUTPUTS_CHANGE, details, duration)
        return plan.pairs()

    # -- focus per project ------------------------------------------------------------

    async def before_switch(self, target: str) -> None:
        """Record what the project being left shows, and which mapped workspaces the
        switch will make again (i3 makes them on the focused output)."""
        mapped = {name for name, _refs in self._settings().workspace_outputs}
        hidden = (w.restore for w in self._state.windows.values() if w.hidden)
        returning = mapped.intersection(r.workspace for r in hidden if r is not None)
        screens = self.screens
        if returning or (self._read_task is not None and not self._read_task.done()):
            screens = await self._tracker.require().screens()  # not read yet: read now
        self._returning = frozenset(returning - {w.name for w in screens.workspaces})
        self._before = screens
        active = self._state.active
        if self._settings().restore_focus and active and active != target:
            focused = next((w.id for w in self._state.windows.values() if w.focused), 0)
            self._focus[active] = record_focus(screens, focused)

    async def after_switch(self, previous: str, target: str, focused: int | None = None) -> None:
        """Put a workspace the switch made again back on its output, then bring back what
        the project showed when it was left (``focused``: what the switch focused)."""
        returning, self._returning = self._returning, frozenset()
        record = self._focus.get(target) if target and previous != target else None
        try:
            if returning:
                await self.reassign(origin="switch", only=returning)
                self._before = self.screens  # the reassignment read what it left
            if record is not None and self._settings().restore_focus:
                await self._restore(record, focused)
        except I3CommandFailed as exc:
            # The switch itself is done; a window or workspace went away meanwhile.
            log.info("after the switch to %r: %s", target, exc)

    async def _restore(self, record: FocusRecord, focused: int | None) -> None:
        """Planned without reading again: a switch changes no output and shows no other
        workspace than its focused window's; those it brings windows to exist after."""
        visible = [w for w in self._state.windows.values() if not w.hidden]
        known = {w.name for w in self._before.workspaces}
        made = tuple(Workspace(n, "") for n in sorted({w.workspace for w in visible} - known) if n)
        after = replace(self._before, workspaces=self._before.workspaces + made)
        plan = plan_restore(record, after, {w.id for w in visible})
        plan = left_to_do(plan, self._state.windows.get(focused or 0))
        if not plan.empty:  # its events end with a barrier too, like the switch's
            async with self._tracker.moving(()):
                window = self._state.windows.get(plan.window)
                await self._tracker.require().restore_focus(plan, window)

    def forget(self, project: str) -> None:
        """A project was deleted: its focus record goes with it."""
        self._focus.pop(project, None)
