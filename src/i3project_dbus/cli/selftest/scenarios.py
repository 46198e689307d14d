"""The scenarios: each a function of a Context that raises Failed (or Skipped) saying why.

Each makes its own `selftest-*` projects and test windows through the sandbox, which
undoes them after it; none touches a project or window of the user's. Limits are the
issue's: ten switches within 5 s, a new window marked within 200 ms, i3 restart
recovered within 500 ms.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from typing import Any

from ...dbus import names
from ..errors import CliError
from ..present import Event
from .probe import Failed, wait_for
from .runner import Context, Scenario
from .xwindow import TEST_CLASS, Unavailable

BURST = 10
BURST_LIMIT_S = 5.0
MARK_LIMIT_MS = 200.0
SETTLE_S = 3.0


def _now_us() -> int:
    return time.time_ns() // 1000


def _find_event(events: Sequence[Event], kind: str, **details: Any) -> Event | None:
    for event in events:
        if event[2] == kind and all(event[3].get(k) == v for k, v in details.items()):
            return event
    return None


def open_assigned(ctx: Context, project: str) -> int:
    """Open a test window while ``project`` is active; wait until the service has
    assigned it. Return its X id."""
    xid = ctx.sandbox.open_window(project)
    window = wait_for(
        lambda: ctx.probe.window(xid), SETTLE_S, "the service to see the new test window"
    )
    try:
        wait_for(
            lambda: (w := ctx.probe.window(xid)) and w.get("project") == project,
            SETTLE_S,
            f"the test window to be assigned to {project}",
        )
    except Failed as exc:
        raise Failed(f"{exc}{why_unassigned(window)}") from None
    return xid


def why_unassigned(window: dict[str, Any]) -> str:
    scope = window.get("scope", "")
    if scope != "scoped":
        return (
            f": the service classifies the test class {TEST_CLASS!r} as {scope}"
            " (is it among global_classes in config.json?)"
        )
    return ""


# -- the scenarios -----------------------------------------------------------------------


def lifecycle(ctx: Context) -> None:
    client, probe = ctx.client, ctx.probe
    after = probe.event_count()
    start = time.monotonic()
    name = ctx.sandbox.new_project()
    ctx.details["create_ms"] = round((time.monotonic() - start) * 1000, 1)
    (path,) = client.manager("GetProject", "s", name)
    ctx.check(path == names.project_path(name), f"GetProject({name}) gave {path}")
    listed = [p for p in probe.state().get("projects", []) if p.get("name") == name]
    ctx.check(listed, f"{name} is not in GetState after CreateProject")
    ctx.check(
        listed[0].get("scoped_classes") == [TEST_CLASS],
        f"{name} has scoped classes {listed[0].get('scoped_classes')}",
    )
    start = time.monotonic()
    client.switch(name)
    ctx.details["switch_ms"] = round((time.monotonic() - start) * 1000, 1)
    ctx.check(probe.active() == name, f"ActiveProject is {probe.active()!r}, not {name!r}")
    original = ctx.sandbox.original_active
    if original:
        client.switch(original)
    else:
        client.clear()
    ctx.check(probe.active() == original, f"ActiveProject did not go back to {original!r}")
    client.delete(name)
    ctx.sandbox.projects.remove(name)
    try:
        client.manager("GetProject", "s", name)
    except CliError as exc:
        ctx.check(exc.dbus_name == names.ERROR_NO_SUCH_PROJECT, f"GetProject: {exc.message}")
    else:
        raise Failed(f"GetProject still finds {name} after DeleteProject")
    ctx.check(
        all(p.get("name") != name for p in probe.state().get("projects", [])),
        f"{name} is still in GetState after DeleteProject",
    )
    events = probe.events(after)
    for kind, details in (
        ("project::create", {"project": name}),
        ("project::switch", {"current": name}),
        ("project::delete", {"project": name}),
    ):
        ctx.check(_find_event(events, kind, **details), f"no {kind} event for {name}")


def rapid_switches(ctx: Context) -> None:
    """With test windows when there can be some; without, the active project still tells."""
    client, probe = ctx.client, ctx.probe
    a, b = ctx.sandbox.new_project(), ctx.sandbox.new_project()
    xa = xb = 0
    client.switch(a)
    try:
        xa = open_assigned(ctx, a)
        client.switch(b)
        xb = open_assigned(ctx, b)
    except Unavailable as exc:
        ctx.details["windows"] = f"none: {exc}"
        client.switch(b)
    targets = [b, a] * (BURST // 2)
    start = time.monotonic()
    probe.switch_all(targets, BURST_LIMIT_S)
    elapsed = time.monotonic() - start
    ctx.details.update(switches=len(targets), elapsed_ms=round(elapsed * 1000, 1))
    ctx.check(elapsed <= BURST_LIMIT_S, f"{len(targets)} switches took {elapsed:.2f} s")
    ctx.check(probe.active() == a, f"the last switch was to {a}, but {probe.active()!r} is active")
    if not xa:
        return
    place_a, place_b = probe.place(xa), probe.place(xb)
    ctx.check(
        place_a is not None and not place_a.hidden,
        f"{a}'s window is not visible after the last switch ({place_a})",
    )
    ctx.check(
        place_b is not None and place_b.hidden,
        f"{b}'s window is not hidden after the last switch ({place_b})",
    )


def new_window_marked(ctx: Context) -> None:
    probe = ctx.probe
    project = ctx.sandbox.new_project()
    ctx.client.switch(project)
    after = probe.event_count()
    opened_us = _now_us()
    xid = ctx.sandbox.open_window(project)
    window = wait_for(lambda: probe.window(xid), SETTLE_S, "the service to see the test window")
    con_id = window["id"]

    def assigned() -> Event | None:
        return _find_event(probe.events(after), "window::assign", con_id=con_id)

    try:
        event = wait_for(assigned, SETTLE_S, "a window::assign event for the test window")
    except Failed as exc:
        raise Failed(f"{exc}{why_unassigned(probe.window(xid) or window)}") from None
    latency_ms = (event[1] - opened_us) / 1000
    ctx.details["mark_latency_ms"] = round(latency_ms, 1)
    ctx.check(
        event[3].get("project") == project,
        f"the window was assigned to {event[3].get('project')!r}, not {project!r}",
    )
    ctx.check(
        latency_ms <= MARK_LIMIT_MS,
        f"marked {latency_ms:.0f} ms after it was mapped (limit {MARK_LIMIT_MS:.0f} ms)",
    )
    place = probe.place(xid)
    prefix = f"project:{project}:"
    ctx.check(
        place is not None and any(m.startswith(prefix) for m in place.marks),
        f"i3's tree shows no {prefix}* mark on the window ({place})",
    )


def hide_show(ctx: Context) -> None:
    client, probe = ctx.client, ctx.probe
    a, b = ctx.sandbox.new_project(), ctx.sandbox.new_project()
    client.switch(a)
    xid = open_assigned(ctx, a)
    before = probe.place(xid)
    if before is None or before.floating_rect is None:
        raise Failed(f"the test window does not float ({before}); i3 floats dialogs itself")
    ctx.details.update(workspace=before.workspace, rect_before=list(before.floating_rect))
    client.switch(b)
    hidden = probe.place(xid)
    ctx.check(
        hidden is not None and hidden.hidden,
        f"not in the scratchpad after a switch away ({hidden})",
    )
    ctx.check(
        (probe.window(xid) or {}).get("hidden"), "the service does not report the window hidden"
    )
    client.switch(a)
    after = probe.place(xid)
    if after is None or after.hidden:
        raise Failed(f"not shown after switching back ({after})")
    ctx.details["rect_after"] = list(after.floating_rect or ())
    ctx.check(
        after.workspace == before.workspace,
        f"came back on workspace {after.workspace!r}, not {before.workspace!r}",
    )
    ctx.check(
        after.floating_rect == before.floating_rect,
        f"floating geometry changed: {before.floating_rect} -> {after.floating_rect}",
    )
    ctx.check(
        not (probe.window(xid) or {}).get("hidden"), "the service still reports the window hidden"
    )


def event_order(ctx: Context) -> None:
    probe = ctx.probe
    events = ctx.client.recent_events(0)
    capacity, count = probe.capacity(), probe.event_count()
    ctx.details.update(capacity=capacity, count=count, kept=len(events))
    ctx.check(len(events) <= capacity, f"the ring holds {len(events)} events, over {capacity}")
    for older, newer in itertools.pairwise(events):
        ctx.check(newer[0] > older[0], f"event id {newer[0]} follows {older[0]}")
        ctx.check(newer[1] >= older[1], f"event {newer[0]} is older than event {older[0]}")
    last_id, last_time = (events[-1][0], events[-1][1]) if events else (0, 0)
    ctx.check(last_id <= count, f"the newest event id {last_id} is above Count {count}")
    if last_id >= capacity:
        ctx.check(len(events) == capacity, f"the ring is not full: {len(events)} of {capacity}")
    name = ctx.sandbox.new_project()
    new = probe.events(last_id)
    event = _find_event(new, "project::create", project=name)
    if event is None:
        raise Failed(f"no project::create event after id {last_id}")
    ctx.check(event[1] >= last_time, "a new event is timed before the previous one")


def consistency(ctx: Context) -> None:
    from ..diagnose import Mismatch, diagnose

    probe = ctx.probe
    found: list[Mismatch] = []

    def clean() -> bool:
        nonlocal found
        state = probe.state()
        tree = probe.tree() if state.get("connected") else None
        found = diagnose(state, ctx.client.managed_objects(), tree)
        ctx.details.update(
            windows=len(state.get("windows", [])), projects=len(state.get("projects", []))
        )
        return not found

    try:
        # A check that lands in the middle of a change can see it half done: only a
        # mismatch that stays counts.
        wait_for(clean, 1.0, "no mismatch between the service, its objects and i3")
    except Failed:
        ctx.details["mismatches"] = [m.to_json() for m in found]
        shown = "; ".join(f"{m.kind}: {m.message}" for m in found[:3])
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        raise Failed(f"{len(found)} mismatch(es): {shown}{more}") from None


def outputs(ctx: Context) -> None:
    """From i3's own replies (GetI3State, GetTree): the service's model keeps a window's
    output only as of its last tree read."""
    data = ctx.probe.i3_state()
    active = {str(o.get("name")) for o in data.get("outputs", []) if o.get("active")}
    workspaces = data.get("workspaces", [])
    ctx.details.update(active_outputs=sorted(active), workspaces=len(workspaces))
    ctx.check(active, "i3 reports no active output")
    stray = [
        f"{w.get('name')} on {w.get('output')}" for w in workspaces if w.get("output") not in active
    ]
    ctx.check(not stray, f"workspaces on an inactive output: {', '.join(stray)}")
    in_tree = {
        str(n.get("name"))
        for n in ctx.probe.tree().get("nodes", [])
        if n.get("type") == "output" and n.get("name") != "__i3"
    }
    ctx.check(
        in_tree == active,
        f"i3's tree has outputs {sorted(in_tree)}, its active outputs are {sorted(active)}",
    )


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("lifecycle", "create, switch to, switch back and delete a project", lifecycle),
    Scenario(
        "rapid-switches",
        f"{BURST} switches at once: the last one wins, within {BURST_LIMIT_S:g} s",
        rapid_switches,
    ),
    Scenario(
        "new-window-marked",
        f"a new scoped window is marked within {MARK_LIMIT_MS:g} ms",
        new_window_marked,
    ),
    Scenario(
        "hide-show", "hidden and shown again, on its workspace, floating geometry kept", hide_show
    ),
    Scenario(
        "event-order", "event ids increase, in time order, and the ring is bounded", event_order
    ),
    Scenario(
        "consistency", "the service, its D-Bus objects and i3's tree agree (diagnose)", consistency
    ),
    Scenario("outputs", "every workspace is on an active output, the tree has those", outputs),
)
