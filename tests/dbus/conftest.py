"""Fixtures for the D-Bus contract tests: the service with or without i3, a dbus-fast client
that records signals, and helpers to call through busctl and gdbus."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from dbus_contract import Client
from dbus_fast import BusType, Message
from dbus_fast.aio import MessageBus

from harness import BUS_NAME, DBusDaemon, ServiceProcess, XdgDirs

# Generous: the service takes its name at once when it finds no live i3 (service.py), but a
# loaded machine may be slow to start a Python process.
BARE_READY_TIMEOUT = 15.0


@pytest.fixture
def start_bare_service(
    bus: DBusDaemon, dirs: XdgDirs, tmp_path: Path
) -> Iterator[Callable[[], ServiceProcess]]:
    """Factory: start the service on the private bus with no i3 at all, and wait until it
    owns its name (Connected=false). I3SOCK names a socket that does not exist and the
    service's XDG_RUNTIME_DIR is the test's own empty one, so discovery finds no i3 (never
    the developer's). Call it after preparing files under `dirs`."""
    started: list[ServiceProcess] = []

    def start() -> ServiceProcess:
        env = {**bus.env(), **dirs.env(), "I3SOCK": str(dirs.runtime / "no-i3-here.sock")}
        proc = ServiceProcess(env, tmp_path / f"bare-service-{len(started)}.log")
        started.append(proc)
        proc.wait_ready(BARE_READY_TIMEOUT, connected=False)
        return proc

    yield start
    codes = []
    for proc in started:
        rc = proc.terminate() if proc.alive() else proc.kill()
        codes.append(rc)
        # pytest shows a test's captured output only when it fails.
        print(f"--- bare service (pid {proc.pid}, rc {rc}) log ---\n{proc.log()}")
    assert all(rc == 0 for rc in codes), f"the service exited {codes} on SIGTERM"


@pytest.fixture
def bare_service(start_bare_service: Callable[[], ServiceProcess]) -> ServiceProcess:
    """The service without i3, on an empty configuration."""
    return start_bare_service()


@pytest.fixture
async def client(bus: DBusDaemon) -> AsyncIterator[Client]:
    """A dbus-fast client on the private bus, subscribed to every signal of the service.

    Subscribe before the service starts changing things: the match rule is in place when
    this fixture returns, so no signal can fall in between.
    """
    conn = await MessageBus(bus_address=bus.address, bus_type=BusType.SESSION).connect()
    client = Client(conn)
    conn.add_message_handler(client._on_message)
    await conn.call(
        Message(
            destination="org.freedesktop.DBus",
            path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus",
            member="AddMatch",
            signature="s",
            body=[f"type='signal',sender='{BUS_NAME}'"],
        )
    )
    try:
        yield client
    finally:
        conn.disconnect()
        await conn.wait_for_disconnect()
