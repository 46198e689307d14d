"""The outputs on the bus: one org.i3project.Manager1.Output object per output (inactive
ones too), kept in step with the latest reading, and the root object's Outputs and
ReassignWorkspaces."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Annotated

from dbus_fast import Variant
from dbus_fast.annotations import DBusBool, DBusDict, DBusSignature, DBusStr
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property

from ..manager import Manager
from ..model.errors import InvalidArgument
from ..model.outputs import Output, Screens
from . import names
from .errors import reported

log = logging.getLogger(__name__)

DBusRect = Annotated[list[int], DBusSignature("(iiii)")]
DBusStrs = Annotated[list[str], DBusSignature("as")]
DBusObjectPaths = Annotated[list[str], DBusSignature("ao")]
Moves = Annotated[list[list[str]], DBusSignature("a(ss)")]

REASSIGN_OPTIONS = {"dry_run": "b"}
# Which D-Bus properties a change of each Output field touches.
OUTPUT_FIELDS = {
    "active": ("Active",),
    "primary": ("Primary",),
    "rect": ("Rect",),
    "current_workspace": ("CurrentWorkspace",),
    "make": ("Make",),
    "model": ("Model",),
    "serial": ("Serial",),
}


def reassign_options(options: Mapping[str, Variant]) -> bool:
    """ReassignWorkspaces' a{sv}: return dry_run; InvalidArgument for anything else."""
    dry_run = False
    for key, value in options.items():
        expected = REASSIGN_OPTIONS.get(key)
        if expected is None:
            allowed = ", ".join(REASSIGN_OPTIONS)
            raise InvalidArgument(f"unknown option {key!r}; allowed: {allowed}")
        if value.signature != expected:
            raise InvalidArgument(
                f"option {key!r} must have type {expected!r}, not {value.signature!r}"
            )
        dry_run = bool(value.value)
    return dry_run


class RootOutputs:
    """The root object's members about outputs: a base of ManagerInterface, kept here
    with the rest of the outputs on the bus."""

    manager: Manager

    @dbus_method()
    async def ReassignWorkspaces(self, options: DBusDict) -> Moves:
        with reported():
            moves = await self.manager.reassign(reassign_options(options))
            return [[workspace, output] for workspace, output in moves]

    @dbus_property(access=PropertyAccess.READ)
    def Outputs(self) -> DBusObjectPaths:
        return output_paths(self.manager.outputs.screens)


class OutputInterface(ServiceInterface):
    """One output, read from the latest reading each time (a removed output keeps its
    last values until it is unexported)."""

    def __init__(self, screens: Callable[[], Screens], output: Output) -> None:
        super().__init__(names.OUTPUT_IFACE)
        # The latest reading of outputs and workspaces (the capability's).
        self._screens = screens
        # The output as last seen, answered once it is gone from the reading.
        self.last = output

    def _o(self) -> Output:
        output = self._screens().output(self.last.name)
        if output is not None:
            self.last = output
        return self.last

    @dbus_property(access=PropertyAccess.READ)
    def Name(self) -> DBusStr:
        return self.last.name

    @dbus_property(access=PropertyAccess.READ)
    def Active(self) -> DBusBool:
        return self._o().active

    @dbus_property(access=PropertyAccess.READ)
    def Primary(self) -> DBusBool:
        return self._o().primary

    @dbus_property(access=PropertyAccess.READ)
    def Rect(self) -> DBusRect:
        return list(self._o().rect)

    @dbus_property(access=PropertyAccess.READ)
    def CurrentWorkspace(self) -> DBusStr:
        return self._o().current_workspace

    @dbus_property(access=PropertyAccess.READ)
    def Workspaces(self) -> DBusStrs:
        return list(self._screens().workspaces_on(self.last.name))

    @dbus_property(access=PropertyAccess.READ)
    def Make(self) -> DBusStr:
        return self._o().make

    @dbus_property(access=PropertyAccess.READ)
    def Model(self) -> DBusStr:
        return self._o().model

    @dbus_property(access=PropertyAccess.READ)
    def Serial(self) -> DBusStr:
        return self._o().serial


def output_paths(screens: Screens) -> list[str]:
    return [names.output_path(o.name) for o in screens.outputs]


class OutputObjects:
    """Exports, unexports and updates the Output objects when the reading changes; the
    root's ``Outputs`` property is queued through ``outputs_changed``."""

    def __init__(
        self,
        export: Callable[[str, ServiceInterface], None],
        unexport: Callable[[str, ServiceInterface], None],
        screens: Callable[[], Screens],
        queue: Callable[[ServiceInterface, str], None],
        outputs_changed: Callable[[], None],
    ) -> None:
        # Export and unexport an object (the publisher's: the batch follows them too).
        self._export = export
        self._unexport = unexport
        # The latest reading (the capability's), which every object answers from.
        self._screens = screens
        # Batches a PropertiesChanged (the publisher's queue: one per object per turn).
        self._queue = queue
        # Tells the root object that its Outputs list changed.
        self._outputs_changed = outputs_changed
        # output name -> its exported object
        self.objects: dict[str, OutputInterface] = {}

    def update(self, old: Screens, new: Screens) -> None:
        for output in new.outputs:
            iface = self.objects.get(output.name)
            if iface is None:
                iface = OutputInterface(self._screens, output)
                self.objects[output.name] = iface
                self._export(names.output_path(output.name), iface)
                continue
            self._queue_changes(iface, old, new, output)
        for name in [n for n in self.objects if new.output(n) is None]:
            self._unexport(names.output_path(name), self.objects.pop(name))
        if [o.name for o in old.outputs] != [o.name for o in new.outputs]:
            self._outputs_changed()

    def _queue_changes(
        self, iface: OutputInterface, old: Screens, new: Screens, now: Output
    ) -> None:
        before = old.output(now.name)
        for field, props in OUTPUT_FIELDS.items():
            if before is None or getattr(before, field) != getattr(now, field):
                for prop in props:
                    self._queue(iface, prop)
        if old.workspaces_on(now.name) != new.workspaces_on(now.name):
            self._queue(iface, "Workspaces")
