"""A switch keeps each project's tiling layout, on a real i3 with real X windows.

The property test builds random layouts (2 to 12 windows of two projects and a global
one, on 1 to 3 workspaces, random splits, moves and resizes), switches a -> b -> a, and
compares every workspace's tree with the one before: nesting, layouts, window order,
and each percent within 1%. One i3 and one service serve all its examples.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from harness import I3, SCRATCHPAD, ServiceProcess, XWindows, poll, wait_managed
from harness.bus import DBusDaemon
from harness_extra import Client, placement_problems, wait_consistent
from harness_layout import assign, layout, scenes, window_con


@pytest.fixture
def client(bus: DBusDaemon) -> Iterator[Client]:
    with Client(bus.address) as c:
        yield c


@dataclass
class Desk:
    i3: I3
    xw: XWindows
    client: Client
    titles: Iterator[int]

    def open(self, project: str, workspace: str) -> tuple[int, str]:
        """A window on ``workspace``, assigned to ``project`` ("" leaves it global)."""
        title = f"{project or 'global'} {next(self.titles)}"
        self.i3.command(f'workspace "{workspace}"')
        wm_class = "XTerm" if project else "firefox"
        xid = self.xw.open(wm_class, wm_class.lower(), title)
        con = wait_managed(self.i3, xid)
        if project:
            assign(self.client, int(con["id"]), project)
        return xid, title

    def clear(self) -> None:
        self.client.switch("")
        self.xw.close_all()
        poll(lambda: not self.client.state()["windows"], timeout=10, what="every window gone")

    def check(self, active: str) -> None:
        assert not placement_problems(self.i3, active)
        wait_consistent(self.client, self.i3)


@pytest.fixture
def desk(
    i3: I3, xwindows: XWindows, client: Client, service: Callable[..., ServiceProcess]
) -> Desk:
    service()
    client.create("a")
    client.create("b")
    return Desk(i3, xwindows, client, itertools.count())


def build(desk: Desk, scene: dict[str, Any]) -> list[int]:
    xids = []
    for owner, workspace, split in scene["windows"]:
        if split:
            desk.i3.command(f'workspace "{workspace}"; split {split}')
        xids.append(desk.open(owner, workspace)[0])
    for op, i, *args in scene["ops"]:
        xid = xids[i % len(xids)]
        if op == "move":
            desk.i3.command(f"[id={xid}] move {args[0]}")
        elif op == "resize":
            desk.i3.command(f"[id={xid}] resize set {args[0]} {args[1]} ppt")
        else:
            desk.i3.command(f"[id={xid}] split {args[0]}")
    return xids


@pytest.mark.timeout(900)
@settings(
    max_examples=int(os.environ.get("I3PROJECT_LAYOUT_EXAMPLES", "50")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scene=scenes())
def test_a_round_trip_keeps_every_workspace_layout(desk: Desk, scene: dict[str, Any]) -> None:
    try:
        build(desk, scene)
        desk.client.switch("a")
        before = layout(desk.i3.tree())
        desk.client.switch("b")
        desk.check("b")
        desk.client.switch("a")
        after = layout(desk.i3.tree())
        assert not before.differences(after), before.differences(after)
        desk.check("a")
    finally:
        desk.clear()


def measured_case(desk: Desk, *after: str) -> None:
    """splith[A@0.3, splitv[B@0.5, C@0.5]] of project a on workspace 1, then a window of
    each owner in ``after`` ("" for a global one)."""
    a = desk.open("a", "1")[0]
    b = desk.open("a", "1")[0]
    desk.i3.command(f"[id={b}] split v")
    desk.open("a", "1")
    for owner in after:
        desk.open(owner, "1")
    desk.i3.command(f"[id={a}] resize set width 30 ppt")


def test_the_measured_case_round_trips_exactly(desk: Desk) -> None:
    """splith[A@0.3, splitv[B@0.5, C@0.5]]: as a whole workspace, and beside a global
    window and another project's, both ways."""
    for with_others in (False, True):
        measured_case(desk, *(("", "b") if with_others else ()))
        desk.client.switch("a")
        before = layout(desk.i3.tree())
        desk.client.switch("b")
        desk.client.switch("a")
        after = layout(desk.i3.tree())
        assert not before.differences(after)
        desk.check("a")
        desk.clear()


