"""Row 2: SwitchProject with N windows per project, next to the same moves sent raw to i3.

The floor is the window-by-window plan (every window hidden alone, brought back through
the staging workspace, as the service sent it before subtrees moved whole: row 9)
sent in one raw i3 round trip; the per-window baseline sends one command per window, the earlier
daemon's way: a hidden window's mark and move, or a shown window's move, tiling and
unmark (each window on its own, so without the staging workspace the batch uses).
All three run against the same i3 with the service attached, interleaved, with the
service settled (see Quiescer) before every sample.

Goals (issue 14): the service within 1.3x of the floor at the smallest size (10 windows
per project, the everyday case) and 1.2x at the larger ones; and, counted on the bus by
a subscriber of its own during the service's samples, at most one PropertiesChanged per
window per switch.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from i3project_dbus.i3 import commands
from i3project_dbus.i3.tree import windows_from_tree
from i3project_dbus.model.switch import SwitchPlan, plan_switch

from .env import Environment
from .layouts import per_window
from .report import Row, median, ms
from .window_signals import Tally, WindowSignals
from .world import World

# SwitchProject / floor, by position in the sizes measured: the smallest, then the rest.
RATIO_GOALS = (1.3, 1.2, 1.2)


def _raw_command(env: Environment, target: str) -> str:
    """The plan as one raw command, every hidden window's restore mark set in it. A
    switch sent from outside the service must set them: the service takes the restore
    marks it left on shown windows off a window someone else moves (docs/design.md),
    unless an event shows that someone setting them. So this is the service's batch as
    it was before those marks stayed (layouts.per_window), not today's, which skips
    the marks a window carries already."""
    return per_window(plan_switch(windows_from_tree(env.ipc.tree()), target))


def _per_window_commands(env: Environment, target: str) -> list[str]:
    plan = plan_switch(windows_from_tree(env.ipc.tree()), target)
    out = [per_window(SwitchPlan(target, (h,), ())) for h in plan.hide]
    for s in plan.show:
        parts = [f"move container to workspace {commands.quote(s.workspace)}", "floating disable"]
        if s.floating:
            parts.append("floating enable")
        parts.append(f"unmark {commands.quote(s.mark)}")
        out.append(commands.for_window(s.window, commands.identity_mark(s.window), *parts))
    return out


@dataclass
class SizeResult:
    n: int
    service: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    per_window: list[float] = field(default_factory=list)
    round_trips: Counter[str] = field(default_factory=Counter)
    switches_counted: int = 0
    # PropertiesChanged on window objects during the service's samples.
    tally: Tally = field(default_factory=Tally)


def _time_service(
    world: World, target: str, signals: WindowSignals | None = None, res: SizeResult | None = None
) -> float:
    """One SwitchProject, timed; with ``signals``, its window signals go into res.tally."""
    if signals is not None:
        signals.start()
    start = time.perf_counter()
    world.client.switch(target)
    elapsed = time.perf_counter() - start
    world.quiesce()
    if signals is not None and res is not None:
        signals.count(res.tally, moved=2 * res.n)
    return elapsed


def _time_raw(world: World, there: str, back: str, split: bool) -> list[float]:
    """Go to `there` and back with raw commands; the service's active project is unchanged."""
    out = []
    for target in (there, back):
        parts = (
            _per_window_commands(world.env, target) if split else [_raw_command(world.env, target)]
        )
        start = time.perf_counter()
        for part in parts:
            world.env.ipc.command(part)
        out.append(time.perf_counter() - start)
        world.quiesce()
    return out


def measure_size(world: World, n: int, iterations: int) -> SizeResult:
    world.grow("A", n)
    world.grow("B", n)
    res = SizeResult(n)
    # B is active now; every switch below moves n windows out and n back in.
    _time_service(world, "A")  # warm-up
    _time_service(world, "B")
    signals = WindowSignals(world.env.bus_address)
    try:
        _run_samples(world, res, iterations, signals)
    finally:
        signals.close()
    return res


