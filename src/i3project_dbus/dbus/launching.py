"""The launch members of the exported interfaces, mixed into them in interfaces.py:
Manager1.Launch and the Launched signal, Project.Launch and Project.Open."""

from typing import Annotated, Any

from dbus_fast.annotations import DBusDict, DBusSignature, DBusUInt32
from dbus_fast.service import ServiceInterface, dbus_method, dbus_signal

from ..manager import Manager
from .errors import reported
from .options import unwrap

DBusArgv = Annotated[list[str], DBusSignature("as")]
LaunchedSignal = Annotated[list[Any], DBusSignature("suas")]

LAUNCH_OPTION_SIGNATURES = {"workspace": "s", "floating": "b"}


class ManagerLaunch(ServiceInterface):
    """Manager1's launch members (a base of ManagerInterface)."""

    manager: Manager

    @dbus_method()
    async def Launch(self, argv: DBusArgv, options: DBusDict) -> DBusUInt32:
        with reported():
            plain = unwrap(options, LAUNCH_OPTION_SIGNATURES)
            return await self.manager.launch(list(argv), None, plain)

    @dbus_signal()
    def Launched(self, project: str, pid: int, argv: list[str]) -> LaunchedSignal:
        return [project, pid, argv]


class ProjectLaunch(ServiceInterface):
    """A project's launch members (a base of ProjectInterface)."""

    manager: Manager
    project_name: str

    @dbus_method()
    async def Launch(self, argv: DBusArgv, options: DBusDict) -> DBusUInt32:
        with reported():
            plain = unwrap(options, LAUNCH_OPTION_SIGNATURES)
            return await self.manager.launch(list(argv), self.project_name, plain)

    @dbus_method()
    async def Open(self) -> None:
        with reported():
            await self.manager.open(self.project_name)