def test_deleting_a_hidden_project_brings_its_layout_back(desk: Desk) -> None:
    """The measured case beside a global window, hidden, then its project deleted: its
    windows come back as they were, no longer assigned, as a switch would bring them."""
    measured_case(desk, "")
    desk.client.switch("a")
    before = layout(desk.i3.tree())
    desk.client.switch("b")
    desk.client.call("DeleteProject", "s", "a")
    after = layout(desk.i3.tree())
    assert not before.differences(after)
    assert not any(w["project"] for w in desk.client.state()["windows"])
    desk.check("b")


@pytest.mark.parametrize("kind", ["tabbed", "stacking"])
def test_tabbed_and_stacked_containers_round_trip(desk: Desk, kind: str) -> None:
    first = desk.open("a", "1")[0]
    desk.open("", "1")
    desk.i3.command(f"[id={first}] split v")
    desk.open("a", "1")
    desk.open("a", "1")
    desk.i3.command(f"[id={first}] layout {kind}")
    desk.client.switch("a")
    before = layout(desk.i3.tree())
    desk.client.switch("b")
    assert all(title.startswith("global") for title in _visible(desk))
    desk.client.switch("a")
    assert not before.differences(layout(desk.i3.tree()))
    desk.check("a")


def _visible(desk: Desk) -> list[str]:
    tree = desk.i3.tree()
    return [
        str(c.get("name"))
        for c, ws in _walk_windows(tree)
        if ws != SCRATCHPAD and c.get("name") is not None
    ]


