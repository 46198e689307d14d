"""Row 9: switches that keep layouts, against today's window-by-window plan.

The comparison is the plan the service sent before subtrees moved whole: every window
hidden alone and brought back through the staging workspace, as one raw command, run on
the same i3 in the same run. Two layouts: each project alone on its workspaces (4 x 25
windows at the goal size: a workspace leaves as one unit), and project windows
interleaved with global ones (every unit a single window: no slower than before).
"""

from __future__ import annotations

import time

from i3project_dbus.i3 import commands
from i3project_dbus.i3.tree import windows_from_tree
from i3project_dbus.model.switch import plan_switch

from .env import wait_for
from .report import Row, median, ms
from .world import PER_WORKSPACE, World, marks_of

GLOBAL_CLASS = "firefox"  # global by the default classification: never hidden


def _service(world: World, target: str) -> float:
    start = time.perf_counter()
    world.client.switch(target)
    elapsed = time.perf_counter() - start
    world.quiesce()
    return elapsed


def _today(world: World, target: str) -> float:
    """Today's window-by-window plan, sent raw; the service's active project unchanged."""
    plan = plan_switch(windows_from_tree(world.env.ipc.tree()), target)
    command = commands.switch(plan)
    start = time.perf_counter()
    world.env.ipc.command(command)
    elapsed = time.perf_counter() - start
    world.quiesce()
    return elapsed


def _interleave(world: World, project: str, total: int) -> None:
    """``total`` windows of ``project``, each followed by a global one, on workspaces of
    their own."""
    world.ensure_project(project)
    world.client.switch(project)
    world.quiesce()
    have = world.by_project[project]
    while len(have) < total:
        world.env.ipc.command(f'workspace "{project}-mix-{len(have) // PER_WORKSPACE}"')
        for _ in range(min(PER_WORKSPACE // 2, total - len(have))):
            xid, _ = world.x.open("XTerm", f"{project} {len(have)}", flush=False)
            have.append(xid)
            world.x.open(GLOBAL_CLASS, "global", flush=False)
        world.x.sync()
        want = len(have)
        wait_for(
            lambda want=want: len(marks_of(world.env.ipc, f"project:{project}:")) >= want,
            60,
            f"the service to assign {want} windows to {project}",
            interval=0.02,
        )
    world.quiesce()


def _compare(world: World, there: str, back: str, iterations: int) -> tuple[float, float]:
    """Medians of the service's switches and today's plan's, interleaved, both ways."""
    _service(world, there)  # warm-up
    _service(world, back)
    service: list[float] = []
    today: list[float] = []
    for i in range(iterations):
        runs = [(service, _service), (today, _today)]
        for samples, fn in runs if i % 2 == 0 else runs[::-1]:
            samples += [fn(world, there), fn(world, back)]
    return median(service), median(today)


def run(world: World, size: int, iterations: int) -> list[Row]:
    """``size`` windows per project; the projects of row 2 (A, B) are reused if grown."""
    world.grow("A", size)
    world.grow("B", size)
    whole_service, whole_today = _compare(world, "A", "B", iterations)
    _interleave(world, "M1", size)
    _interleave(world, "M2", size)
    mixed_service, mixed_today = _compare(world, "M1", "M2", iterations)
    spaces = -(-size // PER_WORKSPACE)
    speedup = whole_today / whole_service
    return [
        Row(
            id="9",
            figure=f"switch, {spaces} workspaces x {PER_WORKSPACE} windows, all of the project",
            measured=ms(whole_service),
            comparison=f"window by window {ms(whole_today)}",
            ratio=speedup,
            goal=">= 5x faster",
            met=speedup >= 5,
            data={"n": size, "service_s": whole_service, "today_s": whole_today},
        ),
        Row(
            id="9",
            figure=f"switch, {size} project windows interleaved with global ones",
            measured=ms(mixed_service),
            comparison=f"window by window {ms(mixed_today)}",
            ratio=mixed_service / mixed_today,
            goal="<= 1x (no slower)",
            met=mixed_service <= mixed_today,
            data={"n": size, "service_s": mixed_service, "today_s": mixed_today},
        ),
    ]
