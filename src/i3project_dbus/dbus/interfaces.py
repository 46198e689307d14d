"""The exported interfaces Manager1, Project and Window (Events is in eventlog.py). Each
method is a thin call into the manager, its errors reported by name (errors.reported).

Windows are on the bus once the publisher has exported them (a new window waits until
its place is known): ``published`` is the publisher's map of exported window ids, and
the Windows properties, GetWindow and GetState answer from it."""

import json
from collections.abc import Container, Mapping
from typing import Annotated, Any, ClassVar

from dbus_fast import Variant
from dbus_fast.annotations import (
    DBusBool,
    DBusDict,
    DBusObjectPath,
    DBusSignature,
    DBusStr,
    DBusUInt64,
)
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import dbus_method, dbus_property, dbus_signal

from .. import __version__
from ..manager import Manager
from ..model.errors import NoSuchWindow
from ..model.window import Window
from . import names
from .batch import Batch
from .described import DescribedInterface
from .errors import reported
from .launching import ManagerLaunch, ProjectLaunch
from .options import unwrap
from .outputs import RootOutputs
from .snapshots import ProjectLayouts
from .status import status_variants

DBusObjectPaths = Annotated[list[str], DBusSignature("ao")]
DBusStrs = Annotated[list[str], DBusSignature("as")]
TwoStrings = Annotated[list[str], DBusSignature("ss")]

OPTION_SIGNATURES = {"display_name": "s", "icon": "s", "directory": "s", "scoped_classes": "as"}


def unwrap_options(options: Mapping[str, Variant]) -> dict[str, object]:
    """A project's options from a{sv}, checking each variant's type."""
    return unwrap(options, OPTION_SIGNATURES)


class ManagerInterface(RootOutputs, ManagerLaunch, DescribedInterface):
    OUT_ARGS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "Launch": ("pid",),
        "Launched": ("project", "pid", "argv"),
        "ReassignWorkspaces": ("moves",),
        "CreateProject": ("path",),
        "GetProject": ("path",),
        "GetWindow": ("path",),
        "GetState": ("json",),
        "GetTree": ("json",),
        "GetI3State": ("json",),
        "GetStatus": ("status",),
        "ProjectSwitched": ("previous", "current"),
    }
    PROPERTY_SIGNALS: ClassVar[Mapping[str, str]] = {"Version": "const"}

    def __init__(self, manager: Manager, published: Container[int], batch: Batch) -> None:
        super().__init__(names.MANAGER_IFACE)
        # The facade every method calls and every property reads.
        self.manager = manager
        # The ids of the windows exported so far (the publisher's).
        self.published = published
        # The publisher's property batch, held while a method moves windows.
        self.batch = batch

    @dbus_method()
    async def SwitchProject(self, name: DBusStr) -> None:
        with reported(), self.batch.until_replied():
            await self.manager.switch(name)

    @dbus_method()
    async def ClearProject(self) -> None:
        with reported(), self.batch.until_replied():
            await self.manager.switch("")

    @dbus_method()
    async def CreateProject(self, name: DBusStr, options: DBusDict) -> DBusObjectPath:
        with reported():
            project = await self.manager.create(name, unwrap_options(options))
            return names.project_path(project.name)

    @dbus_method()
    async def DeleteProject(self, name: DBusStr) -> None:
        with reported(), self.batch.until_replied():
            await self.manager.delete(name)

    @dbus_method()
    def GetProject(self, name: DBusStr) -> DBusObjectPath:
        with reported():
            return names.project_path(self.manager.state.project(name).name)

    @dbus_method()
    def GetWindow(self, con_id: DBusUInt64) -> DBusObjectPath:
        with reported():
            window = self.manager.state.window(con_id)
            if window.id not in self.published:
                raise NoSuchWindow(f"no window with id {con_id} (yet)")
            return names.window_path(window.id)

    @dbus_method()
    async def Reload(self) -> None:
        with reported(), self.batch.until_replied():
            await self.manager.reload()

    @dbus_method()
    def GetState(self) -> DBusStr:
        with reported():
            data = dict(self.manager.state.summary())
            # The windows clients can reach: those with an object on the bus.
            windows: Any = data["windows"]
            data.update(
                windows=[w for w in windows if w["id"] in self.published],
                connected=self.manager.connected,
                window_manager=self.manager.window_manager,
                version=__version__,
            )
            return json.dumps(data)

    @dbus_method()
    async def GetTree(self) -> DBusStr:
        with reported():
            return await self.manager.tree_json()

    @dbus_method()
    async def GetI3State(self) -> DBusStr:
        with reported():
            return await self.manager.wm_state_json()

    @dbus_method()
    def GetStatus(self) -> DBusDict:
        with reported():
            return status_variants(self.manager.status())

    @dbus_property(access=PropertyAccess.READ)
    def ActiveProject(self) -> DBusStr:
        return self.manager.state.active

    @dbus_property(access=PropertyAccess.READ)
    def Projects(self) -> DBusObjectPaths:
        return [names.project_path(n) for n in self.manager.state.project_names()]

    @dbus_property(access=PropertyAccess.READ)
    def Windows(self) -> DBusObjectPaths:
        windows = self.manager.state.windows
        return [names.window_path(c) for c in sorted(windows) if c in self.published]

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


