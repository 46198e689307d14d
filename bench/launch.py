"""Row 10: a new window of a launched app to its launch's project, and the pid read apart.

While project C is active, the service launches one X client for project L
(launch_client.py), which maps a window for each line written to its FIFO: every window
is a new window of a launched process, to be marked for L and hidden. The service times
its own work and records it as a `window::assign` event with `launch`: `processing_us`
is the service's part (window::new read -> the command sent) without `pid_us`, the read
of the window's process (_NET_WM_PID: a hop to the X thread and one X round trip);
`i3_us` is i3's answer. Row 3 is the same measure for a window the class rule assigns.
The floor is one i3 command round trip (`nop`) from a raw client, in the same run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path
from typing import Any

from i3project_dbus.dbus import names

from .env import venv_python, wait_for
from .report import Row, ms, pct
from .world import World

CLIENT = Path(__file__).with_name("launch_client.py")


class _Log:
    """The service's event log read as it grows: the ring keeps the last 500 events, and
    each launched window makes several, so events are collected by id between reads."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.last = max((i for i, *_ in world.client.recent(0)), default=0)
        self.assigned: list[dict[str, Any]] = []  # window::assign events of a launch
        self.hidden = 0  # switches made to hide a launched window (one per window)

    def read(self) -> None:
        for i, _t, kind, details in self.world.client.recent(0):
            if i <= self.last:
                continue
            self.last = i
            if kind == "window::assign" and details.get("launch"):
                self.assigned.append(details)
            elif kind == "project::switch" and details.get("origin") == "launch":
                self.hidden += 1

    def hidden_at_least(self, want: int) -> bool:
        self.read()
        return self.hidden >= want


def _nop_floor(world: World, count: int) -> list[float]:
    samples = []
    for _ in range(max(count, 5)):
        start = time.perf_counter()
        world.env.ipc.command("nop")
        samples.append(time.perf_counter() - start)
    return samples


def run(world: World, count: int, project: str = "L", active: str = "C") -> list[Row]:
    world.ensure_project(project)
    world.ensure_project(active)
    world.client.switch(active)
    world.quiesce()
    fifo = world.env.tmp / "launch.fifo"
    os.mkfifo(fifo)
    argv = [venv_python(), str(CLIENT), str(fifo)]
    path = names.project_path(project)
    (pid,) = world.client.call(path, names.PROJECT_IFACE, "Launch", "asa{sv}", argv, {})
    log = _Log(world)
    try:
        with open(fifo, "w", encoding="utf-8") as pipe:  # waits for the client to open it
            for i in range(count):
                pipe.write(f"launched {i}\n")
                pipe.flush()
                # Hidden, and the switch that hid it over (its events all handled), so
                # the next window does not wait behind this one's aftermath: as in row 3,
                # each sample is one window's reaction on a service with nothing to do.
                wait_for(
                    lambda want=i + 1: log.hidden_at_least(want),
                    30,
                    f"launched window {i} to be assigned to {project} and hidden",
                )
                world.quiesce()
        world.quiesce()
        log.read()
        events = log.assigned
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(int(pid), signal.SIGKILL)
    floor = _nop_floor(world, count)
    service = [int(e["processing_us"]) / 1e6 for e in events]
    pid_read = [int(e["pid_us"]) / 1e6 for e in events]
    i3_part = [int(e["i3_us"]) / 1e6 for e in events]
    total = [int(e["duration_us"]) / 1e6 for e in events]
    p95, floor95 = pct(service, 95), pct(floor, 95)
    return [
        Row(
            id="10",
            figure="launched app's new window -> its project's mark sent, service (p50 / p95)",
            measured=f"{ms(pct(service, 50))} / {ms(p95)}",
            comparison=(
                f"reading the window's pid {ms(pct(pid_read, 50))} / {ms(pct(pid_read, 95))}; "
                f"i3's ack {ms(pct(i3_part, 50))} / {ms(pct(i3_part, 95))}; "
                f"one i3 command round trip {ms(pct(floor, 50))} / {ms(floor95)}"
            ),
            ratio=pct(total, 95) / floor95,
            goal="p95 <= 2 ms (pid read apart)",
            met=p95 <= 0.002,
            note=(
                f"{len(service)} windows of one launched X client, launched for {project} "
                f"while {active} is active (marked, then hidden); the ratio is the whole "
                "reaction (window::new read -> i3's ack, pid read included) over one raw "
                "i3 command round trip"
            ),
            data={
                "service_s": service,
                "pid_s": pid_read,
                "i3_s": i3_part,
                "total_s": total,
                "floor_s": floor,
            },
        )
    ]
