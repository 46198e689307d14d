"""Row 9: switches that keep layouts, against today's window-by-window plan.

The comparison is the plan the service sent before subtrees moved whole: every window
hidden alone, marked, brought back through the staging workspace and unmarked, as one
raw command, run on the same i3 in the same run (per_window: frozen here, so that what
the service learns since does not make the comparison faster too). Two layouts: each
project alone on its workspaces (4 x 25 windows at the goal size: a workspace leaves as
one unit), and project windows interleaved with global ones (every unit a single
window: no slower than before).
"""

from __future__ import annotations

import time

from i3project_dbus.i3.commands import STAGING_WORKSPACE, for_window, identity_mark, join, quote
from i3project_dbus.i3.tree import windows_from_tree
from i3project_dbus.model.switch import SwitchPlan, plan_switch

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


def per_window(plan: SwitchPlan) -> str:
    """The plan as the service sent it before units: each window marked as it leaves,
    brought back through the staging workspace, and unmarked, on every switch."""
    staging = quote(STAGING_WORKSPACE)
    out = []
    for h in plan.hide:
        parts = [f"unmark {quote(m)}" for m in h.stale]
        parts += [f"mark --add {quote(h.mark)}", "move scratchpad"]
        out.append(for_window(h.window, identity_mark(h.window), *parts))
    for s in plan.show:
        parts = [f"move container to workspace {staging}", "floating disable"]
        parts += ["floating enable"] if s.floating else []
        out.append(for_window(s.window, identity_mark(s.window), *parts))
    for s in plan.show:
        parts = [f"move container to workspace {quote(s.workspace)}"]
        if s.floating and s.rect is not None:
            x, y, width, height = (int(v) for v in s.rect)
            parts += [f"resize set {width} px {height} px", f"move position {x} px {y} px"]
        parts.append(f"unmark {quote(s.mark)}")
        out.append(for_window(s.window, identity_mark(s.window), *parts))
    return join(out)


def _today(world: World, target: str) -> float:
    """Today's window-by-window plan, sent raw; the service's active project unchanged."""
    plan = plan_switch(windows_from_tree(world.env.ipc.tree()), target)
    command = per_window(plan)
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
    """Medians of the service's switches and today's plan's, in alternating blocks.

    Not sample by sample: a window the raw plan hid has no slot in its restore mark, so
    the service's next switch would bring it back window by window and half its samples
    would time today's way. Each block starts with a pair of switches its own way that
    is not timed, so every timed switch starts from what that way itself left."""
    service: list[float] = []
    today: list[float] = []
    blocks = 2
    for block in range(blocks * 2):
        samples, fn = (service, _service) if block % 2 == 0 else (today, _today)
        fn(world, there)
        fn(world, back)
        for _ in range(max(1, iterations // blocks)):
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
