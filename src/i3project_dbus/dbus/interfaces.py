"""The exported interfaces: Manager1, Project, Window and Events. Each method is a thin
call into the manager, its errors reported by name (see errors.reported)."""

import json
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from dbus_fast import Variant
from dbus_fast import introspection as intr
from dbus_fast.annotations import (
    DBusBool,
    DBusDict,
    DBusObjectPath,
    DBusSignature,
    DBusStr,
    DBusUInt32,
    DBusUInt64,
)
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from .. import __version__
from ..manager import Manager
from ..model.events import Event
from ..model.window import Window
from . import names
from .errors import reported
from .launching import ManagerLaunch, ProjectLaunch
from .options import unwrap
from .snapshots import ProjectLayouts

DBusObjectPaths = Annotated[list[str], DBusSignature("ao")]
DBusStrs = Annotated[list[str], DBusSignature("as")]
EventTuple = Annotated[list[Any], DBusSignature("(txsa{sv})")]
EventList = Annotated[list[list[Any]], DBusSignature("a(txsa{sv})")]
TwoStrings = Annotated[list[str], DBusSignature("ss")]
EventSignal = Annotated[list[Any], DBusSignature("txsa{sv}")]

OPTION_SIGNATURES = {"display_name": "s", "icon": "s", "directory": "s", "scoped_classes": "as"}


def unwrap_options(options: Mapping[str, Variant]) -> dict[str, object]:
    """A project's options from a{sv}, checking each variant's type."""
    return unwrap(options, OPTION_SIGNATURES)


def variant(value: object) -> Variant:
    if isinstance(value, bool):
        return Variant("b", value)
    if isinstance(value, int):
        return Variant("x", value)
    if isinstance(value, float):
        return Variant("d", value)
    return Variant("s", str(value))


def event_body(event: Event) -> list[Any]:
    details = {k: variant(v) for k, v in event.details.items()}
    details["duration_us"] = Variant("x", event.duration_us)
    return [event.id, event.time_us, event.type, details]


class NamedArgsInterface(ServiceInterface):
    """dbus-fast names in-arguments after the Python parameters but leaves out-arguments
    and signal arguments unnamed; the contract names them (ProjectSwitched(s previous,
    s current)), and introspection readers (gdbus introspect, gdbus-codegen, d-spy) show
    those names. OUT_ARGS gives them per method or signal."""

    OUT_ARGS: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    def introspect(self) -> intr.Interface:
        interface = super().introspect()
        members: list[intr.Method | intr.Signal] = [*interface.methods, *interface.signals]
        for member in members:
            arg_names = self.OUT_ARGS.get(member.name, ())
            args = member.out_args if isinstance(member, intr.Method) else member.args
            for arg, name in zip(args, arg_names, strict=False):
                arg.name = name
        return interface


class ManagerInterface(ManagerLaunch, NamedArgsInterface):
    OUT_ARGS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "Launch": ("pid",),
        "Launched": ("project", "pid", "argv"),
        "CreateProject": ("path",),
        "GetProject": ("path",),
        "GetWindow": ("path",),
        "GetState": ("json",),
        "GetTree": ("json",),
        "ProjectSwitched": ("previous", "current"),
    }

    def __init__(self, manager: Manager) -> None:
        super().__init__(names.MANAGER_IFACE)
        self.manager = manager

    @dbus_method()
    async def SwitchProject(self, name: DBusStr) -> None:
        with reported():
            await self.manager.switch(name)

    @dbus_method()
    async def ClearProject(self) -> None:
        with reported():
            await self.manager.switch("")

    @dbus_method()
    async def CreateProject(self, name: DBusStr, options: DBusDict) -> DBusObjectPath:
        with reported():
            project = await self.manager.create(name, unwrap_options(options))
            return names.project_path(project.name)

    @dbus_method()
    async def DeleteProject(self, name: DBusStr) -> None:
        with reported():
            await self.manager.delete(name)

    @dbus_method()
    def GetProject(self, name: DBusStr) -> DBusObjectPath:
        with reported():
            return names.project_path(self.manager.state.project(name).name)

    @dbus_method()
    def GetWindow(self, con_id: DBusUInt64) -> DBusObjectPath:
        with reported():
            return names.window_path(self.manager.state.window(con_id).id)

    @dbus_method()
    async def Reload(self) -> None:
        with reported():
            await self.manager.reload()

    @dbus_method()
    def GetState(self) -> DBusStr:
        with reported():
            data = dict(self.manager.state.summary())
            data.update(
                connected=self.manager.connected,
                window_manager=self.manager.window_manager,
                version=__version__,
            )
            return json.dumps(data)

    @dbus_method()
    async def GetTree(self) -> DBusStr:
        with reported():
            return await self.manager.tree_json()

    @dbus_property(access=PropertyAccess.READ)
    def ActiveProject(self) -> DBusStr:
        return self.manager.state.active

    @dbus_property(access=PropertyAccess.READ)
    def Projects(self) -> DBusObjectPaths:
        return [names.project_path(n) for n in self.manager.state.project_names()]

    @dbus_property(access=PropertyAccess.READ)
    def Windows(self) -> DBusObjectPaths:
        return [names.window_path(c) for c in sorted(self.manager.state.windows)]

    @dbus_property(access=PropertyAccess.READ)
    def Connected(self) -> DBusBool:
        return self.manager.connected

    @dbus_property(access=PropertyAccess.READ)
    def WindowManager(self) -> DBusStr:
        return self.manager.window_manager

    @dbus_property(access=PropertyAccess.READ)
    def Version(self) -> DBusStr:
        return __version__

    @dbus_property(access=PropertyAccess.READ)
    def ConfigErrors(self) -> DBusStrs:
        return list(self.manager.state.config_errors)

    @dbus_signal()
    def ProjectSwitched(self, previous: str, current: str) -> TwoStrings:
        return [previous, current]


