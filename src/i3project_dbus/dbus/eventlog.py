"""The event log on the bus: /org/i3project/Manager1/events, its Recent method, its
Event signal, and the properties that tell one run of the service from the next."""

import os
import time
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from dbus_fast import Variant
from dbus_fast.annotations import DBusInt64, DBusSignature, DBusStr, DBusUInt32, DBusUInt64
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import dbus_method, dbus_property, dbus_signal

from ..manager import Manager
from ..model.events import Event
from . import names
from .described import DescribedInterface
from .errors import reported

EventList = Annotated[list[list[Any]], DBusSignature("a(txsa{sv})")]
EventSignal = Annotated[list[Any], DBusSignature("txsa{sv}")]


def variant(value: object) -> Variant:
    if isinstance(value, bool):
        return Variant("b", value)
    if isinstance(value, int):
        return Variant("x", value)
    if isinstance(value, float):
        return Variant("d", value)
    return Variant("s", str(value))


def event_body(event: Event) -> list[Any]:
    details = {k: variant(v) for k, v in event.details.items()}
    details["duration_us"] = Variant("x", event.duration_us)
    return [event.id, event.time_us, event.type, details]


class EventsInterface(DescribedInterface):
    OUT_ARGS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "Recent": ("events",),
        "Event": ("id", "time_us", "type", "details"),
    }
    # Count changes with every event: clients read it when they need it.
    PROPERTY_SIGNALS: ClassVar[Mapping[str, str]] = {
        "Capacity": "const",
        "Count": "false",
        "Instance": "const",
        "Started": "const",
    }

    def __init__(self, manager: Manager) -> None:
        super().__init__(names.EVENTS_IFACE)
        # The facade whose event ring this publishes.
        self.manager = manager
        # This run of the service: event ids start again at 1 when it changes. (Random
        # bytes: the uuid module would cost start-up a few ms of imports.)
        self.instance = os.urandom(16).hex()
        # When this run started, Unix time in microseconds.
        self.started_us = time.time_ns() // 1000

    @dbus_method()
    def Recent(self, limit: DBusUInt32) -> EventList:
        with reported():
            return [event_body(e) for e in self.manager.events.recent(limit)]

    @dbus_property(access=PropertyAccess.READ)
    def Capacity(self) -> DBusUInt32:
        return self.manager.events.capacity

    @dbus_property(access=PropertyAccess.READ)
    def Count(self) -> DBusUInt64:
        return self.manager.events.count

    @dbus_property(access=PropertyAccess.READ)
    def Instance(self) -> DBusStr:
        return self.instance

    @dbus_property(access=PropertyAccess.READ)
    def Started(self) -> DBusInt64:
        return self.started_us

    @dbus_signal()
    def Event(self, event: Event) -> EventSignal:
        return event_body(event)
