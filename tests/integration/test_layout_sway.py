"""A switch keeps each project's tiling layout on a real headless sway 1.7, with native
Wayland windows. sway cannot wrap a whole workspace (its criteria do not match one), so
there each top-level child leaves on its own; the layout must come back all the same."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

from harness import SCRATCHPAD, poll
from harness_extra import Client
from harness_layout import assign, flatten_safe, layout, scenes, window_con
from harness_sway import SwayStack, SwayUser, running, start_service
from i3project_dbus.i3.layout import forest
from i3project_dbus.model.units import plan_units

pytestmark = pytest.mark.sway


@dataclass
class SwayDesk:
    sway: SwayStack
    client: Client
    titles: Iterator[int]

    def open(self, project: str, workspace: str) -> int:
        title = f"{project or 'global'} {next(self.titles)}"
        self.sway.command(f'workspace "{workspace}"')
        self.sway.open_window("foot" if project else "firefox", title)
        con = poll(
            lambda: window_con(self.sway.tree(), title), timeout=20, what=f"sway to map {title}"
        )
        if project:
            assign(self.client, int(con["id"]), project)
        return int(con["id"])

    def clear(self) -> None:
        self.client.switch("")
        for child in self.sway.windows.values():
            child.kill()
        self.sway.windows.clear()
        poll(lambda: not self.client.state()["windows"], timeout=20, what="every window gone")

    def visible_problems(self, active: str) -> list[str]:
        wrong = []
        for w in self.client.state()["windows"]:
            hidden = w["workspace"] == SCRATCHPAD
            if w["project"] and w["project"] != active and not hidden:
                wrong.append(f"{w['title']} visible")
            if (not w["project"] or w["project"] == active) and hidden:
                wrong.append(f"{w['title']} hidden")
        return wrong


@pytest.fixture
def sway(tmp_path: Path) -> Iterator[SwayStack]:
    with running(lambda: SwayStack(SwayUser(), tmp_path)) as stack:
        yield stack


@pytest.fixture
def desk(sway: SwayStack) -> Iterator[SwayDesk]:
    proc, client = start_service(sway)
    try:
        client.create("a")
        client.create("b")
        yield SwayDesk(sway, client, itertools.count())
    finally:
        client.close()
        proc.kill()


def sway_keeps(tree: dict[str, Any]) -> bool:
    """No redundant split pair is left behind when project a's windows leave, nor leaves
    inside them; and no unit comes back to a workspace's top level where only split
    containers stay (nothing to go after but by a directional move) or none stays with a
    split unit among those that return (sway dissolves it into the workspace)."""
    layout_now = forest(tree, sway=True)
    leaving = {
        n.con_id
        for ws in layout_now.workspaces
        for n in ws.walk()
        if n.window and any(m.startswith("project:a:") for m in n.marks)
    }
    units = plan_units(layout_now.workspaces, leaving, can_wrap=False).units
    away = {n.con_id for u in units for n in u.root.walk()}
    for ws in layout_now.workspaces:
        top = [u.root for u in units if u.slot.anchor is None and u.workspace == ws.name]
        staying = [c for c in ws.children if c.con_id not in away]
        if top and staying and not any(c.window for c in staying):
            return False
        if top and not staying and any(not r.window for r in top):
            return False
    return flatten_safe(layout_now, away, [u.root for u in units])


def build(desk: SwayDesk, scene: dict[str, Any]) -> None:
    ids = []
    for owner, workspace, split in scene["windows"]:
        if split:
            desk.sway.command(f'workspace "{workspace}"; split {split}')
        ids.append(desk.open(owner, workspace))
    for op, i, *args in scene["ops"]:
        con_id = ids[i % len(ids)]
        if op == "move":
            desk.sway.command(f"[con_id={con_id}] move {args[0]}")
        elif op == "resize":
            desk.sway.command(f"[con_id={con_id}] resize set {args[0]} {args[1]} ppt")
        else:
            desk.sway.command(f"[con_id={con_id}] split {args[0]}")


@pytest.mark.timeout(900)
@settings(
    max_examples=int(os.environ.get("I3PROJECT_LAYOUT_SWAY_EXAMPLES", "10")),
    deadline=None,
    database=None,
    # The same examples every run: random ones made sway 1.7 itself segfault about one
    # run in four, as an example's windows closed. sway -d logs its "Invalid rectangle"
    # (pixman) in every run, passing ones too, first as new windows map while a scene
    # is built, before the service sends anything for it; which state turns that into
    # a segfault is not known (docs/reliability.md). I3PROJECT_LAYOUT_SWAY_RANDOM=1
    # explores anew.
    derandomize=not os.environ.get("I3PROJECT_LAYOUT_SWAY_RANDOM"),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(scene=scenes())
def test_a_round_trip_keeps_every_workspace_layout_on_sway(
    desk: SwayDesk, scene: dict[str, Any]
) -> None:
    try:
        build(desk, scene)
        desk.client.switch("a")
        tree = desk.sway.tree()
        before = layout(tree)
        # Layouts sway itself rewrites, or that only commands which crashed sway 1.7 in
        # trials would keep (docs/design.md, "sway 1.7 differs").
        assume(sway_keeps(tree))
        desk.client.switch("b")
        assert not desk.visible_problems("b")
        desk.client.switch("a")
        after = layout(desk.sway.tree())
        assert not before.differences(after), before.differences(after)
        assert not desk.visible_problems("a")
    finally:
        desk.clear()


def test_the_measured_case_on_sway(desk: SwayDesk) -> None:
    """splith[A@0.3, global, splitv[B, C]]: sway brings the container back at 50%; the
    resize step puts it back (within 1%). A global window stays at the top level: where
    only split containers stay there, sway offers no place beside them but by a
    directional move, which is not sent to sway (docs/design.md)."""
    a = desk.open("a", "1")
    desk.open("", "1")
    b = desk.open("a", "1")
    desk.sway.command(f"[con_id={b}] split v")
    desk.open("a", "1")
    desk.sway.command(f"[con_id={a}] resize set width 30 ppt")
    desk.client.switch("a")
    before = layout(desk.sway.tree())
    assert before.shapes["1"] == ("splith", ["a 0", "global 1", ("splitv", ["a 2", "a 3"])])
    desk.client.switch("b")
    desk.client.switch("a")
    assert not before.differences(layout(desk.sway.tree()))
