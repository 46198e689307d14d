"""A stand-in for the service, to test the harness itself: owns the name, says Connected."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal

from dbus_fast import BusType, PropertyAccess
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusBool
from dbus_fast.service import ServiceInterface, dbus_property

BUS_NAME = "org.i3project.Manager1"
MANAGER_PATH = "/org/i3project/Manager1"
MANAGER_IFACE = "org.i3project.Manager1"


class FakeManager(ServiceInterface):
    def __init__(self, connected: bool) -> None:
        super().__init__(MANAGER_IFACE)
        self._connected = connected

    @dbus_property(access=PropertyAccess.READ)
    def Connected(self) -> DBusBool:
        return self._connected


async def serve(connected: bool, env_file: str | None) -> None:
    if env_file:
        with open(env_file, "w") as out:
            json.dump(dict(os.environ), out)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    # An activated service finds its bus in DBUS_STARTER_ADDRESS.
    address = os.environ.get("DBUS_STARTER_ADDRESS") or os.environ["DBUS_SESSION_BUS_ADDRESS"]
    bus = await MessageBus(bus_address=address, bus_type=BusType.SESSION).connect()
    bus.export(MANAGER_PATH, FakeManager(connected))
    await bus.request_name(BUS_NAME)
    await stop.wait()
    bus.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--disconnected", action="store_true")
    parser.add_argument("--env-file")
    args = parser.parse_args()
    asyncio.run(serve(not args.disconnected, args.env_file))


if __name__ == "__main__":
    main()
