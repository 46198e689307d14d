"""The benchmark suite: every row of issue 6, each a ratio to a floor measured in the same run.

    python -m bench            the full suite (a few minutes)
    python -m bench --quick    every row with few samples: proves the suite runs, says
                               nothing about speed (scripts/test runs it; nothing asserted)

Order matters: rows that want a small tree (start-up, idle memory, round trips, new
windows, bursts, the keypress path) run before row 2 grows the projects to 500 windows
each, which is also where memory with 1,000 windows is read.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import (
    assign,
    burst,
    fanout,
    keypress,
    launch,
    layouts,
    outputs,
    process,
    restore,
    roundtrip,
    switch,
)
from .env import Environment
from .report import Row, table, to_json
from .world import World


@dataclass(frozen=True)
class Params:
    startup_runs: int
    rt_iterations: int
    assign_windows: int
    burst_ticks: int
    burst_titles: int
    paced_seconds: float
    fanout_clients: int
    fanout_trials: int
    keypress_trials: int
    switch_sizes: tuple[int, ...]
    switch_iterations: int
    switch_goal_size: int
    tracked_windows: int
    outputs_samples: int
    outputs_workspaces: int
    outputs_windows: int
    restore_windows: int
    relaunch_xterms: int
    restore_iterations: int


FULL = Params(
    startup_runs=10,
    rt_iterations=2000,
    assign_windows=200,
    burst_ticks=10_000,
    burst_titles=2_000,
    paced_seconds=3.0,
    fanout_clients=50,
    fanout_trials=15,
    keypress_trials=10,
    switch_sizes=(10, 50, 100),
    switch_iterations=6,
    switch_goal_size=100,
    tracked_windows=1000,
    outputs_samples=10,
    outputs_workspaces=10,
    outputs_windows=50,
    restore_windows=20,
    relaunch_xterms=10,
    restore_iterations=5,
)
QUICK = Params(
    startup_runs=1,
    rt_iterations=20,
    assign_windows=4,
    burst_ticks=200,
    burst_titles=40,
    paced_seconds=0.2,
    fanout_clients=5,
    fanout_trials=1,
    keypress_trials=1,
    switch_sizes=(2, 4, 6),
    switch_iterations=1,
    switch_goal_size=4,
    tracked_windows=40,
    outputs_samples=1,
    outputs_workspaces=4,
    outputs_windows=8,
    restore_windows=4,
    relaunch_xterms=2,
    restore_iterations=1,
)


def machine() -> dict[str, object]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    i3 = subprocess.run(["i3", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "i3": i3.split(" ©")[0],
        "load": os.getloadavg(),
    }


def suite(p: Params, log: bool, only: set[str] | None = None) -> list[Row]:
    rows: list[Row] = []

    t0 = time.monotonic()
    # The service's bytecode, as any install has it (pip, a distribution's package):
    # with PYTHONDONTWRITEBYTECODE set, or a tree checked out just now, every start
    # would compile the sources again and row 6 would time the compiler (measured here:
    # 285 against 350 ms). compileall writes the .pyc files whatever that variable says.
    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "src"), quiet=1)

    def step(what: str) -> None:
        if log:
            print(f"[bench {time.monotonic() - t0:6.1f}s] {what}", file=sys.stderr, flush=True)

    with Environment() as env:
        # The bench process itself is a client of this private world.
        os.environ.update(
            {k: env.env[k] for k in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "I3SOCK")}
        )
        env.start_service()
        world = World(env)

        def guarded(row_id: str, what: str, fn: Callable[[], list[Row]]) -> None:
            """A failing row is reported in the table, and the suite goes on."""
            if only and row_id not in only:
                return
            step(f"{row_id} {what}")
            try:
                rows.extend(fn())
            except Exception as exc:
                if log:
                    traceback.print_exc()
                rows.append(
                    Row(
                        id=row_id,
                        figure=what,
                        measured=f"failed: {exc}"[:200],
                        comparison="",
                        ratio=None,
                        goal="",
                        met=None,
                    )
                )

        def memory_full() -> list[Row]:
            tracked = world.fill(p.tracked_windows)
            return [process.memory(env, tracked, f"{tracked} windows tracked", 2.0)]

        def memory_idle() -> list[Row]:
            idle = len(world.client.manager_prop("Windows"))
            return [process.memory(env, idle, f"idle ({idle} windows)", 1.5)]

        def small_projects() -> list[Row]:
            for xid in world.by_project.pop("C", []):
                world.x.close(xid)
            world.x.sync()
            world.quiesce()
            world.grow("k1", 5)
            world.grow("k2", 5)
            return []

        try:
            guarded("6", "start-up", lambda: process.startup(env, world, p.startup_runs))
            guarded("5", "memory, idle", memory_idle)
            world.ensure_project("A")
            guarded("1", "D-Bus round trips", lambda: roundtrip.run(env, p.rt_iterations, "A"))
            guarded("3", "new window -> mark", lambda: assign.run(world, p.assign_windows))
            guarded(
                "10", "launched window -> its project", lambda: launch.run(world, p.assign_windows)
            )
            guarded(
                "4",
                "event burst",
                lambda: burst.run(world, p.burst_ticks, p.burst_titles, p.paced_seconds),
            )
            small_projects()
            guarded(
                "7",
                "signal fan-out",
                lambda: fanout.run(world, p.fanout_clients, p.fanout_trials, ("k1", "k2")),
            )
            guarded(
                "8", "keypress path", lambda: keypress.run(world, p.keypress_trials, ("k1", "k2"))
            )
            guarded(
                "11",
                "a monitor back",
                lambda: outputs.run(
                    world, p.outputs_samples, p.outputs_workspaces, p.outputs_windows
                ),
            )
            guarded(
                "12",
                "layout restore",
                lambda: restore.run(
                    world, p.restore_windows, p.relaunch_xterms, p.restore_iterations
                ),
            )
            guarded(
                "2",
                "SwitchProject by window count",
                lambda: switch.run(world, p.switch_sizes, p.switch_iterations, p.switch_goal_size),
            )
            guarded(
                "9",
                "layouts kept: whole workspaces and interleaved windows",
                lambda: layouts.run(world, p.switch_goal_size, p.switch_iterations),
            )
            guarded("5", "memory, 1,000 windows", memory_full)
        finally:
            world.close()
    return sorted(rows, key=lambda r: int(r.id))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few samples; proves it runs")
    parser.add_argument("--json", help="also write the rows and the machine to this file")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--rows", help="only these rows, by id (e.g. 2,9): to look at one figure again"
    )
    args = parser.parse_args(argv)
    only = set(args.rows.split(",")) if args.rows else None
    started = time.monotonic()
    rows = suite(QUICK if args.quick else FULL, log=not args.quiet, only=only)
    meta = {
        **machine(),
        "mode": "quick" if args.quick else "full",
        "seconds": round(time.monotonic() - started, 1),
        "command": "scripts/bench" + (" --quick" if args.quick else ""),
    }
    print(
        f"i3project-dbus bench ({meta['mode']}): {meta['cpu']}, {meta['cores']} cores, "
        f"Python {meta['python']}, {meta['i3']}, {meta['seconds']} s"
    )
    if args.quick:
        print("quick mode: few samples; the ratios below prove the suite runs, not the speed")
    print(table(rows))
    if args.json:
        Path(args.json).write_text(to_json(rows, meta))
    return 0
