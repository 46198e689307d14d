"""Following the service live (dbus_fast.aio): state refreshes driven by its signals.

Used by `watch` and `monitor`, which run for hours, so the asyncio import cost does not
matter there. Start order: the match rules are added before the first GetState, so a
change made in between is never missed. The service may go away and come back (restart,
crash, activation): NameOwnerChanged says so; the feed reports None (unreachable) and
refreshes when a new owner appears. If the bus connection itself drops, it reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from dbus_fast import InvalidAddressError, Message, MessageType
from dbus_fast.aio import MessageBus

from ..busaddress import session_bus_address
from ..dbus import names
from .present import Event

log = logging.getLogger(__name__)

DBUS_NAME = "org.freedesktop.DBus"
DBUS_PATH = "/org/freedesktop/DBus"
RECONNECT_DELAY = 1.0
CALL_TIMEOUT = 10.0

StateCallback = Callable[[dict[str, Any] | None], None]
EventCallback = Callable[[Event], None]


def plain_details(details: dict[str, Any]) -> dict[str, Any]:
    """a{sv} from dbus_fast (Variants) to plain values."""
    return {key: getattr(value, "value", value) for key, value in details.items()}


class ServiceFeed:
    """Calls on_state with GetState's parsed JSON after every change (None: unreachable),
    and on_event with each Event signal."""

    def __init__(
        self,
        on_state: StateCallback,
        on_event: EventCallback | None = None,
        on_owner: Callable[[bool], None] | None = None,
    ) -> None:
        self.on_state = on_state
        self.on_event = on_event
        self.on_owner = on_owner
        self.bus: MessageBus | None = None
        self._dirty = asyncio.Event()

    # -- calls ------------------------------------------------------------------

    async def call(
        self, path: str, interface: str, member: str, signature: str = "", body: Any = ()
    ) -> list[Any] | None:
        """Call the service; the reply body, or None if it is unreachable or failed."""
        if self.bus is None:
            return None
        msg = Message(
            destination=names.BUS_NAME, path=path, interface=interface, member=member,
            signature=signature, body=list(body),
        )  # fmt: skip
        try:
            reply = await asyncio.wait_for(self.bus.call(msg), CALL_TIMEOUT)
        except (TimeoutError, OSError, EOFError) as exc:
            log.debug("%s failed: %s", member, exc)
            return None
        if reply is None or reply.message_type == MessageType.ERROR:
            log.debug("%s: %s %s", member, reply and reply.error_name, reply and reply.body)
            return None
        result: list[Any] = reply.body
        return result

    async def state(self) -> dict[str, Any] | None:
        body = await self.call(names.MANAGER_PATH, names.MANAGER_IFACE, "GetState")
        if body is None:
            return None
        data: dict[str, Any] = json.loads(body[0])
        return data

    async def recent(self, limit: int) -> list[Event]:
        body = await self.call(names.EVENTS_PATH, names.EVENTS_IFACE, "Recent", "u", [limit])
        if body is None:
            return []
        return [Event(i, t, kind, plain_details(d)) for i, t, kind, d in body[0]]

    async def managed_objects(self) -> dict[str, dict[str, dict[str, Any]]] | None:
        body = await self.call(names.MANAGER_PATH, names.OBJECT_MANAGER_IFACE, "GetManagedObjects")
        if body is None:
            return None
        return {
            path: {iface: plain_details(props) for iface, props in ifaces.items()}
            for path, ifaces in body[0].items()
        }

    # -- running ----------------------------------------------------------------

    def refresh(self) -> None:
        """Ask for a GetState soon; a burst of signals costs one call."""
        self._dirty.set()

    async def run(self) -> None:
        """Follow the service until cancelled, reconnecting to the bus when it drops."""
        while True:
            try:
                address = session_bus_address()
                if not address:
                    raise ValueError("no session bus")
                self.bus = await MessageBus(bus_address=address).connect()
            except (OSError, EOFError, ValueError, InvalidAddressError) as exc:
                log.debug("cannot connect to the session bus: %s", exc)
                self.on_state(None)
                await asyncio.sleep(RECONNECT_DELAY)
                continue
            try:
                await self._follow(self.bus)
            finally:
                with contextlib.suppress(Exception):
                    self.bus.disconnect()
                self.bus = None
            self.on_state(None)
            await asyncio.sleep(RECONNECT_DELAY)

    async def _follow(self, bus: MessageBus) -> None:
        bus.add_message_handler(self._on_message)
        for rule in (
            f"type='signal',sender='{DBUS_NAME}',interface='{DBUS_NAME}',"
            f"member='NameOwnerChanged',arg0='{names.BUS_NAME}'",
            f"type='signal',sender='{names.BUS_NAME}',path_namespace='{names.MANAGER_PATH}'",
        ):
            await bus.call(
                Message(destination=DBUS_NAME, path=DBUS_PATH, interface=DBUS_NAME,
                        member="AddMatch", signature="s", body=[rule])
            )  # fmt: skip
        self.refresh()
        refresher = asyncio.create_task(self._refresher())
        try:
            await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]
        except Exception as exc:
            log.debug("bus connection lost: %s", exc)
        finally:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresher

    async def _refresher(self) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            self.on_state(await self.state())

    def _on_message(self, msg: Message) -> None:
        if msg.message_type != MessageType.SIGNAL:
            return
        if msg.member == "NameOwnerChanged" and msg.interface == DBUS_NAME:
            name, _old, new = msg.body
            if name != names.BUS_NAME:
                return
            if self.on_owner is not None:
                self.on_owner(bool(new))
            if new:
                self.refresh()
            else:
                self.on_state(None)
            return
        if msg.interface == names.EVENTS_IFACE and msg.member == "Event":
            if self.on_event is not None:
                event_id, time_us, kind, details = msg.body
                self.on_event(Event(event_id, time_us, kind, plain_details(details)))
            return
        if msg.path and msg.path.startswith(names.MANAGER_PATH):
            # Count changes with every event; everything else may change the picture.
            if msg.member == "PropertiesChanged" and msg.path == names.EVENTS_PATH:
                return
            self.refresh()
