"""The manager: the facade the D-Bus layer calls. It holds the switch lock, the lifecycle
with i3 and the dispatch of typed events; each capability module does the work.

Switches, assignments and project changes run under the one lock, so they never
interleave and ten switches in a row end in the state of the last; tree reads in the
background take no lock (see tracking.py).

Start order with i3 (see attach): the adapter subscribes to events first and only then
is the tree read, so no window created in between is missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping

from . import config
from .assignment import Assignment
from .background import Background
from .journal import Journal, Listeners
from .launch import Launcher
from .layout_snapshots import LayoutSnapshots
from .model import events as ev
from .model.errors import NotConnected
from .model.events import DetailValue, EventRing
from .model.port import I3Port, Listener
from .model.project import Project
from .model.restore_plan import Outcome, check_restore_options
from .model.snapshot import validate_snapshot_name
from .model.state import State
from .model.wmevents import (
    BindingEvent,
    OutputEvent,
    TickEvent,
    WindowEvent,
    WMEvent,
    WorkspaceEvent,
    event_type,
)
from .persistence import Persistence
from .projects import Projects
from .switching import Switcher
from .tracking import Tracker

log = logging.getLogger(__name__)

# How long a stop waits for the autosave of the active project.
STOP_SAVE_TIMEOUT = 3.0
# How long a call waits for i3 to come back when it is restarting in place.
RECONNECT_GRACE = 1.5
# The earlier design's keybindings: i3-msg -t send_tick project:NAME / project:none
TICK_PREFIX = "project:"


class Manager:
    """What the D-Bus layer calls: each operation checks its input, waits out an i3
    restart, takes the lock and hands over to the capability that owns it."""

    def __init__(
        self,
        store: config.Store,
        settings: config.Settings,
        launcher: Launcher | None = None,
    ) -> None:
        # Projects, windows and the active project: the one owner of the model.
        self.state = State(settings.classification)
        # The bounded record of i3's events and the service's own.
        self.events = EventRing(settings.event_capacity)
        # Everyone following the service; State tells them of every change too.
        self.listeners = Listeners()
        self.state.add_listener(self.listeners)
        # Tasks nobody awaits (assignments of new windows, tick switches, writes).
        self._background = Background()
        # Records into the event ring and tells the listeners.
        self._journal = Journal(self.events, self.listeners)
        # The i3 port, the dirty flag, tree reads, the barrier.
        self.tracker = Tracker(self.state, self._background)
        # The writer thread and what it writes.
        self._persistence = Persistence(store, self.state, self._journal, self._background)
        # Plans and executes switches; restores the active project at attach.
        self.switcher = Switcher(
            self.state, self.tracker, self._persistence, self._journal, self.listeners
        )
        # Marks new windows and assigned ones; focuses.
        self.assignment = Assignment(self.state, self.tracker, self.switcher, self._journal)
        # Project records and settings: create, update, delete, reload.
        self.projects = Projects(
            settings,
            self.state,
            self.tracker,
            self.switcher,
            self._persistence,
            self._journal,
            self.listeners,
        )
        # Held by every operation that changes windows or projects: they never interleave.
        self._lock = asyncio.Lock()
        # Set while attached to i3: a call during an in-place restart waits for it.
        self._attached = asyncio.Event()
        # Whether i3 was ever attached (before that, nothing is restarting).
        self._was_attached = False
        # Layout snapshots: save, restore, autosave, crash recovery.
        self.layouts = LayoutSnapshots(
            self.state,
            self.tracker,
            self.switcher,
            self._persistence,
            self._journal,
            self._background,
            self.listeners,
            lambda: self.projects.settings.layouts,
            self._lock,
            launcher,
        )

    # -- lifecycle ------------------------------------------------------------------

    @property
    def settings(self) -> config.Settings:
        return self.projects.settings

    @property
    def connected(self) -> bool:
        return self.tracker.connected

    @property
    def window_manager(self) -> str:
        port = self.tracker.port
        return port.description if port is not None else ""

    def add_listener(self, listener: Listener) -> None:
        """Follow the service from now on: model changes, events, connection, config."""
        self.listeners.add(listener)

    def load(self) -> None:
        """Read projects and the persisted active project (before the bus name is taken),
        the snapshots' names and the crash record."""
        self.projects.load()
        self.layouts.load()
        self._background.spawn(self.layouts.autosave_timer(), "the autosave timer")

    async def attach(self, port: I3Port) -> None:
        """Take a connected, subscribed port: rebuild from the tree, then enforce the
        active project, so that nothing is left hidden or shown from before a crash."""
        async with self._lock:
            self.tracker.attach(port)
            await self.tracker.refresh()
            details = {"socket": port.socket_path, "window_manager": port.description}
            self._journal.record(ev.SERVICE_CONNECT, details)
            self.listeners.connection_changed(True)
            recovered = await self.layouts.on_attach()
            await self.switcher.restore()
            self.layouts.recovering.resume()
            first, self._was_attached = not self._was_attached, True
            self._attached.set()
        if first and not recovered:
            self._background.spawn(self.layouts.restore_on_start(), "restore on start")

    def detach(self) -> None:
        port = self.tracker.port
        if port is None:
            return
        port.close()
        self.tracker.detach()
        self.layouts.recovering.pause()
        self._attached.clear()
        self._journal.record(ev.SERVICE_DISCONNECT, {})
        self.listeners.connection_changed(False)

    async def close(self) -> None:
        """Stop: the active project's "last" is saved first (autosave), then all ends."""
        await self.layouts.on_stop(STOP_SAVE_TIMEOUT)
        self.detach()
        await self._background.close()
        self._persistence.close()

    async def _reattached(self) -> None:
        """If i3 is restarting (we were attached and lost it), give it a moment to come
        back, so that a keypress during an in-place restart still switches."""
        if self.connected or not self._was_attached:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._attached.wait(), RECONNECT_GRACE)

    # -- events from i3 -------------------------------------------------------------

    def handle_event(self, event: WMEvent) -> None:
        """Called for every i3 event, in order. Never raises: a bad event is logged."""
        start = time.perf_counter_ns()
        try:
            details = self._dispatch(event)
        except Exception:
            log.exception("error handling i3 %s event", event.kind)
            details = {"error": "handler failed"}
        if details is not None:
            duration = (time.perf_counter_ns() - start) // 1000
            self._journal.record(event_type(event), details, duration)

    def _dispatch(self, event: WMEvent) -> Mapping[str, DetailValue] | None:
        match event:
            case WindowEvent():
                details = self.tracker.on_window(event)
                if event.change == "new" and event.window is not None:
                    self._assign_if_wanted(event.window.id)
                return details
            case WorkspaceEvent():
                return self.tracker.on_workspace(event)
            case OutputEvent():
                return self.tracker.on_output(event)
            case TickEvent():
                return self._on_tick(event)
            case BindingEvent():
                return {"command": event.command}
        return {}

    def _assign_if_wanted(self, con_id: int) -> None:
        if self.assignment.wants(con_id):
            arrived = time.perf_counter_ns()
            self._background.spawn(self._assign_new(con_id, arrived), "assigning a new window")

    async def _assign_new(self, con_id: int, arrived: int) -> None:
        async with self._lock:
            await self.assignment.mark_new(con_id, arrived)

    def _on_tick(self, event: TickEvent) -> dict[str, DetailValue] | None:
        if event.first:
            return None
        if event.payload.startswith(TICK_PREFIX):
            name = event.payload[len(TICK_PREFIX) :]
            target = "" if name == "none" else name
            self._background.spawn(self.switch(target, origin="tick"), f"tick {event.payload!r}")
        return {"payload": event.payload}

    # -- operations -----------------------------------------------------------------

    async def switch(self, target: str, origin: str = "dbus") -> None:
        if target:
            self.state.project(target)
        for attempt in (1, 2):
            await self._reattached()
            self.tracker.require()
            try:
                async with self._lock:
                    pending = await self.layouts.before_switch(target)
                    await self.switcher.switch(target, origin)
                if pending is not None:
                    # After the switch, so that its own write (the active project) goes first.
                    self._background.spawn(self.layouts.after_switch(pending), "autosave")
                return
            except NotConnected:
                # i3 went away while this call waited for the lock (an in-place restart):
                # once it is back, try once more.
                if attempt == 2 or not self._was_attached:
                    raise

    async def assign(self, con_id: int, project: str) -> None:
        self.assignment.check(project)
        await self._reattached()
        self.tracker.require()
        async with self._lock:
            await self.assignment.assign(con_id, project)

    async def focus(self, con_id: int) -> None:
        await self._reattached()
        self.tracker.require()
        project = self.assignment.hidden_in(con_id)
        if project:
            await self.switch(project, origin="focus")
        await self.assignment.focus(con_id)

    async def tree_json(self) -> str:
        """i3's own tree, read now: what diagnostics compare the model with."""
        return await self.tracker.require().tree_json()

    async def create(self, name: str, options: Mapping[str, object]) -> Project:
        clean = self.projects.check_new(name, options)
        async with self._lock:
            return await self.projects.create(name, clean)

    async def update(self, name: str, options: Mapping[str, object]) -> Project:
        async with self._lock:
            return await self.projects.update(name, options)

    async def delete(self, name: str) -> None:
        self.projects.check_deletable(name)
        await self._reattached()
        async with self._lock:
            await self.projects.delete(name)

    async def reload(self) -> None:
        loaded = await self.projects.read()
        async with self._lock:
            await self.projects.apply(loaded)

    # -- layout snapshots -------------------------------------------------------------

    async def save_layout(self, project: str, name: str) -> None:
        self.state.project(project)
        validate_snapshot_name(name)
        await self._reattached()
        self.tracker.require()
        async with self._lock:
            await self.layouts.save(project, name)

    async def restore_layout(
        self, project: str, name: str, options: Mapping[str, object]
    ) -> list[Outcome]:
        """Options and file first (InvalidArgument, NoSuchLayout, ConfigError), then i3."""
        checked = check_restore_options(options)
        snapshot = await self.layouts.snapshots.load_snapshot(project, name)
        await self._reattached()
        self.tracker.require()
        async with self._lock:
            return await self.layouts.restorer.restore(project, snapshot, checked)

    async def delete_layout(self, project: str, name: str) -> None:
        await self.layouts.delete(project, name)
