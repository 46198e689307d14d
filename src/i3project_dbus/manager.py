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
from .model.window import Window
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

# How long a call waits for i3 to come back when it is restarting in place.
RECONNECT_GRACE = 1.5
# The earlier design's keybindings: i3-msg -t send_tick project:NAME / project:none
TICK_PREFIX = "project:"
# ... and i3-msg -t send_tick project:reload, which reloads like Reload() (so a project
# named "reload", like one named "none", cannot be switched to by a tick).
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
            settings, self.state, self.tracker, self.switcher, self._persistence,
            self._journal, self.listeners,
        )  # fmt: skip
        # Starts apps for projects and tells which launch a window's process belongs to.
        self.launcher = launcher or Launcher({})
        # Assigns and places the windows of launched apps.
        self.follower = Follower(self.state, self.tracker, self.switcher, self._journal)
        # Held by every operation that changes windows or projects: they never interleave.
        self._lock = asyncio.Lock()
        # Set while attached to i3: a call during an in-place restart waits for it.
        self._attached = asyncio.Event()
        # Whether i3 was ever attached (before that, nothing is restarting).
        self._was_attached = False
        # Layout snapshots: save, restore, autosave, crash recovery.
        self.layouts = LayoutSnapshots(
            self.state, self.tracker, self.switcher, self._persistence, self._journal,
            self._background, self.listeners, lambda: self.projects.settings.layouts,
            self._lock, self.launcher, self._reattached,
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
            self._was_attached = True
            self._attached.set()

    def detach(self) -> None:
        port = self.tracker.port
        if port is None:
            return
        port.close()
        self.tracker.detach()
        self._attached.clear()
        self._journal.record(ev.SERVICE_DISCONNECT, {})
        self.listeners.connection_changed(False)

    async def close(self) -> None:
        await self.layouts.on_stop()  # the active project's "last" first
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
                    self._new_window(event.window)
                elif event.change == "close" and event.window is not None:
                    self.launcher.window_closed(event.window.id)
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

    def _new_window(self, window: Window) -> None:
        """While launched apps run, a new window may be one of theirs: that is asked first
        (it takes the window's pid, an X round trip on i3); otherwise today's rule."""
        if len(self.launcher.records):
            arrived = time.perf_counter_ns()
            self._background.spawn(self._follow(window, arrived), "placing a new window")
        elif self.assignment.wants(window.id):
            arrived = time.perf_counter_ns()
            self._background.spawn(self._assign_new(window.id, arrived), "assigning a window")

    async def _assign_new(self, con_id: int, arrived: int) -> None:
        async with self._lock:
            await self.assignment.mark_new(con_id, arrived)

    async def _follow(self, window: Window, arrived: int) -> None:
        asked = time.perf_counter_ns()
        record = await self.launcher.launch_of(window)
        pid_ns = time.perf_counter_ns() - asked
        async with self._lock:
            if record is not None:
                await self.follower.place(window.id, record, arrived, pid_ns)
            else:
                await self.assignment.mark_new(window.id, arrived)

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
            await self._reattached()
            self.tracker.require()
            try:
                async with self._lock:
                    await self.layouts.switch_saving(target, origin)
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
        await self._reattached()
        async with self._lock:
            await self.projects.delete(name)

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
        record = started.record
        details: dict[str, DetailValue] = {
            "project": record.project, "pid": record.pid, "program": started.argv[0],
            "app": record.entry, "workspace": record.workspace, "floating": record.floating,
            "scope": started.scoped,
        }  # fmt: skip
        self._journal.record(ev.PROJECT_LAUNCH, details)
        self.listeners.launched(record.project, record.pid, started.argv)

    async def reload(self) -> None:
        loaded = await self.projects.read()
        async with self._lock:
            await self.projects.apply(loaded)
