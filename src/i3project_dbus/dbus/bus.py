"""The message bus connection: one ObjectManager, on the manager's path."""

from __future__ import annotations

from typing import ClassVar

from dbus_fast import Message, MessageType

from . import names
from .fastcompat import CompatBus


class ServiceBus(CompatBus):
    """The service's connection. The ObjectManager is /org/i3project/Manager1 alone
    (docs/dbus-api.md): InterfacesAdded/Removed of every object below it come from
    there, and no other path introspects as one or answers GetManagedObjects."""

    object_manager_path: ClassVar[str] = names.MANAGER_PATH

    def __init__(self, bus_address: str | None = None) -> None:
        super().__init__(bus_address=bus_address)
        # dbus-fast answers GetManagedObjects on every path; the handler runs before it.
        self.add_message_handler(self._refuse_object_manager)

    def _refuse_object_manager(self, msg: Message) -> Message | None:
        if (
            msg.message_type is MessageType.METHOD_CALL
            and msg.interface == names.OBJECT_MANAGER_IFACE
            and msg.path != names.MANAGER_PATH
        ):
            return Message.new_error(
                msg,
                names.ERROR_UNKNOWN_INTERFACE,
                f"no interface {names.OBJECT_MANAGER_IFACE} at {msg.path}; "
                f"the ObjectManager is {names.MANAGER_PATH}",
            )
        return None