def _walk_windows(tree: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    from harness import walk_cons

    return ((c, ws or "") for c, ws in walk_cons(tree) if c.get("window"))


def test_floating_geometry_focus_fullscreen_and_sticky_come_back(desk: Desk) -> None:
    tiled, tiled_title = desk.open("a", "1")
    desk.open("", "1")
    floating, floating_title = desk.open("a", "1")
    desk.i3.command(
        f"[id={floating}] floating enable, resize set 300 px 200 px, move position 100 px 120 px"
    )
    sticky, sticky_title = desk.open("a", "1")
    desk.i3.command(f"[id={sticky}] floating enable, sticky enable")
    full, full_title = desk.open("a", "2")
    desk.i3.command(f"[id={full}] fullscreen enable")
    desk.i3.command(f"[id={tiled}] focus")
    desk.client.switch("a")
    rect = window_con(desk.i3.tree(), floating_title)
    assert rect is not None
    desk.client.switch("b")
    desk.client.switch("a")
    tree = desk.i3.tree()
    con = window_con(tree, tiled_title)
    assert con is not None and con["focused"], "focus did not come back"
    full_con = window_con(tree, full_title)
    assert full_con is not None and full_con["fullscreen_mode"] == 1
    sticky_con = window_con(tree, sticky_title)
    assert sticky_con is not None and sticky_con["sticky"]
    after = window_con(tree, floating_title)
    assert after is not None and after["rect"] == rect["rect"]
    desk.check("a")


def test_a_window_closed_inside_a_hidden_subtree(desk: Desk) -> None:
    desk.open("", "1")
    first = desk.open("a", "1")[0]
    desk.i3.command(f"[id={first}] split v")
    second = desk.open("a", "1")[0]
    third, third_title = desk.open("a", "1")
    desk.client.switch("b")
    hidden = window_con(desk.i3.tree(), third_title)
    assert hidden is not None
    desk.xw.close(first)
    desk.xw.close(second)
    poll(lambda: len(desk.client.state()["windows"]) == 2, timeout=10, what="two windows gone")
    desk.client.switch("a")
    desk.check("a")
    shape = layout(desk.i3.tree()).shapes["1"]
    assert shape == ("splith", ["global 0", ("splitv", [third_title])]), shape
    assert third


def test_the_parent_moved_while_its_project_was_hidden(desk: Desk) -> None:
    """A mixed container: a's windows leave, the user moves the container (the global
    window left in it) to another workspace; a's windows go back into it there."""
    desk.open("", "1")
    a1 = desk.open("a", "1")[0]
    desk.i3.command(f"[id={a1}] split v")
    desk.open("", "1")
    desk.open("a", "1")
    desk.i3.command(f"[id={a1}] focus; focus parent; mark --add boxed")
    desk.client.switch("a")
    assert layout(desk.i3.tree()).shapes["1"] == (
        "splith",
        ["global 0", ("splitv", ["a 1", "global 2", "a 3"])],
    )
    desk.client.switch("b")
    desk.i3.command("[con_mark=boxed] move container to workspace 5")
    desk.client.switch("a")
    shapes = layout(desk.i3.tree()).shapes
    assert shapes.get("5") == ("splith", [("splitv", ["a 1", "global 2", "a 3"])]), shapes
    assert shapes.get("1") == ("splith", ["global 0"]), shapes
    desk.check("a")


def test_i3_restarts_while_a_subtree_is_hidden(desk: Desk) -> None:
    measured_case(desk, "")
    desk.client.switch("a")
    before = layout(desk.i3.tree())
    desk.client.switch("b")
    desk.i3.restart()
    poll(lambda: desk.client.get("Connected"), timeout=10, what="the service back on i3")
    desk.client.switch("a")
    assert not before.differences(layout(desk.i3.tree()))
    desk.check("a")


def _scratchpad_entries(desk: Desk) -> list[dict[str, Any]]:
    from harness import walk_cons

    scratch = next(c for c, _ws in walk_cons(desk.i3.tree()) if c.get("name") == SCRATCHPAD)
    return list(scratch.get("floating_nodes") or ())


def test_interleaved_windows_leave_in_one_bundle_and_come_back_each_to_its_place(
    desk: Desk,
) -> None:
    """a's windows between global ones leave as one scratchpad entry (one tiling again
    for i3 on the way back, not one per window), and each comes back to its place: after
    a round trip, after one of them is closed while hidden and i3 restarted, and after
    the user peeked at the bundle with "scratchpad show"."""
    titles = {}
    for n, owner in enumerate(["", "a", "", "a", "a", ""]):
        xid, title = desk.open(owner, "1")
        titles[n] = (xid, title)
    desk.i3.command(f"[id={titles[1][0]}] resize set width 30 ppt")
    desk.client.switch("a")
    before = layout(desk.i3.tree())
    desk.client.switch("b")
    assert len(_scratchpad_entries(desk)) == 1, "the three windows leave as one entry"
    desk.client.switch("a")
    assert not before.differences(layout(desk.i3.tree()))
    desk.check("a")

    desk.client.switch("b")
    desk.xw.close(titles[4][0])
    poll(lambda: len(desk.client.state()["windows"]) == 5, timeout=10, what="a window gone")
    desk.i3.restart()
    poll(lambda: desk.client.get("Connected"), timeout=10, what="the service back on i3")
    desk.client.switch("a")
    shape = layout(desk.i3.tree()).shapes["1"]
    assert shape == ("splith", [titles[n][1] for n in (0, 1, 2, 3, 5)]), shape
    desk.check("a")

    now = layout(desk.i3.tree())
    desk.client.switch("b")
    desk.i3.command("scratchpad show")
    desk.client.switch("a")
    assert not now.differences(layout(desk.i3.tree()))
    assert not _scratchpad_entries(desk)
    desk.check("a")
