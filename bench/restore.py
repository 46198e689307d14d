"""Row 12: layout restore.

- RestoreLayout of a project whose windows are all open but scrambled over other
  workspaces, against the floor: the same moves (planned by the service's own pure
  planner from the live tree and the saved file) sent raw to i3, the placement and the
  sizes each in one round trip;
- RestoreLayout that relaunches N killed xterms and waits for their windows, against
  the time the same N xterms take to map when started by hand.
Both interleaved, the service settled (Quiescer) before every sample.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from i3project_dbus.i3 import restore_commands
from i3project_dbus.i3.capture import capture
from i3project_dbus.i3.layout import forest
from i3project_dbus.i3.tree import windows_from_tree
from i3project_dbus.model.placing import plan_placement, restored_sizes
from i3project_dbus.model.restore_plan import RestoreOptions, placing, plan_restore
from i3project_dbus.model.restore_settings import LayoutSettings
from i3project_dbus.model.snapshot import Snapshot, from_json

from .env import wait_for
from .report import Row, median, ms
from .world import World

PROJECT_IFACE = "org.i3project.Manager1.Project"
SCRAMBLE = ("scramble-1", "scramble-2", "scramble-3")


def _path(project: str) -> str:
    return f"/org/i3project/Manager1/projects/{project}"


def _save(world: World, project: str, name: str) -> Snapshot:
    world.client.call(_path(project), PROJECT_IFACE, "SaveLayout", "s", name)
    file = (
        Path(world.env.env["XDG_STATE_HOME"]) / "i3project" / "layouts" / project / f"{name}.json"
    )
    return from_json(json.loads(file.read_bytes()), project, name)


def _restore(world: World, project: str, name: str, launch: bool, timeout_ms: int) -> list[str]:
    options = {"launch_missing": ("b", launch), "timeout": ("u", timeout_ms)}
    (results,) = world.client.call(
        _path(project), PROJECT_IFACE, "RestoreLayout", "sa{sv}", name, options, timeout=120
    )
    return [str(r[1]) for r in results]


def _scramble(world: World, xids: list[int]) -> None:
    parts = [
        f"[id={xid}] move container to workspace {SCRAMBLE[i % len(SCRAMBLE)]}"
        for i, xid in enumerate(xids)
    ]
    world.env.ipc.command("; ".join(parts))
    world.quiesce()


def _raw_restore(world: World, snapshot: Snapshot) -> float:
    """The floor: what the service sends, planned here from the live tree, sent raw."""
    ipc = world.env.ipc
    start = time.perf_counter()
    tree = ipc.tree()
    plan = plan_restore(snapshot, windows_from_tree(tree), LayoutSettings(), RestoreOptions())
    where = placing(snapshot, dict(plan.matched), capture(tree))
    ipc.command(restore_commands.placement(plan_placement(where)))
    sizes = restored_sizes(where.trees, dict(plan.matched), forest(ipc.tree()))
    if sizes:
        ipc.command(restore_commands.sizes(sizes))
    return time.perf_counter() - start


def scrambled(world: World, n: int, iterations: int) -> Row:
    world.grow("R", n)
    xids = list(world.by_project["R"])
    snapshot = _save(world, "R", "bench")
    service: list[float] = []
    floor: list[float] = []
    for i in range(iterations):
        for kind in ("service", "floor") if i % 2 == 0 else ("floor", "service"):
            _scramble(world, xids)
            if kind == "service":
                start = time.perf_counter()
                actions = _restore(world, "R", "bench", launch=False, timeout_ms=1000)
                service.append(time.perf_counter() - start)
                if actions != ["moved"] * n:
                    raise RuntimeError(f"restore did: {actions}")
            else:
                floor.append(_raw_restore(world, snapshot))
            world.quiesce()
    s, f = median(service), median(floor)
    return Row(
        id="12",
        figure=f"RestoreLayout, {n} windows open but scrambled (median)",
        measured=ms(s),
        comparison=f"same moves raw {ms(f)}",
        ratio=s / f,
        goal="",
        met=None,
        data={"n": n, "service_s": s, "floor_s": f, "samples": len(service)},
    )


def _start_xterms(world: World, n: int, tag: str) -> list[subprocess.Popen[bytes]]:
    procs = []
    for i in range(n):
        directory = world.env.tmp / f"xterm-{i}"
        directory.mkdir(exist_ok=True)
        procs.append(
            subprocess.Popen(
                ["xterm", "-T", f"{tag}-{i}", "-e", "sleep", "3600"],
                cwd=directory,
                env=world.env.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
    return procs


def _titles(world: World) -> set[str]:
    return {w.title for w in windows_from_tree(world.env.ipc.tree())}


def _kill_tagged(tag: str) -> None:
    """Every xterm of this run, by hand or relaunched (its title is in its argv)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if tag.encode() in cmdline and cmdline.startswith(b"xterm"):
            try:
                os.kill(int(entry), signal.SIGKILL)
            except ProcessLookupError:
                continue


def relaunch(world: World, n: int, iterations: int) -> Row:
    tag = f"bench-xterm-{os.getpid()}"
    names = {f"{tag}-{i}" for i in range(n)}
    world.ensure_project("X")
    world.client.switch("X")
    world.env.ipc.command('workspace "X-0"')
    by_hand: list[float] = []
    service: list[float] = []
    try:
        for _ in range(iterations):
            start = time.perf_counter()
            _start_xterms(world, n, tag)
            wait_for(lambda: names <= _titles(world), 60, f"{n} xterms to map")
            by_hand.append(time.perf_counter() - start)
            world.quiesce()
            _save(world, "X", "xterms")
            _kill_tagged(tag)
            wait_for(lambda: not names & _titles(world), 30, "the xterms to close")
            world.quiesce()
            start = time.perf_counter()
            actions = _restore(world, "X", "xterms", launch=True, timeout_ms=30_000)
            service.append(time.perf_counter() - start)
            if actions != ["launched"] * n:
                raise RuntimeError(f"restore did: {actions}")
            _kill_tagged(tag)
            wait_for(lambda: not names & _titles(world), 30, "the xterms to close")
            world.quiesce()
    finally:
        _kill_tagged(tag)
    s, f = median(service), median(by_hand)
    return Row(
        id="12",
        figure=f"RestoreLayout relaunching {n} xterms (median)",
        measured=ms(s),
        comparison=f"{n} xterms started by hand, mapped {ms(f)}",
        ratio=s / f,
        goal="",
        met=None,
        data={"n": n, "service_s": s, "by_hand_s": f, "samples": len(service)},
    )


def run(world: World, scrambled_n: int, relaunch_n: int, iterations: int) -> list[Row]:
    return [scrambled(world, scrambled_n, iterations), relaunch(world, relaunch_n, iterations)]
