"""Row 9: a monitor comes back, from its last output event to every workspace moved home.

Two RandR monitors on the bench's Xvfb (LEFT and RIGHT, each half the screen), W
workspaces with their windows, half of them mapped to each monitor in
``workspace_outputs``. Each sample unplugs RIGHT (i3 moves its workspaces to LEFT), then
plugs it back and times, on one clock, from the last output event a raw subscriber sees
to the service's ``outputs::change`` event, which it records once i3 has acknowledged the
moves (and the outputs were read once more). That includes the service's quiet window
(QUIET: it waits for the burst of output events to end). The floor is the same moves,
planned by the service's own planner from the same reading, sent raw as one command.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from typing import Any

from i3project_dbus.i3.ipc import MessageType
from i3project_dbus.i3.outputs import reassign, screens_from_json
from i3project_dbus.model.reassign import plan_reassignment
from i3project_dbus.outputs import QUIET

from .dbus import event_rule
from .env import I3Subscriber, wait_for
from .report import Row, median, ms
from .world import World

WIDTH, HEIGHT = 640, 800


def _xrandr(world: World, *args: str) -> None:
    done = subprocess.run(["xrandr", "--display", world.env.display, *args],
                          capture_output=True, text=True, timeout=10, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"xrandr {' '.join(args)}: {done.stderr.strip()}")


def _monitor(world: World, name: str, x: int, width: int, output: str) -> None:
    _xrandr(world, "--setmonitor", name, f"{width}/160x{HEIGHT}/200+{x}+0", output)


class _OutputEvents:
    """When i3 delivered its latest output event (ns, wall clock)."""

    def __init__(self, world: World) -> None:
        self.last = 0
        self.lock = threading.Lock()
        self.sub = I3Subscriber(world.env.i3sock, ["output"], self.on_event)

    def on_event(self, now: int, kind: str, _body: dict[str, Any]) -> None:
        with self.lock:
            self.last = now

    def close(self) -> None:
        self.sub.stop()


class _Stage:
    """The monitors, the mapping and the windows of this row; undone by close()."""

    def __init__(self, world: World, workspaces: int, windows: int) -> None:
        self.world = world
        self.names = [f"out-{k}" for k in range(workspaces)]
        half = workspaces // 2
        self.mapping = {n: ["LEFT" if k < half else "RIGHT"] for k, n in enumerate(self.names)}
        self.moving = self.names[half:]
        _monitor(world, "LEFT", 0, WIDTH, "screen")
        _monitor(world, "RIGHT", WIDTH, WIDTH, "none")
        self._write_config({"workspace_outputs": self.mapping})
        self.xids: list[int] = []
        for k, name in enumerate(self.names):
            world.env.ipc.command(f'workspace "{name}"')
            count = windows // workspaces + (1 if k < windows % workspaces else 0)
            for i in range(count):
                self.xids.append(world.x.open("BenchOutput", f"{name} {i}", flush=False)[0])
            world.x.sync()
        wait_for(lambda: self._managed() >= len(self.xids), 60, "i3 to manage the windows")
        world.client.manager("ReassignWorkspaces", "a{sv}", {})
        world.quiesce()

    def _managed(self) -> int:
        def count(con: dict[str, Any]) -> int:
            props = con.get("window_properties") or {}
            own = 1 if props.get("class") == "BenchOutput" else 0
            return own + sum(count(c) for c in con["nodes"] + con["floating_nodes"])

        return count(self.world.env.ipc.tree())

    def _write_config(self, settings: dict[str, Any]) -> None:
        path = self.world.env.tmp / "config" / "i3project" / "config.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
        self.world.client.manager("Reload")

    def close(self) -> None:
        for xid in self.xids:
            self.world.x.close(xid)
        self.world.x.sync()
        self._write_config({})
        # Without its monitors, Xvfb's own output has its automatic one again.
        for name in ("RIGHT", "LEFT"):
            _xrandr(self.world, "--delmonitor", name)
        self.world.quiesce()


def _screens(world: World) -> Any:
    ipc = world.env.ipc
    return screens_from_json(
        ipc.request(MessageType.GET_OUTPUTS), ipc.request(MessageType.GET_WORKSPACES)
    )


def _raw_moves(world: World, mapping: dict[str, list[str]], names: set[str]) -> str:
    plan = plan_reassignment(_screens(world), mapping, occupied=names)
    return reassign(plan)


def _wait_change(queue: Any, world: World, count: int) -> int:
    """The time_us of the next outputs::change that made ``count`` moves."""
    deadline = time.monotonic() + 30
    while True:
        msg = world.client.wait_signal(queue, max(0.01, deadline - time.monotonic()))
        _id, time_us, kind, details = msg.body
        if kind == "outputs::change" and details["count"][1] == count:
            return int(time_us)


def run(world: World, samples: int, workspaces: int, windows: int) -> list[Row]:
    stage = _Stage(world, workspaces, windows)
    events = _OutputEvents(world)
    queue = world.client.subscribe(event_rule())
    service: list[float] = []
    floor: list[float] = []
    try:
        for _ in range(samples):
            _xrandr(world, "--delmonitor", "RIGHT")
            _wait_change(queue, world, 0)
            _monitor(world, "RIGHT", WIDTH, WIDTH, "none")
            done_us = _wait_change(queue, world, len(stage.moving))
            with events.lock:
                last = events.last
            service.append((done_us * 1000 - last) / 1e9)
            world.quiesce()
            # The floor: put them back on LEFT (untimed), then the same moves raw.
            names = set(stage.names)
            world.env.ipc.command(_raw_moves(world, {n: ["LEFT"] for n in stage.moving}, names))
            payload = _raw_moves(world, stage.mapping, names)
            start = time.perf_counter()
            world.env.ipc.command(payload)
            floor.append(time.perf_counter() - start)
            world.quiesce()
    finally:
        events.close()
        stage.close()
    s, f = median(service), median(floor)
    return [
        Row(
            id="11",
            figure=(
                f"monitor back: last output event -> {len(stage.moving)} workspaces moved "
                f"({workspaces} workspaces, {windows} windows; median)"
            ),
            measured=ms(s),
            comparison=f"floor {ms(f)} (the moves raw, one command)",
            ratio=s / f if f else None,
            goal="<= 500 ms",
            met=s <= 0.5,
            note=f"includes the service's {QUIET * 1000:.0f} ms quiet window; "
            f"without it {ms(s - QUIET)}",
            data={"service_s": s, "floor_s": f, "samples": len(service), "quiet_s": QUIET},
        )
    ]
