"""The layout-snapshot members of the Project interface, mixed into it in interfaces.py:
SaveLayout, RestoreLayout, DeleteLayout and the Layouts property."""

from typing import Annotated

from dbus_fast.annotations import DBusDict, DBusSignature, DBusStr
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property

from ..manager import Manager
from .errors import reported
from .options import unwrap

DBusStrs = Annotated[list[str], DBusSignature("as")]
RestoreResults = Annotated[list[list[str]], DBusSignature("a(sss)")]

RESTORE_OPTION_SIGNATURES = {"launch_missing": "b", "dry_run": "b", "timeout": "u"}


class ProjectLayouts(ServiceInterface):
    """A project's snapshot members (a base of ProjectInterface)."""

    manager: Manager
    project_name: str

    @dbus_property(access=PropertyAccess.READ)
    def Layouts(self) -> DBusStrs:
        if self.project_name not in self.manager.state.projects:
            return []
        return self.manager.layouts.names(self.project_name)

    @dbus_method()
    async def SaveLayout(self, snapshot: DBusStr) -> None:
        with reported():
            await self.manager.layouts.save(self.project_name, snapshot)

    @dbus_method()
    async def RestoreLayout(self, snapshot: DBusStr, options: DBusDict) -> RestoreResults:
        with reported():
            plain = unwrap(options, RESTORE_OPTION_SIGNATURES)
            outcomes = await self.manager.layouts.restore(self.project_name, snapshot, plain)
            return [list(o.as_tuple()) for o in outcomes]

    @dbus_method()
    async def DeleteLayout(self, snapshot: DBusStr) -> None:
        with reported():
            await self.manager.layouts.delete(self.project_name, snapshot)
