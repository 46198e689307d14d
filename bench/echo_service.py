"""The floor of row 1: a trivial dbus-fast service (one method, one property) on the same bus."""

from __future__ import annotations

import asyncio
import signal

from dbus_fast import BusType
from dbus_fast.aio import MessageBus
from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_method, dbus_property

BUS_NAME = "org.i3project.BenchEcho"
PATH = "/org/i3project/BenchEcho"
IFACE = "org.i3project.BenchEcho"


class Echo(ServiceInterface):
    def __init__(self) -> None:
        super().__init__(IFACE)

    @dbus_method()
    def Echo(self, what: s) -> s:  # type: ignore[name-defined]  # noqa: F821
        return what

    @dbus_property(access=PropertyAccess.READ)
    def Value(self) -> s:  # type: ignore[name-defined]  # noqa: F821
        return ""


async def main() -> None:
    bus = await MessageBus(bus_type=BusType.SESSION).connect()
    bus.export(PATH, Echo())
    await bus.request_name(BUS_NAME)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    bus.disconnect()


if __name__ == "__main__":
    asyncio.run(main())