class ProjectInterface(ProjectLaunch, ProjectLayouts, DescribedInterface):
    OUT_ARGS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "Launch": ("pid",),
        "RestoreLayout": ("results",),
    }
    PROPERTY_SIGNALS: ClassVar[Mapping[str, str]] = {"Name": "const"}

    def __init__(
        self, manager: Manager, name: str, published: Container[int], batch: Batch
    ) -> None:
        super().__init__(names.PROJECT_IFACE)
        # The facade every method calls and every property reads.
        self.manager = manager
        # Not self.name: ServiceInterface.name is the D-Bus interface name, and
        # overwriting it exported every project under an interface named after it.
        self.project_name = name
        # The ids of the windows exported so far (the publisher's).
        self.published = published
        # The publisher's property batch, held while a method moves windows.
        self.batch = batch

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
        return sorted(names.window_path(w.id) for w in windows if w.id in self.published)

    @dbus_method()
    async def Activate(self) -> None:
        with reported(), self.batch.until_replied():
            await self.manager.switch(self.project_name)

    @dbus_method()
    async def Update(self, options: DBusDict) -> None:
        with reported():
            await self.manager.update(self.project_name, unwrap_options(options))

    @dbus_method()
    async def Delete(self) -> None:
        with reported(), self.batch.until_replied():
            await self.manager.delete(self.project_name)


class WindowInterface(DescribedInterface):
    PROPERTY_SIGNALS: ClassVar[Mapping[str, str]] = {"Id": "const"}

    def __init__(self, manager: Manager, con_id: int, batch: Batch) -> None:
        super().__init__(names.WINDOW_IFACE)
        # The facade every method calls and every property reads.
        self.manager = manager
        # The window's i3 container id (the last element of its path).
        self.con_id = con_id
        # The window as last seen in the model (it stays readable once closed).
        self.last: Window = manager.state.windows.get(con_id) or Window(con_id)
        # The publisher's property batch, held while a method moves windows.
        self.batch = batch

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
        return self.manager.state.project_of(self._w())

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
        return self._w().shown_floating

    @dbus_property(access=PropertyAccess.READ)
    def Urgent(self) -> DBusBool:
        return self._w().urgent

    @dbus_method()
    async def Focus(self) -> None:
        with reported(), self.batch.until_replied():
            await self.manager.focus(self.con_id)

    @dbus_method()
    async def AssignProject(self, name: DBusStr) -> None:
        with reported(), self.batch.until_replied():
            await self.manager.assign(self.con_id, name)
