"""The message bus connection, with ObjectManager signals sent from the manager's path."""

from __future__ import annotations

import socket
from typing import Any

from dbus_fast import Message
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface

from . import names


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


class ServiceBus(MessageBus):
    """dbus-fast sends InterfacesAdded/Removed from the new object's own path; the D-Bus
    specification wants them from the ObjectManager's path, which is where generic
    clients (GDBusObjectManagerClient, busctl monitor filters) listen. So send them
    from /org/i3project/Manager1 for every object below it."""

    async def connect(self) -> ServiceBus:
        await super().connect()
        writer = self._writer
        if writer is not None and isinstance(writer.sock, socket.socket):
            patient: Any = _PatientSocket(writer.sock)
            writer.sock = patient
        return self

    def _emit_interface_added(self, path: str, interface: ServiceInterface) -> None:
        if not path.startswith(names.MANAGER_PATH + "/"):
            super()._emit_interface_added(path, interface)
            return
        if self._disconnected:
            return

        def send(iface: ServiceInterface, result: Any, _user: Any, exc: Exception | None) -> None:
            if exc is None:
                self.send(
                    Message.new_signal(
                        path=names.MANAGER_PATH,
                        interface=names.OBJECT_MANAGER_IFACE,
                        member="InterfacesAdded",
                        signature="oa{sa{sv}}",
                        body=[path, {iface.name: result}],
                    )
                )

        ServiceInterface._get_all_property_values(interface, send)

    def _emit_interface_removed(self, path: str, removed_interfaces: list[str]) -> None:
        if not path.startswith(names.MANAGER_PATH + "/"):
            super()._emit_interface_removed(path, removed_interfaces)
            return
        if self._disconnected:
            return
        self.send(
            Message.new_signal(
                path=names.MANAGER_PATH,
                interface=names.OBJECT_MANAGER_IFACE,
                member="InterfacesRemoved",
                signature="oas",
                body=[path, removed_interfaces],
            )
        )
