"""Rows 5 and 6: the service's resident memory and its start-up, next to the import floor.

The floor is a Python process that only imports what the service cannot do without:
`python -c "import dbus_fast.aio, i3project_dbus.i3.connection"`, run with the same
interpreter.
"""

from __future__ import annotations

import subprocess
import time

from jeepney import MatchRule
from jeepney.io.blocking import open_dbus_connection

from i3project_dbus.dbus.names import BUS_NAME

from .env import Environment, rss_kib, venv_python
from .report import Row, median, ms
from .world import World

# An asyncio D-Bus library and an asyncio i3 IPC client: any service like this one needs
# both. The i3 client used to be i3ipc.aio; the service now speaks i3 IPC through its own
# small modules, so those are the floor's i3 half: i3/connection.py and the i3/ipc.py it
# imports (and the package's __init__, which holds only the version).
FLOOR_IMPORT = "import dbus_fast.aio, i3project_dbus.i3.connection"


def floor_rss_kib() -> int:
    code = FLOOR_IMPORT + "; print(open('/proc/self/status').read())"
    out = subprocess.run(
        [venv_python(), "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return int(next(line for line in out.splitlines() if line.startswith("VmRSS:")).split()[1])


def floor_start_s(env: Environment) -> float:
    start = time.perf_counter()
    subprocess.run([venv_python(), "-c", FLOOR_IMPORT], env=env.env, check=True)
    return time.perf_counter() - start


def service_start_s(env: Environment) -> float:
    """Spawn the service and time it to the NameOwnerChanged that gives it the bus name."""
    env.stop_service()
    conn = open_dbus_connection(env.bus_address)
    try:
        rule = MatchRule(
            type="signal",
            sender="org.freedesktop.DBus",
            interface="org.freedesktop.DBus",
            member="NameOwnerChanged",
        )
        rule.add_arg_condition(0, BUS_NAME)
        from jeepney.bus_messages import message_bus

        conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=5)
        with conn.filter(rule) as queue:
            proc = env.start_service(wait=False)
            while True:
                msg = conn.recv_until_filtered(queue, timeout=30)
                if msg.body[2]:  # the new owner
                    return (time.time_ns() - proc.started_ns) / 1e9
    finally:
        conn.close()


def startup(env: Environment, world: World, runs: int) -> list[Row]:
    floor_start_s(env)  # warm the page cache for both
    service_start_s(env)
    ours: list[float] = []
    floor: list[float] = []
    for _ in range(runs):
        floor.append(floor_start_s(env))
        ours.append(service_start_s(env))
    env.start_service()  # wait until Connected, as every later row expects
    world.reconnect()
    s, f = median(ours), median(floor)
    return [
        Row(
            id="6",
            figure="start-up: process start -> bus name acquired, i3 attached (median)",
            measured=ms(s),
            comparison=f"import floor {ms(f)}",
            ratio=s / f,
            goal="<= 1.3x floor",
            met=s / f <= 1.3,
            data={"service_s": ours, "floor_s": floor},
        )
    ]


def memory(env: Environment, windows: int, label: str, limit: float) -> Row:
    assert env.service is not None
    time.sleep(0.3)
    ours = rss_kib(env.service.pid)
    floor = floor_rss_kib()
    return Row(
        id="5",
        figure=f"RSS (VmRSS), {label}",
        measured=f"{ours / 1024:.1f} MiB",
        comparison=f"import floor {floor / 1024:.1f} MiB",
        ratio=ours / floor,
        goal=f"<= {limit:g}x floor",
        met=ours / floor <= limit,
        data={"service_kib": ours, "floor_kib": floor, "windows": windows},
    )
