"""Row 1: D-Bus round trips to the service, next to a trivial echo service and to dbus-daemon."""

from __future__ import annotations

import asyncio
import os
import time

from dbus_fast import BusType, Message, MessageType
from dbus_fast.aio import MessageBus

from i3project_dbus.dbus.names import BUS_NAME, MANAGER_IFACE, MANAGER_PATH, PROPERTIES_IFACE

from . import echo_service
from .env import Environment, venv_python, wait_for
from .report import Row, median, ms, pct


async def _timed(bus: MessageBus, msg: Message) -> float:
    start = time.perf_counter()
    reply = await bus.call(msg)
    elapsed = time.perf_counter() - start
    if reply.message_type == MessageType.ERROR:
        raise RuntimeError(f"{msg.member}: {reply.error_name} {reply.body}")
    return elapsed


async def _measure(iterations: int, project: str) -> dict[str, list[float]]:
    bus = await MessageBus(bus_type=BusType.SESSION).connect()
    calls = {
        "service Get ActiveProject": Message(
            destination=BUS_NAME,
            path=MANAGER_PATH,
            interface=PROPERTIES_IFACE,
            member="Get",
            signature="ss",
            body=[MANAGER_IFACE, "ActiveProject"],
        ),
        "echo Get Value": Message(
            destination=echo_service.BUS_NAME,
            path=echo_service.PATH,
            interface=PROPERTIES_IFACE,
            member="Get",
            signature="ss",
            body=[echo_service.IFACE, "Value"],
        ),
        "service GetProject": Message(
            destination=BUS_NAME,
            path=MANAGER_PATH,
            interface=MANAGER_IFACE,
            member="GetProject",
            signature="s",
            body=[project],
        ),
        "echo Echo": Message(
            destination=echo_service.BUS_NAME,
            path=echo_service.PATH,
            interface=echo_service.IFACE,
            member="Echo",
            signature="s",
            body=[project],
        ),
        "dbus-daemon GetId": Message(
            destination="org.freedesktop.DBus",
            path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus",
            member="GetId",
        ),
    }
    samples: dict[str, list[float]] = {k: [] for k in calls}
    try:
        for _ in range(max(5, iterations // 10)):  # warm-up
            for msg in calls.values():
                await _timed(bus, msg)
        # Interleaved, so that drift on a shared machine hits every figure alike.
        for _ in range(iterations):
            for name, msg in calls.items():
                samples[name].append(await _timed(bus, msg))
    finally:
        bus.disconnect()
    return samples


def run(env: Environment, iterations: int, project: str) -> list[Row]:
    echo = env._spawn([venv_python(), "-m", "bench.echo_service"], "echo", env=env.helper_env())
    try:
        from .dbus import Client

        with Client(env.bus_address) as client:
            wait_for(lambda: client.has_owner(echo_service.BUS_NAME), 10, "the echo service")
        saved = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = env.bus_address
        try:
            s = asyncio.run(_measure(iterations, project))
        finally:
            if saved is None:
                os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
            else:
                os.environ["DBUS_SESSION_BUS_ADDRESS"] = saved
    finally:
        echo.stop()
        env.procs.remove(echo)
    get_id = median(s["dbus-daemon GetId"])
    rows = []
    for figure, ours, floor in (
        ("Get ActiveProject", "service Get ActiveProject", "echo Get Value"),
        ("GetProject", "service GetProject", "echo Echo"),
    ):
        a, b = median(s[ours]), median(s[floor])
        ratio = a / b
        rows.append(
            Row(
                id="1",
                figure=f"{figure} round trip (dbus-fast client), median",
                measured=f"{ms(a)} (p95 {ms(pct(s[ours], 95))})",
                comparison=f"echo service {ms(b)}; GetId on dbus-daemon {ms(get_id)}",
                ratio=ratio,
                goal="<= 1.2x echo",
                met=ratio <= 1.2,
                data={"median_s": a, "floor_s": b, "getid_s": get_id, "n": len(s[ours])},
            )
        )
    return rows