class ProjectInterface(ProjectLaunch, ProjectLayouts, NamedArgsInterface):
    OUT_ARGS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "Launch": ("pid",),
        "RestoreLayout": ("results",),
    }

    def __init__(self, manager: Manager, name: str) -> None:
        super().__init__(names.PROJECT_IFACE)
        self.manager = manager
        # Not self.name: ServiceInterface.name is the D-Bus interface name, and
        # overwriting it exported every project under an interface named after it.
        self.project_name = name

    def _project(self) -> Any:
        return self.manager.state.projects.get(self.project_name)

    @dbus_property(access=PropertyAccess.READ)
    def Name(self) -> DBusStr:
        return self.project_name

    @dbus_property(access=PropertyAccess.READ)
    def DisplayName(self) -> DBusStr:
        project = self._project()
        return project.title if project else self.project_name

    @dbus_property(access=PropertyAccess.READ)
    def Icon(self) -> DBusStr:
        project = self._project()
        return project.icon if project else ""

    @dbus_property(access=PropertyAccess.READ)
    def Directory(self) -> DBusStr:
        project = self._project()
        return project.directory if project else ""

    @dbus_property(access=PropertyAccess.READ)
    def ScopedClasses(self) -> DBusStrs:
        project = self._project()
        return list(project.scoped_classes or ()) if project else []

    @dbus_property(access=PropertyAccess.READ)
    def Active(self) -> DBusBool:
        return self.manager.state.active == self.project_name

    @dbus_property(access=PropertyAccess.READ)
    def Windows(self) -> DBusObjectPaths:
        windows = self.manager.state.windows_of(self.project_name)
        return sorted(names.window_path(w.id) for w in windows)

    @dbus_method()
    async def Activate(self) -> None:
        with reported():
            await self.manager.switch(self.project_name)

    @dbus_method()
    async def Update(self, options: DBusDict) -> None:
        with reported():
            await self.manager.update(self.project_name, unwrap_options(options))

    @dbus_method()
    async def Delete(self) -> None:
        with reported():
            await self.manager.delete(self.project_name)


class WindowInterface(ServiceInterface):
    def __init__(self, manager: Manager, con_id: int) -> None:
        super().__init__(names.WINDOW_IFACE)
        self.manager = manager
        self.con_id = con_id
        self.last: Window = manager.state.windows.get(con_id) or Window(con_id)

    def _w(self) -> Window:
        window = self.manager.state.windows.get(self.con_id)
        if window is not None:
            self.last = window
        return self.last

    @dbus_property(access=PropertyAccess.READ)
    def Id(self) -> DBusUInt64:
        return self.con_id

    @dbus_property(access=PropertyAccess.READ)
    def Class(self) -> DBusStr:
        return self._w().wm_class

    @dbus_property(access=PropertyAccess.READ)
    def Instance(self) -> DBusStr:
        return self._w().instance

    @dbus_property(access=PropertyAccess.READ)
    def Title(self) -> DBusStr:
        return self._w().title

    @dbus_property(access=PropertyAccess.READ)
    def Workspace(self) -> DBusStr:
        return self._w().workspace

    @dbus_property(access=PropertyAccess.READ)
    def Output(self) -> DBusStr:
        return self._w().output

    @dbus_property(access=PropertyAccess.READ)
    def Project(self) -> DBusStr:
        return self._w().project

    @dbus_property(access=PropertyAccess.READ)
    def Scope(self) -> DBusStr:
        return self.manager.state.scope_of(self._w()).value

    @dbus_property(access=PropertyAccess.READ)
    def Hidden(self) -> DBusBool:
        return self._w().hidden

    @dbus_property(access=PropertyAccess.READ)
    def Focused(self) -> DBusBool:
        return self._w().focused

    @dbus_property(access=PropertyAccess.READ)
    def Floating(self) -> DBusBool:
        return self._w().floating

    @dbus_property(access=PropertyAccess.READ)
    def Urgent(self) -> DBusBool:
        return self._w().urgent

    @dbus_method()
    async def Focus(self) -> None:
        with reported():
            await self.manager.focus(self.con_id)

    @dbus_method()
    async def AssignProject(self, name: DBusStr) -> None:
        with reported():
            await self.manager.assign(self.con_id, name)


class EventsInterface(NamedArgsInterface):
    OUT_ARGS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "Recent": ("events",),
        "Event": ("id", "time_us", "type", "details"),
    }

    def __init__(self, manager: Manager) -> None:
        super().__init__(names.EVENTS_IFACE)
        self.manager = manager

    @dbus_method()
    def Recent(self, limit: DBusUInt32) -> EventList:
        with reported():
            return [event_body(e) for e in self.manager.events.recent(limit)]

    @dbus_property(access=PropertyAccess.READ)
    def Capacity(self) -> DBusUInt32:
        return self.manager.events.capacity

    @dbus_property(access=PropertyAccess.READ)
    def Count(self) -> DBusUInt64:
        return self.manager.events.count

    @dbus_signal()
    def Event(self, event: Event) -> EventSignal:
        return event_body(event)
