"""Publishing the model on the bus: objects appear and disappear with projects and windows,
and property changes are batched into one PropertiesChanged per object per loop turn."""

from __future__ import annotations

import asyncio
import logging

from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface

from ..manager import Manager
from ..model import events as ev
from ..model.events import Event
from ..model.port import Listener
from ..model.project import Project
from ..model.window import Window
from . import names
from .interfaces import (
    EventsInterface,
    ManagerInterface,
    ProjectInterface,
    WindowInterface,
)

log = logging.getLogger(__name__)

# Which D-Bus properties a change of each Window field touches.
WINDOW_FIELDS = {
    "wm_class": ("Class", "Scope"),
    "instance": ("Instance", "Scope"),
    "title": ("Title",),
    "workspace": ("Workspace", "Hidden"),
    "output": ("Output",),
    "floating": ("Floating",),
    "focused": ("Focused",),
    "urgent": ("Urgent",),
    "project": ("Project", "Scope"),
    "restore": ("Hidden",),
}
PROJECT_FIELDS = {
    "display_name": ("DisplayName",),
    "name": ("DisplayName",),
    "icon": ("Icon",),
    "directory": ("Directory",),
    "scoped_classes": ("ScopedClasses",),
}


class Publisher(Listener):
    """A Listener that keeps the exported objects in step with the model."""

    def __init__(self, bus: MessageBus, manager: Manager) -> None:
        self.bus = bus
        self.manager = manager
        self.root = ManagerInterface(manager)
        self.events = EventsInterface(manager)
        self.projects: dict[str, ProjectInterface] = {}
        self.windows: dict[int, WindowInterface] = {}
        self._pending: dict[ServiceInterface, set[str]] = {}
        self._flush_handle: asyncio.Handle | None = None

    def export_all(self) -> None:
        self.bus.export(names.MANAGER_PATH, self.root)
        self.bus.export(names.EVENTS_PATH, self.events)
        for project in self.manager.state.projects.values():
            self.project_added(project)
        for window in self.manager.state.windows.values():
            self.window_added(window)
        self.manager.add_listener(self)

    # -- batching ---------------------------------------------------------------

    def _queue(self, iface: ServiceInterface, *props: str) -> None:
        self._pending.setdefault(iface, set()).update(props)
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        self._flush_handle = None
        pending, self._pending = self._pending, {}
        for iface, props in pending.items():
            if isinstance(iface, WindowInterface) and iface.con_id not in self.windows:
                continue
            if (
                isinstance(iface, ProjectInterface)
                and self.projects.get(iface.project_name) is not iface
            ):
                continue
            values = {p: getattr(iface, p) for p in sorted(props)}
            try:
                iface.emit_properties_changed(values)
            except Exception:
                log.exception("emitting PropertiesChanged on %s", iface.name)

    # -- StateListener ----------------------------------------------------------

    def window_added(self, window: Window) -> None:
        iface = WindowInterface(self.manager, window.id)
        self.windows[window.id] = iface
        self.bus.export(names.window_path(window.id), iface)
        self._queue(self.root, "Windows")
        if window.project:
            self._queue_project_windows(window.project)

    def window_changed(self, old: Window, new: Window) -> None:
        iface = self.windows.get(new.id)
        if iface is None:
            return
        props: set[str] = set()
        for field, touched in WINDOW_FIELDS.items():
            if getattr(old, field) != getattr(new, field):
                props.update(touched)
        if props:
            self._queue(iface, *props)
        if old.project != new.project:
            self._queue_project_windows(old.project)
            self._queue_project_windows(new.project)

    def window_removed(self, window: Window) -> None:
        iface = self.windows.pop(window.id, None)
        if iface is not None:
            self.bus.unexport(names.window_path(window.id), iface)
        self._queue(self.root, "Windows")
        self._queue_project_windows(window.project)

    def _queue_project_windows(self, project: str) -> None:
        iface = self.projects.get(project) if project else None
        if iface is not None:
            self._queue(iface, "Windows")

    def project_added(self, project: Project) -> None:
        iface = ProjectInterface(self.manager, project.name)
        self.projects[project.name] = iface
        self.bus.export(names.project_path(project.name), iface)
        self._queue(self.root, "Projects")

    def project_changed(self, old: Project, new: Project) -> None:
        iface = self.projects.get(new.name)
        if iface is None:
            return
        props = {
            p for f, ps in PROJECT_FIELDS.items() if getattr(old, f) != getattr(new, f) for p in ps
        }
        if props:
            self._queue(iface, *props)
        if old.scoped_classes != new.scoped_classes and self.manager.state.active == new.name:
            self._queue_all_scopes()

    def _queue_all_scopes(self) -> None:
        for window_iface in self.windows.values():
            self._queue(window_iface, "Scope")

    def project_removed(self, project: Project) -> None:
        iface = self.projects.pop(project.name, None)
        if iface is not None:
            self.bus.unexport(names.project_path(project.name), iface)
        self._queue(self.root, "Projects")

    def active_changed(self, previous: str, current: str) -> None:
        self._queue(self.root, "ActiveProject")
        for name in (previous, current):
            iface = self.projects.get(name) if name else None
            if iface is not None:
                self._queue(iface, "Active")
        for project in (previous, current):
            extra = self.manager.state.projects.get(project) if project else None
            if extra is not None and extra.scoped_classes:
                self._queue_all_scopes()
        self.root.ProjectSwitched(previous, current)

    # -- other listeners --------------------------------------------------------

    def event_recorded(self, event: Event) -> None:
        self.events.Event(event)
        self._queue(self.events, "Count")
        if event.type in (ev.LAYOUT_SAVE, ev.LAYOUT_DELETE):
            iface = self.projects.get(str(event.details.get("project", "")))
            if iface is not None:
                self._queue(iface, "Layouts")

    def launched(self, project: str, pid: int, argv: tuple[str, ...]) -> None:
        self.root.Launched(project, pid, list(argv))

    def connection_changed(self, _connected: bool) -> None:
        self._queue(self.root, "Connected", "WindowManager")

    def config_changed(self) -> None:
        # Reload: the class lists may have changed, and with them every window's Scope.
        self._queue(self.root, "ConfigErrors")
        self._queue_all_scopes()
