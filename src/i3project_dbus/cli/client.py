"""The blocking D-Bus client (jeepney) of the one-shot commands other than the keypress path.

No asyncio: Python with asyncio and dbus_fast.aio takes ~100 ms just to import. The
keypress path (`switch NAME`, `clear`) does not come here at all but goes through
cli/wire.py, unless stdout is a person's terminal or wire cannot speak to the bus.
Calls go to the bus name, so a service that is not running is started by D-Bus
activation if the activation file is installed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

from ..busaddress import entries, session_bus_address
from ..dbus import names
from .errors import UNREACHABLE, CliError, from_dbus_error
from .present import Event

DEFAULT_TIMEOUT = 25.0
# A notification is a courtesy: a daemon that is slow to start is not waited for long.
NOTIFY_TIMEOUT = 3.0

Variant = tuple[str, Any]


def variant(value: str | Sequence[str]) -> Variant:
    """A jeepney variant for a project option: a string or a list of strings."""
    if isinstance(value, str):
        return ("s", value)
    return ("as", list(value))


class Client:
    """One connection to the session bus, calling org.i3project.Manager1."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self._conn: DBusConnection | None = None

    def connect(self) -> DBusConnection:
        if self._conn is None:
            address = session_bus_address()
            if not address:
                raise CliError(
                    "no session bus: DBUS_SESSION_BUS_ADDRESS is not set and there is no"
                    " $XDG_RUNTIME_DIR/bus (run i3project inside your desktop session)",
                    UNREACHABLE,
                )
            error: Exception | None = None
            for entry in entries(address):
                try:
                    self._conn = open_dbus_connection(entry)
                    break
                except (OSError, RuntimeError, ValueError) as exc:
                    error = exc
            if self._conn is None:
                raise CliError(
                    f"cannot connect to the session bus at {address}: {error}", UNREACHABLE
                ) from None
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def call(
        self,
        path: str,
        interface: str,
        method: str,
        signature: str | None = None,
        body: tuple[Any, ...] = (),
        destination: str = names.BUS_NAME,
        timeout: float | None = None,
    ) -> tuple[Any, ...]:
        """Call a method of the service (or of `destination`); return the reply body, or
        raise CliError."""
        conn = self.connect()
        address = DBusAddress(path, bus_name=destination, interface=interface)
        msg = new_method_call(address, method, signature, body)
        timeout = self.timeout if timeout is None else timeout
        try:
            reply = conn.send_and_get_reply(msg, timeout=timeout)
        except TimeoutError:
            who = "the i3project service" if destination == names.BUS_NAME else destination
            raise CliError(f"{who} did not answer {method} within {timeout:g} s",
                           UNREACHABLE) from None  # fmt: skip
        except (OSError, ValueError) as exc:
            raise CliError(f"lost the session bus connection: {exc}", UNREACHABLE) from None
        if reply.header.message_type == MessageType.error:
            error_name = str(reply.header.fields.get(HeaderFields.error_name, ""))
            text = str(reply.body[0]) if reply.body else ""
            raise from_dbus_error(error_name, text)
        body_out: tuple[Any, ...] = reply.body
        return body_out

    def manager(self, method: str, signature: str | None = None, *args: Any) -> tuple[Any, ...]:
        return self.call(names.MANAGER_PATH, names.MANAGER_IFACE, method, signature, args)

    def get_property(self, path: str, interface: str, name: str) -> Any:
        (value,) = self.call(path, names.PROPERTIES_IFACE, "Get", "ss", (interface, name))
        return value[1]

    # -- the operations the commands use -------------------------------------------

    def switch(self, name: str) -> None:
        self.manager("SwitchProject", "s", name)

    def clear(self) -> None:
        self.manager("ClearProject")

    def active(self) -> str:
        value = self.get_property(names.MANAGER_PATH, names.MANAGER_IFACE, "ActiveProject")
        return str(value)

    def state(self) -> dict[str, Any]:
        """The service's whole state (GetState), parsed."""
        import json

        (text,) = self.manager("GetState")
        data: dict[str, Any] = json.loads(text)
        return data

    def create(self, name: str, options: Mapping[str, str | Sequence[str]]) -> str:
        body = {key: variant(value) for key, value in options.items()}
        (path,) = self.manager("CreateProject", "sa{sv}", name, body)
        return str(path)

    def update(self, name: str, options: Mapping[str, str | Sequence[str]]) -> None:
        body = {key: variant(value) for key, value in options.items()}
        (path,) = self.manager("GetProject", "s", name)
        self.call(path, names.PROJECT_IFACE, "Update", "a{sv}", (body,))

    def delete(self, name: str) -> None:
        self.manager("DeleteProject", "s", name)

    def reload(self) -> None:
        self.manager("Reload")

    def assign(self, con_id: int, project: str) -> None:
        (path,) = self.manager("GetWindow", "t", con_id)
        self.call(path, names.WINDOW_IFACE, "AssignProject", "s", (project,))

    def focus(self, con_id: int) -> None:
        (path,) = self.manager("GetWindow", "t", con_id)
        self.call(path, names.WINDOW_IFACE, "Focus")

    def recent_events(self, limit: int) -> list[Event]:
        (events,) = self.call(names.EVENTS_PATH, names.EVENTS_IFACE, "Recent", "u", (limit,))
        return [Event(i, t, kind, unwrap(details)) for i, t, kind, details in events]

    def event_count(self) -> int:
        """The id of the newest event recorded (Events.Count)."""
        return int(self.get_property(names.EVENTS_PATH, names.EVENTS_IFACE, "Count"))

    def notify(self, summary: str, body: str) -> bool:
        """A desktop notification (org.freedesktop.Notifications); False if no daemon
        took it."""
        hints = {"urgency": ("y", 1), "category": ("s", "x-i3project.error")}
        try:
            self.call(names.NOTIFICATIONS_PATH, names.NOTIFICATIONS_IFACE, "Notify",
                      "susssasa{sv}i", ("i3project", 0, "dialog-error", summary, body, [],
                                        hints, -1),
                      destination=names.NOTIFICATIONS_BUS_NAME,
                      timeout=NOTIFY_TIMEOUT)  # fmt: skip
        except CliError:
            return False
        return True

    def managed_objects(self) -> dict[str, dict[str, dict[str, Any]]]:
        (objects,) = self.call(names.MANAGER_PATH, names.OBJECT_MANAGER_IFACE, "GetManagedObjects")
        return {
            path: {iface: unwrap(props) for iface, props in ifaces.items()}
            for path, ifaces in objects.items()
        }


def unwrap(values: Mapping[str, Variant]) -> dict[str, Any]:
    """a{sv} as jeepney returns it ({key: (signature, value)}) to plain values."""
    return {key: value[1] for key, value in values.items()}