def _run_samples(world: World, res: SizeResult, iterations: int, signals: WindowSignals) -> None:
    for i in range(iterations):
        order = ("service", "floor", "per_window")
        for kind in order[i % 3 :] + order[: i % 3]:
            if kind == "service":
                res.service += [
                    _time_service(world, "A", signals, res),
                    _time_service(world, "B", signals, res),
                ]
            elif kind == "floor":
                res.floor += _time_raw(world, "A", "B", split=False)
            else:
                res.per_window += _time_raw(world, "A", "B", split=True)


def count_round_trips(world: World, res: SizeResult, switches: int = 4) -> None:
    """Restart the service behind the counting proxy and count its i3 messages per switch."""
    env = world.env
    env.start_service(counting=True)
    world.reconnect()
    try:
        world.quiesce()
        _time_service(world, "A")  # the first switch after start may refresh; not counted
        _time_service(world, "B")
        assert env.proxy is not None
        before = env.proxy.snapshot()
        for k in range(switches):
            _time_service(world, "A" if k % 2 == 0 else "B")
        after = env.proxy.snapshot()
        res.round_trips = after - before
        res.switches_counted = switches
    finally:
        env.start_service()
        world.reconnect()
        world.quiesce()


def run(world: World, sizes: tuple[int, ...], iterations: int, goal_size: int) -> list[Row]:
    results = []
    for n in sizes:
        res = measure_size(world, n, iterations)
        count_round_trips(world, res)
        results.append(res)
    rows = []
    for res, limit in zip(results, RATIO_GOALS, strict=False):
        s, f, p = median(res.service), median(res.floor), median(res.per_window)
        rows.append(
            Row(
                id="2",
                figure=f"SwitchProject round trip, {res.n} windows/project (median)",
                measured=ms(s),
                comparison=f"floor {ms(f)}; per-window {ms(p)}",
                ratio=s / f,
                goal=f"<= {limit:g}x floor",
                met=s / f <= limit,
                data={
                    "n": res.n,
                    "service_s": s,
                    "floor_s": f,
                    "per_window_s": p,
                    "samples": len(res.service),
                },
            )
        )
    goal = next(r for r in results if r.n == goal_size)
    speedup = median(goal.per_window) / median(goal.service)
    rows.append(
        Row(
            id="2",
            figure=f"per-window way / SwitchProject, {goal_size} windows/project",
            measured=f"{speedup:.1f}x faster",
            comparison=f"per-window {ms(median(goal.per_window))}",
            ratio=speedup,
            goal=">= 10x faster",
            met=speedup >= 10,
        )
    )
    rows.append(_signal_row(results))
    per_switch = []
    for res in results:
        total = sum(res.round_trips.values()) / max(1, res.switches_counted)
        kinds = ", ".join(
            f"{k} {v / max(1, res.switches_counted):g}" for k, v in sorted(res.round_trips.items())
        )
        per_switch.append((res.n, total, kinds))
    constant = len({t for _, t, _ in per_switch}) == 1
    rows.append(
        Row(
            id="2",
            figure="i3 round trips per switch at "
            + "/".join(str(n) for n, _, _ in per_switch)
            + " windows",
            measured=" / ".join(f"{t:g}" for _, t, _ in per_switch),
            comparison="per-window: " + " / ".join(str(2 * n) for n, _, _ in per_switch),
            ratio=None,
            goal="constant in N",
            met=constant,
            note="service i3 messages per switch: "
            + "; ".join(f"{n}: {k}" for n, _, k in per_switch),
        )
    )
    return rows


def _signal_row(results: list[SizeResult]) -> Row:
    sizes = "/".join(str(r.n) for r in results)
    most = [r.tally.most for r in results]
    return Row(
        id="2",
        figure=f"PropertiesChanged per window per switch at {sizes} windows (subscriber)",
        measured="at most " + " / ".join(str(m) for m in most),
        comparison="per moved window: "
        + " / ".join(f"{r.tally.per_moved_window():.2f}" for r in results),
        ratio=None,
        goal="<= 1 per window per switch",
        met=all(m <= 1 for m in most) and all(r.tally.switches for r in results),
        note="windows announced more than once in a switch: "
        + "; ".join(f"{r.n}: {sum(r.tally.repeats)} in {r.tally.switches}" for r in results),
        data={
            str(r.n): {
                "switches": r.tally.switches,
                "signals": r.tally.signals,
                "moved": r.tally.moved,
                "most": r.tally.most,
            }
            for r in results
        },
    )
