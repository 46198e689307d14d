"""The manager: the facade the D-Bus layer calls. It holds the switch lock, the lifecycle
with i3 and the dispatch of typed events; each capability module does the work.

Switches, assignments and project changes run under the one lock, so they never
interleave and ten switches in a row end in the state of the last; tree reads in the
background take no lock (see tracking.py). Start order with i3 (see attach): the adapter
subscribes to events first and only then is the tree read, so no window created in
between is missed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping

from . import config
from .arrivals import Arrivals
from .assignment import Assignment
from .background import Background
from .health import Health, StatusValue
from .journal import Journal, Listeners
from .launch import Launcher, Started
from .launch.follow import Follower
from .layout_snapshots import LayoutSnapshots
from .model import events as ev
from .model.errors import LaunchFailed, NotConnected
from .model.events import DetailValue, EventRing
from .model.launch import check_options
from .model.port import I3Port, Listener
from .model.project import Project
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
from .outputs import Outputs
from .persistence import Persistence
from .projects import Projects
from .switching import Switcher
from .tracking import Tracker

log = logging.getLogger(__name__)

# The earlier design's keybindings: i3-msg -t send_tick project:NAME / project:none, and
# project:reload, which reloads like Reload() (no tick switches to "none" or "reload").
TICK_PREFIX = "project:"
RELOAD_TICK = "project:reload"


class Manager:
    """What the D-Bus layer calls: each operation checks its input, waits out an i3
    restart, takes the lock and hands over to the capability that owns it."""

    def __init__(
        self, store: config.Store, settings: config.Settings, launcher: Launcher | None = None
    ) -> None:
        # Projects, windows and the active project: the one owner of the model.
        self.state = State(settings.classification)
        # The bounded record of i3's events and the service's own.
        self.events = EventRing(settings.event_capacity)
        # Everyone following the service; State tells them of every change too.
        self.listeners = Listeners()
        self.state.add_listener(self.listeners)
        # Uptime and counters for GetStatus; it hears recorded events and attaches.
        self.health = Health()
        self.listeners.add(self.health)
        # Tasks nobody awaits (assignments of new windows, tick switches, writes).
        self._background = Background()
        # Records into the event ring and tells the listeners.
        self._journal = Journal(self.events, self.listeners)
        # The i3 port, the dirty flag, tree reads, the barrier.
        self.tracker = Tracker(self.state, self._background)
        state, tracker, journal, listeners = self.state, self.tracker, self._journal, self.listeners
        # The writer thread and what it writes.
        self._persistence = Persistence(store, state, journal, self._background)
        # Plans and executes switches; restores the active project at attach.
        self.switcher = Switcher(
            state,
            tracker,
            self._persistence,
            journal,
            listeners,
            lambda: self.settings.restore_focus,
        )
        # Marks new windows and assigned ones; focuses.
        self.assignment = Assignment(self.state, self.tracker, self.switcher, self._journal)
        # Project records and settings: create, update, delete, reload.
        self.projects = Projects(
            settings, state, tracker, self.switcher, self._persistence, journal, listeners
        )
        # Starts apps for projects and tells which launch a window's process belongs to.
        self.launcher = launcher or Launcher({})
        # Assigns and places the windows of launched apps.
        self.follower = Follower(self.state, self.tracker, self.switcher, self._journal)
        # Held by every operation that changes windows or projects: they never interleave.
        self._lock = asyncio.Lock()
        # New windows: following their launch, or assigned to the active project.
        self.arrivals = Arrivals(
            self.launcher, self.follower, self.assignment, self._lock, self._background
        )
        # Outputs on the bus, workspaces on their preferred outputs, each project's focus.
        self.outputs = Outputs(
            state, tracker, journal, listeners, self._background, lambda: self.settings, self._lock
        )
        # Layout snapshots: save, restore, autosave, crash recovery.
        self.layouts = LayoutSnapshots(
            state, tracker, self.switcher, self._persistence, journal, self._background,
            listeners, lambda: self.settings.layouts, self._lock, self.launcher,
        )  # fmt: skip

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
        """Read projects, the persisted active project, snapshots (before the bus name)."""
        self.projects.load()
        self.layouts.load()

    async def attach(self, port: I3Port) -> None:
        """Take a connected, subscribed port: rebuild from the tree, then enforce the
        active project, so that nothing is left hidden or shown from before a crash."""
        async with self._lock:
            self.tracker.attach(port)
            await self.tracker.refresh()
            details = {"socket": port.socket_path, "window_manager": port.description}
            self._journal.record(ev.SERVICE_CONNECT, details)
            self.listeners.connection_changed(True)
            await self.layouts.on_attach()
            await self.switcher.restore()
            await self.outputs.attach()
            self.tracker.attach_done()

    def detach(self) -> None:
        port = self.tracker.port
        if port is None:
            return
        port.close()
        self.tracker.detach()
        self.outputs.detach()
        self._journal.record(ev.SERVICE_DISCONNECT, {})
        self.listeners.connection_changed(False)

    async def close(self) -> None:
        await self.layouts.on_stop()  # the active project's "last" first
        self.detach()
        await self._background.close()
        self._persistence.close()

    # -- events from i3 -------------------------------------------------------------

    def handle_event(self, event: WMEvent) -> None:
        """Called for every i3 event, in order. Never raises: a bad event is logged."""
        start = time.perf_counter_ns()
        self.health.i3_events += 1
        try:
            details = self._dispatch(event)
        except Exception:
            self.health.handler_errors += 1
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
                    self.arrivals.window_new(event.window)
                elif event.change == "close" and event.window is not None:
                    self.launcher.window_closed(event.window.id)
                return details
            case WorkspaceEvent():
                self.outputs.on_workspace(event)
                return self.tracker.on_workspace(event)
            case OutputEvent():
                self.outputs.on_output(event)
                return self.tracker.on_output(event)
            case TickEvent():
                return self._on_tick(event)
            case BindingEvent():
                return {"command": event.command}
        return {}

    def _on_tick(self, event: TickEvent) -> dict[str, DetailValue] | None:
        if event.first:
            return None
        if event.payload == RELOAD_TICK:
            self._background.spawn(self.reload(), f"tick {event.payload!r}")
        elif event.payload.startswith(TICK_PREFIX):
            name = event.payload[len(TICK_PREFIX) :]
            target = "" if name == "none" else name
            self._background.spawn(self.switch(target, origin="tick"), f"tick {event.payload!r}")
        return {"payload": event.payload}

    # -- operations -----------------------------------------------------------------

    async def switch(self, target: str, origin: str = "dbus") -> None:
        if target:
            self.state.project(target)
        for attempt in (1, 2):
            await self.tracker.reattached()
            self.tracker.require()
            try:
                async with self._lock:
                    await self._switch_with_focus(target, origin)
                return
            except NotConnected:
                # i3 went away while this call waited for the lock (an in-place restart):
                # once it is back, try once more.
                if attempt == 2 or not self.tracker.was_attached:
                    raise

    async def _switch_with_focus(self, target: str, origin: str) -> None:
        """A switch and the workspaces and focus it brings back, announced as one step."""
        self.listeners.switch_started()
        try:
            previous = self.state.active
            await self.outputs.before_switch(target)
            await self.layouts.switch_saving(target, origin)
            await self.outputs.after_switch(previous, target, self.switcher.focused)
        finally:
            self.tracker.after_barrier(self.listeners.switch_ended)

    async def assign(self, con_id: int, project: str) -> None:
        self.assignment.check(project)
        await self.tracker.reattached()
        self.tracker.require()
        async with self._lock:
            await self.assignment.assign(con_id, project)

    async def focus(self, con_id: int) -> None:
        await self.tracker.reattached()
        self.tracker.require()
        project = self.assignment.hidden_in(con_id)
        if project:
            await self.switch(project, origin="focus")
        await self.assignment.focus(con_id)

    async def tree_json(self) -> str:
        """i3's own tree, read now: what diagnostics compare the model with."""
        return await self.tracker.require().tree_json()

    async def wm_state_json(self) -> str:
        """i3's workspaces, outputs, marks and version, read now (GetI3State)."""
        return await self.tracker.require().wm_state_json()

    def status(self) -> Mapping[str, StatusValue]:
        """Uptime, counters and memory, read now (GetStatus)."""
        port = self.tracker.port
        errors = self._background.failures + self.listeners.failures
        return self.health.report(port, self.events.count, errors)

    async def create(self, name: str, options: Mapping[str, object]) -> Project:
        clean = self.projects.check_new(name, options)
        async with self._lock:
            return await self.projects.create(name, clean)

    async def update(self, name: str, options: Mapping[str, object]) -> Project:
        async with self._lock:
            return await self.projects.update(name, options)

    async def delete(self, name: str) -> None:
        self.projects.check_deletable(name)
        await self.tracker.reattached()
        async with self._lock:
            await self.projects.delete(name)
            self.outputs.forget(name)

    async def launch(
        self, argv: list[str], project: str | None, options: Mapping[str, object]
    ) -> int:
        """Start ``argv`` for ``project`` (None: the active one, "" none); return its pid.
        No lock: starting a process takes a while, and changes no window."""
        clean = check_options(options)
        name = self.state.active if project is None else project
        target = self.state.project(name) if name else None
        started = await self.launcher.launch(argv, target, clean)
        self._launched(started)
        return started.record.pid

    async def open(self, name: str) -> None:
        """Switch to the project, then start each of its apps that is not running. Every
        app is checked first: one that cannot run fails the call before anything changes."""
        project = self.state.project(name)
        for entry in project.launch:
            self.launcher.prepare(entry.command, project)
        await self.switch(name, origin="open")
        project = self.state.project(name)
        started, failures = await self.launcher.open(
            project, self.state.windows_of(name), self.state.windows
        )
        for each in started:
            self._launched(each)
        if failures:
            raise LaunchFailed("; ".join(failures))

    def _launched(self, started: Started) -> None:
        self._journal.record(ev.PROJECT_LAUNCH, started.details())
        self.listeners.launched(started.record.project, started.record.pid, started.argv)

    async def reload(self) -> None:
        loaded = await self.projects.read()
        async with self._lock:
            await self.projects.apply(loaded)
            self.outputs.reloaded()

    async def reassign(self, dry_run: bool) -> list[tuple[str, str]]:
        """Put every workspace on its preferred output now (or only say what would move)."""
        await self.tracker.reattached()
        self.tracker.require()
        async with self._lock:
            return await self.outputs.reassign(dry_run=dry_run, origin="dbus")
