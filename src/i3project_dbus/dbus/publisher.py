"""Publishing the model on the bus: objects appear and disappear with projects and windows,
and their property changes go out through a Batch (batch.py): once per object, with the
final values, and before the ProjectSwitched that follows from them."""

from __future__ import annotations

import asyncio
import functools
import logging

from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface

from ..manager import Manager
from ..model import events as ev
from ..model.events import Event
from ..model.outputs import Screens
from ..model.port import Listener
from ..model.project import Project
from ..model.window import Window
from . import names
from .batch import Batch, property_names
from .eventlog import EventsInterface
from .interfaces import ManagerInterface, ProjectInterface, WindowInterface
from .outputs import OutputObjects

log = logging.getLogger(__name__)

# How long a new window may wait to be exported for its place (and, when it is being
# assigned to the active project, its project) to be known. A window::new event carries
# no workspace; the tree read that tells it follows within a few tens of ms.
PUBLISH_DEADLINE = 1.0

PROJECT_PROPERTIES = ("DisplayName", "Icon", "Directory", "ScopedClasses")


class Publisher(Listener):
    """Keeps the exported objects in step with the model, as one of its listeners."""

    def __init__(self, bus: MessageBus, manager: Manager) -> None:
        # The connection the objects are exported on.
        self.bus = bus
        # The facade whose model is published (and whose methods the interfaces call).
        self.manager = manager
        # Property changes waiting to be announced, and what was announced last.
        self.batch = Batch()
        # Window container id -> its exported object (windows on the bus).
        self.windows: dict[int, WindowInterface] = {}
        # Project name -> its exported object.
        self.projects: dict[str, ProjectInterface] = {}
        # Windows in the model not exported yet -> the timer that exports them anyway.
        self._unplaced: dict[int, asyncio.TimerHandle] = {}
        # /org/i3project/Manager1 and /org/i3project/Manager1/events.
        self.root = ManagerInterface(manager, self.windows, self.batch)
        self.events = EventsInterface(manager)
        # The Output objects, updated from each new reading of outputs.
        self.outputs = OutputObjects(
            self._export,
            self._unexport,
            lambda: manager.outputs.screens,
            self.batch.note,
            lambda: self.batch.note(self.root, "Outputs"),
        )

    def export_all(self) -> None:
        self._export(names.MANAGER_PATH, self.root)
        self._export(names.EVENTS_PATH, self.events)
        for project in self.manager.state.projects.values():
            self.project_added(project)
        for window in self.manager.state.windows.values():
            self.window_added(window)
        self.outputs.update(Screens(), self.manager.outputs.screens)
        self.manager.add_listener(self)

    def flush(self) -> None:
        """Send every change noted so far (at shutdown)."""
        self.batch.flush()

    def _export(self, path: str, iface: ServiceInterface) -> None:
        self.bus.export(path, iface)
        self.batch.track(iface)

    def _unexport(self, path: str, iface: ServiceInterface) -> None:
        self.batch.forget(iface)
        self.bus.unexport(path, iface)

    # -- windows ----------------------------------------------------------------

    def window_added(self, window: Window) -> None:
        if self._ready(window):
            self._publish(window)
            return
        loop = asyncio.get_running_loop()
        self._unplaced[window.id] = loop.call_later(PUBLISH_DEADLINE, self._publish_late, window.id)

    def _ready(self, window: Window) -> bool:
        """Whether clients can be told the window as it will stay: its workspace read
        from the tree, and no assignment to the active project on its way. A window
        that never gets there (i3bar, met in events after an i3 restart) is removed
        before its deadline and never published."""
        return bool(window.workspace) and not self.manager.state.wants_assignment(window)

    def _publish(self, window: Window) -> None:
        handle = self._unplaced.pop(window.id, None)
        if handle is not None:
            handle.cancel()
        iface = WindowInterface(self.manager, window.id, self.batch)
        self.windows[window.id] = iface
        self._export(names.window_path(window.id), iface)
        self.batch.note(self.root, "Windows")
        self._note_project_windows(window.project)

    def _publish_late(self, con_id: int) -> None:
        self._unplaced.pop(con_id, None)
        window = self.manager.state.windows.get(con_id)
        if window is not None and con_id not in self.windows:
            log.debug("publishing window %s before its place is known", con_id)
            self._publish(window)

    def window_changed(self, old: Window, new: Window) -> None:
        if new.id in self._unplaced:
            if self._ready(new):
                self._publish(new)
            return
        iface = self.windows.get(new.id)
        if iface is None:
            return
        # The batch reads them at the flush and announces only what differs.
        self.batch.note(iface, *property_names(iface))
        if old.project != new.project:
            self._note_project_windows(old.project)
            self._note_project_windows(new.project)

    def window_removed(self, window: Window) -> None:
        handle = self._unplaced.pop(window.id, None)
        if handle is not None:
            handle.cancel()
        iface = self.windows.pop(window.id, None)
        if iface is None:
            return
        self._unexport(names.window_path(window.id), iface)
        self.batch.note(self.root, "Windows")
        self._note_project_windows(window.project)

    def _note_project_windows(self, project: str) -> None:
        iface = self.projects.get(project) if project else None
        if iface is not None:
            self.batch.note(iface, "Windows")

    def _note_windows_marked(self, project: str) -> None:
        """A project came or went: windows whose marks name it change assignment."""
        for con_id, iface in self.windows.items():
            window = self.manager.state.windows.get(con_id)
            if window is not None and window.project == project:
                self.batch.note(iface, "Project", "Scope")

    def _note_all_scopes(self) -> None:
        for iface in self.windows.values():
            self.batch.note(iface, "Scope")

    # -- projects ---------------------------------------------------------------

    def project_added(self, project: Project) -> None:
        iface = ProjectInterface(self.manager, project.name, self.windows, self.batch)
        self.projects[project.name] = iface
        self._export(names.project_path(project.name), iface)
        self.batch.note(self.root, "Projects")
        self._note_windows_marked(project.name)

    def project_changed(self, old: Project, new: Project) -> None:
        iface = self.projects.get(new.name)
        if iface is None:
            return
        self.batch.note(iface, *PROJECT_PROPERTIES)
        if old.scoped_classes != new.scoped_classes and self.manager.state.active == new.name:
            self._note_all_scopes()

    def project_removed(self, project: Project) -> None:
        iface = self.projects.pop(project.name, None)
        if iface is not None:
            self._unexport(names.project_path(project.name), iface)
        self.batch.note(self.root, "Projects")
        self._note_windows_marked(project.name)

    # -- switching --------------------------------------------------------------

    def active_changed(self, previous: str, current: str) -> None:
        self.batch.note(self.root, "ActiveProject")
        for name in (previous, current):
            iface = self.projects.get(name) if name else None
            if iface is not None:
                self.batch.note(iface, "Active")
            project = self.manager.state.projects.get(name) if name else None
            if project is not None and project.scoped_classes:
                self._note_all_scopes()
        # After the property changes: a client reading ActiveProject in its handler
        # sees the new value.
        self.batch.after_flush(functools.partial(self.root.ProjectSwitched, previous, current))

    def switch_started(self) -> None:
        self.batch.hold()

    def switch_ended(self) -> None:
        self.batch.release()

    # -- the rest ---------------------------------------------------------------

    def event_recorded(self, event: Event) -> None:
        # Count has EmitsChangedSignal=false: clients read it when they need it.
        if self.batch.waiting:
            # A switch's events go out with its property changes, once it is over: the
            # reply to SwitchProject does not wait for them to be encoded and sent. And
            # an event never overtakes the changes noted before it: a client that has it
            # (a tick it sent, say) has every change before it.
            self.batch.after_flush(functools.partial(self.events.Event, event))
        else:
            self.events.Event(event)
        if event.type in (ev.LAYOUT_SAVE, ev.LAYOUT_DELETE):
            iface = self.projects.get(str(event.details.get("project", "")))
            if iface is not None:
                self.batch.note(iface, "Layouts")

    def launched(self, project: str, pid: int, argv: tuple[str, ...]) -> None:
        self.root.Launched(project, pid, list(argv))

    def connection_changed(self, connected: bool) -> None:
        self.batch.note(self.root, "Connected", "WindowManager")

    def config_changed(self) -> None:
        # Reload: the class lists may have changed, and with them every window's Scope.
        self.batch.note(self.root, "ConfigErrors")
        self._note_all_scopes()

    def outputs_changed(self, old: Screens, new: Screens) -> None:
        self.outputs.update(old, new)
