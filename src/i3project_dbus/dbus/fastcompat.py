"""Every use of dbus-fast's private API, in one place, with the version range it was read from.

dbus-fast offers no public hook for three things the service needs, so this module
overrides private methods and attributes of its MessageBus. pyproject.toml pins
dbus-fast below the next minor version, and tests/unit/test_fastcompat.py fails when
any name used here is missing or has changed its signature (see PRIVATE_API).
"""

from __future__ import annotations

import socket
from typing import Any, ClassVar

from dbus_fast import Message
from dbus_fast import introspection as intr
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface

from .names import OBJECT_MANAGER_IFACE

# The range of dbus-fast these overrides were written against (pyproject.toml says the same).
TESTED_VERSIONS = ">=5,<5.3"

# (owner, private name, its parameters or None for a data attribute): what this module
# touches. The unit test checks each against the installed dbus-fast.
PRIVATE_API: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("dbus_fast.message_bus.BaseMessageBus", "_emit_interface_added", ("path", "interface")),
    (
        "dbus_fast.message_bus.BaseMessageBus",
        "_emit_interface_removed",
        ("path", "removed_interfaces"),
    ),
    ("dbus_fast.message_bus.BaseMessageBus", "_introspect_export_path", ("path",)),
    ("dbus_fast.message_bus.BaseMessageBus", "_disconnected", None),
    ("dbus_fast.aio.message_bus.MessageBus", "_writer", None),
    ("dbus_fast.aio.message_bus._MessageWriter", "sock", None),
    (
        "dbus_fast.service.ServiceInterface",
        "_get_all_property_values",
        ("interface", "callback", "user_data"),
    ),
)


class _PatientSocket:
    """The bus socket as dbus-fast's writer sees it, with EAGAIN reported as 0 bytes sent.

    dbus-fast (like dbus-next, issue #153 there) takes BlockingIOError from send() as a
    fatal error and drops the connection, which ends the service. It happens whenever
    the service writes faster than dbus-daemon reads, e.g. a burst of window events.
    "Nothing sent" makes the writer wait until the socket is writable, as it should."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def send(self, data: Any) -> int:
        try:
            return self._sock.send(data)
        except (BlockingIOError, InterruptedError):
            return 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class CompatBus(MessageBus):
    """A MessageBus with one ObjectManager at ``object_manager_path``.

    dbus-fast sends InterfacesAdded/Removed from the new object's own path and lists
    org.freedesktop.DBus.ObjectManager on every exported object. The D-Bus
    specification wants the signals from the ObjectManager's path, which is where
    generic clients (GDBusObjectManagerClient, busctl monitor filters) listen, and an
    object that is no ObjectManager must not say it is one."""

    # Objects below this path are managed by the ObjectManager on it ("" for none).
    object_manager_path: ClassVar[str] = ""

    async def connect(self) -> CompatBus:
        await super().connect()
        writer = self._writer
        if writer is not None and isinstance(writer.sock, socket.socket):
            patient: Any = _PatientSocket(writer.sock)
            writer.sock = patient
        return self

    def _managed(self, path: str) -> bool:
        root = self.object_manager_path
        return bool(root) and path.startswith(root + "/")

    def _emit_interface_added(self, path: str, interface: ServiceInterface) -> None:
        if not self._managed(path):
            super()._emit_interface_added(path, interface)
            return
        if self._disconnected:
            return

        def send(iface: ServiceInterface, result: Any, _user: Any, exc: Exception | None) -> None:
            if exc is None:
                self.send(
                    Message.new_signal(
                        path=self.object_manager_path,
                        interface=OBJECT_MANAGER_IFACE,
                        member="InterfacesAdded",
                        signature="oa{sa{sv}}",
                        body=[path, {iface.name: result}],
                    )
                )

        ServiceInterface._get_all_property_values(interface, send)

    def _emit_interface_removed(self, path: str, removed_interfaces: list[str]) -> None:
        if not self._managed(path):
            super()._emit_interface_removed(path, removed_interfaces)
            return
        if self._disconnected:
            return
        self.send(
            Message.new_signal(
                path=self.object_manager_path,
                interface=OBJECT_MANAGER_IFACE,
                member="InterfacesRemoved",
                signature="oas",
                body=[path, removed_interfaces],
            )
        )

    def _introspect_export_path(self, path: str) -> intr.Node:
        node: intr.Node = super()._introspect_export_path(path)
        if self.object_manager_path and path != self.object_manager_path:
            node.interfaces = [i for i in node.interfaces if i.name != OBJECT_MANAGER_IFACE]
        return node
