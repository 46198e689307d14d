"""The message bus connection, with ObjectManager signals sent from the manager's path."""

from __future__ import annotations

from typing import Any

from dbus_fast import Message
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface

from . import names


class ServiceBus(MessageBus):
    """dbus-fast sends InterfacesAdded/Removed from the new object's own path; the D-Bus
    specification wants them from the ObjectManager's path, which is where generic
    clients (GDBusObjectManagerClient, busctl monitor filters) listen. So send them
    from /org/i3project/Manager1 for every object below it."""

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
