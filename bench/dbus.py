"""A small blocking D-Bus client (jeepney) for driving the service and timing calls.

It knows the bus, not the bench's processes: env.py and quiesce.py import it, never the
other way round.

Blocking on purpose: one call is one write and one read, with no event loop in
between, so the client adds as little as possible to what is measured.
"""

from __future__ import annotations

import collections
from typing import Any

from jeepney import DBusAddress, MatchRule, MessageType, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection

from i3project_dbus.dbus.names import (
    BUS_NAME,
    EVENTS_IFACE,
    EVENTS_PATH,
    MANAGER_IFACE,
    MANAGER_PATH,
    PROPERTIES_IFACE,
)


class DBusCallError(RuntimeError):
    pass


class Client:
    def __init__(self, address: str) -> None:
        self.conn: DBusConnection = open_dbus_connection(address)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def call(
        self,
        path: str,
        iface: str,
        member: str,
        sig: str = "",
        *args: Any,
        dest: str = BUS_NAME,
        timeout: float = 60.0,
    ) -> Any:
        addr = DBusAddress(path, bus_name=dest, interface=iface)
        msg = new_method_call(addr, member, sig or None, args)
        reply = self.conn.send_and_get_reply(msg, timeout=timeout)
        if reply.header.message_type == MessageType.error:
            raise DBusCallError(f"{member}: {reply.header.fields} {reply.body}")
        return reply.body

    def get(self, path: str, iface: str, prop: str) -> Any:
        try:
            (variant,) = self.call(path, PROPERTIES_IFACE, "Get", "ss", iface, prop)
        except DBusCallError:
            return None
        return variant[1]

    def has_owner(self, name: str) -> bool:
        reply = self.conn.send_and_get_reply(message_bus.NameHasOwner(name), timeout=5)
        return bool(reply.body[0])

    def manager(self, member: str, sig: str = "", *args: Any) -> Any:
        return self.call(MANAGER_PATH, MANAGER_IFACE, member, sig, *args)

    def manager_prop(self, prop: str) -> Any:
        return self.get(MANAGER_PATH, MANAGER_IFACE, prop)

    def switch(self, name: str) -> None:
        self.manager("SwitchProject", "s", name)

    def create_project(self, name: str) -> None:
        self.manager("CreateProject", "sa{sv}", name, {})

    def recent(self, limit: int) -> list[tuple[int, int, str, dict[str, Any]]]:
        (events,) = self.call(EVENTS_PATH, EVENTS_IFACE, "Recent", "u", limit)
        return [
            (i, t, kind, {k: v[1] for k, v in details.items()}) for i, t, kind, details in events
        ]

    # -- signals -----------------------------------------------------------------

    def subscribe(self, rule: MatchRule) -> collections.deque[Any]:
        self.conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=5)
        queue: collections.deque[Any] = collections.deque()
        self.conn.filter(rule, queue=queue, bufsize=1 << 20).__enter__()
        return queue

    def wait_signal(self, queue: collections.deque[Any], timeout: float) -> Any:
        return self.conn.recv_until_filtered(queue, timeout=timeout)


def event_rule() -> MatchRule:
    return MatchRule(type="signal", interface=EVENTS_IFACE, member="Event", path=EVENTS_PATH)
