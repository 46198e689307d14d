"""Every use of dbus-fast's private API, in one place, with the version range it was read from.

dbus-fast offers no public hook for what the service needs here (writing to the socket
its own way, and one ObjectManager), so this module overrides private methods and
attributes of its MessageBus. pyproject.toml pins
dbus-fast below the next minor version, and tests/unit/test_fastcompat.py fails when
any name used here is missing or has changed its signature (see PRIVATE_API).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
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
    ("dbus_fast.aio.message_bus.MessageBus", "_finalize", ("err",)),
    ("dbus_fast.aio.message_bus.MessageBus", "_writer", None),
    # after_reply relies on how this sends a coroutine method's reply (see there).
    ("dbus_fast.aio.message_bus.MessageBus", "_make_method_handler", ("interface", "method")),
    ("dbus_fast.aio.message_bus._MessageWriter", "sock", None),
    (
        "dbus_fast.service.ServiceInterface",
        "_get_all_property_values",
        ("interface", "callback", "user_data"),
    ),
)


def after_reply(callback: Callable[[], None]) -> None:
    """Run callback once the reply of the coroutine method running now has been sent.

    dbus-fast runs a coroutine method as a task and sends its reply from a done callback
    of that task, which asyncio schedules when the coroutine returns. A callback
    scheduled in the method's last step runs before that one; the one it schedules in
    turn runs after it. So call this at the very end of the method (in a finally)."""
    loop = asyncio.get_running_loop()
    loop.call_soon(loop.call_soon, callback)


class _CoalescingSocket:
    """The bus socket as dbus-fast's writer sees it: every send is taken whole.

    - The first message of a loop turn is written at once (a method reply goes out
      without delay); the messages that follow it in the same turn (a burst of Event and
      PropertiesChanged signals) are collected and written together when the turn ends:
      one system call, and one wake-up of dbus-daemon, instead of one per message.
    - What the socket does not take (EAGAIN: the service writes faster than dbus-daemon
      reads) waits here until the socket is writable. dbus-fast (like dbus-next, issue
      #153 there) takes BlockingIOError from send() as fatal and drops the connection,
      which ended the service in a burst of window events.

    Since dbus-fast is told everything was sent, it never waits for the socket itself;
    a write error found later is handed to the bus as if its writer had met it."""

    def __init__(self, sock: socket.socket, bus: CompatBus) -> None:
        self._sock = sock
        self._bus = bus
        self._loop = asyncio.get_running_loop()
        # Bytes accepted from dbus-fast and not written yet, in order.
        self._pending = bytearray()
        # A message went out in this loop turn: the next ones wait for the turn's end.
        self._in_turn = False
        # Waiting for the socket to become writable again.
        self._blocked = False

    def send(self, data: Any) -> int:
        size = len(data)
        if self._in_turn or self._pending:
            self._pending += data
            return size
        self._in_turn = True
        self._loop.call_soon(self._end_turn)
        try:
            sent = self._sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        if sent < size:
            self._pending += data[sent:]
            self._wait_writable()
        return size

    def flush(self) -> None:
        """Write what is pending, as far as the socket takes it now."""
        while self._pending and not self._blocked:
            try:
                sent = self._sock.send(self._pending)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError as exc:
                self._pending.clear()
                self._bus._finalize(exc)
                return
            if not sent:
                self._wait_writable()
                return
            del self._pending[:sent]

    def _end_turn(self) -> None:
        self._in_turn = False
        self.flush()

    def _wait_writable(self) -> None:
        if not self._blocked:
            self._blocked = True
            self._loop.add_writer(self._sock.fileno(), self._writable)

    def _writable(self) -> None:
        self._loop.remove_writer(self._sock.fileno())
        self._blocked = False
        self.flush()

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

    # The socket dbus-fast's writer writes to, once connected.
    _coalescing: _CoalescingSocket | None = None

    async def connect(self) -> CompatBus:
        await super().connect()
        writer = self._writer
        if writer is not None and isinstance(writer.sock, socket.socket):
            self._coalescing = _CoalescingSocket(writer.sock, self)
            coalescing: Any = self._coalescing
            writer.sock = coalescing
        return self

    def disconnect(self) -> None:
        # The last signals (the final flush at shutdown) go out before the socket closes.
        if self._coalescing is not None and not self._disconnected:
            self._coalescing.flush()
        super().disconnect()

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
